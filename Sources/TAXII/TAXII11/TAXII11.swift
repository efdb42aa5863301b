import BastionXML

/// TAXII 1.1 messages (XML Message Binding 1.1, namespace
/// `http://taxii.mitre.org/messages/taxii_xml_binding-1.1`).
///
/// Every message type is a value type conforming to ``TAXII11Message``:
/// parse with `init(xml:)` (a `String` or bytes), write with
/// ``TAXII11Message/xml(prettyPrinted:)``; ``Message`` holds any of them.
public enum TAXII11 {
    /// The namespace of TAXII 1.1 messages.
    public static let namespace = TAXII.Namespace.taxii11

    /// Any TAXII 1.1 message.
    public enum Message: Sendable, Equatable {
        /// `Status_Message`.
        case statusMessage(StatusMessage)
        /// `Discovery_Request`.
        case discoveryRequest(DiscoveryRequest)
        /// `Discovery_Response`.
        case discoveryResponse(DiscoveryResponse)
        /// `Collection_Information_Request`.
        case collectionInformationRequest(CollectionInformationRequest)
        /// `Collection_Information_Response`.
        case collectionInformationResponse(CollectionInformationResponse)
        /// `Poll_Request`.
        case pollRequest(PollRequest)
        /// `Poll_Response`.
        case pollResponse(PollResponse)
        /// `Inbox_Message`.
        case inboxMessage(InboxMessage)
        /// `Poll_Fulfillment`.
        case pollFulfillmentRequest(PollFulfillmentRequest)
        /// `Subscription_Management_Request`.
        case manageCollectionSubscriptionRequest(ManageCollectionSubscriptionRequest)
        /// `Subscription_Management_Response`.
        case manageCollectionSubscriptionResponse(ManageCollectionSubscriptionResponse)

        /// The message as its concrete type, as an existential.
        public var message: any TAXII11Message {
            switch self {
            case .statusMessage(let m): m
            case .discoveryRequest(let m): m
            case .discoveryResponse(let m): m
            case .collectionInformationRequest(let m): m
            case .collectionInformationResponse(let m): m
            case .pollRequest(let m): m
            case .pollResponse(let m): m
            case .inboxMessage(let m): m
            case .pollFulfillmentRequest(let m): m
            case .manageCollectionSubscriptionRequest(let m): m
            case .manageCollectionSubscriptionResponse(let m): m
            }
        }

        /// The message type.
        public var messageType: TAXII.MessageType { type(of: message).messageType }
        /// The message id.
        public var messageID: String { message.messageID }

        /// The message as XML.
        public func xml(prettyPrinted: Bool = false) throws(TAXIIError) -> String {
            try message.xml(prettyPrinted: prettyPrinted)
        }

        /// Parses a TAXII 1.1 message of any implemented type from XML.
        public init(xml: String) throws(TAXIIError) {
            try self.init(element: TAXIIError.parse(xml))
        }

        /// Parses a TAXII 1.1 message of any implemented type from bytes.
        public init(xml bytes: [UInt8]) throws(TAXIIError) {
            try self.init(element: TAXIIError.parse(bytes))
        }

        /// Interprets a parsed root element as a TAXII 1.1 message.
        public init(element: XMLElement) throws(TAXIIError) {
            guard element.namespaceURI == TAXII11.namespace else {
                throw TAXIIError(.unknownMessageType, path: element.localName, "root element is not in the TAXII 1.1 namespace")
            }
            guard let type = TAXII.MessageType(rawValue: element.localName), TAXII.MessageType.types11.contains(type) else {
                throw TAXIIError(.unknownMessageType, path: element.localName, "<\(element.localName)> is not a TAXII 1.1 message")
            }
            switch type {
            case .statusMessage: self = .statusMessage(try StatusMessage(element: element))
            case .discoveryRequest: self = .discoveryRequest(try DiscoveryRequest(element: element))
            case .discoveryResponse: self = .discoveryResponse(try DiscoveryResponse(element: element))
            case .collectionInformationRequest: self = .collectionInformationRequest(try CollectionInformationRequest(element: element))
            case .collectionInformationResponse: self = .collectionInformationResponse(try CollectionInformationResponse(element: element))
            case .pollRequest: self = .pollRequest(try PollRequest(element: element))
            case .pollResponse: self = .pollResponse(try PollResponse(element: element))
            case .inboxMessage: self = .inboxMessage(try InboxMessage(element: element))
            case .pollFulfillmentRequest: self = .pollFulfillmentRequest(try PollFulfillmentRequest(element: element))
            case .subscriptionManagementRequest:
                self = .manageCollectionSubscriptionRequest(try ManageCollectionSubscriptionRequest(element: element))
            case .subscriptionManagementResponse:
                self = .manageCollectionSubscriptionResponse(try ManageCollectionSubscriptionResponse(element: element))
            default:
                throw TAXIIError(.notImplemented, path: element.localName, "TAXII 1.1 <\(element.localName)> is not implemented yet")
            }
        }
    }
}

/// A TAXII 1.1 message type.
public protocol TAXII11Message: Sendable, Equatable {
    /// The message type (the root element's name).
    static var messageType: TAXII.MessageType { get }
    /// The message id (`message_id`).
    var messageID: String { get set }
    /// The extended headers (`Extended_Headers`); compared order-independently.
    var extendedHeaders: [TAXII11.ExtendedHeader] { get set }
    /// The message's signature (`ds:Signature`), kept as XML.
    var signature: XMLElement? { get set }
    /// Interprets a parsed root element, checking its structure.
    init(element: XMLElement) throws(TAXIIError)
    /// Writes the attributes particular to the message type (after
    /// `message_id` and `in_response_to`).
    func writeAttributes(to writer: inout XMLWriter)
    /// Writes the children particular to the message type (between
    /// `Extended_Headers` and `ds:Signature`).
    func writeChildren(to writer: inout XMLWriter)
    /// The id of the request this responds to (`in_response_to`), for responses.
    var inResponseToID: String? { get }
}

extension TAXII11Message {
    /// Parses the message from XML text, checking its structure.
    ///
    /// - Throws: ``TAXIIError``: `.malformedXML` if the text is not accepted
    ///   XML, `.unknownMessageType` if the root is another message, or a
    ///   structural error naming the element path.
    public init(xml: String) throws(TAXIIError) {
        try self.init(element: TAXIIError.parse(xml))
    }

    /// Parses the message from bytes (see ``init(xml:)-(String)``).
    public init(xml bytes: [UInt8]) throws(TAXIIError) {
        try self.init(element: TAXIIError.parse(bytes))
    }

    /// The message as an XML document (with an XML declaration).
    public func xml(prettyPrinted: Bool = false) throws(TAXIIError) -> String {
        var writer = XMLWriter(options: .init(prettyPrinted: prettyPrinted, xmlDeclaration: true))
        write(to: &writer)
        do {
            return try writer.finish()
        } catch {
            throw TAXIIError(.serialization, path: Self.messageType.rawValue, error.description, xmlError: error)
        }
    }

    /// Writes the whole message element.
    public func write(to writer: inout XMLWriter) {
        writer.start11(Self.messageType.rawValue)
        writer.attribute("message_id", messageID)
        writer.optionalAttribute("in_response_to", inResponseToID)
        writeAttributes(to: &writer)
        TAXII11.ExtendedHeader.write(extendedHeaders, to: &writer)
        writeChildren(to: &writer)
        if let signature { writer.kept(signature) }
        writer.endElement()
    }

    /// Requests have no `in_response_to`.
    public var inResponseToID: String? { nil }

    /// No attributes of its own by default.
    public func writeAttributes(to writer: inout XMLWriter) {}

    /// The base comparison: id, headers in any order, signature.
    func baseEquals(_ other: Self) -> Bool {
        messageID == other.messageID && sameElements(extendedHeaders, other.extendedHeaders)
            && signature == other.signature
    }

    /// Checks the root element and reads the base content: returns a cursor
    /// positioned after `Extended_Headers`, the message id and the headers.
    static func openRoot(_ element: XMLElement) throws(TAXIIError) -> (ElementCursor, String, [TAXII11.ExtendedHeader]) {
        let name = messageType.rawValue
        guard element.isNamed(name, namespace: TAXII11.namespace) else {
            throw TAXIIError(
                .unknownMessageType, path: element.localName,
                "expected a TAXII 1.1 <\(name)>, found <\(element.qualifiedName)> in namespace \(element.namespaceURI ?? "none")"
            )
        }
        var cursor = ElementCursor(element, path: name)
        let messageID = try cursor.requiredAttribute("message_id")
        let headers = try TAXII11.ExtendedHeader.parseList(&cursor)
        return (cursor, messageID, headers)
    }
}

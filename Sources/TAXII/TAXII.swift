import BastionXML
import Synchronization

/// The TAXII namespace: constants shared by TAXII 1.0 and 1.1, message detection
/// (``message(fromXML:)``) and message ids (``generateMessageID()``).
///
/// TAXII 1.1 messages live in ``TAXII11``, TAXII 1.0 messages in ``TAXII10``.
public enum TAXII {
    /// Generates a message id as libtaxii does: a random positive integer, as decimal text.
    ///
    /// The numbers are a splitmix64 sequence seeded once per process from the system's random
    /// source: unpredictable enough for ids (which are not secrets), without a system call per
    /// id (a server makes one for every answer).
    public static func generateMessageID() -> String {
        String(MessageIDSequence.next())
    }

    /// Parses a TAXII message of any implemented type, detecting the version
    /// from the root element's namespace and the type from its name (libtaxii's
    /// `get_message_from_xml`).
    ///
    /// - Throws: ``TAXIIError`` — `.malformedXML` for XML that does not parse,
    ///   `.unknownMessageType` for a root element that is no TAXII message, or
    ///   a structural error from the message type.
    public static func message(fromXML xml: String) throws(TAXIIError) -> Message {
        try message(from: TAXIIError.parse(xml))
    }

    /// Parses a TAXII message from bytes (see ``message(fromXML:)-(String)``).
    public static func message(fromXML bytes: [UInt8]) throws(TAXIIError) -> Message {
        try message(from: TAXIIError.parse(bytes))
    }

    /// Interprets an already-parsed root element as a TAXII message (see ``message(fromXML:)-(String)``).
    public static func message(from element: XMLElement) throws(TAXIIError) -> Message {
        try message(from: element, collector: nil)
    }

    /// Reads a message of either version, throwing its first structural error, or recording
    /// each in `collector` and reading on.
    static func message(from element: XMLElement, collector: StructuralErrorCollector?) throws(TAXIIError) -> Message {
        switch element.namespaceURI {
        case Namespace.taxii11:
            return .taxii11(try TAXII11.Message(element: element, collector: collector))
        case Namespace.taxii10:
            return .taxii10(try TAXII10.Message(element: element, collector: collector))
        default:
            throw TAXIIError(
                .unknownMessageType, path: element.localName,
                "root element <\(element.qualifiedName)> is not in a TAXII message namespace (namespace \(element.namespaceURI.map { "\"\($0)\"" } ?? "none"))"
            )
        }
    }

    /// Reads a message of `version` from its dictionary form (libtaxii's
    /// `get_message_from_dict` of `messages_10` or `messages_11`).
    public static func message(fromDictionary dictionary: [String: DictionaryValue], version: Version) throws(TAXIIError) -> Message {
        switch version {
        case .v10: .taxii10(try TAXII10.Message(dictionary: dictionary))
        case .v11: .taxii11(try TAXII11.Message(dictionary: dictionary))
        }
    }

    /// Reads a message of `version` from JSON holding its dictionary form.
    public static func message(fromJSON json: String, version: Version) throws(TAXIIError) -> Message {
        let value = try DictionaryValue(json: json)
        return try message(fromDictionary: DictionaryReader(value, path: "").members, version: version)
    }

    /// A parsed TAXII message of any version.
    public enum Message: Sendable, Equatable {
        /// A TAXII 1.1 message.
        case taxii11(TAXII11.Message)
        /// A TAXII 1.0 message.
        case taxii10(TAXII10.Message)

        /// The message as its concrete type, as an existential.
        public var message: any TAXIIMessage {
            switch self {
            case .taxii11(let message): message.message
            case .taxii10(let message): message.message
            }
        }

        /// The TAXII version.
        public var version: Version {
            switch self {
            case .taxii11: .v11
            case .taxii10: .v10
            }
        }

        /// The XML message binding version id of the message (`urn:taxii.mitre.org:message:xml:1.x`).
        public var messageBindingID: String { version.messageBindingID }

        /// The message type.
        public var messageType: MessageType { type(of: message).messageType }

        /// The message as XML.
        public func xml(prettyPrinted: Bool = false) throws(TAXIIError) -> String {
            try message.xml(prettyPrinted: prettyPrinted)
        }

        /// The message as an XML document in UTF-8 bytes.
        public func xmlBytes(prettyPrinted: Bool = false) throws(TAXIIError) -> [UInt8] {
            try message.xmlBytes(prettyPrinted: prettyPrinted)
        }

        /// The dictionary form (libtaxii's `to_dict()`).
        public func dictionary() -> [String: DictionaryValue] { message.dictionary() }

        /// The dictionary form as JSON.
        public func json(prettyPrinted: Bool = false) -> String { message.json(prettyPrinted: prettyPrinted) }

        /// The text form (libtaxii's `to_text()`).
        public var text: String { message.text }
    }
}

/// The numbers behind ``TAXII/generateMessageID()``.
enum MessageIDSequence {
    private static let state = Atomic<UInt64>(UInt64.random(in: .min ... .max))

    /// The next number, in 1…Int64.max.
    static func next() -> UInt64 {
        // splitmix64: a counter stepped by an odd constant, mixed by a bijection.
        var z = state.wrappingAdd(0x9E37_79B9_7F4A_7C15, ordering: .relaxed).newValue
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        z ^= z >> 31
        let positive = z & UInt64(Int64.max)
        return positive == 0 ? 1 : positive
    }
}

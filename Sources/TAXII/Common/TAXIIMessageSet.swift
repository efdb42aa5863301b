import BastionXML

/// The messages of one TAXII version as one enum — ``TAXII11/Message`` and
/// ``TAXII10/Message`` — with the forms every message has.
public protocol TAXIIMessageSet: Sendable, Equatable {
    /// The TAXII version of the set.
    static var version: TAXII.Version { get }
    /// The concrete types of the version's messages, by message type.
    static var messageTypes: [TAXII.MessageType: any TAXIIMessage.Type] { get }
    /// The message, as an existential of any version.
    var anyMessage: any TAXIIMessage { get }
    /// Wraps a message of this version (`nil` for a message of another version).
    init?(wrapping message: any TAXIIMessage)
}

extension TAXIIMessageSet {
    /// The message type.
    public var messageType: TAXII.MessageType { type(of: anyMessage).messageType }
    /// The message id.
    public var messageID: String { anyMessage.messageID }

    /// The message as XML.
    public func xml(prettyPrinted: Bool = false) throws(TAXIIError) -> String {
        try anyMessage.xml(prettyPrinted: prettyPrinted)
    }

    /// The dictionary form (libtaxii's `to_dict()`).
    public func dictionary() -> [String: TAXII.DictionaryValue] { anyMessage.dictionary() }
    /// The dictionary form as JSON.
    public func json(prettyPrinted: Bool = false) -> String { anyMessage.json(prettyPrinted: prettyPrinted) }
    /// The text form (libtaxii's `to_text()`).
    public var text: String { anyMessage.text }
    /// Every structural error of the message (see ``TAXIIMessage/validate()``).
    public func validate() -> [TAXIIError] { anyMessage.validate() }

    /// Parses a message of the version, of any type, from XML.
    public init(xml: String) throws(TAXIIError) {
        try self.init(element: TAXIIError.parse(xml))
    }

    /// Parses a message of the version, of any type, from bytes.
    public init(xml bytes: [UInt8]) throws(TAXIIError) {
        try self.init(element: TAXIIError.parse(bytes))
    }

    /// Interprets a parsed root element as a message of the version (libtaxii's `get_message_from_xml`).
    public init(element: XMLElement) throws(TAXIIError) {
        try self.init(element: element, collector: nil)
    }

    /// Reads a message of the version, throwing its first structural error, or recording each
    /// in `collector` and reading on.
    init(element: XMLElement, collector: StructuralErrorCollector?) throws(TAXIIError) {
        let type = try MessageDispatch.type(of: element, version: Self.version, in: Self.messageTypes)
        guard let readable = type as? any RootReadable.Type else {
            throw TAXIIError(.unknownMessageType, path: element.localName, "<\(element.localName)> cannot be read from XML")
        }
        self.init(wrapping: try readable.init(element: element, collector: collector))!
    }

    /// Reads a message of the version, of any type, from its dictionary form
    /// (libtaxii's `get_message_from_dict`), by its `message_type`.
    public init(dictionary: [String: TAXII.DictionaryValue]) throws(TAXIIError) {
        let type = try MessageDispatch.type(of: dictionary, version: Self.version, in: Self.messageTypes)
        self.init(wrapping: try type.init(dictionary: dictionary))!
    }

    /// Reads a message of the version from JSON holding its dictionary form.
    public init(json: String) throws(TAXIIError) {
        try self.init(dictionary: MessageDispatch.dictionary(json: json))
    }
}

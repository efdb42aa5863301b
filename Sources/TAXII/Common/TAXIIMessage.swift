import BastionXML

/// What every TAXII message type, of either version, offers: XML (parse with
/// `init(xml:)`, write with ``xml(prettyPrinted:)``), the dictionary form
/// (``dictionary()``, ``init(dictionary:)``, ``json(prettyPrinted:)``,
/// ``init(json:)``) with libtaxii's keys, libtaxii's text form (``text``) and
/// structural validation (``validate()``).
///
/// ``TAXII11Message`` and ``TAXII10Message`` refine it per version.
public protocol TAXIIMessage: Sendable, Equatable {
    /// The message type (the root element's name).
    static var messageType: TAXII.MessageType { get }
    /// The TAXII version of the message type.
    static var version: TAXII.Version { get }
    /// The message id (`message_id`).
    var messageID: String { get set }
    /// The extended headers (`Extended_Headers`); compared order-independently.
    var extendedHeaders: [TAXII.ExtendedHeader] { get set }
    /// The message's signature (`ds:Signature`), kept as XML.
    var signature: XMLElement? { get set }
    /// The id of the request this responds to (`in_response_to`), for responses.
    var inResponseToID: String? { get }

    /// Interprets a parsed root element, checking its structure.
    init(element: XMLElement) throws(TAXIIError)
    /// Writes the attributes particular to the message type (after
    /// `message_id` and `in_response_to`).
    func writeAttributes(to writer: inout XMLWriter)
    /// Writes the children particular to the message type (between
    /// `Extended_Headers` and `ds:Signature`).
    func writeChildren(to writer: inout XMLWriter)

    /// Reads the dictionary form (libtaxii's `from_dict`), checking keys and types.
    init(dictionary: [String: TAXII.DictionaryValue]) throws(TAXIIError)
    /// Adds the keys particular to the message type to the dictionary form.
    func writeDictionary(into dictionary: inout [String: TAXII.DictionaryValue])
    /// Appends the lines particular to the message type to the text form.
    func writeText(to text: inout String)
    /// About how many bytes the message's XML takes, so that writing it reserves its buffer
    /// once (messages carrying content blocks count their content).
    var xmlSizeEstimate: Int { get }
}

extension TAXIIMessage {
    public var xmlSizeEstimate: Int { 2048 }

    /// The size estimate of a message carrying content of `contentSizes` bytes per block.
    static func xmlSizeEstimate(contentSizes: some Sequence<Int>) -> Int {
        contentSizes.reduce(2048) { $0 + $1 + 512 }
    }
}

/// A message type of this module, read from its root element with the error
/// handling made explicit: a parse throws the first structural error, a
/// validation hands in a collector that records each and reads on.
protocol RootReadable: TAXIIMessage {
    /// Reads the message `element` holds; `collector` is `nil` for a parse.
    init(element: XMLElement, collector: StructuralErrorCollector?) throws(TAXIIError)
}

extension RootReadable {
    /// Interprets a parsed root element, checking its structure (stops at the first error).
    public init(element: XMLElement) throws(TAXIIError) {
        try self.init(element: element, collector: nil)
    }
}

extension TAXIIMessage {
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
        String(decoding: try xmlBytes(prettyPrinted: prettyPrinted), as: UTF8.self)
    }

    /// The message as an XML document in UTF-8 bytes, as a request or reply body carries it.
    public func xmlBytes(prettyPrinted: Bool = false) throws(TAXIIError) -> [UInt8] {
        var writer = XMLWriter(options: .init(prettyPrinted: prettyPrinted, xmlDeclaration: true))
        writer.reserveCapacity(xmlSizeEstimate)
        write(to: &writer)
        do {
            return try writer.finishBytes()
        } catch {
            throw TAXIIError(.serialization, path: Self.messageType.rawValue, error.description, xmlError: error)
        }
    }

    /// Writes the whole message element.
    public func write(to writer: inout XMLWriter) {
        writer.start(Self.messageType.rawValue, Self.version)
        writer.attribute("message_id", messageID)
        writer.optionalAttribute("in_response_to", inResponseToID)
        writeAttributes(to: &writer)
        TAXII.ExtendedHeader.write(extendedHeaders, version: Self.version, to: &writer)
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
    /// positioned after `Extended_Headers` (recording errors in `collector`
    /// while validating), the message id and the headers.
    static func openRoot(_ element: XMLElement, collector: StructuralErrorCollector?) throws(TAXIIError) -> (ElementCursor, String, [TAXII.ExtendedHeader]) {
        let name = messageType.rawValue
        guard element.isNamed(name, namespace: version.namespace) else {
            throw TAXIIError(
                .unknownMessageType, path: element.localName,
                "expected a TAXII \(version.rawValue) <\(name)>, found <\(element.qualifiedName)> in namespace \(element.namespaceURI ?? "none")"
            )
        }
        var cursor = ElementCursor(element, path: name, namespace: version.namespace, collector: collector)
        let messageID = try cursor.requiredAttribute("message_id")
        if version == .v10 { try cursor.checkDigits(messageID, path: cursor.attributePath("message_id")) }
        let headers = try TAXII.ExtendedHeader.parseList(&cursor)
        return (cursor, messageID, headers)
    }

    /// Like ``openRoot(_:collector:)`` for a response: also reads `in_response_to`.
    static func openResponse(_ element: XMLElement, collector: StructuralErrorCollector?) throws(TAXIIError) -> (ElementCursor, String, String, [TAXII.ExtendedHeader]) {
        let (cursor, messageID, headers) = try openRoot(element, collector: collector)
        return (cursor, messageID, try inResponseTo(cursor), headers)
    }

    /// Reads `in_response_to` (digits only in TAXII 1.0).
    static func inResponseTo(_ cursor: ElementCursor) throws(TAXIIError) -> String {
        let value = try cursor.requiredAttribute("in_response_to")
        if version == .v10 { try cursor.checkDigits(value, path: cursor.attributePath("in_response_to")) }
        return value
    }

    // MARK: Dictionary form

    /// The dictionary form, with libtaxii's `to_dict()` keys.
    public func dictionary() -> [String: TAXII.DictionaryValue] {
        var result: [String: TAXII.DictionaryValue] = [
            "message_type": .string(Self.messageType.rawValue),
            "message_id": .string(messageID),
        ]
        result.setIfPresent("in_response_to", inResponseToID)
        result["extended_headers"] = TAXII.ExtendedHeader.dictionary(extendedHeaders)
        writeDictionary(into: &result)
        return result
    }

    /// The dictionary form as JSON (libtaxii's `to_json()`, keys sorted).
    public func json(prettyPrinted: Bool = false) -> String {
        TAXII.DictionaryValue.dictionary(dictionary()).json(prettyPrinted: prettyPrinted)
    }

    /// Reads the message from JSON holding its dictionary form.
    public init(json: String) throws(TAXIIError) {
        let value = try TAXII.DictionaryValue(json: json)
        try self.init(dictionary: DictionaryReader(value, path: "").members)
    }

    /// Checks `message_type` and reads the base keys: returns a reader, the
    /// message id and the headers.
    static func openDictionary(_ dictionary: [String: TAXII.DictionaryValue]) throws(TAXIIError) -> (DictionaryReader, String, [TAXII.ExtendedHeader]) {
        let reader = DictionaryReader(dictionary, path: "")
        let type = try reader.string("message_type")
        guard type == messageType.rawValue else {
            throw TAXIIError(.unknownMessageType, path: "message_type", "expected \(messageType.rawValue), found \"\(type)\"")
        }
        let messageID = try reader.string("message_id")
        let headers = try TAXII.ExtendedHeader.parseDictionary(reader)
        return (reader, messageID, headers)
    }

    // MARK: Text form

    /// The message as libtaxii's `to_text()` prints it: a header with type,
    /// id and extended headers, then the message's fields, nested records
    /// indented by two spaces.
    public var text: String {
        var result = "Message Type: \(Self.messageType.rawValue)\n"
        result += "Message ID: \(messageID)"
        if let inResponseToID, !inResponseToID.isEmpty { result += "; In Response To: \(inResponseToID)" }
        result += "\n"
        for header in extendedHeaders {
            result += "Extended Header: \(header.name) = \(header.value.string)\n"
        }
        writeText(to: &result)
        return result
    }
}

/// A response message: it answers the request whose id is ``inResponseTo``.
public protocol TAXIIResponseMessage: TAXIIMessage {
    /// The id of the request this answers (`in_response_to`).
    var inResponseTo: String { get set }
}

extension TAXIIResponseMessage {
    /// `in_response_to`.
    public var inResponseToID: String? { inResponseTo }
}

/// Text-form helpers shared by both versions.
enum TextForm {
    /// libtaxii's indentation step (`STD_INDENT`).
    static let indent = "  "

    /// Python's `%s` of an optional value: the value or `None`.
    static func python(_ value: String?) -> String { value ?? "None" }

    /// Python's `%s` of an optional boolean: `True`, `False` or `None`.
    static func python(_ value: Bool?) -> String {
        value.map { $0 ? "True" : "False" } ?? "None"
    }

    /// Python's `%s` of a string list: `['a', 'b']`.
    static func python(_ values: [String]) -> String {
        "[" + values.map { "'" + $0 + "'" }.joined(separator: ", ") + "]"
    }
}

/// Finds the concrete message type for a root element or a dictionary form,
/// for ``TAXII11/Message`` and ``TAXII10/Message`` alike.
enum MessageDispatch {
    /// The type of the message `element` holds, which must be in `version`'s namespace.
    static func type<T>(of element: XMLElement, version: TAXII.Version, in types: [TAXII.MessageType: T]) throws(TAXIIError) -> T {
        guard element.namespaceURI == version.namespace else {
            throw TAXIIError(.unknownMessageType, path: element.localName, "root element is not in the TAXII \(version.rawValue) namespace")
        }
        guard let type = TAXII.MessageType(rawValue: element.localName), let concrete = types[type] else {
            throw TAXIIError(.unknownMessageType, path: element.localName, "<\(element.localName)> is not a TAXII \(version.rawValue) message")
        }
        return concrete
    }

    /// The type named by a dictionary form's `message_type`.
    static func type<T>(of dictionary: [String: TAXII.DictionaryValue], version: TAXII.Version, in types: [TAXII.MessageType: T]) throws(TAXIIError) -> T {
        let name = try DictionaryReader(dictionary, path: "").string("message_type")
        guard let type = TAXII.MessageType(rawValue: name), let concrete = types[type] else {
            throw TAXIIError(.unknownMessageType, path: "message_type", "\"\(name)\" is not a TAXII \(version.rawValue) message type")
        }
        return concrete
    }

    /// The dictionary a JSON text holds.
    static func dictionary(json: String) throws(TAXIIError) -> [String: TAXII.DictionaryValue] {
        try DictionaryReader(TAXII.DictionaryValue(json: json), path: "").members
    }
}

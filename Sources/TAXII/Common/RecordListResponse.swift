import BastionXML

/// A record that a list response carries (`Service_Instance`, `Feed`,
/// `Collection`), in every form a message has.
protocol ListedRecord: Sendable, Equatable {
    /// Reads the record element `cursor` is on.
    static func parse(_ cursor: ElementCursor) throws(TAXIIError) -> Self
    /// Writes the record element.
    func write(to writer: inout XMLWriter)
    /// The dictionary form (libtaxii's `to_dict()`).
    var dictionary: TAXII.DictionaryValue { get }
    /// Reads the dictionary form.
    init(dictionary reader: DictionaryReader) throws(TAXIIError)
    /// libtaxii's text form, each line starting with `prefix`.
    func text(prefix: String) -> String
}

/// A response that holds one list of records and nothing else of its own:
/// the Discovery Responses of both versions, TAXII 1.0's Feed Information
/// Response and TAXII 1.1's Collection Information Response. Reading,
/// writing, the dictionary and text forms and libtaxii's order-independent
/// equality are written once, here.
protocol RecordListResponse: TAXIIResponseMessage, RootReadable {
    associatedtype Record: ListedRecord
    /// The records' element name.
    static var recordElement: String { get }
    /// The records' key in the dictionary form.
    static var recordsKey: String { get }
    /// Where the records are kept.
    static var records: WritableKeyPath<Self, [Record]> { get }
    /// A response to `inResponseTo` with a fresh id and nothing else.
    init(answering inResponseTo: String)
}

extension RecordListResponse {
    /// A response put together from its parts.
    init(messageID: String, inResponseTo: String, records: [Record], extendedHeaders: [TAXII.ExtendedHeader], signature: XMLElement?) {
        self.init(answering: inResponseTo)
        self.messageID = messageID
        self[keyPath: Self.records] = records
        self.extendedHeaders = extendedHeaders
        self.signature = signature
    }

    /// Reads the message `element` holds, checking its structure: throws the first error, or
    /// records each in `collector` and reads on.
    init(element: XMLElement, collector: StructuralErrorCollector?) throws(TAXIIError) {
        var (cursor, messageID, headers) = try Self.openRoot(element, collector: collector)
        let inResponseTo = try Self.inResponseTo(cursor)
        let records = try cursor.readMany(Self.recordElement, Record.parse)
        let signature = cursor.signature()
        try cursor.finish()
        self.init(messageID: messageID, inResponseTo: inResponseTo, records: records, extendedHeaders: headers, signature: signature)
    }

    /// Reads the dictionary form.
    public init(dictionary: [String: TAXII.DictionaryValue]) throws(TAXIIError) {
        let (reader, messageID, headers) = try Self.openDictionary(dictionary)
        self.init(
            messageID: messageID, inResponseTo: try reader.string("in_response_to"),
            records: try reader.objects(Self.recordsKey) { (inner) throws(TAXIIError) in try Record(dictionary: inner) },
            extendedHeaders: headers, signature: nil
        )
    }

    /// Writes the records.
    public func writeChildren(to writer: inout XMLWriter) {
        for record in self[keyPath: Self.records] { record.write(to: &writer) }
    }

    /// The records under their key.
    public func writeDictionary(into dictionary: inout [String: TAXII.DictionaryValue]) {
        dictionary[Self.recordsKey] = .list(self[keyPath: Self.records].map(\.dictionary))
    }

    /// One block per record.
    public func writeText(to text: inout String) {
        for record in self[keyPath: Self.records] { text += record.text(prefix: TextForm.indent) }
    }

    /// libtaxii equality (records in any order).
    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.baseEquals(rhs) && lhs.inResponseTo == rhs.inResponseTo
            && sameElements(lhs[keyPath: records], rhs[keyPath: records])
    }
}

import BastionXML

extension TAXII11 {
    /// An extended header (shared with TAXII 1.0).
    public typealias ExtendedHeader = TAXII.ExtendedHeader

    /// A content binding with optional subtypes (`ContentBindingIDType`;
    /// libtaxii `ContentBinding`). In a content block at most one subtype is allowed.
    public struct ContentBinding: Sendable, Equatable, ExpressibleByStringLiteral, CustomStringConvertible {
        /// The binding id (`binding_id`), e.g. ``TAXII/ContentBindingID/stixXML111``.
        public var bindingID: String
        /// The subtype ids (`Subtype@subtype_id`); compared order-independently.
        public var subtypeIDs: [String]

        /// Creates a binding.
        public init(_ bindingID: String, subtypeIDs: [String] = []) {
            self.bindingID = bindingID
            self.subtypeIDs = subtypeIDs
        }

        /// A binding without subtypes.
        public init(stringLiteral value: String) {
            self.init(value)
        }

        /// Parses libtaxii's string form `binding_id` or `binding_id>subtype1,subtype2`.
        public init(libtaxiiString text: String) {
            if let separator = text.firstIndex(of: ">") {
                bindingID = String(text[..<separator])
                subtypeIDs = text[text.index(after: separator)...].split(separator: ",").map(String.init)
            } else {
                bindingID = text
                subtypeIDs = []
            }
        }

        /// libtaxii's string form: `binding_id` or `binding_id>subtype1,subtype2`.
        public var description: String {
            subtypeIDs.isEmpty ? bindingID : bindingID + ">" + subtypeIDs.joined(separator: ",")
        }

        /// Same binding id and same subtypes in any order.
        public static func == (lhs: ContentBinding, rhs: ContentBinding) -> Bool {
            lhs.bindingID == rhs.bindingID && sameElements(lhs.subtypeIDs, rhs.subtypeIDs)
        }

        static func parse(_ cursor: ElementCursor, maximumSubtypes: Int = .max) throws(TAXIIError) -> ContentBinding {
            var cursor = cursor
            let id = try cursor.requiredAttribute("binding_id")
            var subtypes: [String] = []
            let subtypeElements = try cursor.many("Subtype")
            if subtypeElements.count > maximumSubtypes {
                try cursor.fail(TAXIIError(.unexpectedElement, path: subtypeElements[maximumSubtypes].1, "at most \(maximumSubtypes) <Subtype> allowed here"))
            }
            for (subtype, subtypePath) in subtypeElements {
                subtypes.append(try cursor.child(subtype, path: subtypePath).requiredAttribute("subtype_id"))
            }
            try cursor.finish()
            return ContentBinding(id, subtypeIDs: subtypes)
        }

        static func parseList(_ cursor: inout ElementCursor, name: String = "Content_Binding") throws(TAXIIError) -> [ContentBinding] {
            try cursor.readMany(name) { (binding) throws(TAXIIError) in try parse(binding) }
        }

        func write(to writer: inout XMLWriter, name: String = "Content_Binding") {
            writer.start11(name)
            writer.attribute("binding_id", bindingID)
            for subtype in subtypeIDs {
                writer.start11("Subtype")
                writer.attribute("subtype_id", subtype)
                writer.endElement()
            }
            writer.endElement()
        }
    }

    /// A service's bindings and address: the binding group shared by
    /// `Polling_Service`, `Subscription_Service`, `Poll_Instance` (libtaxii
    /// `PollingServiceInstance`, `SubscriptionMethod`, `PollInstance`).
    public struct ServiceBindings: Sendable, Equatable {
        /// The protocol binding id (`Protocol_Binding`), e.g. ``TAXII/VersionID/https10``.
        public var protocolBinding: String
        /// The address (`Address`), for HTTP(S) an absolute URL.
        public var address: String
        /// The message binding ids (`Message_Binding`, 1..n); compared order-independently.
        public var messageBindings: [String]

        /// Creates a binding group.
        public init(protocolBinding: String, address: String, messageBindings: [String]) {
            self.protocolBinding = protocolBinding
            self.address = address
            self.messageBindings = messageBindings
        }

        /// Same values, message bindings in any order.
        public static func == (lhs: ServiceBindings, rhs: ServiceBindings) -> Bool {
            lhs.protocolBinding == rhs.protocolBinding && lhs.address == rhs.address
                && sameElements(lhs.messageBindings, rhs.messageBindings)
        }

        static func parse(_ cursor: inout ElementCursor) throws(TAXIIError) -> ServiceBindings {
            let protocolBinding = try cursor.requiredToken("Protocol_Binding")
            let address = try cursor.requiredToken("Address")
            let messageBindings = try cursor.tokens("Message_Binding", minimum: 1)
            return ServiceBindings(protocolBinding: protocolBinding, address: address, messageBindings: messageBindings)
        }

        static func parse(_ cursor: ElementCursor) throws(TAXIIError) -> ServiceBindings {
            var cursor = cursor
            let result = try parse(&cursor)
            try cursor.finish()
            return result
        }

        func writeContent(to writer: inout XMLWriter, version: TAXII.Version = .v11) {
            writer.text("Protocol_Binding", protocolBinding, version)
            writer.text("Address", address, version)
            for binding in messageBindings {
                writer.text("Message_Binding", binding, version)
            }
        }

        func write(to writer: inout XMLWriter, name: String, version: TAXII.Version = .v11) {
            writer.start(name, version)
            writeContent(to: &writer, version: version)
            writer.endElement()
        }
    }

    /// Where and how to push content (`Push_Parameters`, `Delivery_Parameters`;
    /// libtaxii `PushParameters`, `DeliveryParameters`): exactly one message binding.
    public struct PushParameters: Sendable, Equatable {
        /// The protocol binding id (`Protocol_Binding`).
        public var protocolBinding: String
        /// The address to push to (`Address`).
        public var address: String
        /// The message binding id (`Message_Binding`, exactly one).
        public var messageBinding: String

        /// Creates push parameters.
        public init(protocolBinding: String, address: String, messageBinding: String) {
            self.protocolBinding = protocolBinding
            self.address = address
            self.messageBinding = messageBinding
        }

        static func parse(_ cursor: ElementCursor) throws(TAXIIError) -> PushParameters {
            var cursor = cursor
            let protocolBinding = try cursor.requiredToken("Protocol_Binding")
            let address = try cursor.requiredToken("Address")
            let messageBinding = try cursor.requiredToken("Message_Binding")
            try cursor.finish()
            return PushParameters(protocolBinding: protocolBinding, address: address, messageBinding: messageBinding)
        }

        func write(to writer: inout XMLWriter, name: String) {
            writer.start11(name)
            writer.text11("Protocol_Binding", protocolBinding)
            writer.text11("Address", address)
            writer.text11("Message_Binding", messageBinding)
            writer.endElement()
        }
    }

    /// Delivery parameters of a poll request have the push parameters' shape.
    public typealias DeliveryParameters = PushParameters

    /// A query (`Query`, `QueryType`) or a query capability advertisement
    /// (`Supported_Query`, `SupportedQueryType`): a format id and the format's
    /// body. TAXII Default Query bodies are typed (``TAXII/DefaultQuery`` in a
    /// `Query`, ``TAXII/DefaultQueryInfo`` in a `Supported_Query`); other
    /// formats keep their XML.
    public struct Query: Sendable, Equatable {
        /// What a query or query advertisement carries.
        public enum Body: Sendable, Equatable {
            /// A TAXII Default Query (`tdq:Default_Query`, in `Query`).
            case defaultQuery(TAXII.DefaultQuery)
            /// What a service supports of TAXII Default Query
            /// (`tdq:Default_Query_Info`, in `Supported_Query`).
            case defaultQueryInfo(TAXII.DefaultQueryInfo)
            /// Another query format's content, kept as XML (its first child
            /// element, if any).
            case xml(XMLElement?)
        }

        /// The query format (`format_id`), e.g. ``TAXII/QueryFormatID/defaultQuery10``.
        public var formatID: String
        /// The body.
        public var body: Body

        /// Creates a query of any format.
        public init(formatID: String, body: Body) {
            self.formatID = formatID
            self.body = body
        }

        /// A TAXII Default Query (format ``TAXII/QueryFormatID/defaultQuery10``).
        public init(_ query: TAXII.DefaultQuery) {
            self.init(formatID: TAXII.QueryFormatID.defaultQuery10, body: .defaultQuery(query))
        }

        /// A TAXII Default Query advertisement (format ``TAXII/QueryFormatID/defaultQuery10``),
        /// for a `Supported_Query`.
        public init(_ info: TAXII.DefaultQueryInfo) {
            self.init(formatID: TAXII.QueryFormatID.defaultQuery10, body: .defaultQueryInfo(info))
        }

        /// The Default Query, if the body is one.
        public var defaultQuery: TAXII.DefaultQuery? {
            if case .defaultQuery(let query) = body { return query }
            return nil
        }

        /// The Default Query advertisement, if the body is one.
        public var defaultQueryInfo: TAXII.DefaultQueryInfo? {
            if case .defaultQueryInfo(let info) = body { return info }
            return nil
        }

        /// Reads a `Query` or `Supported_Query` element: for the Default
        /// Query format, exactly one `tdq:Default_Query` (in `Query`) or
        /// `tdq:Default_Query_Info` (in `Supported_Query`), checked.
        static func parse(_ cursor: ElementCursor) throws(TAXIIError) -> Query {
            let (element, path) = (cursor.element, cursor.path)
            let formatID = try cursor.requiredAttribute("format_id")
            guard formatID == TAXII.QueryFormatID.defaultQuery10 else {
                return Query(formatID: formatID, body: .xml(element.firstChildElement))
            }
            let isInfo = element.localName == "Supported_Query"
            let name = isInfo ? "Default_Query_Info" : "Default_Query"
            let children = element.childElements
            guard let child = children.first else {
                throw TAXIIError(.missingElement, path: "\(path)/\(name)", "a Default Query \(element.localName) requires <tdq:\(name)>")
            }
            if children.count > 1 {
                throw TAXIIError(.unexpectedElement, path: "\(path)/\(children[1].localName)", "only one <tdq:\(name)> is allowed here")
            }
            let childPath = "\(path)/\(child.localName)"
            if isInfo {
                return Query(try TAXII.DefaultQueryInfo(reading: cursor.child(child, path: childPath, namespace: TAXII.Namespace.defaultQuery)))
            }
            return Query(try TAXII.DefaultQuery(reading: cursor.child(child, path: childPath, namespace: TAXII.Namespace.defaultQuery)))
        }

        func write(to writer: inout XMLWriter, name: String) {
            writer.start11(name)
            writer.attribute("format_id", formatID)
            switch body {
            case .defaultQuery(let query): query.write(to: &writer)
            case .defaultQueryInfo(let info): info.write(to: &writer)
            case .xml(let element?): writer.kept(element)
            case .xml(nil): break
            }
            writer.endElement()
        }
    }

    /// A record count (`Record_Count`): a number, and whether it is only a lower bound.
    public struct RecordCount: Sendable, Equatable {
        /// The number of records.
        public var count: Int
        /// `partial_count`: the real total is larger or unknown (default `false`).
        public var isPartial: Bool

        /// Creates a record count.
        public init(_ count: Int, isPartial: Bool = false) {
            self.count = count
            self.isPartial = isPartial
        }

        static func parse(_ cursor: inout ElementCursor) throws(TAXIIError) -> RecordCount? {
            guard let (element, path) = cursor.optional("Record_Count") else { return nil }
            let inner = cursor.child(element, path: path)
            guard let count = Int(element.text.trimmedXMLWhitespace), count >= 0 else {
                try inner.fail(TAXIIError(.invalidValue, path: path, "\"\(element.text)\" is not a non-negative integer"))
                return RecordCount(0, isPartial: try inner.boolAttribute("partial_count") ?? false)
            }
            return RecordCount(count, isPartial: try inner.boolAttribute("partial_count") ?? false)
        }

        func write(to writer: inout XMLWriter) {
            writer.start11("Record_Count")
            writer.attribute("partial_count", isPartial ? "true" : "false")
            writer.text(String(count))
            writer.endElement()
        }
    }
}

// MARK: - Query formats' dictionary and text forms (the hook)

/// Where query formats plug in their dictionary and text forms: libtaxii
/// finds a query's deserializer by its `format_id` (`get_deserializer`), and
/// so does Bastion, here. TAXII Default Query has its forms (libtaxii's
/// `DefaultQuery` / `DefaultQueryInfo` `to_dict()` and `to_text()`); any other
/// format gets libtaxii's base form: `{"format_id": …}` (the XML body is kept
/// in the model, but the dictionary form has no key for it) and the
/// `=== Query ===` text.
enum QueryFormats {
    /// A query (`Query`, libtaxii `'query'`) or a capability advertisement
    /// (`Supported_Query`, libtaxii `'query_info'`).
    enum Kind: Sendable {
        case query
        case supportedQuery
    }

    /// The dictionary form of `query`.
    static func dictionary(_ query: TAXII11.Query, kind: Kind) -> TAXII.DictionaryValue {
        switch query.body {
        case .defaultQuery(let body): .dictionary(body.dictionary())
        case .defaultQueryInfo(let body): .dictionary(body.dictionary())
        case .xml: .dictionary(["format_id": .string(query.formatID)])
        }
    }

    /// Reads a query's dictionary form.
    static func query(from reader: DictionaryReader, kind: Kind) throws(TAXIIError) -> TAXII11.Query {
        let formatID = try reader.string("format_id")
        guard formatID == TAXII.QueryFormatID.defaultQuery10 else {
            return TAXII11.Query(formatID: formatID, body: .xml(nil))
        }
        switch kind {
        case .query: return TAXII11.Query(try TAXII.DefaultQuery(dictionary: reader))
        case .supportedQuery: return TAXII11.Query(try TAXII.DefaultQueryInfo(dictionary: reader))
        }
    }

    /// The text form of `query`, each line prefixed by `prefix`.
    static func text(_ query: TAXII11.Query, kind: Kind, prefix: String) -> String {
        switch (query.body, kind) {
        case (.defaultQuery(let body), _): body.text(prefix: prefix)
        case (.defaultQueryInfo(let body), _): body.text(prefix: prefix)
        case (.xml, .query): prefix + "=== Query ===\n" + prefix + "  Query Format: \(query.formatID)\n"
        case (.xml, .supportedQuery): prefix + "=== Supported Query Information ===\n" + prefix + "  Query Format: \(query.formatID)\n"
        }
    }
}

// The dictionary form keeps libtaxii's `messages_11` `to_dict()`/`from_dict()` keys, value for value.
// Where libtaxii leaves a `ContentBinding` object in the dictionary (`supported_contents`,
// `inbox_service_accepted_content`, `SUPPORTED_CONTENT` details), Bastion writes that object's own
// `to_dict()` (`{"binding_id", "subtype_ids"}`), so the form is plain JSON.
extension TAXII11.ContentBinding {
    /// `{binding_id, subtype_ids}`.
    var dictionary: TAXII.DictionaryValue {
        .dictionary(["binding_id": .string(bindingID), "subtype_ids": subtypeIDs.dictionaryList])
    }

    /// Reads `{binding_id, subtype_ids}`, or libtaxii's string form `binding_id>subtype,…`.
    init(dictionaryValue value: TAXII.DictionaryValue, path: String) throws(TAXIIError) {
        if case .string(let text) = value {
            self.init(libtaxiiString: text)
            return
        }
        let reader = try DictionaryReader(value, path: path)
        self.init(try reader.string("binding_id"), subtypeIDs: try reader.strings("subtype_ids"))
    }

    static func list(_ reader: DictionaryReader, _ key: String) throws(TAXIIError) -> [TAXII11.ContentBinding] {
        var result: [TAXII11.ContentBinding] = []
        for (item, path) in try reader.list(key) {
            result.append(try TAXII11.ContentBinding(dictionaryValue: item, path: path))
        }
        return result
    }
}

extension Array where Element == TAXII11.ContentBinding {
    var dictionaryList: TAXII.DictionaryValue { .list(map(\.dictionary)) }
}

extension TAXII11.RecordCount {
    var dictionary: TAXII.DictionaryValue {
        .dictionary(["record_count": .integer(count), "partial_count": .bool(isPartial)])
    }

    init(dictionary reader: DictionaryReader) throws(TAXIIError) {
        self.init(try reader.int("record_count"), isPartial: try reader.optionalBool("partial_count") ?? false)
    }
}

extension TAXII11.PushParameters {
    var dictionary: TAXII.DictionaryValue {
        .dictionary([
            "inbox_protocol": .string(protocolBinding), "inbox_address": .string(address),
            "delivery_message_binding": .string(messageBinding),
        ])
    }

    init(dictionary reader: DictionaryReader) throws(TAXIIError) {
        self.init(
            protocolBinding: try reader.string("inbox_protocol"), address: try reader.string("inbox_address"),
            messageBinding: try reader.string("delivery_message_binding")
        )
    }
}

extension TAXII11.RecordCount {
    func text(prefix: String) -> String {
        var result = prefix + "=== Record Count ===\n" + prefix + "  Record Count: \(count)\n"
        if isPartial { result += prefix + "  Partial Count: True\n" }
        return result
    }
}

extension TAXII11.PushParameters {
    func text(prefix: String) -> String {
        prefix + "=== Push Parameters ===\n" + prefix + "  Protocol Binding: \(protocolBinding)\n"
            + prefix + "  Inbox Address: \(address)\n" + prefix + "  Message Binding: \(messageBinding)\n"
    }
}

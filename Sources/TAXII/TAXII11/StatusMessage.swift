import BastionXML

extension TAXII11 {
    /// A Status Message (`Status_Message`; libtaxii `StatusMessage`): the
    /// response to any request that has no dedicated response, or that failed.
    ///
    /// Status details are `<Detail name="KEY">value</Detail>` pairs; a key may
    /// repeat (list-valued details). The typed accessors (``estimatedWait``,
    /// ``resultID``, …) read the well-known keys. Parsing checks the details
    /// each status type requires (PENDING: `ESTIMATED_WAIT`, `RESULT_ID`,
    /// `WILL_PUSH`; INVALID_RESPONSE_PART: `MAX_PART_NUMBER`) and the type of
    /// the integer and boolean ones.
    public struct StatusMessage: TAXII11Message, RootReadable, TAXIIResponseMessage {
        /// One status detail.
        public struct Detail: Sendable, Equatable {
            /// The key (`name`), e.g. ``TAXII/StatusDetailKey/estimatedWait``.
            public var name: String
            /// The value, as text.
            public var value: String
            /// Creates a detail.
            public init(name: String, value: String) {
                self.name = name
                self.value = value
            }
        }

        /// `Status_Message`.
        public static let messageType = TAXII.MessageType.statusMessage
        /// The message id.
        public var messageID: String
        /// The id of the request this answers.
        public var inResponseTo: String
        /// Extended headers.
        public var extendedHeaders: [ExtendedHeader]
        /// The status type (`status_type`): a well-known value or any URI.
        public var statusType: TAXII.StatusType
        /// The status details in document order; compared as a multiset.
        public var statusDetails: [Detail]
        /// A human-readable message (`Message`).
        public var message: String?
        /// The signature, kept as XML.
        public var signature: XMLElement?

        /// Creates a status message.
        public init(
            messageID: String = TAXII.generateMessageID(),
            inResponseTo: String,
            statusType: TAXII.StatusType,
            statusDetails: [Detail] = [],
            message: String? = nil,
            extendedHeaders: [ExtendedHeader] = [],
            signature: XMLElement? = nil
        ) {
            self.messageID = messageID
            self.inResponseTo = inResponseTo
            self.statusType = statusType
            self.statusDetails = statusDetails
            self.message = message
            self.extendedHeaders = extendedHeaders
            self.signature = signature
        }

        // MARK: Details

        /// Every value of detail `name`, in document order.
        public func detailValues(_ name: String) -> [String] {
            statusDetails.filter { $0.name == name }.map(\.value)
        }

        /// The first value of detail `name`.
        public func detail(_ name: String) -> String? {
            statusDetails.first { $0.name == name }?.value
        }

        /// `ESTIMATED_WAIT` (PENDING, RETRY): seconds.
        public var estimatedWait: Int? { detail(TAXII.StatusDetailKey.estimatedWait).flatMap { Int($0.trimmedXMLWhitespace) } }
        /// `RESULT_ID` (PENDING).
        public var resultID: String? { detail(TAXII.StatusDetailKey.resultID) }
        /// `WILL_PUSH` (PENDING).
        public var willPush: Bool? {
            detail(TAXII.StatusDetailKey.willPush).flatMap { try? ElementCursor.bool($0, path: "") }
        }
        /// `MAX_PART_NUMBER` (INVALID_RESPONSE_PART).
        public var maxPartNumber: Int? { detail(TAXII.StatusDetailKey.maxPartNumber).flatMap { Int($0.trimmedXMLWhitespace) } }
        /// `ITEM` (NOT_FOUND).
        public var item: String? { detail(TAXII.StatusDetailKey.item) }
        /// `ACCEPTABLE_DESTINATION` (DESTINATION_COLLECTION_ERROR).
        public var acceptableDestinations: [String] { detailValues(TAXII.StatusDetailKey.acceptableDestination) }
        /// `SUPPORTED_BINDING` (UNSUPPORTED_MESSAGE).
        public var supportedBindings: [String] { detailValues(TAXII.StatusDetailKey.supportedBinding) }
        /// `SUPPORTED_CONTENT` (UNSUPPORTED_CONTENT), from libtaxii's `binding_id>subtype,…` form.
        public var supportedContent: [ContentBinding] {
            detailValues(TAXII.StatusDetailKey.supportedContent).map { ContentBinding(libtaxiiString: $0) }
        }
        /// `SUPPORTED_PROTOCOL` (UNSUPPORTED_PROTOCOL).
        public var supportedProtocols: [String] { detailValues(TAXII.StatusDetailKey.supportedProtocol) }
        /// `SUPPORTED_QUERY` (UNSUPPORTED_QUERY): query format ids.
        public var supportedQueries: [String] { detailValues(TAXII.StatusDetailKey.supportedQuery) }

        /// The detail keys each status type requires (libtaxii's `status_details` table).
        public static let requiredDetails: [TAXII.StatusType: [String]] = [
            .pending: [TAXII.StatusDetailKey.estimatedWait, TAXII.StatusDetailKey.resultID, TAXII.StatusDetailKey.willPush],
            .invalidResponsePart: [TAXII.StatusDetailKey.maxPartNumber],
        ]

        // MARK: XML

        /// Reads the message `element` holds, checking its structure: throws the first error, or
        /// records each in `collector` and reads on.
        init(element: XMLElement, collector: StructuralErrorCollector?) throws(TAXIIError) {
            var (cursor, messageID, inResponseTo, headers) = try Self.openResponse(element, collector: collector)
            let statusType = TAXII.StatusType(rawValue: try cursor.requiredAttribute("status_type"))
            var details: [Detail] = []
            if let (container, containerPath) = cursor.optional("Status_Detail") {
                var inner = cursor.child(container, path: containerPath)
                for (detail, detailPath) in try inner.many("Detail", minimum: 1) {
                    let name = try cursor.child(detail, path: detailPath).requiredAttribute("name")
                    let value = detail.firstChildElement.map { (try? $0.outerXML()) ?? "" } ?? detail.text
                    do {
                        try Self.checkDetail(name: name, value: value, path: detailPath)
                    } catch {
                        try inner.fail(error)
                    }
                    details.append(Detail(name: name, value: value))
                }
                try inner.finish()
            }
            let message = cursor.optionalText("Message")
            let signature = cursor.signature()
            try cursor.finish()
            for key in Self.requiredDetails[statusType] ?? [] where !details.contains(where: { $0.name == key }) {
                try cursor.report(TAXIIError(
                    .missingStatusDetail, path: "Status_Message/Status_Detail",
                    "status type \(statusType.rawValue) requires the \(key) detail"
                ))
            }
            self.init(
                messageID: messageID, inResponseTo: inResponseTo, statusType: statusType,
                statusDetails: details, message: message, extendedHeaders: headers, signature: signature
            )
        }

        private static func checkDetail(name: String, value: String, path: String) throws(TAXIIError) {
            switch name {
            case TAXII.StatusDetailKey.estimatedWait, TAXII.StatusDetailKey.maxPartNumber:
                guard let number = Int(value.trimmedXMLWhitespace), number >= 0 else {
                    throw TAXIIError(.invalidValue, path: path, "detail \(name) must be a non-negative integer, found \"\(value)\"")
                }
            case TAXII.StatusDetailKey.willPush:
                _ = try ElementCursor.bool(value, path: path)
            default:
                break
            }
        }

        /// Writes `status_type`.
        public func writeAttributes(to writer: inout XMLWriter) {
            writer.attribute("status_type", statusType.rawValue)
        }

        /// Writes `Status_Detail` and `Message`.
        public func writeChildren(to writer: inout XMLWriter) {
            if !statusDetails.isEmpty {
                writer.start11("Status_Detail")
                for detail in statusDetails {
                    writer.start11("Detail")
                    writer.attribute("name", detail.name)
                    writer.text(detail.value)
                    writer.endElement()
                }
                writer.endElement()
            }
            writer.text11("Message", message)
        }

        /// libtaxii equality: details and headers in any order.
        public static func == (lhs: StatusMessage, rhs: StatusMessage) -> Bool {
            lhs.baseEquals(rhs) && lhs.inResponseTo == rhs.inResponseTo && lhs.statusType == rhs.statusType
                && sameElements(lhs.statusDetails, rhs.statusDetails) && lhs.message == rhs.message
        }
    }
}

extension TAXII11.StatusMessage {
    /// libtaxii's typing of a detail value: integers and booleans for the keys
    /// its `status_details` table types under this status type, else text.
    func dictionaryValue(of detail: Detail) -> TAXII.DictionaryValue {
        let typed = (Self.detailTypes[statusType] ?? [:])[detail.name]
        switch typed {
        case .integer?: return Int(detail.value.trimmedXMLWhitespace).map { .integer($0) } ?? .string(detail.value)
        case .boolean?: return (try? ElementCursor.bool(detail.value, path: "")).map { .bool($0) } ?? .string(detail.value)
        case .contentBinding?: return TAXII11.ContentBinding(libtaxiiString: detail.value).dictionary
        case nil: return .string(detail.value)
        }
    }

    enum DetailType { case integer, boolean, contentBinding }

    /// The typed keys of libtaxii's `status_details` table.
    static let detailTypes: [TAXII.StatusType: [String: DetailType]] = [
        .invalidResponsePart: [TAXII.StatusDetailKey.maxPartNumber: .integer],
        .pending: [TAXII.StatusDetailKey.estimatedWait: .integer, TAXII.StatusDetailKey.willPush: .boolean],
        .retry: [TAXII.StatusDetailKey.estimatedWait: .integer],
        .unsupportedContentBinding: [TAXII.StatusDetailKey.supportedContent: .contentBinding],
    ]

    /// `status_detail`: name → value, or a list of values when the name repeats.
    var statusDetailDictionary: [String: TAXII.DictionaryValue] {
        var result: [String: TAXII.DictionaryValue] = [:]
        for detail in statusDetails {
            let value = dictionaryValue(of: detail)
            switch result[detail.name] {
            case nil: result[detail.name] = value
            case .list(let values)?: result[detail.name] = .list(values + [value])
            case let existing?: result[detail.name] = .list([existing, value])
            }
        }
        return result
    }

    static func details(from reader: DictionaryReader) throws(TAXIIError) -> [Detail] {
        guard let value = reader.value("status_detail") else { return [] }
        let details = try DictionaryReader(value, path: reader.keyPath("status_detail"))
        var result: [Detail] = []
        for name in details.members.keys.sorted() {
            let itemPath = details.keyPath(name)
            let values: [TAXII.DictionaryValue] = details.members[name]!.listValue ?? [details.members[name]!]
            for item in values {
                switch item {
                case .string(let text): result.append(Detail(name: name, value: text))
                case .integer(let number): result.append(Detail(name: name, value: String(number)))
                case .bool(let flag): result.append(Detail(name: name, value: flag ? "true" : "false"))
                case .dictionary:
                    result.append(Detail(name: name, value: try TAXII11.ContentBinding(dictionaryValue: item, path: itemPath).description))
                case .null, .list:
                    throw TAXIIError(.wrongType, path: itemPath, "a status detail value must be a string, integer, boolean or content binding, found \(item.typeName)")
                }
            }
        }
        return result
    }

    /// Reads the dictionary form.
    public init(dictionary: [String: TAXII.DictionaryValue]) throws(TAXIIError) {
        let (reader, messageID, headers) = try Self.openDictionary(dictionary)
        let statusType = TAXII.StatusType(rawValue: try reader.string("status_type"))
        let details = try Self.details(from: reader)
        for key in Self.requiredDetails[statusType] ?? [] where !details.contains(where: { $0.name == key }) {
            throw TAXIIError(.missingStatusDetail, path: "status_detail", "status type \(statusType.rawValue) requires the \(key) detail")
        }
        self.init(
            messageID: messageID, inResponseTo: try reader.string("in_response_to"), statusType: statusType,
            statusDetails: details, message: try reader.optionalString("message"), extendedHeaders: headers
        )
    }

    /// `status_type`, `status_detail`, `message`.
    public func writeDictionary(into dictionary: inout [String: TAXII.DictionaryValue]) {
        dictionary["status_type"] = .string(statusType.rawValue)
        dictionary["status_detail"] = .dictionary(statusDetailDictionary)
        dictionary.setIfPresent("message", message)
    }
}

extension TAXII11.StatusMessage {
    /// `Status Type`, each detail (`Status Detail: KEY = value`), `Message`.
    public func writeText(to text: inout String) {
        text += "Status Type: \(statusType.rawValue)\n"
        let details = statusDetailDictionary
        var seen = Set<String>()
        for detail in statusDetails where seen.insert(detail.name).inserted {
            text += "Status Detail: \(detail.name) = \(Self.pythonText(details[detail.name]!))\n"
        }
        if let message, !message.isEmpty { text += "Message: \(message)\n" }
    }

    /// Python's `%s` of a detail value.
    static func pythonText(_ value: TAXII.DictionaryValue) -> String {
        switch value {
        case .string(let text): text
        case .integer(let number): String(number)
        case .bool(let flag): flag ? "True" : "False"
        case .null: "None"
        case .dictionary: (try? TAXII11.ContentBinding(dictionaryValue: value, path: ""))?.description ?? value.json()
        case .list(let items): "[" + items.map { "'" + pythonText($0) + "'" }.joined(separator: ", ") + "]"
        }
    }
}

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

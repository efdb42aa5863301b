import BastionXML

extension TAXII11 {
    /// A Poll Response (`Poll_Response`; libtaxii `PollResponse`): (a part
    /// of) the content a poll asked for.
    public struct PollResponse: TAXII11Message, RootReadable, TAXIIResponseMessage {
        /// The XML's size: the content blocks' content and their elements.
        public var xmlSizeEstimate: Int { Self.xmlSizeEstimate(contentSizes: contentBlocks.lazy.map { $0.content.string.utf8.count }) }

        /// `Poll_Response`.
        public static let messageType = TAXII.MessageType.pollResponse
        /// The message id.
        public var messageID: String
        /// The id of the request this answers.
        public var inResponseTo: String
        /// Extended headers.
        public var extendedHeaders: [ExtendedHeader]
        /// `collection_name`.
        public var collectionName: String
        /// `more`: further parts of the result set exist (default `false`).
        public var more: Bool
        /// `result_id`: the result set (required when ``more`` is `true`).
        public var resultID: String?
        /// `result_part_number` (default 1).
        public var resultPartNumber: Int
        /// `Subscription_ID`, when the poll was made under a subscription.
        public var subscriptionID: String?
        /// The lower bound used (`Exclusive_Begin_Timestamp`).
        public var exclusiveBeginTimestamp: TAXII.Timestamp?
        /// The upper bound used (`Inclusive_End_Timestamp`).
        public var inclusiveEndTimestamp: TAXII.Timestamp?
        /// Records in the whole result set (`Record_Count`).
        public var recordCount: RecordCount?
        /// A human-readable message (`Message`).
        public var message: String?
        /// The content (`Content_Block`); compared order-independently.
        public var contentBlocks: [ContentBlock]
        /// The signature, kept as XML.
        public var signature: XMLElement?

        /// Creates a poll response.
        public init(
            messageID: String = TAXII.generateMessageID(),
            inResponseTo: String,
            collectionName: String,
            more: Bool = false,
            resultID: String? = nil,
            resultPartNumber: Int = 1,
            subscriptionID: String? = nil,
            exclusiveBeginTimestamp: TAXII.Timestamp? = nil,
            inclusiveEndTimestamp: TAXII.Timestamp? = nil,
            recordCount: RecordCount? = nil,
            message: String? = nil,
            contentBlocks: [ContentBlock] = [],
            extendedHeaders: [ExtendedHeader] = [],
            signature: XMLElement? = nil
        ) {
            self.messageID = messageID
            self.inResponseTo = inResponseTo
            self.collectionName = collectionName
            self.more = more
            self.resultID = resultID
            self.resultPartNumber = resultPartNumber
            self.subscriptionID = subscriptionID
            self.exclusiveBeginTimestamp = exclusiveBeginTimestamp
            self.inclusiveEndTimestamp = inclusiveEndTimestamp
            self.recordCount = recordCount
            self.message = message
            self.contentBlocks = contentBlocks
            self.extendedHeaders = extendedHeaders
            self.signature = signature
        }

        /// Reads the message `element` holds, checking its structure: throws the first error, or
        /// records each in `collector` and reads on.
        init(element: XMLElement, collector: StructuralErrorCollector?) throws(TAXIIError) {
            var (cursor, messageID, inResponseTo, headers) = try Self.openResponse(element, collector: collector)
            let collectionName = try cursor.requiredAttribute("collection_name")
            let more = try cursor.boolAttribute("more") ?? false
            let resultID = cursor.attribute("result_id")
            let part = try cursor.positiveIntAttribute("result_part_number") ?? 1
            if more && resultID == nil {
                try cursor.fail(TAXIIError(.missingAttribute, path: "Poll_Response@result_id", "result_id is required when more is true"))
            }
            let subscriptionID = try cursor.optionalToken("Subscription_ID")
            let begin = try cursor.optionalTimestamp("Exclusive_Begin_Timestamp")
            let end = try cursor.optionalTimestamp("Inclusive_End_Timestamp")
            let recordCount = try RecordCount.parse(&cursor)
            let message = cursor.optionalText("Message")
            let blocks = try ContentBlock.parseList(&cursor)
            let signature = cursor.signature()
            try cursor.finish()
            self.init(
                messageID: messageID, inResponseTo: inResponseTo, collectionName: collectionName, more: more,
                resultID: resultID, resultPartNumber: part, subscriptionID: subscriptionID,
                exclusiveBeginTimestamp: begin, inclusiveEndTimestamp: end, recordCount: recordCount,
                message: message, contentBlocks: blocks, extendedHeaders: headers, signature: signature
            )
        }

        /// Writes `collection_name`, `more`, `result_id`, `result_part_number`.
        public func writeAttributes(to writer: inout XMLWriter) {
            writer.attribute("collection_name", collectionName)
            writer.attribute("more", more ? "true" : "false")
            writer.optionalAttribute("result_id", resultID)
            writer.attribute("result_part_number", String(resultPartNumber))
        }

        /// Writes the time window, record count, message and content blocks.
        public func writeChildren(to writer: inout XMLWriter) {
            writer.text11("Subscription_ID", subscriptionID)
            writer.text11("Exclusive_Begin_Timestamp", exclusiveBeginTimestamp?.lexicalForm)
            writer.text11("Inclusive_End_Timestamp", inclusiveEndTimestamp?.lexicalForm)
            recordCount?.write(to: &writer)
            writer.text11("Message", message)
            for block in contentBlocks { block.write(to: &writer) }
        }

        /// libtaxii equality (lists in any order).
        public static func == (lhs: Self, rhs: Self) -> Bool {
            lhs.baseEquals(rhs) && lhs.inResponseTo == rhs.inResponseTo && lhs.collectionName == rhs.collectionName
                && lhs.more == rhs.more && lhs.resultID == rhs.resultID && lhs.resultPartNumber == rhs.resultPartNumber
                && lhs.subscriptionID == rhs.subscriptionID && lhs.exclusiveBeginTimestamp == rhs.exclusiveBeginTimestamp
                && lhs.inclusiveEndTimestamp == rhs.inclusiveEndTimestamp && lhs.recordCount == rhs.recordCount
                && lhs.message == rhs.message && sameElements(lhs.contentBlocks, rhs.contentBlocks)
        }
    }
}

extension TAXII11.PollResponse {
    /// Reads the dictionary form.
    public init(dictionary: [String: TAXII.DictionaryValue]) throws(TAXIIError) {
        let (reader, messageID, headers) = try Self.openDictionary(dictionary)
        let more = try reader.optionalBool("more") ?? false
        let resultID = try reader.optionalString("result_id")
        if more && resultID == nil {
            throw TAXIIError(.missingKey, path: "result_id", "result_id is required when more is true")
        }
        let part = try reader.optionalInt("result_part_number") ?? 1
        guard part >= 1 else { throw TAXIIError(.invalidValue, path: "result_part_number", "\(part) is not a positive integer") }
        self.init(
            messageID: messageID, inResponseTo: try reader.string("in_response_to"),
            collectionName: try reader.string("collection_name"), more: more, resultID: resultID, resultPartNumber: part,
            subscriptionID: try reader.optionalString("subscription_id"),
            exclusiveBeginTimestamp: try reader.optionalTimestamp("exclusive_begin_timestamp_label"),
            inclusiveEndTimestamp: try reader.optionalTimestamp("inclusive_end_timestamp_label"),
            recordCount: try reader.optionalObject("record_count") { (inner) throws(TAXIIError) in try TAXII11.RecordCount(dictionary: inner) },
            message: try reader.optionalString("message"),
            contentBlocks: try reader.objects("content_blocks") { (inner) throws(TAXIIError) in try TAXII11.ContentBlock(dictionary: inner) },
            extendedHeaders: headers
        )
    }

    /// The result-set keys, window, record count, message and content blocks.
    public func writeDictionary(into dictionary: inout [String: TAXII.DictionaryValue]) {
        dictionary["collection_name"] = .string(collectionName)
        dictionary["more"] = .bool(more)
        dictionary["result_id"] = TAXII.DictionaryValue(resultID)
        dictionary["result_part_number"] = .integer(resultPartNumber)
        if let recordCount { dictionary["record_count"] = recordCount.dictionary }
        dictionary.setIfPresent("subscription_id", subscriptionID)
        dictionary.setIfPresent("message", message)
        dictionary.setIfPresent("exclusive_begin_timestamp_label", exclusiveBeginTimestamp)
        dictionary.setIfPresent("inclusive_end_timestamp_label", inclusiveEndTimestamp)
        dictionary["content_blocks"] = .list(contentBlocks.map(\.dictionary))
    }
}

extension TAXII11.PollResponse {
    /// Collection, result set, record count, window, content blocks.
    public func writeText(to text: inout String) {
        text += "  Collection Name: \(collectionName)\n"
        text += "  More: \(TextForm.python(more))\n"
        text += "  Result ID: \(TextForm.python(resultID))\n"
        text += "  Result Part Num: \(resultPartNumber)\n"
        if let recordCount { text += recordCount.text(prefix: TextForm.indent) }
        if let subscriptionID { text += "  Subscription ID: \(subscriptionID)\n" }
        if let message, !message.isEmpty { text += "  Message: \(message)\n" }
        if let exclusiveBeginTimestamp { text += "  Excl. Begin TS Label: \(exclusiveBeginTimestamp.isoFormat)\n" }
        if let inclusiveEndTimestamp { text += "  Incl. End TS Label: \(inclusiveEndTimestamp.isoFormat)\n" }
        for block in contentBlocks { text += block.text(prefix: TextForm.indent) }
    }
}

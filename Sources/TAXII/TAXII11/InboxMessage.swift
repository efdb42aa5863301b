import BastionXML

extension TAXII11 {
    /// Why content is pushed: the subscription it was pushed under
    /// (`Source_Subscription`; libtaxii `SubscriptionInformation`).
    public struct SubscriptionInformation: Sendable, Equatable {
        /// `collection_name`.
        public var collectionName: String
        /// `Subscription_ID`.
        public var subscriptionID: String
        /// The window the pushed content covers (`Exclusive_Begin_Timestamp`).
        public var exclusiveBeginTimestamp: TAXII.Timestamp?
        /// The window the pushed content covers (`Inclusive_End_Timestamp`).
        public var inclusiveEndTimestamp: TAXII.Timestamp?

        /// Creates subscription information.
        public init(
            collectionName: String, subscriptionID: String,
            exclusiveBeginTimestamp: TAXII.Timestamp? = nil, inclusiveEndTimestamp: TAXII.Timestamp? = nil
        ) {
            self.collectionName = collectionName
            self.subscriptionID = subscriptionID
            self.exclusiveBeginTimestamp = exclusiveBeginTimestamp
            self.inclusiveEndTimestamp = inclusiveEndTimestamp
        }
    }

    /// An Inbox Message (`Inbox_Message`; libtaxii `InboxMessage`): content
    /// pushed to an Inbox Service.
    public struct InboxMessage: TAXII11Message, RootReadable {
        /// The XML's size: the content blocks' content and their elements.
        public var xmlSizeEstimate: Int { Self.xmlSizeEstimate(contentSizes: contentBlocks.lazy.map { $0.content.string.utf8.count }) }

        /// `Inbox_Message`.
        public static let messageType = TAXII.MessageType.inboxMessage
        /// The message id.
        public var messageID: String
        /// Extended headers.
        public var extendedHeaders: [ExtendedHeader]
        /// `result_id`, when this delivers (part of) an asynchronous poll result.
        public var resultID: String?
        /// Target collections at the receiver (`Destination_Collection_Name`); compared order-independently.
        public var destinationCollectionNames: [String]
        /// A human-readable message (`Message`).
        public var message: String?
        /// The subscription the content was pushed under (`Source_Subscription`).
        public var subscriptionInformation: SubscriptionInformation?
        /// Records in the pushed set (`Record_Count`).
        public var recordCount: RecordCount?
        /// The content (`Content_Block`); compared order-independently.
        public var contentBlocks: [ContentBlock]
        /// The signature, kept as XML.
        public var signature: XMLElement?

        /// Creates an inbox message.
        public init(
            messageID: String = TAXII.generateMessageID(),
            resultID: String? = nil,
            destinationCollectionNames: [String] = [],
            message: String? = nil,
            subscriptionInformation: SubscriptionInformation? = nil,
            recordCount: RecordCount? = nil,
            contentBlocks: [ContentBlock] = [],
            extendedHeaders: [ExtendedHeader] = [],
            signature: XMLElement? = nil
        ) {
            self.messageID = messageID
            self.resultID = resultID
            self.destinationCollectionNames = destinationCollectionNames
            self.message = message
            self.subscriptionInformation = subscriptionInformation
            self.recordCount = recordCount
            self.contentBlocks = contentBlocks
            self.extendedHeaders = extendedHeaders
            self.signature = signature
        }

        /// Reads the message `element` holds, checking its structure: throws the first error, or
        /// records each in `collector` and reads on.
        init(element: XMLElement, collector: StructuralErrorCollector?) throws(TAXIIError) {
            var (cursor, messageID, headers) = try Self.openRoot(element, collector: collector)
            let resultID = cursor.attribute("result_id")
            let destinations = try cursor.tokens("Destination_Collection_Name")
            let message = cursor.optionalText("Message")
            var source: SubscriptionInformation?
            if let (sourceElement, sourcePath) = cursor.optional("Source_Subscription") {
                var inner = cursor.child(sourceElement, path: sourcePath)
                let collectionName = try inner.requiredAttribute("collection_name")
                let id = try inner.requiredToken("Subscription_ID")
                let begin = try inner.optionalTimestamp("Exclusive_Begin_Timestamp")
                let end = try inner.optionalTimestamp("Inclusive_End_Timestamp")
                try inner.finish()
                source = SubscriptionInformation(
                    collectionName: collectionName, subscriptionID: id,
                    exclusiveBeginTimestamp: begin, inclusiveEndTimestamp: end
                )
            }
            let recordCount = try RecordCount.parse(&cursor)
            let blocks = try ContentBlock.parseList(&cursor)
            let signature = cursor.signature()
            try cursor.finish()
            self.init(
                messageID: messageID, resultID: resultID, destinationCollectionNames: destinations, message: message,
                subscriptionInformation: source, recordCount: recordCount, contentBlocks: blocks,
                extendedHeaders: headers, signature: signature
            )
        }

        /// Writes `result_id`.
        public func writeAttributes(to writer: inout XMLWriter) {
            writer.optionalAttribute("result_id", resultID)
        }

        /// Writes destinations, message, source subscription, record count and content blocks.
        public func writeChildren(to writer: inout XMLWriter) {
            for name in destinationCollectionNames { writer.text11("Destination_Collection_Name", name) }
            writer.text11("Message", message)
            if let source = subscriptionInformation {
                writer.start11("Source_Subscription")
                writer.attribute("collection_name", source.collectionName)
                writer.text11("Subscription_ID", source.subscriptionID)
                writer.text11("Exclusive_Begin_Timestamp", source.exclusiveBeginTimestamp?.lexicalForm)
                writer.text11("Inclusive_End_Timestamp", source.inclusiveEndTimestamp?.lexicalForm)
                writer.endElement()
            }
            recordCount?.write(to: &writer)
            for block in contentBlocks { block.write(to: &writer) }
        }

        /// libtaxii equality (lists in any order).
        public static func == (lhs: Self, rhs: Self) -> Bool {
            lhs.baseEquals(rhs) && lhs.resultID == rhs.resultID
                && sameElements(lhs.destinationCollectionNames, rhs.destinationCollectionNames)
                && lhs.message == rhs.message && lhs.subscriptionInformation == rhs.subscriptionInformation
                && lhs.recordCount == rhs.recordCount && sameElements(lhs.contentBlocks, rhs.contentBlocks)
        }
    }

    /// A Poll Fulfillment Request (`Poll_Fulfillment`; libtaxii
    /// `PollFulfillmentRequest`): asks for a part of a result set.
    public struct PollFulfillmentRequest: TAXII11Message, RootReadable {
        /// `Poll_Fulfillment`.
        public static let messageType = TAXII.MessageType.pollFulfillmentRequest
        /// The message id.
        public var messageID: String
        /// Extended headers.
        public var extendedHeaders: [ExtendedHeader]
        /// `collection_name`.
        public var collectionName: String
        /// `result_id`.
        public var resultID: String
        /// `result_part_number` (default 1; always written).
        public var resultPartNumber: Int
        /// The signature, kept as XML.
        public var signature: XMLElement?

        /// Creates a poll fulfillment request.
        public init(
            messageID: String = TAXII.generateMessageID(),
            collectionName: String,
            resultID: String,
            resultPartNumber: Int = 1,
            extendedHeaders: [ExtendedHeader] = [],
            signature: XMLElement? = nil
        ) {
            self.messageID = messageID
            self.collectionName = collectionName
            self.resultID = resultID
            self.resultPartNumber = resultPartNumber
            self.extendedHeaders = extendedHeaders
            self.signature = signature
        }

        /// Reads the message `element` holds, checking its structure: throws the first error, or
        /// records each in `collector` and reads on.
        init(element: XMLElement, collector: StructuralErrorCollector?) throws(TAXIIError) {
            var (cursor, messageID, headers) = try Self.openRoot(element, collector: collector)
            let collectionName = try cursor.requiredAttribute("collection_name")
            let resultID = try cursor.requiredAttribute("result_id")
            let part = try cursor.positiveIntAttribute("result_part_number") ?? 1
            let signature = cursor.signature()
            try cursor.finish()
            self.init(
                messageID: messageID, collectionName: collectionName, resultID: resultID,
                resultPartNumber: part, extendedHeaders: headers, signature: signature
            )
        }

        /// Writes `collection_name`, `result_id`, `result_part_number`.
        public func writeAttributes(to writer: inout XMLWriter) {
            writer.attribute("collection_name", collectionName)
            writer.attribute("result_id", resultID)
            writer.attribute("result_part_number", String(resultPartNumber))
        }

        /// No children of its own.
        public func writeChildren(to writer: inout XMLWriter) {}

        /// libtaxii equality (headers in any order).
        public static func == (lhs: Self, rhs: Self) -> Bool {
            lhs.baseEquals(rhs) && lhs.collectionName == rhs.collectionName && lhs.resultID == rhs.resultID
                && lhs.resultPartNumber == rhs.resultPartNumber
        }
    }
}

extension TAXII11.InboxMessage {
    /// Reads the dictionary form.
    public init(dictionary: [String: TAXII.DictionaryValue]) throws(TAXIIError) {
        let (reader, messageID, headers) = try Self.openDictionary(dictionary)
        self.init(
            messageID: messageID, resultID: try reader.optionalString("result_id"),
            destinationCollectionNames: try reader.strings("destination_collection_names"),
            message: try reader.optionalString("message"),
            subscriptionInformation: try reader.optionalObject("subscription_information") { (inner) throws(TAXIIError) in
                TAXII11.SubscriptionInformation(
                    collectionName: try inner.string("collection_name"), subscriptionID: try inner.string("subscription_id"),
                    exclusiveBeginTimestamp: try inner.optionalTimestamp("exclusive_begin_timestamp_label"),
                    inclusiveEndTimestamp: try inner.optionalTimestamp("inclusive_end_timestamp_label")
                )
            },
            recordCount: try reader.optionalObject("record_count") { (inner) throws(TAXIIError) in try TAXII11.RecordCount(dictionary: inner) },
            contentBlocks: try reader.objects("content_blocks") { (inner) throws(TAXIIError) in try TAXII11.ContentBlock(dictionary: inner) },
            extendedHeaders: headers
        )
    }

    /// `result_id`, destinations, message, source subscription, record count, content blocks.
    public func writeDictionary(into dictionary: inout [String: TAXII.DictionaryValue]) {
        dictionary.setIfPresent("result_id", resultID)
        dictionary["destination_collection_names"] = destinationCollectionNames.dictionaryList
        dictionary.setIfPresent("message", message)
        if let source = subscriptionInformation {
            var information: [String: TAXII.DictionaryValue] = [
                "collection_name": .string(source.collectionName), "subscription_id": .string(source.subscriptionID),
            ]
            information.setIfPresent("exclusive_begin_timestamp_label", source.exclusiveBeginTimestamp)
            information.setIfPresent("inclusive_end_timestamp_label", source.inclusiveEndTimestamp)
            dictionary["subscription_information"] = .dictionary(information)
        }
        if let recordCount { dictionary["record_count"] = recordCount.dictionary }
        dictionary["content_blocks"] = .list(contentBlocks.map(\.dictionary))
    }
}

extension TAXII11.PollFulfillmentRequest {
    /// Reads the dictionary form.
    public init(dictionary: [String: TAXII.DictionaryValue]) throws(TAXIIError) {
        let (reader, messageID, headers) = try Self.openDictionary(dictionary)
        let part = try reader.int("result_part_number")
        guard part >= 1 else { throw TAXIIError(.invalidValue, path: "result_part_number", "\(part) is not a positive integer") }
        self.init(
            messageID: messageID, collectionName: try reader.string("collection_name"),
            resultID: try reader.string("result_id"), resultPartNumber: part, extendedHeaders: headers
        )
    }

    /// `collection_name`, `result_id`, `result_part_number`.
    public func writeDictionary(into dictionary: inout [String: TAXII.DictionaryValue]) {
        dictionary["collection_name"] = .string(collectionName)
        dictionary["result_id"] = .string(resultID)
        dictionary["result_part_number"] = .integer(resultPartNumber)
    }
}

extension TAXII11.InboxMessage {
    /// Result id, destinations, message, source subscription, record count, content blocks.
    public func writeText(to text: inout String) {
        if let resultID { text += "  Result ID: \(resultID)\n" }
        for name in destinationCollectionNames { text += "  Destination Collection Name: \(name)\n" }
        text += "  Message: \(TextForm.python(message))\n"
        if let source = subscriptionInformation {
            let prefix = TextForm.indent
            text += prefix + "=== Source Subscription ===\n"
            text += prefix + "  Collection Name: \(source.collectionName)\n"
            text += prefix + "  Subscription ID: \(source.subscriptionID)\n"
            text += prefix + "  Excl. Begin TS Label: \(TextForm.python(source.exclusiveBeginTimestamp?.isoFormat))\n"
            text += prefix + "  Incl. End TS Label: \(TextForm.python(source.inclusiveEndTimestamp?.isoFormat))\n"
        }
        if let recordCount { text += recordCount.text(prefix: TextForm.indent) }
        text += "  Message has \(contentBlocks.count) Content Blocks\n"
        for block in contentBlocks { text += block.text(prefix: TextForm.indent) }
    }
}

extension TAXII11.PollFulfillmentRequest {
    /// Collection, result id, part number.
    public func writeText(to text: inout String) {
        text += "  Collection Name: \(collectionName)\n"
        text += "  Result ID: \(resultID)\n"
        text += "  Result Part Number: \(resultPartNumber)\n"
    }
}

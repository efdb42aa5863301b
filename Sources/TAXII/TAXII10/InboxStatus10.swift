import BastionXML

extension TAXII10 {
    /// Why content is pushed: the subscription it was pushed under
    /// (`Source_Subscription`; libtaxii `SubscriptionInformation`).
    public struct SubscriptionInformation: Sendable, Equatable {
        /// `feed_name`.
        public var feedName: String
        /// `subscription_id` (optional in the binding).
        public var subscriptionID: String?
        /// The window the pushed content covers (`Inclusive_Begin_Timestamp`).
        public var inclusiveBeginTimestamp: TAXII.Timestamp?
        /// The window the pushed content covers (`Inclusive_End_Timestamp`, required).
        public var inclusiveEndTimestamp: TAXII.Timestamp

        /// Creates subscription information.
        public init(feedName: String, subscriptionID: String?, inclusiveBeginTimestamp: TAXII.Timestamp? = nil, inclusiveEndTimestamp: TAXII.Timestamp) {
            self.feedName = feedName
            self.subscriptionID = subscriptionID
            self.inclusiveBeginTimestamp = inclusiveBeginTimestamp
            self.inclusiveEndTimestamp = inclusiveEndTimestamp
        }
    }

    /// An Inbox Message (`Inbox_Message`; libtaxii `InboxMessage`): content pushed to an Inbox Service.
    public struct InboxMessage: TAXII10Message, RootReadable {
        /// The XML's size: the content blocks' content and their elements.
        public var xmlSizeEstimate: Int { Self.xmlSizeEstimate(contentSizes: contentBlocks.lazy.map { $0.content.string.utf8.count }) }

        /// `Inbox_Message`.
        public static let messageType = TAXII.MessageType.inboxMessage
        /// The message id (digits).
        public var messageID: String
        /// Extended headers.
        public var extendedHeaders: [ExtendedHeader]
        /// A human-readable message (`Message`).
        public var message: String?
        /// The subscription the content was pushed under (`Source_Subscription`).
        public var subscriptionInformation: SubscriptionInformation?
        /// The content (`Content_Block`); compared order-independently.
        public var contentBlocks: [ContentBlock]
        /// The signature, kept as XML.
        public var signature: XMLElement?

        /// Creates an inbox message.
        public init(
            messageID: String = TAXII.generateMessageID(), message: String? = nil, subscriptionInformation: SubscriptionInformation? = nil,
            contentBlocks: [ContentBlock] = [], extendedHeaders: [ExtendedHeader] = [], signature: XMLElement? = nil
        ) {
            self.messageID = messageID
            self.message = message
            self.subscriptionInformation = subscriptionInformation
            self.contentBlocks = contentBlocks
            self.extendedHeaders = extendedHeaders
            self.signature = signature
        }

        /// Reads the message `element` holds, checking its structure: throws the first error, or
        /// records each in `collector` and reads on.
        init(element: XMLElement, collector: StructuralErrorCollector?) throws(TAXIIError) {
            var (cursor, messageID, headers) = try Self.openRoot(element, collector: collector)
            let message = cursor.optionalText("Message")
            var source: SubscriptionInformation?
            if let (sourceElement, sourcePath) = cursor.optional("Source_Subscription") {
                var inner = cursor.child(sourceElement, path: sourcePath)
                let feedName = try inner.requiredAttribute("feed_name")
                let id = inner.attribute("subscription_id")
                let begin = try inner.optionalTimestamp("Inclusive_Begin_Timestamp")
                let end = try inner.requiredTimestamp("Inclusive_End_Timestamp")
                try inner.finish()
                source = SubscriptionInformation(feedName: feedName, subscriptionID: id, inclusiveBeginTimestamp: begin, inclusiveEndTimestamp: end)
            }
            let blocks = try ContentBlock.parseList(&cursor)
            let signature = cursor.signature()
            try cursor.finish()
            self.init(
                messageID: messageID, message: message, subscriptionInformation: source, contentBlocks: blocks,
                extendedHeaders: headers, signature: signature
            )
        }

        /// Reads the dictionary form.
        public init(dictionary: [String: TAXII.DictionaryValue]) throws(TAXIIError) {
            let (reader, messageID, headers) = try Self.openDictionary(dictionary)
            self.init(
                messageID: messageID, message: try reader.optionalString("message"),
                subscriptionInformation: try reader.optionalObject("subscription_information") { (inner) throws(TAXIIError) in
                    SubscriptionInformation(
                        feedName: try inner.string("feed_name"), subscriptionID: try inner.optionalString("subscription_id"),
                        inclusiveBeginTimestamp: try inner.optionalTimestamp("inclusive_begin_timestamp_label"),
                        inclusiveEndTimestamp: try inner.timestamp("inclusive_end_timestamp_label")
                    )
                },
                contentBlocks: try reader.objects("content_blocks") { (inner) throws(TAXIIError) in try ContentBlock(dictionary: inner) },
                extendedHeaders: headers
            )
        }

        /// Writes the message, the source subscription and the content blocks.
        public func writeChildren(to writer: inout XMLWriter) {
            writer.text("Message", message, .v10)
            if let source = subscriptionInformation {
                writer.start("Source_Subscription", .v10)
                writer.attribute("feed_name", source.feedName)
                writer.optionalAttribute("subscription_id", source.subscriptionID)
                writer.text("Inclusive_Begin_Timestamp", source.inclusiveBeginTimestamp?.lexicalForm, .v10)
                writer.text("Inclusive_End_Timestamp", source.inclusiveEndTimestamp.lexicalForm, .v10)
                writer.endElement()
            }
            for block in contentBlocks { block.write(to: &writer) }
        }

        /// `message`, `subscription_information`, `content_blocks`.
        public func writeDictionary(into dictionary: inout [String: TAXII.DictionaryValue]) {
            dictionary.setIfPresent("message", message)
            if let source = subscriptionInformation {
                var information: [String: TAXII.DictionaryValue] = [
                    "feed_name": .string(source.feedName), "subscription_id": TAXII.DictionaryValue(source.subscriptionID),
                ]
                information.setIfPresent("inclusive_begin_timestamp_label", source.inclusiveBeginTimestamp)
                information.setIfPresent("inclusive_end_timestamp_label", source.inclusiveEndTimestamp)
                dictionary["subscription_information"] = .dictionary(information)
            }
            dictionary["content_blocks"] = .list(contentBlocks.map(\.dictionary))
        }

        /// Message, source subscription, content blocks.
        public func writeText(to text: inout String) {
            text += "  Message: \(TextForm.python(message))\n"
            if let source = subscriptionInformation {
                let prefix = TextForm.indent
                text += prefix + "=== Subscription Information ===\n"
                text += prefix + "  Feed Name: \(source.feedName)\n"
                text += prefix + "  Subscription ID: \(TextForm.python(source.subscriptionID))\n"
                text += prefix + "  Incl. Begin TS Label: \(TextForm.python(source.inclusiveBeginTimestamp?.isoFormat))\n"
                text += prefix + "  Incl. End TS Label: \(source.inclusiveEndTimestamp.isoFormat)\n"
            }
            text += "  Message has \(contentBlocks.count) Content Blocks\n"
            for block in contentBlocks { text += block.text(prefix: TextForm.indent) }
        }

        /// libtaxii equality (lists in any order).
        public static func == (lhs: Self, rhs: Self) -> Bool {
            lhs.baseEquals(rhs) && lhs.message == rhs.message && lhs.subscriptionInformation == rhs.subscriptionInformation
                && sameElements(lhs.contentBlocks, rhs.contentBlocks)
        }
    }

    /// A Status Message (`Status_Message`; libtaxii `StatusMessage`): one of
    /// the eleven TAXII 1.0 status types, with a free-text detail.
    public struct StatusMessage: TAXII10Message, RootReadable, TAXIIResponseMessage {
        /// `Status_Message`.
        public static let messageType = TAXII.MessageType.statusMessage
        /// The message id (digits).
        public var messageID: String
        /// The id of the request this answers (digits).
        public var inResponseTo: String
        /// Extended headers.
        public var extendedHeaders: [ExtendedHeader]
        /// `status_type`: one of ``TAXII/StatusType/types10``.
        public var statusType: TAXII.StatusType
        /// `Status_Detail`: free text (a wait in seconds for RETRY, supported ids for UNSUPPORTED_*, …).
        public var statusDetail: String?
        /// A human-readable message (`Message`).
        public var message: String?
        /// The signature, kept as XML.
        public var signature: XMLElement?

        /// Creates a status message.
        public init(
            messageID: String = TAXII.generateMessageID(), inResponseTo: String, statusType: TAXII.StatusType,
            statusDetail: String? = nil, message: String? = nil, extendedHeaders: [ExtendedHeader] = [], signature: XMLElement? = nil
        ) {
            self.messageID = messageID
            self.inResponseTo = inResponseTo
            self.statusType = statusType
            self.statusDetail = statusDetail
            self.message = message
            self.extendedHeaders = extendedHeaders
            self.signature = signature
        }

        /// Reads the message `element` holds, checking its structure: throws the first error, or
        /// records each in `collector` and reads on.
        init(element: XMLElement, collector: StructuralErrorCollector?) throws(TAXIIError) {
            var (cursor, messageID, inResponseTo, headers) = try Self.openResponse(element, collector: collector)
            let rawType = try cursor.requiredAttribute("status_type")
            let statusType = rawType.isEmpty ? .failure
                : try cursor.checkedEnum(rawType, allowed: TAXII.StatusType.types10, path: cursor.attributePath("status_type")) ?? .failure
            let detail = cursor.optionalText("Status_Detail")
            let message = cursor.optionalText("Message")
            let signature = cursor.signature()
            try cursor.finish()
            self.init(
                messageID: messageID, inResponseTo: inResponseTo, statusType: statusType, statusDetail: detail,
                message: message, extendedHeaders: headers, signature: signature
            )
        }

        /// Reads the dictionary form.
        public init(dictionary: [String: TAXII.DictionaryValue]) throws(TAXIIError) {
            let (reader, messageID, headers) = try Self.openDictionary(dictionary)
            self.init(
                messageID: messageID, inResponseTo: try reader.string("in_response_to"),
                statusType: try ElementCursor.enumValue(try reader.string("status_type"), allowed: TAXII.StatusType.types10, path: "status_type"),
                statusDetail: try reader.optionalString("status_detail"), message: try reader.optionalString("message"),
                extendedHeaders: headers
            )
        }

        /// Writes `status_type`.
        public func writeAttributes(to writer: inout XMLWriter) {
            writer.attribute("status_type", statusType.rawValue)
        }

        /// Writes the detail and the message.
        public func writeChildren(to writer: inout XMLWriter) {
            writer.text("Status_Detail", statusDetail, .v10)
            writer.text("Message", message, .v10)
        }

        /// `status_type`, `status_detail`, `message`.
        public func writeDictionary(into dictionary: inout [String: TAXII.DictionaryValue]) {
            dictionary["status_type"] = .string(statusType.rawValue)
            dictionary.setIfPresent("status_detail", statusDetail)
            dictionary.setIfPresent("message", message)
        }

        /// Status type, detail, message.
        public func writeText(to text: inout String) {
            text += "  Status Type: \(statusType.rawValue)\n"
            if let statusDetail, !statusDetail.isEmpty { text += "  Status Detail: \(statusDetail)\n" }
            text += "  Status Message: \(TextForm.python(message))\n"
        }

        /// libtaxii equality (headers in any order).
        public static func == (lhs: Self, rhs: Self) -> Bool {
            lhs.baseEquals(rhs) && lhs.inResponseTo == rhs.inResponseTo && lhs.statusType == rhs.statusType
                && lhs.statusDetail == rhs.statusDetail && lhs.message == rhs.message
        }
    }
}

import BastionXML

extension TAXII10 {
    /// A Poll Request (`Poll_Request`; libtaxii `PollRequest`): asks a Poll
    /// Service for a feed's content, optionally under a subscription.
    public struct PollRequest: TAXII10Message, RootReadable {
        /// `Poll_Request`.
        public static let messageType = TAXII.MessageType.pollRequest
        /// The message id (digits).
        public var messageID: String
        /// Extended headers.
        public var extendedHeaders: [ExtendedHeader]
        /// `feed_name`.
        public var feedName: String
        /// `subscription_id` (an attribute in 1.0).
        public var subscriptionID: String?
        /// Return blocks labelled after this (`Exclusive_Begin_Timestamp`).
        public var exclusiveBeginTimestamp: TAXII.Timestamp?
        /// Return blocks labelled up to this (`Inclusive_End_Timestamp`).
        public var inclusiveEndTimestamp: TAXII.Timestamp?
        /// Acceptable content (`Content_Binding`; none: any); compared order-independently.
        public var contentBindings: [String]
        /// The signature, kept as XML.
        public var signature: XMLElement?

        /// Creates a poll request.
        public init(
            messageID: String = TAXII.generateMessageID(), feedName: String, subscriptionID: String? = nil,
            exclusiveBeginTimestamp: TAXII.Timestamp? = nil, inclusiveEndTimestamp: TAXII.Timestamp? = nil,
            contentBindings: [String] = [], extendedHeaders: [ExtendedHeader] = [], signature: XMLElement? = nil
        ) {
            self.messageID = messageID
            self.feedName = feedName
            self.subscriptionID = subscriptionID
            self.exclusiveBeginTimestamp = exclusiveBeginTimestamp
            self.inclusiveEndTimestamp = inclusiveEndTimestamp
            self.contentBindings = contentBindings
            self.extendedHeaders = extendedHeaders
            self.signature = signature
        }

        /// Reads the message `element` holds, checking its structure: throws the first error, or
        /// records each in `collector` and reads on.
        init(element: XMLElement, collector: StructuralErrorCollector?) throws(TAXIIError) {
            var (cursor, messageID, headers) = try Self.openRoot(element, collector: collector)
            let feedName = try cursor.requiredAttribute("feed_name")
            let subscriptionID = cursor.attribute("subscription_id")
            let begin = try cursor.optionalTimestamp("Exclusive_Begin_Timestamp")
            let end = try cursor.optionalTimestamp("Inclusive_End_Timestamp")
            let bindings = try cursor.tokens("Content_Binding")
            let signature = cursor.signature()
            try cursor.finish()
            self.init(
                messageID: messageID, feedName: feedName, subscriptionID: subscriptionID, exclusiveBeginTimestamp: begin,
                inclusiveEndTimestamp: end, contentBindings: bindings, extendedHeaders: headers, signature: signature
            )
        }

        /// Reads the dictionary form.
        public init(dictionary: [String: TAXII.DictionaryValue]) throws(TAXIIError) {
            let (reader, messageID, headers) = try Self.openDictionary(dictionary)
            self.init(
                messageID: messageID, feedName: try reader.string("feed_name"), subscriptionID: try reader.optionalString("subscription_id"),
                exclusiveBeginTimestamp: try reader.optionalTimestamp("exclusive_begin_timestamp_label"),
                inclusiveEndTimestamp: try reader.optionalTimestamp("inclusive_end_timestamp_label"),
                contentBindings: try reader.strings("content_bindings"), extendedHeaders: headers
            )
        }

        /// Writes `feed_name`, `subscription_id`.
        public func writeAttributes(to writer: inout XMLWriter) {
            writer.attribute("feed_name", feedName)
            writer.optionalAttribute("subscription_id", subscriptionID)
        }

        /// Writes the window and the content bindings.
        public func writeChildren(to writer: inout XMLWriter) {
            writer.text("Exclusive_Begin_Timestamp", exclusiveBeginTimestamp?.lexicalForm, .v10)
            writer.text("Inclusive_End_Timestamp", inclusiveEndTimestamp?.lexicalForm, .v10)
            for binding in contentBindings { writer.text("Content_Binding", binding, .v10) }
        }

        /// `feed_name`, `subscription_id`, the window, `content_bindings`.
        public func writeDictionary(into dictionary: inout [String: TAXII.DictionaryValue]) {
            dictionary["feed_name"] = .string(feedName)
            dictionary.setIfPresent("subscription_id", subscriptionID)
            dictionary.setIfPresent("exclusive_begin_timestamp_label", exclusiveBeginTimestamp)
            dictionary.setIfPresent("inclusive_end_timestamp_label", inclusiveEndTimestamp)
            dictionary["content_bindings"] = contentBindings.dictionaryList
        }

        /// Feed, subscription id, window, content bindings.
        public func writeText(to text: inout String) {
            text += "  Feed Name: \(feedName)\n"
            if let subscriptionID { text += "  Subscription ID: \(subscriptionID)\n" }
            text += "  Excl. Begin Timestamp Label: \(TextForm.python(exclusiveBeginTimestamp?.isoFormat))\n"
            text += "  Incl. End Timestamp Label: \(TextForm.python(inclusiveEndTimestamp?.isoFormat))\n"
            if contentBindings.isEmpty { text += "  Content Binding: Any Content\n" }
            for binding in contentBindings { text += "  Content Binding: \(binding)\n" }
        }

        /// libtaxii equality (lists in any order).
        public static func == (lhs: Self, rhs: Self) -> Bool {
            lhs.baseEquals(rhs) && lhs.feedName == rhs.feedName && lhs.subscriptionID == rhs.subscriptionID
                && lhs.exclusiveBeginTimestamp == rhs.exclusiveBeginTimestamp && lhs.inclusiveEndTimestamp == rhs.inclusiveEndTimestamp
                && sameElements(lhs.contentBindings, rhs.contentBindings)
        }
    }

    /// A Poll Response (`Poll_Response`; libtaxii `PollResponse`): the content
    /// a poll asked for, with the window it covers (the end is required).
    public struct PollResponse: TAXII10Message, RootReadable, TAXIIResponseMessage {
        /// The XML's size: the content blocks' content and their elements.
        public var xmlSizeEstimate: Int { Self.xmlSizeEstimate(contentSizes: contentBlocks.lazy.map { $0.content.string.utf8.count }) }

        /// `Poll_Response`.
        public static let messageType = TAXII.MessageType.pollResponse
        /// The message id (digits).
        public var messageID: String
        /// The id of the request this answers (digits).
        public var inResponseTo: String
        /// Extended headers.
        public var extendedHeaders: [ExtendedHeader]
        /// `feed_name`.
        public var feedName: String
        /// `subscription_id`, when the poll was made under a subscription.
        public var subscriptionID: String?
        /// A human-readable message (`Message`).
        public var message: String?
        /// The lower bound used (`Inclusive_Begin_Timestamp`).
        public var inclusiveBeginTimestamp: TAXII.Timestamp?
        /// The upper bound used (`Inclusive_End_Timestamp`, required).
        public var inclusiveEndTimestamp: TAXII.Timestamp
        /// The content (`Content_Block`); compared order-independently.
        public var contentBlocks: [ContentBlock]
        /// The signature, kept as XML.
        public var signature: XMLElement?

        /// Creates a poll response.
        public init(
            messageID: String = TAXII.generateMessageID(), inResponseTo: String, feedName: String, subscriptionID: String? = nil,
            message: String? = nil, inclusiveBeginTimestamp: TAXII.Timestamp? = nil, inclusiveEndTimestamp: TAXII.Timestamp,
            contentBlocks: [ContentBlock] = [], extendedHeaders: [ExtendedHeader] = [], signature: XMLElement? = nil
        ) {
            self.messageID = messageID
            self.inResponseTo = inResponseTo
            self.feedName = feedName
            self.subscriptionID = subscriptionID
            self.message = message
            self.inclusiveBeginTimestamp = inclusiveBeginTimestamp
            self.inclusiveEndTimestamp = inclusiveEndTimestamp
            self.contentBlocks = contentBlocks
            self.extendedHeaders = extendedHeaders
            self.signature = signature
        }

        /// Reads the message `element` holds, checking its structure: throws the first error, or
        /// records each in `collector` and reads on.
        init(element: XMLElement, collector: StructuralErrorCollector?) throws(TAXIIError) {
            var (cursor, messageID, inResponseTo, headers) = try Self.openResponse(element, collector: collector)
            let feedName = try cursor.requiredAttribute("feed_name")
            let subscriptionID = cursor.attribute("subscription_id")
            let message = cursor.optionalText("Message")
            let begin = try cursor.optionalTimestamp("Inclusive_Begin_Timestamp")
            let end = try cursor.requiredTimestamp("Inclusive_End_Timestamp")
            let blocks = try ContentBlock.parseList(&cursor)
            let signature = cursor.signature()
            try cursor.finish()
            self.init(
                messageID: messageID, inResponseTo: inResponseTo, feedName: feedName, subscriptionID: subscriptionID,
                message: message, inclusiveBeginTimestamp: begin, inclusiveEndTimestamp: end, contentBlocks: blocks,
                extendedHeaders: headers, signature: signature
            )
        }

        /// Reads the dictionary form.
        public init(dictionary: [String: TAXII.DictionaryValue]) throws(TAXIIError) {
            let (reader, messageID, headers) = try Self.openDictionary(dictionary)
            self.init(
                messageID: messageID, inResponseTo: try reader.string("in_response_to"), feedName: try reader.string("feed_name"),
                subscriptionID: try reader.optionalString("subscription_id"), message: try reader.optionalString("message"),
                inclusiveBeginTimestamp: try reader.optionalTimestamp("inclusive_begin_timestamp_label"),
                inclusiveEndTimestamp: try reader.timestamp("inclusive_end_timestamp_label"),
                contentBlocks: try reader.objects("content_blocks") { (inner) throws(TAXIIError) in try ContentBlock(dictionary: inner) },
                extendedHeaders: headers
            )
        }

        /// Writes `feed_name`, `subscription_id`.
        public func writeAttributes(to writer: inout XMLWriter) {
            writer.attribute("feed_name", feedName)
            writer.optionalAttribute("subscription_id", subscriptionID)
        }

        /// Writes the message, the window and the content blocks.
        public func writeChildren(to writer: inout XMLWriter) {
            writer.text("Message", message, .v10)
            writer.text("Inclusive_Begin_Timestamp", inclusiveBeginTimestamp?.lexicalForm, .v10)
            writer.text("Inclusive_End_Timestamp", inclusiveEndTimestamp.lexicalForm, .v10)
            for block in contentBlocks { block.write(to: &writer) }
        }

        /// `feed_name`, `subscription_id`, `message`, the window, `content_blocks`.
        public func writeDictionary(into dictionary: inout [String: TAXII.DictionaryValue]) {
            dictionary["feed_name"] = .string(feedName)
            dictionary.setIfPresent("subscription_id", subscriptionID)
            dictionary.setIfPresent("message", message)
            dictionary.setIfPresent("inclusive_begin_timestamp_label", inclusiveBeginTimestamp)
            dictionary.setIfPresent("inclusive_end_timestamp_label", inclusiveEndTimestamp)
            dictionary["content_blocks"] = .list(contentBlocks.map(\.dictionary))
        }

        /// Feed, subscription id, message, window, content blocks.
        public func writeText(to text: inout String) {
            text += "  Feed Name: \(feedName)\n"
            if let subscriptionID { text += "  Subscription ID: \(subscriptionID)\n" }
            text += "  Message: \(TextForm.python(message))\n"
            text += "  Incl. Begin Timestamp Label: \(TextForm.python(inclusiveBeginTimestamp?.isoFormat))\n"
            text += "  Incl. End Timestamp Label: \(inclusiveEndTimestamp.isoFormat)\n"
            for block in contentBlocks { text += block.text(prefix: TextForm.indent) }
        }

        /// libtaxii equality (lists in any order).
        public static func == (lhs: Self, rhs: Self) -> Bool {
            lhs.baseEquals(rhs) && lhs.inResponseTo == rhs.inResponseTo && lhs.feedName == rhs.feedName
                && lhs.subscriptionID == rhs.subscriptionID && lhs.message == rhs.message
                && lhs.inclusiveBeginTimestamp == rhs.inclusiveBeginTimestamp && lhs.inclusiveEndTimestamp == rhs.inclusiveEndTimestamp
                && sameElements(lhs.contentBlocks, rhs.contentBlocks)
        }
    }
}

import BastionXML

extension TAXII10 {
    /// A data feed as a Feed Information Response describes it (`Feed`; libtaxii `FeedInformation`).
    public struct FeedInformation: Sendable, Equatable, ListedRecord {
        /// `feed_name`.
        public var feedName: String
        /// `available` (`nil`: not stated).
        public var available: Bool?
        /// `Description`.
        public var description: String
        /// The content it holds (`Content_Binding`; the binding requires at least one); compared
        /// order-independently. Empty when a service lists none, as OpenTAXII does for a feed that
        /// takes any content: parsing accepts that (libtaxii does too) and `validate()` reports it.
        public var supportedContents: [String]
        /// Push methods (`Push_Method`).
        public var pushMethods: [PushMethod]
        /// Poll Services serving it (`Polling_Service`).
        public var pollingServiceInstances: [ServiceBindings]
        /// Feed Management Services taking subscriptions (`Subscription_Service`).
        public var subscriptionMethods: [ServiceBindings]

        /// Creates a feed description. The binding requires at least one push method or polling service.
        public init(
            feedName: String, available: Bool? = nil, description: String, supportedContents: [String],
            pushMethods: [PushMethod] = [], pollingServiceInstances: [ServiceBindings] = [], subscriptionMethods: [ServiceBindings] = []
        ) {
            self.feedName = feedName
            self.available = available
            self.description = description
            self.supportedContents = supportedContents
            self.pushMethods = pushMethods
            self.pollingServiceInstances = pollingServiceInstances
            self.subscriptionMethods = subscriptionMethods
        }

        /// libtaxii equality (lists in any order).
        public static func == (lhs: Self, rhs: Self) -> Bool {
            lhs.feedName == rhs.feedName && lhs.available == rhs.available && lhs.description == rhs.description
                && sameElements(lhs.supportedContents, rhs.supportedContents) && sameElements(lhs.pushMethods, rhs.pushMethods)
                && sameElements(lhs.pollingServiceInstances, rhs.pollingServiceInstances)
                && sameElements(lhs.subscriptionMethods, rhs.subscriptionMethods)
        }

        static func parse(_ cursor: ElementCursor) throws(TAXIIError) -> FeedInformation {
            var cursor = cursor
            let name = try cursor.requiredAttribute("feed_name")
            let available = try cursor.boolAttribute("available")
            let (descriptionElement, _) = try cursor.required("Description")
            let contents = try cursor.tokens("Content_Binding")
            if contents.isEmpty {
                cursor.tolerate(TAXIIError(.missingElement, path: cursor.path + "/Content_Binding", "a feed needs at least one <Content_Binding>"))
            }
            let pushMethods = try cursor.readMany("Push_Method", PushMethod.parse)
            let polling = try cursor.readMany("Polling_Service", ServiceBindings.parse)
            if pushMethods.isEmpty && polling.isEmpty {
                try cursor.fail(TAXIIError(.missingElement, path: cursor.path + "/Polling_Service", "a feed needs at least one <Push_Method> or <Polling_Service>"))
            }
            let subscription = try cursor.readMany("Subscription_Service", ServiceBindings.parse)
            try cursor.finish()
            return FeedInformation(
                feedName: name, available: available, description: descriptionElement.text, supportedContents: contents,
                pushMethods: pushMethods, pollingServiceInstances: polling, subscriptionMethods: subscription
            )
        }

        func write(to writer: inout XMLWriter) {
            writer.start("Feed", .v10)
            writer.attribute("feed_name", feedName)
            if let available { writer.boolAttribute("available", available) }
            writer.text("Description", description, .v10)
            for binding in supportedContents { writer.text("Content_Binding", binding, .v10) }
            for method in pushMethods { method.write(to: &writer, version: .v10) }
            for service in pollingServiceInstances { service.write(to: &writer, name: "Polling_Service", version: .v10) }
            for service in subscriptionMethods { service.write(to: &writer, name: "Subscription_Service", version: .v10) }
            writer.endElement()
        }

        /// libtaxii 1.0 writes `available` only when it is true.
        var dictionary: TAXII.DictionaryValue {
            var result: [String: TAXII.DictionaryValue] = [
                "feed_name": .string(feedName), "feed_description": .string(description),
                "supported_contents": supportedContents.dictionaryList, "push_methods": .list(pushMethods.map(\.dictionary)),
                "polling_service_instances": .list(pollingServiceInstances.map { .dictionary($0.dictionary(prefix: "poll")) }),
                "subscription_methods": .list(subscriptionMethods.map { .dictionary($0.dictionary(prefix: "subscription")) }),
            ]
            if available == true { result["available"] = .bool(true) }
            return .dictionary(result)
        }

        init(dictionary reader: DictionaryReader) throws(TAXIIError) {
            self.init(
                feedName: try reader.string("feed_name"), available: try reader.optionalBool("available"),
                description: try reader.string("feed_description"), supportedContents: try reader.strings("supported_contents"),
                pushMethods: try reader.objects("push_methods") { (inner) throws(TAXIIError) in try PushMethod(dictionary: inner) },
                pollingServiceInstances: try reader.objects("polling_service_instances") { (inner) throws(TAXIIError) in
                    try ServiceBindings(dictionary: inner, prefix: "poll")
                },
                subscriptionMethods: try reader.objects("subscription_methods") { (inner) throws(TAXIIError) in
                    try ServiceBindings(dictionary: inner, prefix: "subscription")
                }
            )
        }

        func text(prefix: String) -> String {
            var result = prefix + "=== Data Feed ===\n"
            result += prefix + "  Feed Name: \(feedName)\n"
            if available == true { result += prefix + "  Available: True\n" }
            result += prefix + "  Feed Description: \(description)\n"
            for content in supportedContents { result += prefix + "  Supported Content: \(content)\n" }
            let inner = prefix + TextForm.indent
            for method in pushMethods { result += method.text(prefix: inner) }
            for service in pollingServiceInstances { result += service.text(title: "Poll Service Instance", prefix: inner) }
            for service in subscriptionMethods { result += service.text(title: "Subscription Method", prefix: inner) }
            return result
        }
    }

    /// A Feed Information Response (`Feed_Information_Response`; libtaxii `FeedInformationResponse`).
    public struct FeedInformationResponse: TAXII10Message, RecordListResponse {
        /// `Feed_Information_Response`.
        public static let messageType = TAXII.MessageType.feedInformationResponse
        /// The message id (digits).
        public var messageID: String
        /// The id of the request this answers (digits).
        public var inResponseTo: String
        /// Extended headers.
        public var extendedHeaders: [ExtendedHeader]
        /// The feeds (`Feed`); compared order-independently.
        public var feedInformations: [FeedInformation]
        /// The signature, kept as XML.
        public var signature: XMLElement?

        /// Creates a response.
        public init(
            messageID: String = TAXII.generateMessageID(), inResponseTo: String, feedInformations: [FeedInformation] = [],
            extendedHeaders: [ExtendedHeader] = [], signature: XMLElement? = nil
        ) {
            self.messageID = messageID
            self.inResponseTo = inResponseTo
            self.feedInformations = feedInformations
            self.extendedHeaders = extendedHeaders
            self.signature = signature
        }

        /// `Feed` elements, `feed_informations` in the dictionary form.
        static let recordElement = "Feed"
        static let recordsKey = "feed_informations"
        static var records: WritableKeyPath<Self, [FeedInformation]> { \.feedInformations }
        init(answering inResponseTo: String) { self.init(inResponseTo: inResponseTo) }
    }
}

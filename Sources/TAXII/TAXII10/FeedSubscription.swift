import BastionXML

extension TAXII10 {
    /// A Manage Feed Subscription Request (`Subscription_Management_Request`;
    /// libtaxii `ManageFeedSubscriptionRequest`).
    public struct ManageFeedSubscriptionRequest: TAXII10Message, RootReadable {
        /// `Subscription_Management_Request`.
        public static let messageType = TAXII.MessageType.subscriptionManagementRequest
        /// The message id (digits).
        public var messageID: String
        /// Extended headers.
        public var extendedHeaders: [ExtendedHeader]
        /// `feed_name`.
        public var feedName: String
        /// `action` (SUBSCRIBE, UNSUBSCRIBE, STATUS).
        public var action: TAXII.SubscriptionAction
        /// `subscription_id` (an attribute in 1.0; required for UNSUBSCRIBE).
        public var subscriptionID: String?
        /// `Push_Parameters`: where to push (none: the subscriber polls).
        public var deliveryParameters: DeliveryParameters?
        /// The signature, kept as XML.
        public var signature: XMLElement?

        /// Creates a request.
        public init(
            messageID: String = TAXII.generateMessageID(), feedName: String, action: TAXII.SubscriptionAction,
            subscriptionID: String? = nil, deliveryParameters: DeliveryParameters? = nil,
            extendedHeaders: [ExtendedHeader] = [], signature: XMLElement? = nil
        ) {
            self.messageID = messageID
            self.feedName = feedName
            self.action = action
            self.subscriptionID = subscriptionID
            self.deliveryParameters = deliveryParameters
            self.extendedHeaders = extendedHeaders
            self.signature = signature
        }

        /// The error of an UNSUBSCRIBE without a subscription id, if that is what `action` and `subscriptionID` make.
        static func actionError(_ action: TAXII.SubscriptionAction, subscriptionID: String?, path: String) -> TAXIIError? {
            guard action == .unsubscribe, subscriptionID == nil else { return nil }
            return TAXIIError(.missingAttribute, path: path, "action UNSUBSCRIBE requires a subscription_id")
        }

        /// Reads the message `element` holds, checking its structure: throws the first error, or
        /// records each in `collector` and reads on.
        init(element: XMLElement, collector: StructuralErrorCollector?) throws(TAXIIError) {
            var (cursor, messageID, headers) = try Self.openRoot(element, collector: collector)
            let action: TAXII.SubscriptionAction = try cursor.requiredEnumAttribute("action", allowed: TAXII.SubscriptionAction.types10)
            let feedName = try cursor.requiredAttribute("feed_name")
            let subscriptionID = cursor.attribute("subscription_id")
            if let error = Self.actionError(action, subscriptionID: subscriptionID, path: cursor.attributePath("subscription_id")) {
                try cursor.report(error)
            }
            let delivery = try cursor.readOptional("Push_Parameters", DeliveryParameters.parse)
            let signature = cursor.signature()
            try cursor.finish()
            self.init(
                messageID: messageID, feedName: feedName, action: action, subscriptionID: subscriptionID,
                deliveryParameters: delivery, extendedHeaders: headers, signature: signature
            )
        }

        /// Reads the dictionary form.
        public init(dictionary: [String: TAXII.DictionaryValue]) throws(TAXIIError) {
            let (reader, messageID, headers) = try Self.openDictionary(dictionary)
            let action = try ElementCursor.enumValue(try reader.string("action"), allowed: TAXII.SubscriptionAction.types10, path: "action")
            let subscriptionID = try reader.optionalString("subscription_id")
            if let error = Self.actionError(action, subscriptionID: subscriptionID, path: "subscription_id") { throw error }
            self.init(
                messageID: messageID, feedName: try reader.string("feed_name"), action: action, subscriptionID: subscriptionID,
                deliveryParameters: try reader.optionalObject("delivery_parameters") { (inner) throws(TAXIIError) in try DeliveryParameters(dictionary: inner) },
                extendedHeaders: headers
            )
        }

        /// Writes `feed_name`, `action`, `subscription_id`.
        public func writeAttributes(to writer: inout XMLWriter) {
            writer.attribute("feed_name", feedName)
            writer.attribute("action", action.rawValue)
            writer.optionalAttribute("subscription_id", subscriptionID)
        }

        /// Writes the push parameters.
        public func writeChildren(to writer: inout XMLWriter) {
            deliveryParameters?.write(to: &writer)
        }

        /// `feed_name`, `action`, `subscription_id`, `delivery_parameters`.
        public func writeDictionary(into dictionary: inout [String: TAXII.DictionaryValue]) {
            dictionary["feed_name"] = .string(feedName)
            dictionary["action"] = .string(action.rawValue)
            dictionary["subscription_id"] = TAXII.DictionaryValue(subscriptionID)
            dictionary["delivery_parameters"] = deliveryParameters?.dictionary ?? .null
        }

        /// Feed, action, subscription id, push parameters.
        public func writeText(to text: inout String) {
            text += "  Feed Name: \(feedName)\n"
            text += "  Action: \(action.rawValue)\n"
            text += "  Subscription ID: \(TextForm.python(subscriptionID))\n"
            if let deliveryParameters { text += deliveryParameters.text(prefix: TextForm.indent) }
        }

        /// libtaxii equality (lists in any order).
        public static func == (lhs: Self, rhs: Self) -> Bool {
            lhs.baseEquals(rhs) && lhs.feedName == rhs.feedName && lhs.action == rhs.action
                && lhs.subscriptionID == rhs.subscriptionID && lhs.deliveryParameters == rhs.deliveryParameters
        }
    }

    /// A subscription as a response describes it (`Subscription`; libtaxii `SubscriptionInstance`).
    public struct SubscriptionInstance: Sendable, Equatable {
        /// `subscription_id` (an attribute in 1.0).
        public var subscriptionID: String
        /// `Push_Parameters` as accepted.
        public var deliveryParameters: DeliveryParameters?
        /// Poll Services usable with the subscription (`Poll_Instance`).
        public var pollInstances: [ServiceBindings]

        /// Creates a subscription description.
        public init(subscriptionID: String, deliveryParameters: DeliveryParameters? = nil, pollInstances: [ServiceBindings] = []) {
            self.subscriptionID = subscriptionID
            self.deliveryParameters = deliveryParameters
            self.pollInstances = pollInstances
        }

        /// libtaxii equality (lists in any order).
        public static func == (lhs: Self, rhs: Self) -> Bool {
            lhs.subscriptionID == rhs.subscriptionID && lhs.deliveryParameters == rhs.deliveryParameters
                && sameElements(lhs.pollInstances, rhs.pollInstances)
        }

        static func parse(_ cursor: ElementCursor) throws(TAXIIError) -> SubscriptionInstance {
            var cursor = cursor
            let id = try cursor.requiredAttribute("subscription_id")
            let delivery = try cursor.readOptional("Push_Parameters", DeliveryParameters.parse)
            let polls = try cursor.readMany("Poll_Instance", ServiceBindings.parse)
            try cursor.finish()
            return SubscriptionInstance(subscriptionID: id, deliveryParameters: delivery, pollInstances: polls)
        }

        func write(to writer: inout XMLWriter) {
            writer.start("Subscription", .v10)
            writer.attribute("subscription_id", subscriptionID)
            deliveryParameters?.write(to: &writer)
            for poll in pollInstances { poll.write(to: &writer, name: "Poll_Instance", version: .v10) }
            writer.endElement()
        }

        var dictionary: TAXII.DictionaryValue {
            .dictionary([
                "subscription_id": .string(subscriptionID), "delivery_parameters": deliveryParameters?.dictionary ?? .null,
                "poll_instances": .list(pollInstances.map { .dictionary($0.dictionary(prefix: "poll")) }),
            ])
        }

        init(dictionary reader: DictionaryReader) throws(TAXIIError) {
            self.init(
                subscriptionID: try reader.string("subscription_id"),
                deliveryParameters: try reader.optionalObject("delivery_parameters") { (inner) throws(TAXIIError) in try DeliveryParameters(dictionary: inner) },
                pollInstances: try reader.objects("poll_instances") { (inner) throws(TAXIIError) in try ServiceBindings(dictionary: inner, prefix: "poll") }
            )
        }

        func text(prefix: String) -> String {
            var result = prefix + "=== Subscription Instance ===\n" + prefix + "  Subscription ID: \(subscriptionID)\n"
            if let deliveryParameters { result += deliveryParameters.text(prefix: prefix + TextForm.indent) }
            for poll in pollInstances { result += poll.text(title: "Poll Instance", prefix: prefix + TextForm.indent) }
            return result
        }
    }

    /// A Manage Feed Subscription Response (`Subscription_Management_Response`;
    /// libtaxii `ManageFeedSubscriptionResponse`).
    public struct ManageFeedSubscriptionResponse: TAXII10Message, RootReadable, TAXIIResponseMessage {
        /// `Subscription_Management_Response`.
        public static let messageType = TAXII.MessageType.subscriptionManagementResponse
        /// The message id (digits).
        public var messageID: String
        /// The id of the request this answers (digits).
        public var inResponseTo: String
        /// Extended headers.
        public var extendedHeaders: [ExtendedHeader]
        /// `feed_name`.
        public var feedName: String
        /// A human-readable message (`Message`).
        public var message: String?
        /// The subscriptions (`Subscription`); compared order-independently.
        public var subscriptionInstances: [SubscriptionInstance]
        /// The signature, kept as XML.
        public var signature: XMLElement?

        /// Creates a response.
        public init(
            messageID: String = TAXII.generateMessageID(), inResponseTo: String, feedName: String, message: String? = nil,
            subscriptionInstances: [SubscriptionInstance] = [], extendedHeaders: [ExtendedHeader] = [], signature: XMLElement? = nil
        ) {
            self.messageID = messageID
            self.inResponseTo = inResponseTo
            self.feedName = feedName
            self.message = message
            self.subscriptionInstances = subscriptionInstances
            self.extendedHeaders = extendedHeaders
            self.signature = signature
        }

        /// Reads the message `element` holds, checking its structure: throws the first error, or
        /// records each in `collector` and reads on.
        init(element: XMLElement, collector: StructuralErrorCollector?) throws(TAXIIError) {
            var (cursor, messageID, inResponseTo, headers) = try Self.openResponse(element, collector: collector)
            let feedName = try cursor.requiredAttribute("feed_name")
            let message = cursor.optionalText("Message")
            let instances = try cursor.readMany("Subscription", SubscriptionInstance.parse)
            let signature = cursor.signature()
            try cursor.finish()
            self.init(
                messageID: messageID, inResponseTo: inResponseTo, feedName: feedName, message: message,
                subscriptionInstances: instances, extendedHeaders: headers, signature: signature
            )
        }

        /// Reads the dictionary form.
        public init(dictionary: [String: TAXII.DictionaryValue]) throws(TAXIIError) {
            let (reader, messageID, headers) = try Self.openDictionary(dictionary)
            self.init(
                messageID: messageID, inResponseTo: try reader.string("in_response_to"), feedName: try reader.string("feed_name"),
                message: try reader.optionalString("message"),
                subscriptionInstances: try reader.objects("subscription_instances") { (inner) throws(TAXIIError) in try SubscriptionInstance(dictionary: inner) },
                extendedHeaders: headers
            )
        }

        /// Writes `feed_name`.
        public func writeAttributes(to writer: inout XMLWriter) {
            writer.attribute("feed_name", feedName)
        }

        /// Writes the message and the subscriptions.
        public func writeChildren(to writer: inout XMLWriter) {
            writer.text("Message", message, .v10)
            for instance in subscriptionInstances { instance.write(to: &writer) }
        }

        /// `feed_name`, `message`, `subscription_instances`.
        public func writeDictionary(into dictionary: inout [String: TAXII.DictionaryValue]) {
            dictionary["feed_name"] = .string(feedName)
            dictionary.setIfPresent("message", message)
            dictionary["subscription_instances"] = .list(subscriptionInstances.map(\.dictionary))
        }

        /// Feed, message, one block per subscription.
        public func writeText(to text: inout String) {
            text += "  Feed Name: \(feedName)\n"
            text += "  Message: \(TextForm.python(message))\n"
            for instance in subscriptionInstances { text += instance.text(prefix: TextForm.indent) }
        }

        /// libtaxii equality (lists in any order).
        public static func == (lhs: Self, rhs: Self) -> Bool {
            lhs.baseEquals(rhs) && lhs.inResponseTo == rhs.inResponseTo && lhs.feedName == rhs.feedName
                && lhs.message == rhs.message && sameElements(lhs.subscriptionInstances, rhs.subscriptionInstances)
        }
    }
}

import BastionXML

extension TAXII11 {
    /// What a subscription delivers (`Subscription_Parameters`; libtaxii `SubscriptionParameters`).
    public struct SubscriptionParameters: Sendable, Equatable {
        /// `Response_Type` (default ``TAXII/ResponseType/full``).
        public var responseType: TAXII.ResponseType
        /// Requested content (`Content_Binding`; none: all).
        public var contentBindings: [ContentBinding]
        /// A query (`Query`).
        public var query: Query?

        /// Creates subscription parameters.
        public init(responseType: TAXII.ResponseType = .full, contentBindings: [ContentBinding] = [], query: Query? = nil) {
            self.responseType = responseType
            self.contentBindings = contentBindings
            self.query = query
        }

        static func parse(_ cursor: ElementCursor) throws(TAXIIError) -> SubscriptionParameters {
            var cursor = cursor
            let responseType: TAXII.ResponseType = try cursor.optionalEnum("Response_Type") ?? .full
            let bindings = try ContentBinding.parseList(&cursor)
            let query = try cursor.readOptional("Query", Query.parse)
            try cursor.finish()
            return SubscriptionParameters(responseType: responseType, contentBindings: bindings, query: query)
        }

        func write(to writer: inout XMLWriter) {
            writer.start11("Subscription_Parameters")
            writer.text11("Response_Type", responseType.rawValue)
            for binding in contentBindings { binding.write(to: &writer) }
            query?.write(to: &writer, name: "Query")
            writer.endElement()
        }

        /// libtaxii equality (lists in any order).
        public static func == (lhs: Self, rhs: Self) -> Bool {
            lhs.responseType == rhs.responseType && sameElements(lhs.contentBindings, rhs.contentBindings)
                && lhs.query == rhs.query
        }
    }

    /// A Manage Collection Subscription Request (`Subscription_Management_Request`;
    /// libtaxii `ManageCollectionSubscriptionRequest`).
    public struct ManageCollectionSubscriptionRequest: TAXII11Message, RootReadable {
        /// `Subscription_Management_Request`.
        public static let messageType = TAXII.MessageType.subscriptionManagementRequest
        /// The message id.
        public var messageID: String
        /// Extended headers.
        public var extendedHeaders: [ExtendedHeader]
        /// `collection_name`.
        public var collectionName: String
        /// `action`.
        public var action: TAXII.SubscriptionAction
        /// `Subscription_ID` (required for UNSUBSCRIBE, PAUSE, RESUME; absent for SUBSCRIBE).
        public var subscriptionID: String?
        /// `Subscription_Parameters` (SUBSCRIBE).
        public var subscriptionParameters: SubscriptionParameters?
        /// `Push_Parameters` (SUBSCRIBE; none: poll only).
        public var pushParameters: PushParameters?
        /// The signature, kept as XML.
        public var signature: XMLElement?

        /// Creates a request.
        public init(
            messageID: String = TAXII.generateMessageID(),
            collectionName: String,
            action: TAXII.SubscriptionAction,
            subscriptionID: String? = nil,
            subscriptionParameters: SubscriptionParameters? = nil,
            pushParameters: PushParameters? = nil,
            extendedHeaders: [ExtendedHeader] = [],
            signature: XMLElement? = nil
        ) {
            self.messageID = messageID
            self.collectionName = collectionName
            self.action = action
            self.subscriptionID = subscriptionID
            self.subscriptionParameters = subscriptionParameters
            self.pushParameters = pushParameters
            self.extendedHeaders = extendedHeaders
            self.signature = signature
        }

        /// Reads the message `element` holds, checking its structure: throws the first error, or
        /// records each in `collector` and reads on.
        init(element: XMLElement, collector: StructuralErrorCollector?) throws(TAXIIError) {
            var (cursor, messageID, headers) = try Self.openRoot(element, collector: collector)
            let action: TAXII.SubscriptionAction = try cursor.requiredEnumAttribute("action", allowed: TAXII.SubscriptionAction.types11)
            let collectionName = try cursor.requiredAttribute("collection_name")
            let subscriptionID = try cursor.optionalToken("Subscription_ID")
            let parameters = try cursor.readOptional("Subscription_Parameters", SubscriptionParameters.parse)
            let push = try cursor.readOptional("Push_Parameters", PushParameters.parse)
            let signature = cursor.signature()
            try cursor.finish()
            if [.unsubscribe, .pause, .resume].contains(action), subscriptionID == nil {
                try cursor.report(TAXIIError(
                    .missingElement, path: "Subscription_Management_Request/Subscription_ID",
                    "action \(action.rawValue) requires a Subscription_ID"
                ))
            }
            self.init(
                messageID: messageID, collectionName: collectionName, action: action, subscriptionID: subscriptionID,
                subscriptionParameters: parameters, pushParameters: push, extendedHeaders: headers, signature: signature
            )
        }

        /// Writes `collection_name` and `action`.
        public func writeAttributes(to writer: inout XMLWriter) {
            writer.attribute("collection_name", collectionName)
            writer.attribute("action", action.rawValue)
        }

        /// Writes subscription id, parameters and push parameters.
        public func writeChildren(to writer: inout XMLWriter) {
            writer.text11("Subscription_ID", subscriptionID)
            subscriptionParameters?.write(to: &writer)
            pushParameters?.write(to: &writer, name: "Push_Parameters")
        }

        /// libtaxii equality (lists in any order).
        public static func == (lhs: Self, rhs: Self) -> Bool {
            lhs.baseEquals(rhs) && lhs.collectionName == rhs.collectionName && lhs.action == rhs.action
                && lhs.subscriptionID == rhs.subscriptionID && lhs.subscriptionParameters == rhs.subscriptionParameters
                && lhs.pushParameters == rhs.pushParameters
        }
    }

    /// A subscription as a response describes it (`Subscription`; libtaxii `SubscriptionInstance`).
    public struct SubscriptionInstance: Sendable, Equatable {
        /// `status` (default ``TAXII/SubscriptionStatus/active``).
        public var status: TAXII.SubscriptionStatus
        /// `Subscription_ID`.
        public var subscriptionID: String
        /// `Subscription_Parameters` as accepted.
        public var subscriptionParameters: SubscriptionParameters?
        /// `Push_Parameters` as accepted.
        public var pushParameters: PushParameters?
        /// Poll Services usable with the subscription (`Poll_Instance`).
        public var pollInstances: [ServiceBindings]

        /// Creates a subscription description.
        public init(
            subscriptionID: String, status: TAXII.SubscriptionStatus = .active,
            subscriptionParameters: SubscriptionParameters? = nil, pushParameters: PushParameters? = nil,
            pollInstances: [ServiceBindings] = []
        ) {
            self.subscriptionID = subscriptionID
            self.status = status
            self.subscriptionParameters = subscriptionParameters
            self.pushParameters = pushParameters
            self.pollInstances = pollInstances
        }

        /// libtaxii equality (lists in any order).
        public static func == (lhs: Self, rhs: Self) -> Bool {
            lhs.status == rhs.status && lhs.subscriptionID == rhs.subscriptionID
                && lhs.subscriptionParameters == rhs.subscriptionParameters && lhs.pushParameters == rhs.pushParameters
                && sameElements(lhs.pollInstances, rhs.pollInstances)
        }

        static func parse(_ cursor: ElementCursor) throws(TAXIIError) -> SubscriptionInstance {
            var cursor = cursor
            let status: TAXII.SubscriptionStatus = try cursor.enumAttribute("status") ?? .active
            let instance = SubscriptionInstance(
                subscriptionID: try cursor.requiredToken("Subscription_ID"), status: status,
                subscriptionParameters: try cursor.readOptional("Subscription_Parameters", SubscriptionParameters.parse),
                pushParameters: try cursor.readOptional("Push_Parameters", PushParameters.parse),
                pollInstances: try cursor.readMany("Poll_Instance", ServiceBindings.parse)
            )
            try cursor.finish()
            return instance
        }
    }

    /// A Manage Collection Subscription Response (`Subscription_Management_Response`;
    /// libtaxii `ManageCollectionSubscriptionResponse`).
    public struct ManageCollectionSubscriptionResponse: TAXII11Message, RootReadable, TAXIIResponseMessage {
        /// `Subscription_Management_Response`.
        public static let messageType = TAXII.MessageType.subscriptionManagementResponse
        /// The message id.
        public var messageID: String
        /// The id of the request this answers.
        public var inResponseTo: String
        /// Extended headers.
        public var extendedHeaders: [ExtendedHeader]
        /// `collection_name`.
        public var collectionName: String
        /// A human-readable message (`Message`).
        public var message: String?
        /// The subscriptions (`Subscription`); compared order-independently.
        public var subscriptionInstances: [SubscriptionInstance]
        /// The signature, kept as XML.
        public var signature: XMLElement?

        /// Creates a response.
        public init(
            messageID: String = TAXII.generateMessageID(),
            inResponseTo: String,
            collectionName: String,
            message: String? = nil,
            subscriptionInstances: [SubscriptionInstance] = [],
            extendedHeaders: [ExtendedHeader] = [],
            signature: XMLElement? = nil
        ) {
            self.messageID = messageID
            self.inResponseTo = inResponseTo
            self.collectionName = collectionName
            self.message = message
            self.subscriptionInstances = subscriptionInstances
            self.extendedHeaders = extendedHeaders
            self.signature = signature
        }

        /// Reads the message `element` holds, checking its structure: throws the first error, or
        /// records each in `collector` and reads on.
        init(element: XMLElement, collector: StructuralErrorCollector?) throws(TAXIIError) {
            var (cursor, messageID, inResponseTo, headers) = try Self.openResponse(element, collector: collector)
            let collectionName = try cursor.requiredAttribute("collection_name")
            let message = cursor.optionalText("Message")
            let instances = try cursor.readMany("Subscription", SubscriptionInstance.parse)
            let signature = cursor.signature()
            try cursor.finish()
            self.init(
                messageID: messageID, inResponseTo: inResponseTo, collectionName: collectionName, message: message,
                subscriptionInstances: instances, extendedHeaders: headers, signature: signature
            )
        }

        /// Writes `collection_name`.
        public func writeAttributes(to writer: inout XMLWriter) {
            writer.attribute("collection_name", collectionName)
        }

        /// Writes the message and the subscriptions.
        public func writeChildren(to writer: inout XMLWriter) {
            writer.text11("Message", message)
            for instance in subscriptionInstances {
                writer.start11("Subscription")
                writer.attribute("status", instance.status.rawValue)
                writer.text11("Subscription_ID", instance.subscriptionID)
                instance.subscriptionParameters?.write(to: &writer)
                instance.pushParameters?.write(to: &writer, name: "Push_Parameters")
                for poll in instance.pollInstances { poll.write(to: &writer, name: "Poll_Instance") }
                writer.endElement()
            }
        }

        /// libtaxii equality (lists in any order).
        public static func == (lhs: Self, rhs: Self) -> Bool {
            lhs.baseEquals(rhs) && lhs.inResponseTo == rhs.inResponseTo && lhs.collectionName == rhs.collectionName
                && lhs.message == rhs.message && sameElements(lhs.subscriptionInstances, rhs.subscriptionInstances)
        }
    }
}

extension TAXII11.SubscriptionParameters {
    var dictionary: TAXII.DictionaryValue {
        .dictionary([
            "response_type": .string(responseType.rawValue), "content_bindings": contentBindings.dictionaryList,
            "query": query.map { QueryFormats.dictionary($0, kind: .query) } ?? .null,
        ])
    }

    init(dictionary reader: DictionaryReader) throws(TAXIIError) {
        self.init(
            responseType: try reader.optionalEnum("response_type", allowed: TAXII.ResponseType.allCases) ?? .full,
            contentBindings: try TAXII11.ContentBinding.list(reader, "content_bindings"),
            query: try reader.optionalObject("query") { (inner) throws(TAXIIError) in try QueryFormats.query(from: inner, kind: .query) }
        )
    }
}

extension TAXII11.ManageCollectionSubscriptionRequest {
    /// Reads the dictionary form.
    public init(dictionary: [String: TAXII.DictionaryValue]) throws(TAXIIError) {
        let (reader, messageID, headers) = try Self.openDictionary(dictionary)
        let action = try ElementCursor.enumValue(try reader.string("action"), allowed: TAXII.SubscriptionAction.types11, path: "action")
        self.init(
            messageID: messageID, collectionName: try reader.string("collection_name"), action: action,
            subscriptionID: try reader.optionalString("subscription_id"),
            // A subscribe always has subscription parameters in the dictionary form (libtaxii
            // makes default ones); absent, they are the defaults, as they are written back.
            subscriptionParameters: try reader.optionalObject("subscription_parameters") { (inner) throws(TAXIIError) in
                try TAXII11.SubscriptionParameters(dictionary: inner)
            } ?? (action == .subscribe ? TAXII11.SubscriptionParameters() : nil),
            pushParameters: try reader.optionalObject("push_parameters") { (inner) throws(TAXIIError) in try TAXII11.PushParameters(dictionary: inner) },
            extendedHeaders: headers
        )
        if [.unsubscribe, .pause, .resume].contains(action), subscriptionID == nil {
            throw TAXIIError(.missingKey, path: "subscription_id", "action \(action.rawValue) requires a subscription_id")
        }
    }

    /// `collection_name`, `action`, `subscription_id`; for SUBSCRIBE the parameters (as libtaxii, only then).
    public func writeDictionary(into dictionary: inout [String: TAXII.DictionaryValue]) {
        dictionary["collection_name"] = .string(collectionName)
        dictionary["action"] = .string(action.rawValue)
        dictionary.setIfPresent("subscription_id", subscriptionID)
        if action == .subscribe {
            dictionary["subscription_parameters"] = (subscriptionParameters ?? TAXII11.SubscriptionParameters()).dictionary
            if let pushParameters { dictionary["push_parameters"] = pushParameters.dictionary }
        }
    }
}

extension TAXII11.SubscriptionInstance {
    var dictionary: TAXII.DictionaryValue {
        .dictionary([
            "status": .string(status.rawValue), "subscription_id": .string(subscriptionID),
            "subscription_parameters": subscriptionParameters?.dictionary ?? .null,
            "push_parameters": pushParameters?.dictionary ?? .null,
            "poll_instances": .list(pollInstances.map { .dictionary($0.dictionary(prefix: "poll")) }),
        ])
    }

    init(dictionary reader: DictionaryReader) throws(TAXIIError) {
        self.init(
            subscriptionID: try reader.string("subscription_id"),
            status: try reader.optionalEnum("status", allowed: TAXII.SubscriptionStatus.allCases) ?? .active,
            subscriptionParameters: try reader.optionalObject("subscription_parameters") { (inner) throws(TAXIIError) in
                try TAXII11.SubscriptionParameters(dictionary: inner)
            },
            pushParameters: try reader.optionalObject("push_parameters") { (inner) throws(TAXIIError) in try TAXII11.PushParameters(dictionary: inner) },
            pollInstances: try reader.objects("poll_instances") { (inner) throws(TAXIIError) in try TAXII11.ServiceBindings(dictionary: inner, prefix: "poll") }
        )
    }
}

extension TAXII11.ManageCollectionSubscriptionResponse {
    /// Reads the dictionary form.
    public init(dictionary: [String: TAXII.DictionaryValue]) throws(TAXIIError) {
        let (reader, messageID, headers) = try Self.openDictionary(dictionary)
        self.init(
            messageID: messageID, inResponseTo: try reader.string("in_response_to"),
            collectionName: try reader.string("collection_name"), message: try reader.optionalString("message"),
            subscriptionInstances: try reader.objects("subscription_instances") { (inner) throws(TAXIIError) in
                try TAXII11.SubscriptionInstance(dictionary: inner)
            },
            extendedHeaders: headers
        )
    }

    /// `collection_name`, `message`, `subscription_instances`.
    public func writeDictionary(into dictionary: inout [String: TAXII.DictionaryValue]) {
        dictionary["collection_name"] = .string(collectionName)
        dictionary.setIfPresent("message", message)
        dictionary["subscription_instances"] = .list(subscriptionInstances.map(\.dictionary))
    }
}

extension TAXII11.SubscriptionParameters {
    func text(prefix: String) -> String {
        parametersText(name: "Subscription_Parameters", contentBindings: contentBindings, query: query, responseType: responseType, prefix: prefix)
    }
}

extension TAXII11.ManageCollectionSubscriptionRequest {
    /// Collection, action, subscription id; for SUBSCRIBE the parameters.
    public func writeText(to text: inout String) {
        text += "  Collection Name: \(collectionName)\n"
        text += "  Action: \(action.rawValue)\n"
        text += "  Subscription ID: \(TextForm.python(subscriptionID))\n"
        if action == .subscribe {
            text += (subscriptionParameters ?? TAXII11.SubscriptionParameters()).text(prefix: TextForm.indent)
            if let pushParameters { text += pushParameters.text(prefix: TextForm.indent) }
        }
    }
}

extension TAXII11.ManageCollectionSubscriptionResponse {
    /// Collection, message, one block per subscription.
    public func writeText(to text: inout String) {
        text += "  Collection Name: \(collectionName)\n"
        text += "  Message: \(TextForm.python(message))\n"
        for instance in subscriptionInstances {
            let prefix = TextForm.indent
            text += prefix + "=== Subscription Instance ===\n"
            text += prefix + "  Status: \(instance.status.rawValue)\n"
            text += prefix + "  Subscription ID: \(instance.subscriptionID)\n"
            if let parameters = instance.subscriptionParameters { text += parameters.text(prefix: prefix + TextForm.indent) }
            if let push = instance.pushParameters { text += push.text(prefix: prefix + TextForm.indent) }
            for poll in instance.pollInstances { text += poll.text(title: "Poll Instance", prefix: prefix + TextForm.indent) }
        }
    }
}

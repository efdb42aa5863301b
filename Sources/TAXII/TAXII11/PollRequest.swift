import BastionXML

extension TAXII11 {
    /// What a poll asks for when it is not made under a subscription
    /// (`Poll_Parameters`; libtaxii `PollParameters`).
    public struct PollParameters: Sendable, Equatable {
        /// `allow_asynch`: the client accepts a PENDING reply (default `false`).
        public var allowAsynch: Bool
        /// `Response_Type` (default ``TAXII/ResponseType/full``).
        public var responseType: TAXII.ResponseType
        /// Acceptable content (`Content_Binding`; none: all).
        public var contentBindings: [ContentBinding]
        /// A query (`Query`).
        public var query: Query?
        /// Where asynchronous results may be pushed (`Delivery_Parameters`).
        public var deliveryParameters: DeliveryParameters?

        /// Creates poll parameters.
        public init(
            allowAsynch: Bool = false,
            responseType: TAXII.ResponseType = .full,
            contentBindings: [ContentBinding] = [],
            query: Query? = nil,
            deliveryParameters: DeliveryParameters? = nil
        ) {
            self.allowAsynch = allowAsynch
            self.responseType = responseType
            self.contentBindings = contentBindings
            self.query = query
            self.deliveryParameters = deliveryParameters
        }

        static func parse(_ cursor: ElementCursor) throws(TAXIIError) -> PollParameters {
            var cursor = cursor
            let allowAsynch = try cursor.boolAttribute("allow_asynch") ?? false
            let responseType: TAXII.ResponseType = try cursor.optionalEnum("Response_Type") ?? .full
            let bindings = try ContentBinding.parseList(&cursor)
            let query = try cursor.readOptional("Query", Query.parse)
            let delivery = try cursor.readOptional("Delivery_Parameters", PushParameters.parse)
            try cursor.finish()
            return PollParameters(
                allowAsynch: allowAsynch, responseType: responseType, contentBindings: bindings,
                query: query, deliveryParameters: delivery
            )
        }

        func write(to writer: inout XMLWriter) {
            writer.start11("Poll_Parameters")
            writer.attribute("allow_asynch", allowAsynch ? "true" : "false")
            writer.text11("Response_Type", responseType.rawValue)
            for binding in contentBindings { binding.write(to: &writer) }
            query?.write(to: &writer, name: "Query")
            deliveryParameters?.write(to: &writer, name: "Delivery_Parameters")
            writer.endElement()
        }

        /// libtaxii equality (lists in any order).
        public static func == (lhs: Self, rhs: Self) -> Bool {
            lhs.allowAsynch == rhs.allowAsynch && lhs.responseType == rhs.responseType
                && sameElements(lhs.contentBindings, rhs.contentBindings) && lhs.query == rhs.query
                && lhs.deliveryParameters == rhs.deliveryParameters
        }
    }

    /// A Poll Request (`Poll_Request`; libtaxii `PollRequest`): asks a Poll
    /// Service for a collection's content, either under a subscription or
    /// with poll parameters (exactly one of the two).
    public struct PollRequest: TAXII11Message, RootReadable {
        /// How the poll is scoped: a subscription or explicit parameters.
        public enum Scope: Sendable, Equatable {
            /// Poll under an existing subscription (`Subscription_ID`).
            case subscription(id: String)
            /// Poll with explicit parameters (`Poll_Parameters`).
            case parameters(PollParameters)
        }

        /// `Poll_Request`.
        public static let messageType = TAXII.MessageType.pollRequest
        /// The message id.
        public var messageID: String
        /// Extended headers.
        public var extendedHeaders: [ExtendedHeader]
        /// `collection_name`.
        public var collectionName: String
        /// Return blocks labelled after this (`Exclusive_Begin_Timestamp`).
        public var exclusiveBeginTimestamp: TAXII.Timestamp?
        /// Return blocks labelled up to this (`Inclusive_End_Timestamp`).
        public var inclusiveEndTimestamp: TAXII.Timestamp?
        /// Subscription or parameters.
        public var scope: Scope
        /// The signature, kept as XML.
        public var signature: XMLElement?

        /// Creates a poll request.
        public init(
            messageID: String = TAXII.generateMessageID(),
            collectionName: String,
            exclusiveBeginTimestamp: TAXII.Timestamp? = nil,
            inclusiveEndTimestamp: TAXII.Timestamp? = nil,
            scope: Scope = .parameters(PollParameters()),
            extendedHeaders: [ExtendedHeader] = [],
            signature: XMLElement? = nil
        ) {
            self.messageID = messageID
            self.collectionName = collectionName
            self.exclusiveBeginTimestamp = exclusiveBeginTimestamp
            self.inclusiveEndTimestamp = inclusiveEndTimestamp
            self.scope = scope
            self.extendedHeaders = extendedHeaders
            self.signature = signature
        }

        /// The subscription id, when the poll is made under a subscription.
        public var subscriptionID: String? {
            if case .subscription(let id) = scope { return id }
            return nil
        }

        /// The poll parameters, when the poll is not made under a subscription.
        public var pollParameters: PollParameters? {
            if case .parameters(let parameters) = scope { return parameters }
            return nil
        }

        /// Reads the message `element` holds, checking its structure: throws the first error, or
        /// records each in `collector` and reads on.
        init(element: XMLElement, collector: StructuralErrorCollector?) throws(TAXIIError) {
            var (cursor, messageID, headers) = try Self.openRoot(element, collector: collector)
            let collectionName = try cursor.requiredAttribute("collection_name")
            let begin = try cursor.optionalTimestamp("Exclusive_Begin_Timestamp")
            let end = try cursor.optionalTimestamp("Inclusive_End_Timestamp")
            let scope: Scope
            if let id = try cursor.optionalToken("Subscription_ID") {
                scope = .subscription(id: id)
            } else if let (parameters, path) = cursor.optional("Poll_Parameters") {
                scope = .parameters(try PollParameters.parse(cursor.child(parameters, path: path)))
            } else {
                try cursor.fail(TAXIIError(.missingElement, path: "Poll_Request/Poll_Parameters", "either <Subscription_ID> or <Poll_Parameters> is required"))
                scope = .parameters(PollParameters())
            }
            let signature = cursor.signature()
            try cursor.finish()
            self.init(
                messageID: messageID, collectionName: collectionName, exclusiveBeginTimestamp: begin,
                inclusiveEndTimestamp: end, scope: scope, extendedHeaders: headers, signature: signature
            )
        }

        /// Writes `collection_name`.
        public func writeAttributes(to writer: inout XMLWriter) {
            writer.attribute("collection_name", collectionName)
        }

        /// Writes the time window and the scope.
        public func writeChildren(to writer: inout XMLWriter) {
            writer.text11("Exclusive_Begin_Timestamp", exclusiveBeginTimestamp?.lexicalForm)
            writer.text11("Inclusive_End_Timestamp", inclusiveEndTimestamp?.lexicalForm)
            switch scope {
            case .subscription(let id): writer.text11("Subscription_ID", id)
            case .parameters(let parameters): parameters.write(to: &writer)
            }
        }

        /// libtaxii equality (lists in any order).
        public static func == (lhs: Self, rhs: Self) -> Bool {
            lhs.baseEquals(rhs) && lhs.collectionName == rhs.collectionName
                && lhs.exclusiveBeginTimestamp == rhs.exclusiveBeginTimestamp
                && lhs.inclusiveEndTimestamp == rhs.inclusiveEndTimestamp && lhs.scope == rhs.scope
        }
    }
}

extension TAXII11.PollParameters {
    var dictionary: TAXII.DictionaryValue {
        .dictionary([
            "response_type": .string(responseType.rawValue), "content_bindings": contentBindings.dictionaryList,
            "query": query.map { QueryFormats.dictionary($0, kind: .query) } ?? .null,
            "allow_asynch": .string(allowAsynch ? "true" : "false"),
            "delivery_parameters": deliveryParameters?.dictionary ?? .null,
        ])
    }

    init(dictionary reader: DictionaryReader) throws(TAXIIError) {
        self.init(
            allowAsynch: try reader.optionalBool("allow_asynch") ?? false,
            responseType: try reader.optionalEnum("response_type", allowed: TAXII.ResponseType.allCases) ?? .full,
            contentBindings: try TAXII11.ContentBinding.list(reader, "content_bindings"),
            query: try reader.optionalObject("query") { (inner) throws(TAXIIError) in try QueryFormats.query(from: inner, kind: .query) },
            deliveryParameters: try reader.optionalObject("delivery_parameters") { (inner) throws(TAXIIError) in try TAXII11.PushParameters(dictionary: inner) }
        )
    }
}

extension TAXII11.PollRequest {
    /// Reads the dictionary form (exactly one of `subscription_id` and `poll_parameters`).
    public init(dictionary: [String: TAXII.DictionaryValue]) throws(TAXIIError) {
        let (reader, messageID, headers) = try Self.openDictionary(dictionary)
        let subscriptionID = try reader.optionalString("subscription_id")
        let parameters = try reader.optionalObject("poll_parameters") { (inner) throws(TAXIIError) in try TAXII11.PollParameters(dictionary: inner) }
        let scope: Scope
        switch (subscriptionID, parameters) {
        case (let id?, nil): scope = .subscription(id: id)
        case (nil, let parameters?): scope = .parameters(parameters)
        case (nil, nil): throw TAXIIError(.missingKey, path: "poll_parameters", "one of subscription_id and poll_parameters is required")
        case (_?, _?): throw TAXIIError(.invalidValue, path: "poll_parameters", "only one of subscription_id and poll_parameters may be given")
        }
        self.init(
            messageID: messageID, collectionName: try reader.string("collection_name"),
            exclusiveBeginTimestamp: try reader.optionalTimestamp("exclusive_begin_timestamp_label"),
            inclusiveEndTimestamp: try reader.optionalTimestamp("inclusive_end_timestamp_label"),
            scope: scope, extendedHeaders: headers
        )
    }

    /// `collection_name`, `subscription_id`, the time window, `poll_parameters`.
    public func writeDictionary(into dictionary: inout [String: TAXII.DictionaryValue]) {
        dictionary["collection_name"] = .string(collectionName)
        dictionary.setIfPresent("subscription_id", subscriptionID)
        dictionary.setIfPresent("exclusive_begin_timestamp_label", exclusiveBeginTimestamp)
        dictionary.setIfPresent("inclusive_end_timestamp_label", inclusiveEndTimestamp)
        dictionary["poll_parameters"] = pollParameters?.dictionary ?? .null
    }
}

/// libtaxii's `_GenericParameters.to_text`, shared by subscription and poll parameters.
func parametersText(
    name: String, contentBindings: [TAXII11.ContentBinding], query: TAXII11.Query?,
    responseType: TAXII.ResponseType, prefix: String
) -> String {
    var result = prefix + "=== \(name) ===\n"
    for binding in contentBindings { result += "  Content Binding: \(binding)\n" }
    if let query { result += QueryFormats.text(query, kind: .query, prefix: prefix + TextForm.indent) }
    result += prefix + "  Response type: \(responseType.rawValue)\n"
    return result
}

extension TAXII11.PollParameters {
    func text(prefix: String) -> String {
        var result = parametersText(name: "Poll_Parameters", contentBindings: contentBindings, query: query, responseType: responseType, prefix: prefix)
        if allowAsynch { result += prefix + "  Allow Asynch: True\n" }
        if let deliveryParameters { result += deliveryParameters.text(prefix: prefix + TextForm.indent) }
        return result
    }
}

extension TAXII11.PollRequest {
    /// Collection, subscription id, window, poll parameters.
    public func writeText(to text: inout String) {
        text += "  Collection Name: \(collectionName)\n"
        if let subscriptionID { text += "  Subscription ID: \(subscriptionID)\n" }
        text += "  Excl. Begin TS Label: \(TextForm.python(exclusiveBeginTimestamp?.pythonDescription))\n"
        text += "  Incl. End TS Label: \(TextForm.python(inclusiveEndTimestamp?.pythonDescription))\n"
        if let pollParameters { text += pollParameters.text(prefix: TextForm.indent) }
    }
}

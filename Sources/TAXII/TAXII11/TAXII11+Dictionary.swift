/// The dictionary form of TAXII 1.1 messages: libtaxii's `messages_11`
/// `to_dict()`/`from_dict()` keys, value for value.
///
/// Where libtaxii's `to_dict()` leaves a `ContentBinding` object in the
/// dictionary (`supported_contents`, `inbox_service_accepted_content`,
/// `SUPPORTED_CONTENT` details), Bastion writes that object's own
/// `to_dict()` (`{"binding_id", "subtype_ids"}`), so the form is plain JSON.
extension TAXII11.ContentBinding {
    /// `{binding_id, subtype_ids}`.
    var dictionary: TAXII.DictionaryValue {
        .dictionary(["binding_id": .string(bindingID), "subtype_ids": subtypeIDs.dictionaryList])
    }

    /// Reads `{binding_id, subtype_ids}`, or libtaxii's string form `binding_id>subtype,…`.
    init(dictionaryValue value: TAXII.DictionaryValue, path: String) throws(TAXIIError) {
        if case .string(let text) = value {
            self.init(libtaxiiString: text)
            return
        }
        let reader = try DictionaryReader(value, path: path)
        self.init(try reader.string("binding_id"), subtypeIDs: try reader.strings("subtype_ids"))
    }

    static func list(_ reader: DictionaryReader, _ key: String) throws(TAXIIError) -> [TAXII11.ContentBinding] {
        var result: [TAXII11.ContentBinding] = []
        for (item, path) in try reader.list(key) {
            result.append(try TAXII11.ContentBinding(dictionaryValue: item, path: path))
        }
        return result
    }
}

extension Array where Element == TAXII11.ContentBinding {
    var dictionaryList: TAXII.DictionaryValue { .list(map(\.dictionary)) }
}

extension TAXII11.RecordCount {
    var dictionary: TAXII.DictionaryValue {
        .dictionary(["record_count": .integer(count), "partial_count": .bool(isPartial)])
    }

    init(dictionary reader: DictionaryReader) throws(TAXIIError) {
        self.init(try reader.int("record_count"), isPartial: try reader.optionalBool("partial_count") ?? false)
    }
}

extension TAXII11.PushParameters {
    var dictionary: TAXII.DictionaryValue {
        .dictionary([
            "inbox_protocol": .string(protocolBinding), "inbox_address": .string(address),
            "delivery_message_binding": .string(messageBinding),
        ])
    }

    init(dictionary reader: DictionaryReader) throws(TAXIIError) {
        self.init(
            protocolBinding: try reader.string("inbox_protocol"), address: try reader.string("inbox_address"),
            messageBinding: try reader.string("delivery_message_binding")
        )
    }
}

extension TAXII11.ContentBlock {
    var dictionary: TAXII.DictionaryValue {
        var result: [String: TAXII.DictionaryValue] = ["content_binding": contentBinding.dictionary]
        content.addDictionary(to: &result)
        result.setIfPresent("timestamp_label", timestampLabel)
        result.setIfPresent("message", message)
        result.setIfPresent("padding", padding)
        return .dictionary(result)
    }

    init(dictionary reader: DictionaryReader) throws(TAXIIError) {
        let binding = try TAXII11.ContentBinding(dictionaryValue: try reader.required("content_binding"), path: reader.keyPath("content_binding"))
        self.init(
            contentBinding: binding, content: try Content(dictionary: reader),
            timestampLabel: try reader.optionalTimestamp("timestamp_label"),
            message: try reader.optionalString("message"), padding: try reader.optionalString("padding")
        )
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

extension TAXII11.ServiceInstance {
    var dictionary: TAXII.DictionaryValue {
        .dictionary([
            "service_type": .string(serviceType.rawValue), "services_version": .string(serviceVersion),
            "protocol_binding": .string(bindings.protocolBinding), "service_address": .string(bindings.address),
            "message_bindings": bindings.messageBindings.dictionaryList,
            "supported_query": .list(supportedQueries.map { QueryFormats.dictionary($0, kind: .supportedQuery) }),
            "inbox_service_accepted_content": inboxServiceAcceptedContent.dictionaryList,
            "available": available.map { .bool($0) } ?? .null, "message": TAXII.DictionaryValue(message),
        ])
    }

    init(dictionary reader: DictionaryReader) throws(TAXIIError) {
        self.init(
            serviceType: try ElementCursor.enumValue(try reader.string("service_type"), allowed: TAXII.ServiceType.types11, path: reader.keyPath("service_type")),
            serviceVersion: try reader.string("services_version"),
            bindings: TAXII11.ServiceBindings(
                protocolBinding: try reader.string("protocol_binding"), address: try reader.string("service_address"),
                messageBindings: try reader.strings("message_bindings")
            ),
            available: try reader.optionalBool("available"),
            supportedQueries: try reader.objects("supported_query") { (inner) throws(TAXIIError) in try QueryFormats.query(from: inner, kind: .supportedQuery) },
            inboxServiceAcceptedContent: try TAXII11.ContentBinding.list(reader, "inbox_service_accepted_content"),
            message: try reader.optionalString("message")
        )
    }
}

extension TAXII11.CollectionInformation {
    var dictionary: TAXII.DictionaryValue {
        var result: [String: TAXII.DictionaryValue] = [
            "collection_name": .string(collectionName), "collection_type": .string(collectionType.rawValue),
            "collection_description": .string(description), "supported_contents": supportedContents.dictionaryList,
            "push_methods": .list(pushMethods.map(\.dictionary)),
            "polling_service_instances": .list(pollingServiceInstances.map { .dictionary($0.dictionary(prefix: "poll")) }),
            "subscription_methods": .list(subscriptionMethods.map { .dictionary($0.dictionary(prefix: "subscription")) }),
            "receiving_inbox_services": .list(receivingInboxServices.map { service in
                var inbox = service.bindings.dictionary(prefix: "inbox")
                inbox["supported_contents"] = service.supportedContents.dictionaryList
                return .dictionary(inbox)
            }),
        ]
        if let available { result["available"] = .bool(available) }
        if let collectionVolume { result["collection_volume"] = .integer(collectionVolume) }
        return .dictionary(result)
    }

    init(dictionary reader: DictionaryReader) throws(TAXIIError) {
        self.init(
            collectionName: try reader.string("collection_name"),
            collectionType: try reader.optionalEnum("collection_type", allowed: TAXII.CollectionType.allCases) ?? .dataFeed,
            available: try reader.optionalBool("available"),
            description: try reader.string("collection_description"),
            collectionVolume: try reader.optionalInt("collection_volume"),
            supportedContents: try TAXII11.ContentBinding.list(reader, "supported_contents"),
            pushMethods: try reader.objects("push_methods") { (inner) throws(TAXIIError) in try TAXII11.PushMethod(dictionary: inner) },
            pollingServiceInstances: try reader.objects("polling_service_instances") { (inner) throws(TAXIIError) in
                try TAXII11.ServiceBindings(dictionary: inner, prefix: "poll")
            },
            subscriptionMethods: try reader.objects("subscription_methods") { (inner) throws(TAXIIError) in
                try TAXII11.ServiceBindings(dictionary: inner, prefix: "subscription")
            },
            receivingInboxServices: try reader.objects("receiving_inbox_services") { (inner) throws(TAXIIError) in
                TAXII11.ReceivingInboxService(
                    bindings: try TAXII11.ServiceBindings(dictionary: inner, prefix: "inbox"),
                    supportedContents: try TAXII11.ContentBinding.list(inner, "supported_contents")
                )
            }
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

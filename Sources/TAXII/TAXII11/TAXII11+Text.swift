/// The text form of TAXII 1.1 messages: libtaxii's `messages_11` `to_text()`
/// layout, label for label (including its quirks, such as the unindented
/// `Content Binding` lines of poll and subscription parameters).
extension TAXII11.ContentBlock {
    func text(prefix: String) -> String {
        var result = prefix + "=== Content Block ===\n"
        result += prefix + "  Content Binding: \(contentBinding)\n"
        result += prefix + "  Content length: \(content.pythonLength)\n"
        result += prefix + "  (Content not printed for brevity)\n"
        if let timestampLabel { result += prefix + "  Timestamp Label: \(timestampLabel.pythonDescription)\n" }
        result += prefix + "  Message: \(TextForm.python(message))\n"
        result += prefix + "  Padding: \(TextForm.python(padding))\n"
        return result
    }
}

extension TAXII11.RecordCount {
    func text(prefix: String) -> String {
        var result = prefix + "=== Record Count ===\n" + prefix + "  Record Count: \(count)\n"
        if isPartial { result += prefix + "  Partial Count: True\n" }
        return result
    }
}

extension TAXII11.PushParameters {
    func text(prefix: String) -> String {
        prefix + "=== Push Parameters ===\n" + prefix + "  Protocol Binding: \(protocolBinding)\n"
            + prefix + "  Inbox Address: \(address)\n" + prefix + "  Message Binding: \(messageBinding)\n"
    }
}

/// libtaxii's `_GenericParameters.to_text`, shared by subscription and poll parameters.
private func parametersText(
    name: String, contentBindings: [TAXII11.ContentBinding], query: TAXII11.Query?,
    responseType: TAXII.ResponseType, prefix: String
) -> String {
    var result = prefix + "=== \(name) ===\n"
    for binding in contentBindings { result += "  Content Binding: \(binding)\n" }
    if let query { result += QueryFormats.text(query, kind: .query, prefix: prefix + TextForm.indent) }
    result += prefix + "  Response type: \(responseType.rawValue)\n"
    return result
}

extension TAXII11.SubscriptionParameters {
    func text(prefix: String) -> String {
        parametersText(name: "Subscription_Parameters", contentBindings: contentBindings, query: query, responseType: responseType, prefix: prefix)
    }
}

extension TAXII11.PollParameters {
    func text(prefix: String) -> String {
        var result = parametersText(name: "Poll_Parameters", contentBindings: contentBindings, query: query, responseType: responseType, prefix: prefix)
        if allowAsynch { result += prefix + "  Allow Asynch: True\n" }
        if let deliveryParameters { result += deliveryParameters.text(prefix: prefix + TextForm.indent) }
        return result
    }
}

extension TAXII11.StatusMessage {
    /// `Status Type`, each detail (`Status Detail: KEY = value`), `Message`.
    public func writeText(to text: inout String) {
        text += "Status Type: \(statusType.rawValue)\n"
        let details = statusDetailDictionary
        var seen = Set<String>()
        for detail in statusDetails where seen.insert(detail.name).inserted {
            text += "Status Detail: \(detail.name) = \(Self.pythonText(details[detail.name]!))\n"
        }
        if let message, !message.isEmpty { text += "Message: \(message)\n" }
    }

    /// Python's `%s` of a detail value.
    static func pythonText(_ value: TAXII.DictionaryValue) -> String {
        switch value {
        case .string(let text): text
        case .integer(let number): String(number)
        case .bool(let flag): flag ? "True" : "False"
        case .null: "None"
        case .dictionary: (try? TAXII11.ContentBinding(dictionaryValue: value, path: ""))?.description ?? value.json()
        case .list(let items): "[" + items.map { "'" + pythonText($0) + "'" }.joined(separator: ", ") + "]"
        }
    }
}

extension TAXII11.ServiceInstance {
    func text(prefix: String) -> String {
        var result = prefix + "=== Service Instance ===\n"
        result += prefix + "  Service Type: \(serviceType.rawValue)\n"
        result += prefix + "  Service Version: \(serviceVersion)\n"
        result += prefix + "  Protocol Binding: \(bindings.protocolBinding)\n"
        result += prefix + "  Service Address: \(bindings.address)\n"
        for binding in bindings.messageBindings { result += prefix + "  Message Binding: \(binding)\n" }
        if serviceType == .inbox {
            result += prefix + "  Inbox Service AC: \(TextForm.python(inboxServiceAcceptedContent.map(\.description)))\n"
        }
        result += prefix + "  Available: \(TextForm.python(available))\n"
        result += prefix + "  Message: \(TextForm.python(message))\n"
        for query in supportedQueries { result += QueryFormats.text(query, kind: .supportedQuery, prefix: prefix + TextForm.indent) }
        return result
    }
}

extension TAXII11.CollectionInformation {
    func text(prefix: String) -> String {
        var result = prefix + "=== Data Collection Information ===\n"
        result += prefix + "  Collection Name: \(collectionName)\n"
        result += prefix + "  Collection Type: \(collectionType.rawValue)\n"
        result += prefix + "  Available: \(TextForm.python(available))\n"
        result += prefix + "  Collection Description: \(description)\n"
        if let collectionVolume, collectionVolume != 0 { result += prefix + "  Volume: \(collectionVolume)\n" }
        if supportedContents.isEmpty { result += prefix + "  Supported Content: All\n" }
        for content in supportedContents {
            result += prefix + "  Supported Content: " + prefix + TextForm.indent + content.description + "\n"
        }
        for service in pollingServiceInstances {
            result += service.text(title: "Polling Service Instance", protocolLabel: "Poll Protocol", addressLabel: "Poll Address", prefix: prefix + TextForm.indent)
        }
        for service in subscriptionMethods {
            result += service.text(title: "Subscription Service", prefix: prefix + TextForm.indent)
        }
        for inbox in receivingInboxServices {
            result += inbox.bindings.text(title: "Receiving Inbox Service", prefix: prefix + TextForm.indent)
            if inbox.supportedContents.isEmpty { result += prefix + TextForm.indent + "  Supported Contents: All\n" }
            for content in inbox.supportedContents { result += prefix + TextForm.indent + "  Supported Content: \(content)\n" }
        }
        result += prefix + "==================================\n\n"
        return result
    }
}

extension TAXII11.CollectionInformationResponse {
    /// The count, then one block per collection.
    public func writeText(to text: inout String) {
        text += "Contains \(collectionInformations.count) Collection Informations\n"
        for collection in collectionInformations { text += collection.text(prefix: TextForm.indent) }
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

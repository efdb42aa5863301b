extension TAXII11.Message {
    /// The concrete message types, by message type.
    static let types: [TAXII.MessageType: any TAXII11Message.Type] = [
        .statusMessage: TAXII11.StatusMessage.self, .discoveryRequest: TAXII11.DiscoveryRequest.self,
        .discoveryResponse: TAXII11.DiscoveryResponse.self,
        .collectionInformationRequest: TAXII11.CollectionInformationRequest.self,
        .collectionInformationResponse: TAXII11.CollectionInformationResponse.self,
        .pollRequest: TAXII11.PollRequest.self, .pollResponse: TAXII11.PollResponse.self,
        .inboxMessage: TAXII11.InboxMessage.self, .pollFulfillmentRequest: TAXII11.PollFulfillmentRequest.self,
        .subscriptionManagementRequest: TAXII11.ManageCollectionSubscriptionRequest.self,
        .subscriptionManagementResponse: TAXII11.ManageCollectionSubscriptionResponse.self,
    ]

    /// Wraps a concrete message.
    init(_ message: any TAXII11Message) {
        switch message {
        case let m as TAXII11.StatusMessage: self = .statusMessage(m)
        case let m as TAXII11.DiscoveryRequest: self = .discoveryRequest(m)
        case let m as TAXII11.DiscoveryResponse: self = .discoveryResponse(m)
        case let m as TAXII11.CollectionInformationRequest: self = .collectionInformationRequest(m)
        case let m as TAXII11.CollectionInformationResponse: self = .collectionInformationResponse(m)
        case let m as TAXII11.PollRequest: self = .pollRequest(m)
        case let m as TAXII11.PollResponse: self = .pollResponse(m)
        case let m as TAXII11.InboxMessage: self = .inboxMessage(m)
        case let m as TAXII11.PollFulfillmentRequest: self = .pollFulfillmentRequest(m)
        case let m as TAXII11.ManageCollectionSubscriptionRequest: self = .manageCollectionSubscriptionRequest(m)
        case let m as TAXII11.ManageCollectionSubscriptionResponse: self = .manageCollectionSubscriptionResponse(m)
        default: preconditionFailure("unknown TAXII 1.1 message type \(type(of: message))")
        }
    }

    /// Reads a TAXII 1.1 message of any type from its dictionary form
    /// (libtaxii's `messages_11.get_message_from_dict`), by its `message_type`.
    public init(dictionary: [String: TAXII.DictionaryValue]) throws(TAXIIError) {
        self.init(try MessageDispatch.type(of: dictionary, version: .v11, in: Self.types).init(dictionary: dictionary))
    }

    /// Reads a TAXII 1.1 message of any type from JSON holding its dictionary form.
    public init(json: String) throws(TAXIIError) {
        try self.init(dictionary: MessageDispatch.dictionary(json: json))
    }

    /// The dictionary form (libtaxii's `to_dict()`).
    public func dictionary() -> [String: TAXII.DictionaryValue] { message.dictionary() }
    /// The dictionary form as JSON.
    public func json(prettyPrinted: Bool = false) -> String { message.json(prettyPrinted: prettyPrinted) }
    /// The text form (libtaxii's `to_text()`).
    public var text: String { message.text }
}

extension TAXII11.Message {
    /// The concrete message types, by message type.
    public static let messageTypes: [TAXII.MessageType: any TAXIIMessage.Type] = [
        .statusMessage: TAXII11.StatusMessage.self, .discoveryRequest: TAXII11.DiscoveryRequest.self,
        .discoveryResponse: TAXII11.DiscoveryResponse.self,
        .collectionInformationRequest: TAXII11.CollectionInformationRequest.self,
        .collectionInformationResponse: TAXII11.CollectionInformationResponse.self,
        .pollRequest: TAXII11.PollRequest.self, .pollResponse: TAXII11.PollResponse.self,
        .inboxMessage: TAXII11.InboxMessage.self, .pollFulfillmentRequest: TAXII11.PollFulfillmentRequest.self,
        .subscriptionManagementRequest: TAXII11.ManageCollectionSubscriptionRequest.self,
        .subscriptionManagementResponse: TAXII11.ManageCollectionSubscriptionResponse.self,
    ]

    /// Wraps a concrete TAXII 1.1 message (`nil` for another version's).
    public init?(wrapping message: any TAXIIMessage) {
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
        default: return nil
        }
    }
}

import BastionXML

/// TAXII 1.1 messages (XML Message Binding 1.1, namespace
/// `http://taxii.mitre.org/messages/taxii_xml_binding-1.1`).
///
/// Every message type is a value type conforming to ``TAXII11Message``:
/// parse with `init(xml:)` (a `String` or bytes), write with
/// ``TAXII11Message/xml(prettyPrinted:)``; ``Message`` holds any of them.
public enum TAXII11 {
    /// The namespace of TAXII 1.1 messages.
    public static let namespace = TAXII.Namespace.taxii11

    /// Any TAXII 1.1 message.
    public enum Message: TAXIIMessageSet {
        /// `Status_Message`.
        case statusMessage(StatusMessage)
        /// `Discovery_Request`.
        case discoveryRequest(DiscoveryRequest)
        /// `Discovery_Response`.
        case discoveryResponse(DiscoveryResponse)
        /// `Collection_Information_Request`.
        case collectionInformationRequest(CollectionInformationRequest)
        /// `Collection_Information_Response`.
        case collectionInformationResponse(CollectionInformationResponse)
        /// `Poll_Request`.
        case pollRequest(PollRequest)
        /// `Poll_Response`.
        case pollResponse(PollResponse)
        /// `Inbox_Message`.
        case inboxMessage(InboxMessage)
        /// `Poll_Fulfillment`.
        case pollFulfillmentRequest(PollFulfillmentRequest)
        /// `Subscription_Management_Request`.
        case manageCollectionSubscriptionRequest(ManageCollectionSubscriptionRequest)
        /// `Subscription_Management_Response`.
        case manageCollectionSubscriptionResponse(ManageCollectionSubscriptionResponse)

        /// The message as its concrete type, as an existential.
        public var message: any TAXII11Message {
            switch self {
            case .statusMessage(let m): m
            case .discoveryRequest(let m): m
            case .discoveryResponse(let m): m
            case .collectionInformationRequest(let m): m
            case .collectionInformationResponse(let m): m
            case .pollRequest(let m): m
            case .pollResponse(let m): m
            case .inboxMessage(let m): m
            case .pollFulfillmentRequest(let m): m
            case .manageCollectionSubscriptionRequest(let m): m
            case .manageCollectionSubscriptionResponse(let m): m
            }
        }

        /// The message, as an existential of any version.
        public var anyMessage: any TAXIIMessage { message }
        /// TAXII 1.1.
        public static var version: TAXII.Version { .v11 }
    }
}

/// A TAXII 1.1 message type: see ``TAXIIMessage`` for what every message offers.
public protocol TAXII11Message: TAXIIMessage {}

extension TAXII11Message {
    /// TAXII 1.1.
    public static var version: TAXII.Version { .v11 }
}

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

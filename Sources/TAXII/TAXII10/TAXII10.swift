import BastionXML

/// TAXII 1.0 messages (XML Message Binding 1.0, namespace
/// `http://taxii.mitre.org/messages/taxii_xml_binding-1`): data *feeds*
/// where 1.1 has collections, content bindings as plain text, a free-text
/// status detail, message ids of digits only.
///
/// Every message type is a value type conforming to ``TAXII10Message``
/// (see ``TAXIIMessage`` for XML, dictionary, JSON and text forms);
/// ``Message`` holds any of them.
public enum TAXII10 {
    /// The namespace of TAXII 1.0 messages.
    public static let namespace = TAXII.Namespace.taxii10

    /// The binding group shared with TAXII 1.1 (`Polling_Service`, `Subscription_Service`, `Poll_Instance`).
    public typealias ServiceBindings = TAXII11.ServiceBindings
    /// How a feed can push content (`Push_Method`), as in TAXII 1.1.
    public typealias PushMethod = TAXII11.PushMethod
    /// An extended header, as in TAXII 1.1.
    public typealias ExtendedHeader = TAXII.ExtendedHeader

    /// Any TAXII 1.0 message.
    public enum Message: TAXIIMessageSet {
        /// `Status_Message`.
        case statusMessage(StatusMessage)
        /// `Discovery_Request`.
        case discoveryRequest(DiscoveryRequest)
        /// `Discovery_Response`.
        case discoveryResponse(DiscoveryResponse)
        /// `Feed_Information_Request`.
        case feedInformationRequest(FeedInformationRequest)
        /// `Feed_Information_Response`.
        case feedInformationResponse(FeedInformationResponse)
        /// `Subscription_Management_Request`.
        case manageFeedSubscriptionRequest(ManageFeedSubscriptionRequest)
        /// `Subscription_Management_Response`.
        case manageFeedSubscriptionResponse(ManageFeedSubscriptionResponse)
        /// `Poll_Request`.
        case pollRequest(PollRequest)
        /// `Poll_Response`.
        case pollResponse(PollResponse)
        /// `Inbox_Message`.
        case inboxMessage(InboxMessage)

        /// The message as its concrete type, as an existential.
        public var message: any TAXII10Message {
            switch self {
            case .statusMessage(let m): m
            case .discoveryRequest(let m): m
            case .discoveryResponse(let m): m
            case .feedInformationRequest(let m): m
            case .feedInformationResponse(let m): m
            case .manageFeedSubscriptionRequest(let m): m
            case .manageFeedSubscriptionResponse(let m): m
            case .pollRequest(let m): m
            case .pollResponse(let m): m
            case .inboxMessage(let m): m
            }
        }

        /// Wraps a concrete TAXII 1.0 message (`nil` for another version's).
        public init?(wrapping message: any TAXIIMessage) {
            switch message {
            case let m as StatusMessage: self = .statusMessage(m)
            case let m as DiscoveryRequest: self = .discoveryRequest(m)
            case let m as DiscoveryResponse: self = .discoveryResponse(m)
            case let m as FeedInformationRequest: self = .feedInformationRequest(m)
            case let m as FeedInformationResponse: self = .feedInformationResponse(m)
            case let m as ManageFeedSubscriptionRequest: self = .manageFeedSubscriptionRequest(m)
            case let m as ManageFeedSubscriptionResponse: self = .manageFeedSubscriptionResponse(m)
            case let m as PollRequest: self = .pollRequest(m)
            case let m as PollResponse: self = .pollResponse(m)
            case let m as InboxMessage: self = .inboxMessage(m)
            default: return nil
            }
        }

        /// The concrete message types, by message type.
        public static let messageTypes: [TAXII.MessageType: any TAXIIMessage.Type] = [
            .statusMessage: StatusMessage.self, .discoveryRequest: DiscoveryRequest.self,
            .discoveryResponse: DiscoveryResponse.self, .feedInformationRequest: FeedInformationRequest.self,
            .feedInformationResponse: FeedInformationResponse.self,
            .subscriptionManagementRequest: ManageFeedSubscriptionRequest.self,
            .subscriptionManagementResponse: ManageFeedSubscriptionResponse.self,
            .pollRequest: PollRequest.self, .pollResponse: PollResponse.self, .inboxMessage: InboxMessage.self,
        ]

        /// The message, as an existential of any version.
        public var anyMessage: any TAXIIMessage { message }
        /// TAXII 1.0.
        public static var version: TAXII.Version { .v10 }
    }
}

/// A TAXII 1.0 message type: see ``TAXIIMessage`` for what every message offers.
public protocol TAXII10Message: TAXIIMessage {}

extension TAXII10Message {
    /// TAXII 1.0.
    public static var version: TAXII.Version { .v10 }
}

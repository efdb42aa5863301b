import TAXII

/// What a poll asks for — the collection (a TAXII 1.0 feed), the time window, a subscription,
/// content bindings and the TAXII 1.1 poll parameters — and the Poll Request of either version
/// that asks it.
public struct PollSelection: Sendable, Equatable {
    /// The collection (TAXII 1.0: the feed); libtaxii polls `default` unless told otherwise.
    public var collection: String
    /// Only content after this time (exclusive).
    public var exclusiveBegin: TAXII.Timestamp?
    /// Only content up to this time (inclusive).
    public var inclusiveEnd: TAXII.Timestamp?
    /// Poll under this subscription instead of with parameters.
    public var subscriptionID: String?
    /// Only content of these bindings (empty: any).
    public var contentBindings: [String]
    /// TAXII 1.1: whether the server may answer `PENDING`, and full content or a count only.
    /// Its content bindings are replaced by ``contentBindings``.
    public var parameters: TAXII11.PollParameters

    /// A selection; by default everything in collection `default`.
    public init(
        collection: String = "default", exclusiveBegin: TAXII.Timestamp? = nil, inclusiveEnd: TAXII.Timestamp? = nil,
        subscriptionID: String? = nil, contentBindings: [String] = [], parameters: TAXII11.PollParameters = TAXII11.PollParameters()
    ) {
        self.collection = collection
        self.exclusiveBegin = exclusiveBegin
        self.inclusiveEnd = inclusiveEnd
        self.subscriptionID = subscriptionID
        self.contentBindings = contentBindings
        self.parameters = parameters
    }

    /// The Poll Request of `version` (a new message id each call).
    public func request(version: TAXII.Version) -> TAXII.Message {
        switch version {
        case .v11:
            var parameters = parameters
            parameters.contentBindings = contentBindings.map { TAXII11.ContentBinding($0) }
            let scope: TAXII11.PollRequest.Scope = subscriptionID.map { .subscription(id: $0) } ?? .parameters(parameters)
            return .taxii11(.pollRequest(TAXII11.PollRequest(
                collectionName: collection, exclusiveBeginTimestamp: exclusiveBegin, inclusiveEndTimestamp: inclusiveEnd, scope: scope)))
        case .v10:
            return .taxii10(.pollRequest(TAXII10.PollRequest(
                feedName: collection, subscriptionID: subscriptionID, exclusiveBeginTimestamp: exclusiveBegin,
                inclusiveEndTimestamp: inclusiveEnd, contentBindings: contentBindings)))
        }
    }
}

import TAXII

/// Where a TAXII server keeps its content blocks and poll result sets. Two implementations:
/// ``SQLiteTAXIIStore`` (the default, one file) and PostgreSQL (several server processes on one
/// database).
///
/// Timestamp labels are the store's to give: strictly increasing within a collection, in
/// microseconds since 1970, also when several processes write at once, so a poll window
/// `(after, upTo]` never misses nor repeats a block.
public protocol TAXIIStore: Sendable {
    /// Makes the store ready to serve (connects and brings the schema up to date where that
    /// needs the network); the server calls it before it listens.
    func prepare() async throws(TAXIIStoreError)

    /// Stores each placement's blocks in its collection, all in one transaction, and returns the
    /// labels given, per placement, one per block in order.
    func insert(_ placements: [Placement]) async throws(TAXIIStoreError) -> [[Int64]]

    /// How many blocks `query` selects.
    func count(_ query: BlockQuery) async throws(TAXIIStoreError) -> Int

    /// The blocks `query` selects, in label order, from the `offset`-th on, at most `limit`.
    func blocks(_ query: BlockQuery, offset: Int, limit: Int) async throws(TAXIIStoreError) -> [StoredContentBlock]

    /// The newest label in `collection`, if it has blocks.
    func latestLabel(in collection: String) async throws(TAXIIStoreError) -> Int64?

    /// In one read: `query`'s window closed at the collection's newest label (or at
    /// `query.upTo` when that is earlier), how many blocks it holds, and its first `limit` blocks.
    func snapshot(_ query: BlockQuery, limit: Int) async throws(TAXIIStoreError) -> WindowSnapshot

    /// Keeps `resultSet` (and, for a result set of listed blocks, `blockIDs` in order) for
    /// Poll Fulfillment.
    func saveResultSet(_ resultSet: ResultSet, blockIDs: [Int64]?) async throws(TAXIIStoreError)

    /// The result set `id`, if kept.
    func resultSet(id: String) async throws(TAXIIStoreError) -> ResultSet?

    /// The blocks of a result set of listed blocks, from position `offset` on, at most `limit`.
    func listedBlocks(resultID: String, offset: Int, limit: Int) async throws(TAXIIStoreError) -> [StoredContentBlock]

    /// Forgets result sets created before `microsecondsSince1970`; returns how many.
    func removeResultSets(createdBefore microsecondsSince1970: Int64) async throws(TAXIIStoreError) -> Int

    /// Keeps a new subscription.
    func saveSubscription(_ subscription: StoredSubscription) async throws(TAXIIStoreError)

    /// The subscription `id`, if kept.
    func subscription(id: String) async throws(TAXIIStoreError) -> StoredSubscription?

    /// The subscriptions `owner` (nil: anonymous) holds on `collection`, oldest first.
    func subscriptions(collection: String, owner: String?) async throws(TAXIIStoreError) -> [StoredSubscription]

    /// Sets the status of subscription `id`; whether it was found.
    func setSubscriptionStatus(id: String, to status: String) async throws(TAXIIStoreError) -> Bool

    /// Makes a pending result set ready: `total` blocks, listed by `blockIDs` when it lists them.
    func finishResultSet(id: String, total: Int, blockIDs: [Int64]?) async throws(TAXIIStoreError)
    /// Marks a pending result set failed, for `reason`.
    func failResultSet(id: String, reason: String) async throws(TAXIIStoreError)

    /// Starts push delivery for subscription `subscriptionID`: the blocks of its collection
    /// labelled after `after` (all of them for `nil`) are pushed, the first attempt due at `firstAttempt`.
    func startPushing(subscriptionID: String, after: Int64?, firstAttempt: Int64) async throws(TAXIIStoreError)
    /// Claims up to `limit` push deliveries due at `now` whose subscription is active: each comes
    /// back with its state and is not due again (for any process on this store) before
    /// `leaseUntil`, unless ``recordPush(_:)`` says otherwise.
    func claimDuePushes(now: Int64, leaseUntil: Int64, limit: Int) async throws(TAXIIStoreError) -> [PushDelivery]
    /// Keeps the state of a delivery after an attempt: its mark, when it is due next, failures.
    func recordPush(_ delivery: PushDelivery) async throws(TAXIIStoreError)
    /// The push state of a subscription; `nil` when it does not push.
    func pushDelivery(subscriptionID: String) async throws(TAXIIStoreError) -> PushDelivery?
}

/// Where the push delivery of one subscription stands.
public struct PushDelivery: Sendable, Equatable {
    public var subscriptionID: String
    /// The subscription's collection.
    public var collection: String
    /// The subscription's SUBSCRIBE request (XML): its parameters and push parameters.
    public var request: String
    /// The label of the last block delivered (or passed over by the subscription's filters);
    /// `nil` before the first.
    public var pushedUpTo: Int64?
    /// When the next attempt is due, in microseconds since 1970.
    public var nextAttempt: Int64
    /// Failed attempts in a row.
    public var failures: Int
    /// Why the last attempt failed, if it did.
    public var lastError: String?

    public init(subscriptionID: String, collection: String, request: String, pushedUpTo: Int64?, nextAttempt: Int64, failures: Int = 0, lastError: String? = nil) {
        self.subscriptionID = subscriptionID
        self.collection = collection
        self.request = request
        self.pushedUpTo = pushedUpTo
        self.nextAttempt = nextAttempt
        self.failures = failures
        self.lastError = lastError
    }
}

/// A subscription as kept: who holds it on which collection, its status (`ACTIVE`, `PAUSED`,
/// `UNSUBSCRIBED`), and the subscribe request it was made from (XML), which carries its
/// parameters.
public struct StoredSubscription: Sendable, Equatable {
    public var id: String
    public var collection: String
    /// The user who subscribed; `nil` for an anonymous server.
    public var owner: String?
    public var status: String
    /// The `Subscription_Management_Request` (SUBSCRIBE) as XML.
    public var request: String
    /// When it was made, in microseconds since 1970.
    public var createdAt: Int64

    public init(id: String, collection: String, owner: String?, status: String, request: String, createdAt: Int64) {
        self.id = id
        self.collection = collection
        self.owner = owner
        self.status = status
        self.request = request
        self.createdAt = createdAt
    }
}

/// A content block to store: what an Inbox Message carried.
public struct NewContentBlock: Sendable, Equatable {
    /// The content binding id.
    public var bindingID: String
    /// The binding's subtype, if the block named one.
    public var subtypeID: String?
    /// The content, exactly as it came (XML or text).
    public var content: String
    /// Whether the content is XML.
    public var isXML: Bool
    /// The block's message, if any.
    public var message: String?

    public init(bindingID: String, subtypeID: String? = nil, content: String, isXML: Bool, message: String? = nil) {
        self.bindingID = bindingID
        self.subtypeID = subtypeID
        self.content = content
        self.isXML = isXML
        self.message = message
    }
}

/// Blocks bound for one collection.
public struct Placement: Sendable, Equatable {
    /// The collection.
    public var collection: String
    /// The blocks, in order.
    public var blocks: [NewContentBlock]

    public init(collection: String, blocks: [NewContentBlock]) {
        self.collection = collection
        self.blocks = blocks
    }
}

/// A content block as stored: the block and where it sits.
public struct StoredContentBlock: Sendable, Equatable {
    /// The store's id of the block.
    public var id: Int64
    /// The collection it belongs to.
    public var collection: String
    /// Its timestamp label, in microseconds since 1970.
    public var label: Int64
    /// The block.
    public var block: NewContentBlock

    public init(id: Int64, collection: String, label: Int64, block: NewContentBlock) {
        self.id = id
        self.collection = collection
        self.label = label
        self.block = block
    }
}

/// Which blocks of a collection a poll asks for.
public struct BlockQuery: Sendable, Equatable, Codable {
    /// The collection.
    public var collection: String
    /// Only blocks labelled after this (exclusive), in microseconds since 1970.
    public var after: Int64?
    /// Only blocks labelled up to this (inclusive).
    public var upTo: Int64?
    /// Only blocks of these bindings (a binding without subtypes: any of its subtypes); empty: all.
    public var bindings: [BindingFilter]

    public init(collection: String, after: Int64? = nil, upTo: Int64? = nil, bindings: [BindingFilter] = []) {
        self.collection = collection
        self.after = after
        self.upTo = upTo
        self.bindings = bindings
    }
}

/// A poll window as one read saw it.
public struct WindowSnapshot: Sendable, Equatable {
    /// The window, its end set to the newest label it can hold (`nil` when the collection is empty).
    public var query: BlockQuery
    /// The newest label in the collection, if any.
    public var latest: Int64?
    /// How many blocks the window holds.
    public var total: Int
    /// Its first blocks, in label order.
    public var blocks: [StoredContentBlock]

    public init(query: BlockQuery, latest: Int64?, total: Int, blocks: [StoredContentBlock]) {
        self.query = query
        self.latest = latest
        self.total = total
        self.blocks = blocks
    }
}

/// One content binding a poll accepts.
public struct BindingFilter: Sendable, Equatable, Codable {
    /// The binding id.
    public var bindingID: String
    /// The subtypes accepted; empty: any.
    public var subtypeIDs: [String]

    public init(bindingID: String, subtypeIDs: [String] = []) {
        self.bindingID = bindingID
        self.subtypeIDs = subtypeIDs
    }

    /// Whether a block of `bindingID` and `subtypeID` passes.
    public func accepts(bindingID: String, subtypeID: String?) -> Bool {
        guard bindingID == self.bindingID else { return false }
        guard !subtypeIDs.isEmpty else { return true }
        return subtypeID.map(subtypeIDs.contains) ?? false
    }
}

/// A poll's result, kept so that its parts can be fetched with Poll Fulfillment.
///
/// A result of a window (`query`) is read again from the store part by part: labels only grow,
/// so the window's blocks do not change. A result of a Default Query lists its blocks.
public struct ResultSet: Sendable, Equatable {
    /// The result id.
    public var id: String
    /// The window polled; `upTo` is always set (the newest label when the poll ran).
    public var query: BlockQuery
    /// How many blocks the result holds.
    public var total: Int
    /// Blocks per part.
    public var pageSize: Int
    /// Whether the blocks are listed (a Default Query selected them) rather than read from the window.
    public var isListed: Bool
    /// When it was made, in microseconds since 1970.
    public var createdAt: Int64
    /// Whether its parts can be fetched yet (an asynchronous poll's result is built after the answer).
    public var state: State

    /// Where a result stands.
    public enum State: Sendable, Equatable {
        /// Its parts can be fetched.
        case ready
        /// Still being built (an asynchronous poll answered PENDING).
        case pending
        /// Building it failed, for the reason given; it never becomes available.
        case failed(String)
    }

    public init(id: String, query: BlockQuery, total: Int, pageSize: Int, isListed: Bool, createdAt: Int64, state: State = .ready) {
        self.id = id
        self.query = query
        self.total = total
        self.pageSize = pageSize
        self.isListed = isListed
        self.createdAt = createdAt
        self.state = state
    }

    /// The state as kept in a database: its name, and the reason of a failure.
    var storedState: (String, String?) {
        switch state {
        case .ready: ("ready", nil)
        case .pending: ("pending", nil)
        case .failed(let reason): ("failed", reason)
        }
    }

    /// The state kept as `name` (and `reason`).
    static func state(stored name: String, reason: String?) -> State {
        switch name {
        case "pending": .pending
        case "failed": .failed(reason ?? "unknown")
        default: .ready
        }
    }

    /// How many parts it has (at least 1).
    public var partCount: Int { max(1, (total + pageSize - 1) / pageSize) }
}

/// Why the store failed.
public struct TAXIIStoreError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The class of problem.
    public enum Kind: String, Sendable, Equatable, CaseIterable {
        /// The database could not be opened or migrated.
        case unavailable
        /// A read or write failed.
        case query
        /// A stored row could not be read back.
        case corrupt
    }

    /// The class of problem.
    public var kind: Kind
    /// What went wrong, in one line.
    public var message: String
    public var description: String { message }

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }
}

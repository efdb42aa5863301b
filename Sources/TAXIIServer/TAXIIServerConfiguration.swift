import TAXII

/// What a TAXII server serves: its services' paths, its collections, who may use them, and
/// how results are paged.
public struct TAXIIServerConfiguration: Sendable {
    /// Where each service answers.
    public struct ServicePaths: Sendable, Equatable {
        public var discovery: String
        public var collectionManagement: String
        public var inbox: String
        public var poll: String

        /// `/services/discovery`, `/services/collection-management`, `/services/inbox`, `/services/poll`.
        public init(
            discovery: String = "/services/discovery", collectionManagement: String = "/services/collection-management",
            inbox: String = "/services/inbox", poll: String = "/services/poll"
        ) {
            self.discovery = discovery
            self.collectionManagement = collectionManagement
            self.inbox = inbox
            self.poll = poll
        }

        /// The service at `path`, if any.
        public func service(at path: String) -> TAXII.ServiceType? {
            switch path {
            case discovery: .discovery
            case collectionManagement: .collectionManagement
            case inbox: .inbox
            case poll: .poll
            default: nil
            }
        }

        /// The path of `service` (TAXII 1.0's feed management is collection management).
        public func path(of service: TAXII.ServiceType) -> String {
            switch service {
            case .discovery: discovery
            case .collectionManagement, .feedManagement: collectionManagement
            case .inbox: inbox
            case .poll: poll
            }
        }
    }

    /// Where each service answers.
    public var paths: ServicePaths
    /// The collections (TAXII 1.0: feeds).
    public var collections: [TAXIICollection]
    /// The collections an Inbox Message without a destination goes to.
    public var inboxDestinations: [String]
    /// The users; when there are any, HTTP Basic authentication is required on collection
    /// management, inbox and poll (and on discovery with ``discoveryRequiresAuthentication``).
    public var users: [TAXIIUser]
    /// Whether discovery needs authentication too (most TAXII deployments leave it open).
    public var discoveryRequiresAuthentication: Bool
    /// Content blocks per Poll Response part, for collections that do not set their own.
    public var pageSize: Int
    /// How long a poll's result can be fetched with Poll Fulfillment.
    public var resultLifetime: Duration
    /// Whether the Poll service's Discovery entry lists the TAXII Default Query it evaluates
    /// (`Supported_Query`). Off by default: libtaxii-based clients that do not load libtaxii's
    /// Default Query module, cabby among them, fail to read a Discovery Response that has one.
    /// Polls with a Default Query are evaluated either way.
    public var advertisesDefaultQuery: Bool
    /// How subscriptions with Push_Parameters are delivered.
    public var push: PushSettings
    /// A Default Query poll that allows an asynchronous answer (`allow_asynch="true"`) over a
    /// window of more blocks than this is answered PENDING: its result is built in the
    /// background and fetched with Poll Fulfillment once ready.
    public var asynchronousPollThreshold: Int

    /// A configuration; by default one data feed `default` that accepts any content, fed by
    /// the inbox, served anonymously, 100 blocks per part, results kept an hour.
    public init(
        paths: ServicePaths = ServicePaths(),
        collections: [TAXIICollection] = [TAXIICollection(name: "default", description: "Any content, as it arrives.")],
        inboxDestinations: [String]? = nil,
        users: [TAXIIUser] = [],
        discoveryRequiresAuthentication: Bool = false,
        pageSize: Int = 100,
        resultLifetime: Duration = .seconds(3600),
        advertisesDefaultQuery: Bool = false,
        push: PushSettings = PushSettings(),
        asynchronousPollThreshold: Int = 10_000
    ) {
        self.paths = paths
        self.collections = collections
        self.inboxDestinations = inboxDestinations ?? collections.map(\.name)
        self.users = users
        self.discoveryRequiresAuthentication = discoveryRequiresAuthentication
        self.pageSize = pageSize
        self.resultLifetime = resultLifetime
        self.advertisesDefaultQuery = advertisesDefaultQuery
        self.push = push
        self.asynchronousPollThreshold = asynchronousPollThreshold
    }

    /// The collection named `name`.
    public func collection(named name: String) -> TAXIICollection? {
        collections.first { $0.name == name }
    }

    /// Whether `service` needs a user.
    public func requiresAuthentication(_ service: TAXII.ServiceType) -> Bool {
        guard !users.isEmpty else { return false }
        return service != .discovery || discoveryRequiresAuthentication
    }
}

/// A collection a TAXII server serves (TAXII 1.0: a feed).
public struct TAXIICollection: Sendable, Equatable {
    /// Its name.
    public var name: String
    /// A data feed (ordered by timestamp label, polled by window) or a data set.
    public var type: TAXII.CollectionType
    /// What it holds, for people.
    public var description: String
    /// The content it accepts; empty: any.
    public var acceptedContent: [TAXII11.ContentBinding]
    /// Content blocks per Poll Response part (the server's default when `nil`).
    public var pageSize: Int?

    public init(
        name: String, type: TAXII.CollectionType = .dataFeed, description: String = "",
        acceptedContent: [TAXII11.ContentBinding] = [], pageSize: Int? = nil
    ) {
        self.name = name
        self.type = type
        self.description = description
        self.acceptedContent = acceptedContent
        self.pageSize = pageSize
    }

    /// Whether it accepts a block of `bindingID` (and `subtypeID`).
    public func accepts(bindingID: String, subtypeID: String?) -> Bool {
        guard !acceptedContent.isEmpty else { return true }
        return acceptedContent.contains { binding in
            binding.bindingID == bindingID && (binding.subtypeIDs.isEmpty || subtypeID.map(binding.subtypeIDs.contains) == true)
        }
    }
}

/// A user of a TAXII server: a name, a password kept only as a slow hash, and what they may
/// read (poll) and write (inbox).
public struct TAXIIUser: Sendable, Equatable {
    /// The collections a permission covers.
    public enum Collections: Sendable, Equatable {
        case all
        case only(Set<String>)

        /// Whether `collection` is covered.
        public func contains(_ collection: String) -> Bool {
            switch self {
            case .all: true
            case .only(let names): names.contains(collection)
            }
        }
    }

    /// The user name (HTTP Basic).
    public var name: String
    /// The password's hash.
    public var password: PasswordHash
    /// What the user may poll and see in collection information.
    public var canRead: Collections
    /// Where the user may push content.
    public var canWrite: Collections

    public init(name: String, password: PasswordHash, canRead: Collections = .all, canWrite: Collections = .all) {
        self.name = name
        self.password = password
        self.canRead = canRead
        self.canWrite = canWrite
    }
}

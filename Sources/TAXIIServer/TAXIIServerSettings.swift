import BastionConfig
import TAXII

/// A TAXII server's settings file (YAML, keys in snake_case), read strictly: an unknown key, a
/// value of the wrong type, a collection named twice, an inbox destination or permission naming
/// no collection, a malformed password hash — each stops startup with one line naming the file
/// and the key. ``example`` is a commented file with every setting.
public struct TAXIIServerSettings: Decodable, Sendable {
    public var host: String?
    public var port: Int?
    /// `sqlite:PATH` or `postgres://user:password@host:port/database`.
    public var database: String?
    public var tls: TLSSettings?
    public var paths: PathSettings?
    public var discoveryRequiresAuthentication: Bool?
    public var advertiseDefaultQuery: Bool?
    public var pageSize: Int?
    /// Seconds a poll's result can be fetched with Poll Fulfillment.
    public var resultLifetime: Int?
    /// Blocks above which an `allow_asynch` Default Query poll is answered PENDING.
    public var asyncPollAbove: Int?
    public var maxBody: Int?
    public var accessLog: Bool?
    public var collections: [CollectionSettings]?
    public var inboxDestinations: [String]?
    public var users: [UserSettings]?
    public var push: PushSettingsFile?

    public enum CodingKeys: String, CodingKey, CaseIterable {
        case host, port, database, tls, paths
        case discoveryRequiresAuthentication = "discovery_requires_authentication"
        case advertiseDefaultQuery = "advertise_default_query"
        case pageSize = "page_size"
        case resultLifetime = "result_lifetime"
        case asyncPollAbove = "async_poll_above"
        case maxBody = "max_body"
        case accessLog = "access_log"
        case collections
        case inboxDestinations = "inbox_destinations"
        case users, push
    }

    /// Push delivery of subscriptions: durations in seconds; `ca` checks subscribers' `https` inboxes.
    public struct PushSettingsFile: Decodable, Sendable {
        public var enabled: Bool?
        public var interval: Int?
        public var retryBase: Int?
        public var retryLimit: Int?
        public var timeout: Int?
        public var ca: String?

        enum CodingKeys: String, CodingKey, CaseIterable {
            case enabled, interval, timeout, ca
            case retryBase = "retry_base"
            case retryLimit = "retry_limit"
        }

        public init(from decoder: any Decoder) throws {
            try StrictKeys.check(decoder, known: CodingKeys.allCases.map(\.rawValue))
            let container = try decoder.container(keyedBy: CodingKeys.self)
            enabled = try container.decodeIfPresent(Bool.self, forKey: .enabled)
            interval = try container.decodeIfPresent(Int.self, forKey: .interval)
            retryBase = try container.decodeIfPresent(Int.self, forKey: .retryBase)
            retryLimit = try container.decodeIfPresent(Int.self, forKey: .retryLimit)
            timeout = try container.decodeIfPresent(Int.self, forKey: .timeout)
            ca = try container.decodeIfPresent(String.self, forKey: .ca)
        }
    }

    /// HTTPS: the server's certificate and key, and the CA client certificates must chain to.
    public struct TLSSettings: Decodable, Sendable {
        public var cert: String
        public var key: String
        public var clientCA: String?

        enum CodingKeys: String, CodingKey, CaseIterable {
            case cert, key
            case clientCA = "client_ca"
        }

        public init(cert: String, key: String, clientCA: String? = nil) {
            self.cert = cert
            self.key = key
            self.clientCA = clientCA
        }

        public init(from decoder: any Decoder) throws {
            try StrictKeys.check(decoder, known: CodingKeys.allCases.map(\.rawValue))
            let container = try decoder.container(keyedBy: CodingKeys.self)
            cert = try container.decode(String.self, forKey: .cert)
            key = try container.decode(String.self, forKey: .key)
            clientCA = try container.decodeIfPresent(String.self, forKey: .clientCA)
        }
    }

    /// Where each service answers.
    public struct PathSettings: Decodable, Sendable {
        public var discovery: String?
        public var collectionManagement: String?
        public var inbox: String?
        public var poll: String?

        enum CodingKeys: String, CodingKey, CaseIterable {
            case discovery, inbox, poll
            case collectionManagement = "collection_management"
        }

        public init(from decoder: any Decoder) throws {
            try StrictKeys.check(decoder, known: CodingKeys.allCases.map(\.rawValue))
            let container = try decoder.container(keyedBy: CodingKeys.self)
            discovery = try container.decodeIfPresent(String.self, forKey: .discovery)
            collectionManagement = try container.decodeIfPresent(String.self, forKey: .collectionManagement)
            inbox = try container.decodeIfPresent(String.self, forKey: .inbox)
            poll = try container.decodeIfPresent(String.self, forKey: .poll)
        }
    }

    /// An `accepted_content` entry: `binding_id`, or `binding_id>subtype,subtype`; `nil` when the
    /// binding id or a subtype id is empty.
    static func contentBinding(_ text: String) -> TAXII11.ContentBinding? {
        let parts = text.split(separator: ">", maxSplits: 1, omittingEmptySubsequences: false)
        guard let id = parts.first, !id.isEmpty else { return nil }
        let subtypes = parts.count > 1 ? parts[1].split(separator: ",", omittingEmptySubsequences: false).map(String.init) : []
        guard !subtypes.contains(where: \.isEmpty) else { return nil }
        return TAXII11.ContentBinding(String(id), subtypeIDs: subtypes)
    }

    /// A collection: `accepted_content` lists bindings as `binding_id` or `binding_id>subtype,subtype`.
    public struct CollectionSettings: Decodable, Sendable {
        public var name: String
        public var type: String?
        public var description: String?
        public var acceptedContent: [String]?
        public var pageSize: Int?

        enum CodingKeys: String, CodingKey, CaseIterable {
            case name, type, description
            case acceptedContent = "accepted_content"
            case pageSize = "page_size"
        }

        public init(from decoder: any Decoder) throws {
            try StrictKeys.check(decoder, known: CodingKeys.allCases.map(\.rawValue))
            let container = try decoder.container(keyedBy: CodingKeys.self)
            name = try container.decode(String.self, forKey: .name)
            type = try container.decodeIfPresent(String.self, forKey: .type)
            description = try container.decodeIfPresent(String.self, forKey: .description)
            acceptedContent = try container.decodeIfPresent([String].self, forKey: .acceptedContent)
            pageSize = try container.decodeIfPresent(Int.self, forKey: .pageSize)
        }
    }

    /// A user: the password only as a hash; `read` and `write` are `all` or a list of collections.
    public struct UserSettings: Decodable, Sendable {
        public var name: String
        public var passwordHash: String
        public var read: Permission?
        public var write: Permission?

        enum CodingKeys: String, CodingKey, CaseIterable {
            case name, read, write
            case passwordHash = "password_hash"
        }

        public init(from decoder: any Decoder) throws {
            try StrictKeys.check(decoder, known: CodingKeys.allCases.map(\.rawValue))
            let container = try decoder.container(keyedBy: CodingKeys.self)
            name = try container.decode(String.self, forKey: .name)
            passwordHash = try container.decode(String.self, forKey: .passwordHash)
            read = try container.decodeIfPresent(Permission.self, forKey: .read)
            write = try container.decodeIfPresent(Permission.self, forKey: .write)
        }
    }

    /// `all`, or a list of collection names.
    public enum Permission: Decodable, Sendable {
        case all
        case collections([String])

        public init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let names = try? container.decode([String].self) {
                self = .collections(names)
                return
            }
            guard try container.decode(String.self) == "all" else {
                throw DecodingError.dataCorruptedError(in: container, debugDescription: "must be `all` or a list of collection names")
            }
            self = .all
        }
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        host = try container.decodeIfPresent(String.self, forKey: .host)
        port = try container.decodeIfPresent(Int.self, forKey: .port)
        database = try container.decodeIfPresent(String.self, forKey: .database)
        tls = try container.decodeIfPresent(TLSSettings.self, forKey: .tls)
        paths = try container.decodeIfPresent(PathSettings.self, forKey: .paths)
        discoveryRequiresAuthentication = try container.decodeIfPresent(Bool.self, forKey: .discoveryRequiresAuthentication)
        advertiseDefaultQuery = try container.decodeIfPresent(Bool.self, forKey: .advertiseDefaultQuery)
        pageSize = try container.decodeIfPresent(Int.self, forKey: .pageSize)
        resultLifetime = try container.decodeIfPresent(Int.self, forKey: .resultLifetime)
        asyncPollAbove = try container.decodeIfPresent(Int.self, forKey: .asyncPollAbove)
        maxBody = try container.decodeIfPresent(Int.self, forKey: .maxBody)
        accessLog = try container.decodeIfPresent(Bool.self, forKey: .accessLog)
        collections = try container.decodeIfPresent([CollectionSettings].self, forKey: .collections)
        inboxDestinations = try container.decodeIfPresent([String].self, forKey: .inboxDestinations)
        users = try container.decodeIfPresent([UserSettings].self, forKey: .users)
        push = try container.decodeIfPresent(PushSettingsFile.self, forKey: .push)
    }

    /// Whether `text` is a database URL the server takes: `sqlite:PATH` or `postgres://…` (`postgresql://…`).
    public static func isDatabaseURL(_ text: String) -> Bool {
        (text.hasPrefix("sqlite:") && text.count > 7) || text.hasPrefix("postgres://") || text.hasPrefix("postgresql://")
    }

    /// Reads `text`, the contents of `file`.
    public static func decode(yaml text: String, file: String) throws(SettingsError) -> TAXIIServerSettings {
        try YAMLSettings.decode(TAXIIServerSettings.self, from: text, file: file, knownKeys: CodingKeys.allCases.map(\.rawValue))
    }

    /// Reads the settings file at `path`.
    public static func load(yamlFile path: String) throws(SettingsError) -> TAXIIServerSettings {
        try decode(yaml: try YAMLSettings.read(path), file: path)
    }

    /// The server configuration these settings make, checked; `file` names the file in errors.
    public func configuration(file: String? = nil) throws(SettingsError) -> TAXIIServerConfiguration {
        func fail(_ key: String, _ problem: String) -> SettingsError { SettingsError(file: file, key: key, problem) }
        func check(_ value: Int?, _ range: ClosedRange<Int>, _ key: String) throws(SettingsError) {
            if let value, !range.contains(value) { throw fail(key, "must be \(range.lowerBound)…\(range.upperBound), got \(value)") }
        }
        try check(port, 0...65_535, "port")
        try check(pageSize, 1...100_000, "page_size")
        try check(resultLifetime, 1...604_800, "result_lifetime")
        try check(asyncPollAbove, 0...Int(Int32.max), "async_poll_above")
        try check(maxBody, 1_024...(1 << 30), "max_body")
        try check(push?.interval, 1...86_400, "push.interval")
        try check(push?.retryBase, 1...86_400, "push.retry_base")
        try check(push?.retryLimit, 1...604_800, "push.retry_limit")
        try check(push?.timeout, 1...3_600, "push.timeout")
        if let base = push?.retryBase, let limit = push?.retryLimit, limit < base {
            throw fail("push.retry_limit", "must not be shorter than push.retry_base (\(base))")
        }
        if let database, !Self.isDatabaseURL(database) {
            throw fail("database", "must be sqlite:PATH or postgres://user:password@host:port/database, got '\(database)'")
        }

        var defaults = TAXIIServerConfiguration()
        var collections: [TAXIICollection] = defaults.collections
        if let given = self.collections {
            collections = []
            for (index, collection) in given.enumerated() {
                let key = "collections[\(index)]"
                guard !collection.name.isEmpty else { throw fail(key + ".name", "must not be empty") }
                guard !collections.contains(where: { $0.name == collection.name }) else { throw fail(key + ".name", "'\(collection.name)' is named twice") }
                let type: TAXII.CollectionType
                switch collection.type ?? "DATA_FEED" {
                case "DATA_FEED", "data_feed": type = .dataFeed
                case "DATA_SET", "data_set": type = .dataSet
                case let other: throw fail(key + ".type", "must be DATA_FEED or DATA_SET, got '\(other)'")
                }
                try check(collection.pageSize, 1...100_000, key + ".page_size")
                var accepted: [TAXII11.ContentBinding] = []
                for (position, text) in (collection.acceptedContent ?? []).enumerated() {
                    guard let binding = Self.contentBinding(text) else {
                        throw fail(key + ".accepted_content[\(position)]", "must be BINDING_ID or BINDING_ID>SUBTYPE,SUBTYPE, got '\(text)'")
                    }
                    accepted.append(binding)
                }
                collections.append(TAXIICollection(
                    name: collection.name, type: type, description: collection.description ?? "", acceptedContent: accepted, pageSize: collection.pageSize))
            }
            guard !collections.isEmpty else { throw fail("collections", "must name at least one collection") }
        }
        let names = Set(collections.map(\.name))
        for (index, name) in (inboxDestinations ?? []).enumerated() where !names.contains(name) {
            throw fail("inbox_destinations[\(index)]", "names no collection ('\(name)')")
        }
        var users: [TAXIIUser] = []
        for (index, user) in (self.users ?? []).enumerated() {
            let key = "users[\(index)]"
            guard !user.name.isEmpty, !user.name.contains(":") else { throw fail(key + ".name", "must be a non-empty name without ':'") }
            guard !users.contains(where: { $0.name == user.name }) else { throw fail(key + ".name", "'\(user.name)' is named twice") }
            let hash: PasswordHash
            do { hash = try PasswordHash(encoded: user.passwordHash) } catch { throw fail(key + ".password_hash", error.description) }
            func permission(_ given: Permission?, _ field: String, default fallback: TAXIIUser.Collections) throws(SettingsError) -> TAXIIUser.Collections {
                switch given {
                case nil: return fallback
                case .all: return .all
                case .collections(let list):
                    if let unknown = list.first(where: { !names.contains($0) }) { throw fail("\(key).\(field)", "names no collection ('\(unknown)')") }
                    return .only(Set(list))
                }
            }
            users.append(TAXIIUser(
                name: user.name, password: hash, canRead: try permission(user.read, "read", default: .all),
                canWrite: try permission(user.write, "write", default: .only([]))))
        }
        defaults = TAXIIServerConfiguration(
            paths: TAXIIServerConfiguration.ServicePaths(
                discovery: paths?.discovery ?? defaults.paths.discovery, collectionManagement: paths?.collectionManagement ?? defaults.paths.collectionManagement,
                inbox: paths?.inbox ?? defaults.paths.inbox, poll: paths?.poll ?? defaults.paths.poll),
            collections: collections, inboxDestinations: inboxDestinations, users: users,
            discoveryRequiresAuthentication: discoveryRequiresAuthentication ?? false,
            pageSize: pageSize ?? defaults.pageSize, resultLifetime: .seconds(resultLifetime ?? 3600),
            advertisesDefaultQuery: advertiseDefaultQuery ?? false,
            push: PushSettings(
                enabled: push?.enabled ?? true, interval: .seconds(push?.interval ?? 5), retryBase: .seconds(push?.retryBase ?? 5),
                retryLimit: .seconds(push?.retryLimit ?? 600), trust: push?.ca.map { .ca(path: $0) } ?? .system, timeout: .seconds(push?.timeout ?? 30)),
            asynchronousPollThreshold: asyncPollAbove ?? defaults.asynchronousPollThreshold)
        let servicePaths = [defaults.paths.discovery, defaults.paths.collectionManagement, defaults.paths.inbox, defaults.paths.poll]
        if let bad = servicePaths.first(where: { !$0.hasPrefix("/") }) { throw fail("paths", "a service path must start with '/', got '\(bad)'") }
        guard Set(servicePaths).count == 4 else { throw fail("paths", "each service needs a path of its own") }
        return defaults
    }

    /// A commented settings file with every setting, for `--init-config`.
    public static let example = """
    # Bastion TAXII 1.1 server settings (`bastion taxii server --config FILE`).
    # Options given on the command line win over these.

    host: 127.0.0.1
    port: 9000
    database: sqlite:bastion-taxii.sqlite   # sqlite:PATH, or postgres://user:password@host:port/database

    # HTTPS: remove this block to serve plain HTTP. client_ca makes client certificates required.
    # tls:
    #   cert: server.pem
    #   key: server-key.pem
    #   client_ca: ca.pem

    paths:
      discovery: /services/discovery
      collection_management: /services/collection-management
      inbox: /services/inbox
      poll: /services/poll

    discovery_requires_authentication: false   # with users, the other services always require it
    advertise_default_query: false   # list Default Query support in Discovery (cabby cannot read it)
    page_size: 100          # content blocks per Poll Response part
    result_lifetime: 3600   # seconds a poll's parts can be fetched with Poll Fulfillment
    async_poll_above: 10000 # a Default Query poll with allow_asynch over more blocks than this is answered
                            # PENDING; its result is built in the background for Poll Fulfillment
    max_body: 16777216      # the largest request, in bytes
    access_log: false

    collections:
      - name: default
        type: DATA_FEED     # or DATA_SET
        description: Any content, as it arrives.
        accepted_content: []   # e.g. [urn:stix.mitre.org:xml:1.1.1, "urn:example:binding>subtype1,subtype2"]; empty: any
        # page_size: 100

    inbox_destinations: [default]   # where an Inbox Message without a destination goes

    # Subscriptions with Push_Parameters: the server posts new content to the subscriber's inbox,
    # retrying a subscriber that fails after retry_base seconds, doubling up to retry_limit.
    push:
      enabled: true
      interval: 5         # seconds between looks for new content
      retry_base: 5
      retry_limit: 600
      timeout: 30         # seconds one delivery may take
      # ca: subscribers-ca.pem   # checks https subscribers (default: the system's roots)

    # Users make HTTP Basic authentication required. Passwords are kept only as hashes:
    # `echo 'the password' | bastion taxii server hash-password` prints one.
    # users:
    #   - name: alice
    #     password_hash: scrypt$32768$8$1$...
    #     read: all            # or a list of collections
    #     write: [default]     # default: none

    """
}

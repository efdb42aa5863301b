import BastionConfig
import Foundation

/// The Consumers the bridge commands, read from a fleet file (YAML):
///
/// ```yaml
/// defaults: {cert: producer.pem, key: producer-key.pem, ca: ca.pem}
/// consumers:
///   - {name: edge-1, url: https://10.0.0.1:8443}
///   - {name: edge-2, url: https://10.0.0.2:8443, ca: other-ca.pem}
/// ```
///
/// Each Consumer needs a name (unique), an `https` URL (the path defaults to
/// `/.well-known/openc2`), and the client certificate, key and CA to reach it with mutual TLS,
/// given on the entry or in `defaults:`. A Consumer that polls a Producer server instead is given
/// as `{name, queue: DATABASE_URL, consumer: IDENTITY}`: its Commands go through that queue.
public struct Fleet: Sendable, Equatable {
    /// One Consumer and how to reach it.
    public struct Member: Sendable, Equatable {
        public var name: String
        /// The OpenC2 endpoint, path included (empty for a polling Consumer).
        public var url: String
        public var certificate: String
        public var key: String
        public var ca: String
        /// For a polling Consumer: the Producer's command queue (`sqlite:PATH` or `postgres://…`) and
        /// the Consumer's identity there (its client certificate's CN).
        public var queue: (database: String, consumer: String)?

        public init(name: String, url: String, certificate: String, key: String, ca: String) {
            self.name = name
            self.url = url
            self.certificate = certificate
            self.key = key
            self.ca = ca
        }

        /// A polling Consumer, reached through the command queue at `database` as `consumer`.
        public init(name: String, queue database: String, consumer: String) {
            self.init(name: name, url: "", certificate: "", key: "", ca: "")
            queue = (database, consumer)
        }

        public static func == (lhs: Member, rhs: Member) -> Bool {
            lhs.name == rhs.name && lhs.url == rhs.url && lhs.certificate == rhs.certificate && lhs.key == rhs.key && lhs.ca == rhs.ca
                && lhs.queue?.database == rhs.queue?.database && lhs.queue?.consumer == rhs.queue?.consumer
        }

        /// The host the URL names.
        public var host: String { URLComponents(string: url)?.host ?? "" }
    }

    public var members: [Member]

    public init(members: [Member]) {
        self.members = members
    }

    /// Reads `text`, the contents of `file`; every mistake names the file and the key.
    public init(yaml text: String, file: String) throws(SettingsError) {
        let parsed = try YAMLSettings.decode(FleetFile.self, from: text, file: file, knownKeys: FleetFile.CodingKeys.allCases.map(\.rawValue))
        func fail(_ key: String, _ problem: String) -> SettingsError { SettingsError(file: file, key: key, problem) }
        guard let consumers = parsed.consumers, !consumers.isEmpty else { throw fail("consumers", "must list at least one Consumer") }
        var members: [Member] = []
        for (index, entry) in consumers.enumerated() {
            let key = "consumers[\(index)]"
            guard let name = entry.name, !name.isEmpty else { throw fail(key + ".name", "is required") }
            guard !members.contains(where: { $0.name == name }) else { throw fail(key + ".name", "'\(name)' is named twice") }
            if entry.queue != nil || entry.consumer != nil {
                guard let queue = entry.queue, queue.hasPrefix("sqlite:") && queue.count > 7 || queue.hasPrefix("postgres://") || queue.hasPrefix("postgresql://") else {
                    throw fail(key + ".queue", "must be sqlite:PATH or postgres://user:password@host:port/database")
                }
                guard let consumer = entry.consumer, !consumer.isEmpty else { throw fail(key + ".consumer", "is required with queue (the Consumer's identity)") }
                guard entry.url == nil else { throw fail(key + ".url", "give url or queue, not both") }
                members.append(Member(name: name, queue: queue, consumer: consumer))
                continue
            }
            guard var url = entry.url ?? parsed.defaults?.url else { throw fail(key + ".url", "is required") }
            guard let parts = URLComponents(string: url), parts.scheme == "https", !(parts.host ?? "").isEmpty else {
                throw fail(key + ".url", "must be an https URL, got '\(url)'")
            }
            if parts.path.isEmpty || parts.path == "/" { url = url.trimmingSuffix("/") + "/.well-known/openc2" }
            func file(_ field: String, _ value: String?, _ fallback: String?) throws(SettingsError) -> String {
                guard let path = value ?? fallback, !path.isEmpty else { throw fail("\(key).\(field)", "is required (on the entry or in defaults)") }
                return path
            }
            members.append(Member(
                name: name, url: url,
                certificate: try file("cert", entry.cert, parsed.defaults?.cert),
                key: try file("key", entry.key, parsed.defaults?.key),
                ca: try file("ca", entry.ca, parsed.defaults?.ca)))
        }
        self.members = members
    }

    /// Reads the fleet file at `path`.
    public static func load(_ path: String) throws(SettingsError) -> Fleet {
        try Fleet(yaml: try YAMLSettings.read(path), file: path)
    }
}

/// The fleet file as written.
struct FleetFile: Decodable {
    var defaults: Entry?
    var consumers: [Entry]?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case defaults, consumers
    }

    struct Entry: Decodable {
        var name: String?
        var url: String?
        var cert: String?
        var key: String?
        var ca: String?
        var queue: String?
        var consumer: String?

        enum CodingKeys: String, CodingKey, CaseIterable {
            case name, url, cert, key, ca, queue, consumer
        }

        init(from decoder: any Decoder) throws {
            try StrictKeys.check(decoder, known: CodingKeys.allCases.map(\.rawValue))
            let container = try decoder.container(keyedBy: CodingKeys.self)
            name = try container.decodeIfPresent(String.self, forKey: .name)
            url = try container.decodeIfPresent(String.self, forKey: .url)
            cert = try container.decodeIfPresent(String.self, forKey: .cert)
            key = try container.decodeIfPresent(String.self, forKey: .key)
            ca = try container.decodeIfPresent(String.self, forKey: .ca)
            queue = try container.decodeIfPresent(String.self, forKey: .queue)
            consumer = try container.decodeIfPresent(String.self, forKey: .consumer)
        }
    }
}

extension String {
    func trimmingSuffix(_ suffix: String) -> String {
        hasSuffix(suffix) ? String(dropLast(suffix.count)) : self
    }
}

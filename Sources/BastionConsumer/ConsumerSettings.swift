import BastionConfig
import BastionTLS
import Logging
import OpenC2HTTPS
import OpenC2SLPF

/// A Consumer's settings: from a YAML file (`bastion openc2 consumer --config`), overridden by
/// command-line options. Keys in the file are the option names in snake_case. Every value is
/// optional; ``configuration(logger:)`` supplies the defaults and checks the combination.
public struct ConsumerSettings: Decodable, Equatable, Sendable {
    public var host: String?
    public var port: Int?
    public var cert: String?
    public var key: String?
    public var clientCA: String?
    public var noClientAuth: Bool?
    public var allowPeers: [String]?
    public var testingHTTP: Bool?
    public var maxBody: Int?
    public var idleTimeout: Int?
    public var requestTimeout: Int?
    public var maxConnections: Int?
    public var maxConnectionsPerAddress: Int?
    public var handshakeTimeout: Int?
    public var accessLog: Bool?
    /// Where `/metrics` and `/health` are served, `HOST:PORT`; off when `nil`.
    public var metrics: String?
    public var identity: String?
    public var firewall: FirewallChoice?
    /// Whether the SLPF rules also filter traffic this host routes (`forward`), for a router or
    /// firewall host.
    public var gateway: Bool?
    public var state: String?
    public var rulesDir: String?
    /// The Producer server that final Responses of acknowledged Commands are POSTed to (both
    /// servers, WD02 §3.5), and the client certificate, key and CA for it (defaults: `cert`,
    /// `key`, `client_ca`).
    public var respondTo: String?
    public var respondCert: String?
    public var respondKey: String?
    public var respondCA: String?

    /// The defaults used where a setting is not given.
    public enum Defaults {
        public static let host = "127.0.0.1"
        /// The transfer's operations port.
        public static let port = 443
        public static let maxBody = 64 * 1024
        public static let idleTimeout = 60
        public static let requestTimeout = 10
        public static let maxConnections = 1024
        public static let maxConnectionsPerAddress = 64
        public static let handshakeTimeout = 5
        public static let state = ".bastion/slpf.sqlite"
    }

    /// The ranges accepted: wide enough for any deployment, narrow enough that no value
    /// overflows when it becomes a byte count or a duration.
    public enum Limits {
        public static let port = 0...65_535
        /// Up to 1 GiB: a body is held in memory while it is read.
        public static let maxBody = 1...(1 << 30)
        /// Seconds, up to a day.
        public static let timeout = 1...86_400
        public static let maxConnections = 1...1_000_000
    }

    public enum CodingKeys: String, CodingKey, CaseIterable {
        case host, port, cert, key, identity, firewall, gateway, state
        case rulesDir = "rules_dir"
        case clientCA = "client_ca"
        case noClientAuth = "no_client_auth"
        case allowPeers = "allow_peers"
        case testingHTTP = "testing_http"
        case maxBody = "max_body"
        case idleTimeout = "idle_timeout"
        case requestTimeout = "request_timeout"
        case maxConnections = "max_connections"
        case maxConnectionsPerAddress = "max_connections_per_address"
        case handshakeTimeout = "handshake_timeout"
        case accessLog = "access_log"
        case metrics
        case respondTo = "respond_to"
        case respondCert = "respond_cert"
        case respondKey = "respond_key"
        case respondCA = "respond_ca"
    }

    /// Settings with the given values; those left `nil` take the file's or the defaults.
    public init(
        host: String? = nil, port: Int? = nil, cert: String? = nil, key: String? = nil, clientCA: String? = nil,
        noClientAuth: Bool? = nil, allowPeers: [String]? = nil, testingHTTP: Bool? = nil, maxBody: Int? = nil,
        idleTimeout: Int? = nil, requestTimeout: Int? = nil, maxConnections: Int? = nil,
        maxConnectionsPerAddress: Int? = nil, handshakeTimeout: Int? = nil, accessLog: Bool? = nil, metrics: String? = nil, identity: String? = nil,
        firewall: FirewallChoice? = nil, gateway: Bool? = nil, state: String? = nil, rulesDir: String? = nil,
        respondTo: String? = nil, respondCert: String? = nil, respondKey: String? = nil, respondCA: String? = nil
    ) {
        self.host = host
        self.port = port
        self.cert = cert
        self.key = key
        self.clientCA = clientCA
        self.noClientAuth = noClientAuth
        self.allowPeers = allowPeers
        self.testingHTTP = testingHTTP
        self.maxBody = maxBody
        self.idleTimeout = idleTimeout
        self.requestTimeout = requestTimeout
        self.maxConnections = maxConnections
        self.maxConnectionsPerAddress = maxConnectionsPerAddress
        self.handshakeTimeout = handshakeTimeout
        self.accessLog = accessLog
        self.metrics = metrics
        self.identity = identity
        self.firewall = firewall
        self.gateway = gateway
        self.state = state
        self.rulesDir = rulesDir
        self.respondTo = respondTo
        self.respondCert = respondCert
        self.respondKey = respondKey
        self.respondCA = respondCA
    }

    /// Values of `override` where it has one, else ours.
    public func overridden(by override: ConsumerSettings) -> ConsumerSettings {
        ConsumerSettings(
            host: override.host ?? host, port: override.port ?? port, cert: override.cert ?? cert, key: override.key ?? key,
            clientCA: override.clientCA ?? clientCA, noClientAuth: override.noClientAuth ?? noClientAuth,
            allowPeers: override.allowPeers ?? allowPeers, testingHTTP: override.testingHTTP ?? testingHTTP,
            maxBody: override.maxBody ?? maxBody, idleTimeout: override.idleTimeout ?? idleTimeout,
            requestTimeout: override.requestTimeout ?? requestTimeout, maxConnections: override.maxConnections ?? maxConnections,
            maxConnectionsPerAddress: override.maxConnectionsPerAddress ?? maxConnectionsPerAddress,
            handshakeTimeout: override.handshakeTimeout ?? handshakeTimeout, accessLog: override.accessLog ?? accessLog,
            metrics: override.metrics ?? metrics,
            identity: override.identity ?? identity, firewall: override.firewall ?? firewall, gateway: override.gateway ?? gateway,
            state: override.state ?? state, rulesDir: override.rulesDir ?? rulesDir,
            respondTo: override.respondTo ?? respondTo, respondCert: override.respondCert ?? respondCert,
            respondKey: override.respondKey ?? respondKey, respondCA: override.respondCA ?? respondCA
        )
    }

    /// Checks every value and the combination without touching files: the ranges, and that
    /// testing HTTP and HTTPS settings are not mixed, that HTTPS has a certificate and key, and
    /// that mutual TLS has a client CA.
    public func validate() throws(SettingsError) {
        try validateRanges()
        if testingHTTP == true {
            guard cert == nil, key == nil, clientCA == nil else {
                throw SettingsError("testing HTTP serves plain HTTP; it cannot be combined with a certificate, key or client CA")
            }
        } else {
            guard cert != nil, key != nil else {
                throw SettingsError("HTTPS needs --cert and --key (or --testing-http for plain HTTP testing)")
            }
            guard clientCA != nil || noClientAuth == true else {
                throw SettingsError("Mutual TLS needs --client-ca; pass --no-client-auth to accept Producers without a certificate")
            }
        }
    }

    /// Checks the settings (``validate()``), loads the TLS material and builds the Consumer's
    /// configuration, with the defaults in ``Defaults`` where a value is not given.
    public func configuration(logger: Logger) throws(SettingsError) -> ConsumerConfiguration {
        try validate()
        let transport: ConsumerTransport
        if testingHTTP == true {
            logger.warning("plain HTTP testing mode: no TLS, no authentication")
            transport = .plainHTTPForTesting
        } else {
            let requireClients = noClientAuth != true
            if !requireClients { logger.warning("client certificates are not required: any client that can connect may send commands") }
            do {
                transport = .https(try TLSPolicy.server(
                    certificatePath: cert ?? "", keyPath: key ?? "", clientCAPath: requireClients ? clientCA : nil))
            } catch {
                throw SettingsError("\(error)")
            }
        }
        var exchange = ConsumerExchange.Configuration()
        exchange.maximumBodySize = maxBody ?? Defaults.maxBody
        exchange.allowedPeers = (allowPeers ?? []).isEmpty ? nil : Set(allowPeers ?? [])
        exchange.identity = identity
        exchange.profiles = [SLPFProfile()]
        return ConsumerConfiguration(
            host: host ?? Defaults.host, port: port ?? Defaults.port, transport: transport, exchange: exchange,
            idleTimeout: .seconds(idleTimeout ?? Defaults.idleTimeout),
            requestTimeout: .seconds(requestTimeout ?? Defaults.requestTimeout),
            handshakeTimeout: .seconds(handshakeTimeout ?? Defaults.handshakeTimeout),
            maximumConnections: maxConnections ?? Defaults.maxConnections,
            maximumConnectionsPerAddress: maxConnectionsPerAddress ?? Defaults.maxConnectionsPerAddress,
            accessLog: accessLog ?? false
        )
    }

    /// The address of the metrics endpoint (`metrics: HOST:PORT`), or `nil` when it is off.
    public func metricsAddress() throws(SettingsError) -> (host: String, port: Int)? {
        guard let metrics else { return nil }
        return try Self.hostAndPort(metrics, key: .metrics)
    }

    /// `HOST:PORT` (an IPv6 host in brackets: `[::1]:9464`), the port 0…65535.
    static func hostAndPort(_ text: String, key: CodingKeys) throws(SettingsError) -> (host: String, port: Int) {
        let address = try HostAndPort(parsing: text, key: key.rawValue)
        return (address.host, address.port)
    }

    /// Reads settings from YAML `text` (the contents of `file`), refusing unknown keys, wrong
    /// types and values out of range, each with the file's name.
    public static func decode(yaml text: String, file: String) throws(SettingsError) -> ConsumerSettings {
        let settings = try YAMLSettings.decode(ConsumerSettings.self, from: text, file: file, knownKeys: CodingKeys.allCases.map(\.rawValue))
        do {
            try settings.validateRanges()
        } catch {
            throw SettingsError(file: file, key: error.key, error.problem)
        }
        return settings
    }

    /// Reads a YAML settings file (see ``decode(yaml:file:)``).
    public static func load(yamlFile path: String) throws(SettingsError) -> ConsumerSettings {
        try decode(yaml: try YAMLSettings.read(path), file: path)
    }

    /// Checks each number against its range in ``Limits``, and the metrics address.
    private func validateRanges() throws(SettingsError) {
        func check(_ value: Int?, _ range: ClosedRange<Int>, _ key: CodingKeys) throws(SettingsError) {
            guard let value, !range.contains(value) else { return }
            throw SettingsError(key: key.rawValue, "must be \(range.lowerBound)…\(range.upperBound), got \(value)")
        }
        try check(port, Limits.port, .port)
        try check(maxBody, Limits.maxBody, .maxBody)
        try check(idleTimeout, Limits.timeout, .idleTimeout)
        try check(requestTimeout, Limits.timeout, .requestTimeout)
        try check(maxConnections, Limits.maxConnections, .maxConnections)
        try check(maxConnectionsPerAddress, Limits.maxConnections, .maxConnectionsPerAddress)
        try check(handshakeTimeout, Limits.timeout, .handshakeTimeout)
        _ = try metricsAddress()
        if let respondTo, !respondTo.hasPrefix("https://") {
            throw SettingsError(key: CodingKeys.respondTo.rawValue, "must be an https:// URL, got '\(respondTo)'")
        }
        if respondTo == nil, let given = [(respondCert, CodingKeys.respondCert), (respondKey, .respondKey), (respondCA, .respondCA)].first(where: { $0.0 != nil }) {
            throw SettingsError(key: given.1.rawValue, "goes with respond_to")
        }
    }
}

/// Where a Consumer enforces SLPF Commands.
public enum FirewallChoice: String, CaseIterable, Decodable, Sendable {
    /// Answer `query features` only; 501 for the rest.
    case none
    /// nftables (`table inet bastion`).
    case nftables
    /// Record the nft transactions, change nothing.
    case dryRun = "dry-run"
    /// nftables when this process may change the ruleset, otherwise dry-run.
    case auto

    /// The choices, explained, for help texts.
    public static let help = "none (query features only), nftables, dry-run (record what nft would do), or auto (nftables when allowed to change the ruleset, else dry-run)"
}

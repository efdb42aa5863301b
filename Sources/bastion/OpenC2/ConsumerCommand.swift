import ArgumentParser
import Foundation
import Logging
import OpenC2
import OpenC2HTTPS
import OpenC2SLPF
import ServiceLifecycle

/// A Consumer's settings: from a YAML file (`--config`), overridden by command-line options.
/// Keys in the file are the option names in snake_case.
struct ConsumerSettings: Decodable, Equatable {
    var host: String?
    var port: Int?
    var cert: String?
    var key: String?
    var clientCA: String?
    var noClientAuth: Bool?
    var allowPeers: [String]?
    var testingHTTP: Bool?
    var maxBody: Int?
    var idleTimeout: Int?
    var requestTimeout: Int?
    var maxConnections: Int?
    var identity: String?
    var firewall: FirewallChoice?
    var state: String?
    var rulesDir: String?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case host, port, cert, key, identity, firewall, state
        case rulesDir = "rules_dir"
        case clientCA = "client_ca"
        case noClientAuth = "no_client_auth"
        case allowPeers = "allow_peers"
        case testingHTTP = "testing_http"
        case maxBody = "max_body"
        case idleTimeout = "idle_timeout"
        case requestTimeout = "request_timeout"
        case maxConnections = "max_connections"
    }

    /// Values of `override` where it has one, else ours.
    func overridden(by override: ConsumerSettings) -> ConsumerSettings {
        ConsumerSettings(
            host: override.host ?? host, port: override.port ?? port, cert: override.cert ?? cert, key: override.key ?? key,
            clientCA: override.clientCA ?? clientCA, noClientAuth: override.noClientAuth ?? noClientAuth,
            allowPeers: override.allowPeers ?? allowPeers, testingHTTP: override.testingHTTP ?? testingHTTP,
            maxBody: override.maxBody ?? maxBody, idleTimeout: override.idleTimeout ?? idleTimeout,
            requestTimeout: override.requestTimeout ?? requestTimeout, maxConnections: override.maxConnections ?? maxConnections,
            identity: override.identity ?? identity, firewall: override.firewall ?? firewall,
            state: override.state ?? state, rulesDir: override.rulesDir ?? rulesDir
        )
    }

    /// Checks the combination and builds the Consumer's configuration.
    func configuration(logger: Logger) throws -> ConsumerConfiguration {
        let port = self.port ?? 443
        let (maxBody, idle, request, connections) = (maxBody ?? 64 * 1024, idleTimeout ?? 60, requestTimeout ?? 10, maxConnections ?? 1024)
        guard (0...65535).contains(port) else { throw CLIError("port must be 0…65535, got \(port)") }
        guard maxBody > 0, idle > 0, request > 0, connections > 0 else {
            throw CLIError("max_body, idle_timeout, request_timeout and max_connections must be positive")
        }
        let transport: ConsumerTransport
        if testingHTTP == true {
            guard cert == nil, key == nil, clientCA == nil else {
                throw CLIError("testing HTTP serves plain HTTP; it cannot be combined with a certificate, key or client CA")
            }
            logger.warning("plain HTTP testing mode: no TLS, no authentication")
            transport = .plainHTTPForTesting
        } else {
            guard let cert, let key else { throw CLIError("HTTPS needs --cert and --key (or --testing-http for plain HTTP testing)") }
            let requireClients = noClientAuth != true
            guard clientCA != nil || !requireClients else {
                throw CLIError("Mutual TLS needs --client-ca; pass --no-client-auth to accept Producers without a certificate")
            }
            if !requireClients { logger.warning("client certificates are not required: any client that can connect may send commands") }
            transport = .https(try TLSPolicy.server(certificatePath: cert, keyPath: key, clientCAPath: requireClients ? clientCA : nil))
        }
        var exchange = ConsumerExchange.Configuration()
        exchange.maximumBodySize = maxBody
        exchange.allowedPeers = (allowPeers ?? []).isEmpty ? nil : Set(allowPeers ?? [])
        exchange.identity = identity
        exchange.profiles = [SLPFProfile()]
        return ConsumerConfiguration(
            host: host ?? "127.0.0.1", port: port, transport: transport, exchange: exchange,
            idleTimeout: .seconds(idle), requestTimeout: .seconds(request), maximumConnections: connections
        )
    }

    /// Reads a YAML settings file, refusing unknown keys and wrong types with the file's name.
    static func load(yamlFile path: String) throws -> ConsumerSettings {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw CLIError("cannot read \(path): \(error.localizedDescription)")
        }
        return try YAMLSettings.decode(ConsumerSettings.self, from: text, file: path, knownKeys: CodingKeys.allCases.map(\.rawValue))
    }
}

/// Options of `bastion openc2 consumer`.
struct ConsumerOptions: ParsableArguments {
    @Option(help: ArgumentHelp("A YAML file with these settings (keys in snake_case: host, port, cert, key, client_ca, no_client_auth, allow_peers, testing_http, max_body, idle_timeout, request_timeout, max_connections, identity, firewall, state, rules_dir). Options given on the command line win.", valueName: "file"))
    var config: String?

    @Option(help: "The address to listen on (default 127.0.0.1).")
    var host: String?

    @Option(help: "The port to listen on (default 443, the transfer's operations port).")
    var port: Int?

    @Option(help: ArgumentHelp("The Consumer's certificate (PEM, leaf first).", valueName: "file"))
    var cert: String?

    @Option(help: ArgumentHelp("The certificate's private key (PEM).", valueName: "file"))
    var key: String?

    @Option(help: ArgumentHelp("The CA that Producers' client certificates must chain to (PEM).", valueName: "file"))
    var clientCA: String?

    @Flag(help: "Accept Producers without a client certificate. Not for operations: anyone who can connect can send commands.")
    var noClientAuth = false

    @Option(name: .customLong("allow-peer"), help: ArgumentHelp("Accept Commands only from this client identity (certificate CN or first SAN); repeat for several. Others get 403.", valueName: "name"))
    var allowedPeers: [String] = []

    @Flag(help: "Listen on plain HTTP: the transfer's Testing mode (no TLS, no authentication). Never for operations.")
    var testingHTTP = false

    @Option(help: ArgumentHelp("The largest request body accepted, in bytes (default 65536).", valueName: "bytes"))
    var maxBody: Int?

    @Option(help: ArgumentHelp("Seconds a connection may stay idle before it is closed (default 60).", valueName: "seconds"))
    var idleTimeout: Int?

    @Option(help: ArgumentHelp("Seconds a client has to send a whole request: TLS handshake and headers, then the body (default 10).", valueName: "seconds"))
    var requestTimeout: Int?

    @Option(help: ArgumentHelp("Connections served at once (default 1024).", valueName: "count"))
    var maxConnections: Int?

    @Option(help: ArgumentHelp("The Consumer's identity, sent as `from` in v1.1 responses.", valueName: "name"))
    var identity: String?

    @Option(help: ArgumentHelp("Where SLPF Commands are enforced: \(FirewallChoice.help). Default none.", valueName: "backend"))
    var firewall: FirewallChoice?

    @Option(help: ArgumentHelp("The SLPF rule store, an SQLite file (default .bastion/slpf.sqlite); the firewall is rebuilt from it at start.", valueName: "file"))
    var state: String?

    @Option(help: ArgumentHelp("The directory `update file` reads rules files from (a JSON object {\"rules\": [allow/deny Commands]}); without it, update file is not offered.", valueName: "directory"))
    var rulesDir: String?

    /// The settings from the file, overridden by the command line.
    func settings() throws -> ConsumerSettings {
        let file = try config.map(ConsumerSettings.load(yamlFile:)) ?? ConsumerSettings()
        return file.overridden(by: ConsumerSettings(
            host: host, port: port, cert: cert, key: key, clientCA: clientCA, noClientAuth: noClientAuth ? true : nil,
            allowPeers: allowedPeers.isEmpty ? nil : allowedPeers, testingHTTP: testingHTTP ? true : nil,
            maxBody: maxBody, idleTimeout: idleTimeout, requestTimeout: requestTimeout, maxConnections: maxConnections,
            identity: identity, firewall: firewall, state: state, rulesDir: rulesDir
        ))
    }
}

/// `bastion openc2 consumer`
struct ConsumerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "consumer",
        abstract: "Run an OpenC2 Consumer: HTTPS with mutual TLS, POST /.well-known/openc2.",
        discussion: """
        Accepts Commands in both HTTPS transfer formats (v1.1 envelopes and v1.0 bare commands) \
        and validates them. With --firewall nftables (or dry-run, or auto) it is an SLPF Consumer: \
        allow/deny/delete/update/query, rules kept in --state and enforced in `table inet bastion`. \
        Without a firewall it answers `query features` truthfully and 501 to everything else. \
        Stops gracefully on SIGINT or SIGTERM: in-flight Commands finish.
        """
    )

    @OptionGroup var options: ConsumerOptions

    func run() async throws {
        let logger = Logger(label: "bastion.openc2.consumer")
        let settings = try options.settings()
        let configuration = try settings.configuration(logger: logger)
        let choice = settings.firewall ?? .none
        let firewall = choice == .none ? nil : try await Firewall.start(
            choice, statePath: settings.state ?? ".bastion/slpf.sqlite", rulesDirectory: settings.rulesDir, logger: logger)
        let handler: any CommandHandler = firewall?.actuator ?? QueryFeaturesHandler()
        let consumer = Consumer(configuration: configuration, handler: handler, logger: logger)
        try await runConsumer(consumer, firewall: firewall, logger: logger)
    }
}

import ArgumentParser
import AsyncHTTPClient
import BastionConsumer
import Foundation
import Logging
import OpenC2
import OpenC2HTTPS
import OpenC2SLPF
import OpenC2Polling
import BastionTLS
import NIOSSL
import ServiceLifecycle

/// Options of `bastion openc2 consumer`.
struct ConsumerOptions: ParsableArguments {
    @Option(help: ArgumentHelp("A YAML file with these settings (keys in snake_case: host, port, cert, key, client_ca, no_client_auth, allow_peers, testing_http, max_body, idle_timeout, request_timeout, max_connections, max_connections_per_address, handshake_timeout, access_log, metrics, identity, firewall, gateway, state, rules_dir, respond_to, respond_cert, respond_key, respond_ca). Options given on the command line win.", valueName: "file"))
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

    @Option(help: ArgumentHelp("Connections served at once from one IP address (default 64); more are closed at once, so one source cannot fill the Consumer.", valueName: "count"))
    var maxConnectionsPerAddress: Int?

    @Option(help: ArgumentHelp("Seconds a new connection has to finish its TLS handshake (default 5).", valueName: "seconds"))
    var handshakeTimeout: Int?

    @Flag(help: "Log every request at info: peer, method, path, status, duration.")
    var accessLog = false

    @Option(help: ArgumentHelp("Serve GET /metrics (Prometheus text format) and GET /health over plain HTTP on this address, e.g. 127.0.0.1:9464. Off by default.", valueName: "host:port"))
    var metrics: String?

    @Option(help: ArgumentHelp("The Consumer's identity, sent as `from` in v1.1 responses.", valueName: "name"))
    var identity: String?

    @Option(help: ArgumentHelp("Where SLPF Commands are enforced: \(FirewallChoice.help). Default none.", valueName: "backend"))
    var firewall: FirewallChoice?

    @Flag(help: "Also filter the traffic this host routes (a forward chain): for a router or firewall host. Ingress rules match a forwarded packet's source address, egress rules its destination.")
    var gateway = false

    @Option(help: ArgumentHelp("The SLPF rule store, an SQLite file (default .bastion/slpf.sqlite); the firewall is rebuilt from it at start.", valueName: "file"))
    var state: String?

    @Option(help: ArgumentHelp("The directory `update file` reads rules files from (a JSON object {\"rules\": [allow/deny Commands]}); without it, update file is not offered.", valueName: "directory"))
    var rulesDir: String?

    @Option(help: ArgumentHelp("Poll this Producer server for Commands instead of listening (HTTPS WD02 polling model); --cert and --key are then the client certificate.", valueName: "url"))
    var poll: String?

    @Option(help: ArgumentHelp("With --poll: the CA the Producer server's certificate must chain to (PEM).", valueName: "file"))
    var ca: String?

    @Option(help: ArgumentHelp("With --poll: seconds to wait after a poll that found nothing (default 5).", valueName: "seconds"))
    var interval: Int = 5

    @Option(name: .customLong("respond-to"), help: ArgumentHelp("POST the final Response of Commands answered at once (response_requested ack or status) to this Producer server (HTTPS, both servers run one).", valueName: "url"))
    var respondTo: String?

    @Option(name: .customLong("respond-cert"), help: ArgumentHelp("With --respond-to: the client certificate to POST with (default --cert; it must allow client authentication).", valueName: "file"))
    var respondCert: String?

    @Option(name: .customLong("respond-key"), help: ArgumentHelp("With --respond-to: that certificate's private key (default --key).", valueName: "file"))
    var respondKey: String?

    @Option(name: .customLong("respond-ca"), help: ArgumentHelp("With --respond-to: the CA the Producer server's certificate chains to (default --client-ca).", valueName: "file"))
    var respondCA: String?

    /// The settings from the file, overridden by the command line.
    func settings() throws -> ConsumerSettings {
        let file = try config.map(ConsumerSettings.load(yamlFile:)) ?? ConsumerSettings()
        return file.overridden(by: ConsumerSettings(
            host: host, port: port, cert: cert, key: key, clientCA: clientCA, noClientAuth: noClientAuth ? true : nil,
            allowPeers: allowedPeers.isEmpty ? nil : allowedPeers, testingHTTP: testingHTTP ? true : nil,
            maxBody: maxBody, idleTimeout: idleTimeout, requestTimeout: requestTimeout, maxConnections: maxConnections,
            maxConnectionsPerAddress: maxConnectionsPerAddress, handshakeTimeout: handshakeTimeout, accessLog: accessLog ? true : nil,
            metrics: metrics,
            identity: identity, firewall: firewall, gateway: gateway ? true : nil, state: state, rulesDir: rulesDir,
            respondTo: respondTo, respondCert: respondCert, respondKey: respondKey, respondCA: respondCA
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

        With --poll URL it opens no port: it polls that Producer server (HTTPS with mutual TLS: \
        --cert/--key are its client certificate, --ca the Producer's CA), executes each Command \
        with the same firewall and POSTs the Response; each Command is executed at most once, \
        also across restarts (the correlation ids done are kept beside --state).

        With --respond-to URL the Producer runs an HTTPS server too (HTTPS WD02 "both servers"): a \
        Command with response_requested ack or status is answered 102 at once, and its final \
        Response is POSTed to that Producer server when the work is done, with X-Correlation-ID = \
        its command_id; kept beside --state (forward-outbox.sqlite) and tried again with back-off \
        while the server cannot be reached, also after a restart. \
        `bastion openc2 send --record QUEUE` keeps such Commands in the Producer server's queue.
        """
    )

    @OptionGroup var options: ConsumerOptions

    func validate() throws {
        if options.poll != nil {
            guard options.cert != nil, options.key != nil, options.ca != nil else { throw ValidationError("--poll needs --cert, --key and --ca") }
            guard (1...3_600).contains(options.interval) else { throw ValidationError("--interval must be 1…3600 seconds") }
            guard options.respondTo == nil else { throw ValidationError("--respond-to is for a listening Consumer; a polling one POSTs its Responses to --poll") }
        }
    }

    func run() async throws {
        let logger = Logger(label: "bastion.openc2.consumer")
        if let url = options.poll { return try await runPolling(url: url, logger: logger) }
        let settings = try options.settings()
        var configuration = try settings.configuration(logger: logger)
        let forwarding = try responsePoster(settings: settings, logger: logger)
        configuration.exchange.responseForwarder = forwarding?.poster
        let metrics = ConsumerMetrics.start(try settings.metricsAddress())
        let choice = settings.firewall ?? .none
        let firewall = choice == .none ? nil : try await Firewall.start(
            choice, gateway: settings.gateway ?? false, statePath: settings.state ?? ConsumerSettings.Defaults.state, rulesDirectory: settings.rulesDir, logger: logger)
        let handler: any CommandHandler = firewall?.actuator ?? QueryFeaturesHandler()
        do {
            try await runConsumer(
                configuration: configuration, handler: handler, firewall: firewall, metrics: metrics, logger: logger,
                alongside: forwarding.map { [$0.poster] } ?? []
            ) { _, url in
                if let url { logger.info("metrics", metadata: ["url": "\(url)", "health": "\(url.replacingOccurrences(of: "/metrics", with: "/health"))"]) }
            }
        } catch {
            try? await forwarding?.client.shutdown()
            throw error
        }
        try? await forwarding?.client.shutdown()
    }
}

extension ConsumerCommand {
    /// The forwarder of asynchronous Responses to `--respond-to`, if given.
    func responsePoster(settings: ConsumerSettings, logger: Logger) throws -> (poster: ResponsePoster, client: HTTPClient)? {
        guard var url = settings.respondTo else { return nil }
        if let schemeEnd = url.range(of: "://"), !url[schemeEnd.upperBound...].contains("/") { url += "/.well-known/openc2" }
        let tls: TLSConfiguration
        do {
            tls = try TLSPolicy.client(
                caPath: settings.respondCA ?? settings.clientCA, certificatePath: settings.respondCert ?? settings.cert, keyPath: settings.respondKey ?? settings.key)
        } catch {
            throw CLIError("--respond-to: \(error)")
        }
        let configuration = ResponsePoster.Configuration(url: url, tls: tls)
        let statePath = settings.state ?? ConsumerSettings.Defaults.state
        let outboxPath = URL(fileURLWithPath: statePath).deletingLastPathComponent().appendingPathComponent("forward-outbox.sqlite").path
        let outbox: ForwardOutbox
        do { outbox = try ForwardOutbox(path: outboxPath) } catch { throw CLIError(error.description) }
        logger.info("final Responses of acknowledged commands go to the Producer server", metadata: [
            "url": "\(url)", "outbox": "\(outboxPath)", "waiting": "\((try? outbox.count()) ?? 0)",
        ])
        let client = ResponsePoster.makeClient(configuration)
        return (ResponsePoster(configuration: configuration, outbox: outbox, client: client, logger: logger), client)
    }

    /// The polling mode: GET Commands from the Producer server at `url`, POST the Responses.
    func runPolling(url: String, logger: Logger) async throws {
        let settings = try options.settings()
        let tls: TLSConfiguration
        do {
            tls = try TLSPolicy.client(caPath: options.ca, certificatePath: options.cert, keyPath: options.key)
        } catch {
            throw CLIError("\(error)")
        }
        let statePath = settings.state ?? ConsumerSettings.Defaults.state
        let choice = settings.firewall ?? .none
        let firewall = choice == .none ? nil : try await Firewall.start(
            choice, gateway: settings.gateway ?? false, statePath: statePath, rulesDirectory: settings.rulesDir, logger: logger)
        let executedPath = URL(fileURLWithPath: statePath).deletingLastPathComponent().appendingPathComponent("polled-commands.sqlite").path
        let executed: ExecutedCommands
        do { executed = try ExecutedCommands(path: executedPath) } catch { throw CLIError(error.description) }
        let configuration = PollingConsumer.Configuration(url: url, tls: tls, interval: .seconds(options.interval))
        let client = PollingConsumer.makeClient(configuration)
        let consumer = PollingConsumer(
            configuration: configuration, handler: firewall?.actuator ?? QueryFeaturesHandler(), executed: executed, client: client,
            profiles: [SLPFProfile()], logger: logger)
        logger.info("polling consumer started", metadata: ["producer": "\(url)", "firewall": "\(firewall?.summary ?? "none")", "executed": "\(executedPath)"])
        var services: [any Service] = [PollingService(consumer: consumer)]
        if let firewall { services.append(ActuatorScheduleService(actuator: firewall.actuator)) }
        try await ServiceGroup(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger).run()
        try? await client.shutdown()
        logger.info("polling consumer stopped")
    }
}

/// The polling loop as a service; graceful shutdown lets the Command in hand finish.
struct PollingService: Service {
    let consumer: PollingConsumer

    func run() async throws {
        await cancelWhenGracefulShutdown { await consumer.run() }
    }
}

extension FirewallChoice: ExpressibleByArgument {}

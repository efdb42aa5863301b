import ArgumentParser
import Logging
import OpenC2
import OpenC2HTTPS
import OpenC2SLPF
import ServiceLifecycle

/// Options of a Consumer, shared by `bastion openc2 consumer` and `bastion serve`.
struct ConsumerOptions: ParsableArguments {
    @Option(help: "The address to listen on.")
    var host: String = "127.0.0.1"

    @Option(help: "The port to listen on (443 is the transfer's operations port).")
    var port: Int = 443

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

    @Option(help: ArgumentHelp("The largest request body accepted, in bytes.", valueName: "bytes"))
    var maxBody: Int = 64 * 1024

    @Option(help: ArgumentHelp("Seconds a connection may stay idle before it is closed.", valueName: "seconds"))
    var idleTimeout: Int = 60

    @Option(help: ArgumentHelp("Seconds a client has to send a whole request (TLS handshake and headers, then the body).", valueName: "seconds"))
    var requestTimeout: Int = 10

    @Option(help: ArgumentHelp("Connections served at once.", valueName: "count"))
    var maxConnections: Int = 1024

    func validate() throws {
        if testingHTTP {
            if cert != nil || key != nil || clientCA != nil {
                throw ValidationError("--testing-http serves plain HTTP; it cannot be combined with --cert, --key or --client-ca")
            }
            return
        }
        guard cert != nil, key != nil else { throw ValidationError("HTTPS needs --cert and --key (or --testing-http for plain HTTP testing)") }
        if clientCA == nil, !noClientAuth {
            throw ValidationError("Mutual TLS needs --client-ca; pass --no-client-auth to accept Producers without a certificate")
        }
        guard (0...65535).contains(port) else { throw ValidationError("--port must be 0…65535") }
        guard maxBody > 0, idleTimeout > 0, requestTimeout > 0, maxConnections > 0 else {
            throw ValidationError("--max-body, --idle-timeout, --request-timeout and --max-connections must be positive")
        }
    }

    func makeConfiguration(logger: Logger) throws -> ConsumerConfiguration {
        let transport: ConsumerTransport
        if testingHTTP {
            logger.warning("plain HTTP testing mode: no TLS, no authentication")
            transport = .plainHTTPForTesting
        } else {
            if noClientAuth { logger.warning("client certificates are not required: any client that can connect may send commands") }
            transport = .https(try TLSPolicy.server(certificatePath: cert!, keyPath: key!, clientCAPath: noClientAuth ? nil : clientCA))
        }
        var exchange = ConsumerExchange.Configuration()
        exchange.maximumBodySize = maxBody
        exchange.allowedPeers = allowedPeers.isEmpty ? nil : Set(allowedPeers)
        exchange.profiles = [SLPFProfile()]
        return ConsumerConfiguration(host: host, port: port, transport: transport, exchange: exchange, idleTimeout: .seconds(idleTimeout), requestTimeout: .seconds(requestTimeout), maximumConnections: maxConnections)
    }
}

/// `bastion openc2 consumer`
struct ConsumerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "consumer",
        abstract: "Run an OpenC2 Consumer: HTTPS with mutual TLS, POST /.well-known/openc2.",
        discussion: """
        Accepts Commands in both HTTPS transfer formats (v1.1 envelopes and v1.0 bare commands),
        validates them, and answers `query features` truthfully; without a firewall backend it
        answers 501 to everything else. Stops gracefully on SIGINT or SIGTERM: in-flight Commands finish.
        """
    )

    @OptionGroup var options: ConsumerOptions

    func run() async throws {
        let logger = Logger(label: "bastion.openc2.consumer")
        let consumer = Consumer(configuration: try options.makeConfiguration(logger: logger), handler: QueryFeaturesHandler(), logger: logger)
        try await ServiceGroup(services: [consumer], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger).run()
    }
}

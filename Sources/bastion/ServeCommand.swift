import ArgumentParser
import BastionConsumer
import BastionHTTPServer
import BastionPKI
import Bridge
import Foundation
import Logging
import OpenC2
import OpenC2HTTPS
import OpenC2SLPF
import ServiceLifecycle
import TAXIIClient
import TAXIIServer

/// `bastion serve`: the demo Consumer on embedded defaults.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run an OpenC2 Consumer on 127.0.0.1:8443 with mutual TLS, making a development PKI first if needed.",
        discussion: """
        On first run it writes a development CA, a server certificate for localhost/127.0.0.1 and a \
        Producer client certificate under --dir (./.bastion by default; keys are 0600). It then \
        serves POST /.well-known/openc2 over HTTPS, requiring a client certificate from that CA, and \
        prints a `bastion openc2` and a `curl` command that work against it. Ctrl-C stops it \
        gracefully. Metrics (Prometheus) and a health check are served on --metrics \
        (127.0.0.1:9464 by default; `off` turns them off).

        It is an SLPF Consumer: rules are kept in <dir>/slpf.sqlite. It is meant for trying \
        Bastion, so by default it changes nothing on this machine's firewall: --firewall dry-run \
        records the nftables transactions it would make. Pass --firewall nftables to enforce the \
        rules in `table inet bastion` (root or CAP_NET_ADMIN; best inside a network namespace: \
        `unshare -rn bastion serve --firewall nftables`), or --firewall auto for nftables where \
        this process may change the ruleset. `update file` reads rules files from <dir>/rules.

        Beside it runs a TAXII 1.1 server on --taxii-port (9000; `off` turns it off) over HTTPS with \
        the same server certificate, anonymous, with one collection `default` kept in <dir>/taxii.sqlite, \
        and a bridge between the two: every --bridge-interval seconds it polls that collection and \
        has the Consumer deny the IP addresses of the STIX indicators inboxed there (state in \
        <dir>/bridge.sqlite; `bastion bridge status --state <dir>/bridge.sqlite` shows it).
        """
    )

    @Option(help: ArgumentHelp("Where the development PKI lives.", valueName: "directory"))
    var dir: String = ".bastion"

    @Option(help: "The address to listen on.")
    var host: String = "127.0.0.1"

    @Option(help: "The port to listen on.")
    var port: Int = 8443

    @Option(help: ArgumentHelp("Serve GET /metrics (Prometheus) and GET /health over plain HTTP on this address; \"off\" turns it off.", valueName: "host:port"))
    var metrics: String = "127.0.0.1:9464"

    @Option(name: .customLong("taxii-port"), help: ArgumentHelp("The TAXII server's port; \"off\" turns it off.", valueName: "port"))
    var taxiiPort: String = "9000"

    @Option(name: .customLong("bridge-interval"), help: ArgumentHelp("Seconds between two rounds of the bridge from the TAXII server to the Consumer; \"off\" turns it off.", valueName: "seconds"))
    var bridgeInterval: String = "5"

    @Option(help: ArgumentHelp("Where SLPF Commands are enforced: \(FirewallChoice.help). Default dry-run: the host's firewall is not touched.", valueName: "backend"))
    var firewall: FirewallChoice = .dryRun

    func validate() throws {
        guard taxiiPort == "off" || Int(taxiiPort).map({ (0...65_535).contains($0) }) == true else {
            throw ValidationError("--taxii-port must be a port (0…65535) or off")
        }
        guard bridgeInterval == "off" || Int(bridgeInterval).map({ (1...86_400).contains($0) }) == true else {
            throw ValidationError("--bridge-interval must be 1…86400 seconds or off")
        }
    }

    func run() async throws {
        let logger = Logger(label: "bastion.serve")
        let files = DevelopmentPKI.File.self
        let existing = DevelopmentPKI.existingFiles(inDirectory: dir)
        if existing.isEmpty {
            try DevelopmentPKI.generate().write(toDirectory: dir)
            logger.info("created a development PKI", metadata: ["directory": "\(dir)"])
        } else if existing.count != files.allCases.count {
            let missing = files.allCases.filter { !existing.contains($0) }.map(\.name)
            throw CLIError("\(dir) holds a partial PKI (missing \(missing.joined(separator: ", "))); remove the directory or run `bastion certs init \(dir) --force`")
        }
        let dir = self.dir
        @Sendable func path(_ file: DevelopmentPKI.File) -> String { file.path(inDirectory: dir) }
        var exchange = ConsumerExchange.Configuration()
        exchange.profiles = [SLPFProfile()]
        let configuration = ConsumerConfiguration(
            host: host,
            port: port,
            transport: .https(try TLSPolicy.server(certificatePath: path(.serverCertificate), keyPath: path(.serverPrivateKey), clientCAPath: path(.caCertificate))),
            exchange: exchange
        )
        let host = self.host
        let metricsAddress = try metrics == "off" ? nil : ConsumerSettings(metrics: metrics).metricsAddress()
        let metrics = ConsumerMetrics.start(metricsAddress)
        let firewall = firewall == .none ? nil : try await Firewall.start(
            firewall, statePath: "\(dir)/slpf.sqlite", rulesDirectory: "\(dir)/rules", logger: logger)
        let enforcement = (firewall.map { "SLPF rules: \($0.summary), kept in \(dir)/slpf.sqlite" } ?? "no firewall: query features only")
            + (self.firewall == .dryRun
                ? ".\nThis machine's firewall is not changed; to enforce, run with --firewall nftables (as root, or inside `unshare -rn`)" : "")
        let handler: any CommandHandler = firewall?.actuator ?? QueryFeaturesHandler()
        let (listening, announce) = AsyncStream.makeStream(of: LocalBridge.Listening.self)
        let taxii = try Int(taxiiPort).map { try taxiiServer(port: $0, logger: logger) { announce.yield(.taxii($0)) } }
        var alongside: [any Service] = taxii.map { [$0] } ?? []
        if taxii != nil, firewall != nil, let interval = Int(bridgeInterval) {
            alongside.append(LocalBridge(directory: dir, host: host, interval: interval, listening: listening, logger: logger))
        }
        let bridgeLine = alongside.contains { $0 is LocalBridge }
            ? """

            The bridge polls the TAXII collection every \(bridgeInterval) s and denies here the IP addresses of the STIX
            indicators inboxed there; see them with `swift run bastion openc2 rules list --state \(dir)/slpf.sqlite`
            and `swift run bastion bridge status --state \(dir)/bridge.sqlite`.

            """ : ""
        try await runConsumer(
            configuration: configuration, handler: handler, firewall: firewall, metrics: metrics, logger: logger, alongside: alongside
        ) { port, metricsURL in
            announce.yield(.consumer(port))
            let url = "https://\(host):\(port)"
            let metricsLine = metricsURL.map { "Metrics: \($0) (health: \($0.replacingOccurrences(of: "/metrics", with: "/health")))\n" } ?? ""
            let tls = "--ca \(path(.caCertificate)) --cert \(path(.clientCertificate)) --key \(path(.clientPrivateKey))"
            FileHandle.standardOutput.write(Data("""

            Bastion OpenC2 Consumer on \(url)/.well-known/openc2 (mutual TLS; Ctrl-C stops it).
            \(metricsLine)\(enforcement). Try:

              swift run bastion openc2 features --to \(url) \(tls)
              swift run bastion openc2 send --to \(url) \(tls) deny ipv4_net 198.51.100.0/24
              curl --cacert \(path(.caCertificate)) --cert \(path(.clientCertificate)) --key \(path(.clientPrivateKey)) \\
                -H 'Content-Type: application/openc2-cmd+json;version=1.0' \\
                -d '{"action":"query","target":{"features":["versions","profiles","pairs"]}}' \(url)/.well-known/openc2
            \(bridgeLine)

            """.utf8))
        }
    }

    /// The TAXII server beside the Consumer: HTTPS with the development server certificate (no
    /// client certificate asked for), anonymous, one collection `default` in <dir>/taxii.sqlite; it prints the client lines
    /// that work against it once it listens.
    private func taxiiServer(port: Int, logger: Logger, onListening: @escaping @Sendable (Int) -> Void) throws -> TAXIIServer {
        let files = DevelopmentPKI.File.self
        let tlsConfiguration = try TLSPolicy.server(
            certificatePath: files.serverCertificate.path(inDirectory: dir), keyPath: files.serverPrivateKey.path(inDirectory: dir), clientCAPath: nil)
        let store: SQLiteTAXIIStore
        do { store = try SQLiteTAXIIStore(path: "\(dir)/taxii.sqlite") } catch { throw CLIError("\(error)") }
        let http = HTTPServerConfiguration(name: "taxii", host: host, port: port, transport: .https(tlsConfiguration), maximumBodySize: 16 << 20)
        let (host, ca) = (self.host, DevelopmentPKI.File.caCertificate.path(inDirectory: dir))
        return TAXIIServer(configuration: TAXIIServerConfiguration(), store: store, http: http, logger: logger) { port in
            onListening(port)
            let base = "https://\(host):\(port)/services"
            FileHandle.standardOutput.write(Data("""
            TAXII 1.1 server on \(base)/ (collection default, kept in \(store.path)). Try:

              swift run bastion taxii inbox --url \(base)/inbox --verify-server \(ca)
              swift run bastion taxii poll --url \(base)/poll --collection default --verify-server \(ca)


            """.utf8))
        }
    }
}

/// The bridge `bastion serve` runs from its own TAXII server's `default` collection to its own
/// Consumer, with the development PKI, once both listen.
struct LocalBridge: Service {
    enum Listening: Sendable {
        case taxii(Int)
        case consumer(Int)
    }

    let directory: String
    let host: String
    let interval: Int
    let listening: AsyncStream<Listening>
    let logger: Logger

    func run() async throws {
        var taxiiPort: Int?
        var consumerPort: Int?
        for await event in listening.cancelOnGracefulShutdown() {
            switch event {
            case .taxii(let port): taxiiPort = port
            case .consumer(let port): consumerPort = port
            }
            if taxiiPort != nil, consumerPort != nil { break }
        }
        guard let taxiiPort, let consumerPort else { return }
        let files = DevelopmentPKI.File.self
        @Sendable func path(_ file: DevelopmentPKI.File) -> String { file.path(inDirectory: directory) }
        let address = host == "0.0.0.0" || host == "::" ? "127.0.0.1" : host
        let client = try TAXIIClient(proxy: .none, tls: .ca(path: path(files.caCertificate)))
        let fleet = Fleet(members: [Fleet.Member(
            name: "serve", url: "https://\(address):\(consumerPort)/.well-known/openc2",
            certificate: path(files.clientCertificate), key: path(files.clientPrivateKey), ca: path(files.caCertificate))])
        let bridge: Bridge
        do {
            bridge = try Bridge(
                configuration: BridgeConfiguration(
                    pollURL: "https://\(address):\(taxiiPort)/services/poll", collection: "default", interval: .seconds(interval)),
                fleet: fleet, state: try BridgeState(path: "\(directory)/bridge.sqlite"), taxii: client, logger: logger)
        } catch {
            try? await client.shutdown()
            throw CLIError(error.description)
        }
        logger.info("bridge started: TAXII collection default → this Consumer", metadata: ["interval": "\(interval)s", "state": "\(directory)/bridge.sqlite"])
        await cancelWhenGracefulShutdown { await bridge.run() }
        try? await client.shutdown()
    }
}

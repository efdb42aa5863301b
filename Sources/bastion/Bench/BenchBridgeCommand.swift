import ArgumentParser
import BastionConsumer
import BastionHTTPServer
import BastionPKI
import BastionTLS
import Bridge
import Foundation
import Logging
import OpenC2HTTPS
import OpenC2SLPF
import ServiceLifecycle
import SLPFActuator
import TAXII
import TAXIIClient
import TAXIIServer

/// `bastion bench bridge`: from an inbox of indicators to denies enforced on a fleet.
struct BenchBridgeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bridge",
        abstract: "Time from an inbox of --indicators STIX indicators to every deny enforced on --consumers Consumers.",
        discussion: """
        Starts, in this process on loopback, a Bastion TAXII server (plain HTTP, SQLite) and \
        --consumers SLPF Consumers (HTTPS with mutual TLS, the dry-run firewall, a rule store each), \
        inboxes --indicators STIX 1.1.1 packages of one IPv4 address each in one Inbox Message, and \
        runs one round of the bridge: the poll (parts followed to the end) and every deny, each \
        acknowledged with a rule number. Prints the time of each step and the whole.
        """
    )

    @Option(help: ArgumentHelp("Indicators to inbox (one address each).", valueName: "count"))
    var indicators = 1_000

    @Option(help: ArgumentHelp("SLPF Consumers in the fleet.", valueName: "count"))
    var consumers = 10

    @Option(name: .customLong("in-flight"), help: ArgumentHelp("Commands in flight per Consumer.", valueName: "count"))
    var inFlight = 8

    @Flag(help: "Print one line of JSON.")
    var json = false

    func validate() throws {
        guard (1...65_536).contains(indicators) else { throw ValidationError("--indicators must be 1…65536") }
        guard (1...64).contains(consumers) else { throw ValidationError("--consumers must be 1…64") }
        guard (1...256).contains(inFlight) else { throw ValidationError("--in-flight must be 1…256") }
    }

    func run() async throws {
        let logger = Logger(label: "bench") { _ in SwiftLogNoOpLogHandler() }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("bastion-bench-bridge-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try DevelopmentPKI.generate().write(toDirectory: directory)
        func path(_ file: DevelopmentPKI.File) -> String { file.path(inDirectory: directory) }

        var services: [any Service] = []
        let (ports, announce) = AsyncStream.makeStream(of: (String, Int).self)
        let taxiiStore = try SQLiteTAXIIStore(path: directory + "/taxii.sqlite")
        services.append(TAXIIServer(
            configuration: TAXIIServerConfiguration(pageSize: 1_000, push: PushSettings(enabled: false)), store: taxiiStore,
            http: HTTPServerConfiguration(name: "taxii", port: 0, transport: .plainHTTP, maximumBodySize: 1 << 30), logger: logger,
            onListening: { announce.yield(("taxii", $0)) }))
        var actuators: [(String, SLPFActuator)] = []
        for index in 1...consumers {
            let name = "consumer-\(index)"
            let firewall = try await Firewall.start(.dryRun, statePath: "\(directory)/\(name).sqlite", rulesDirectory: nil, logger: logger)
            actuators.append((name, firewall.actuator))
            var exchange = ConsumerExchange.Configuration()
            exchange.profiles = [SLPFProfile()]
            let tls = try TLSPolicy.server(certificatePath: path(.serverCertificate), keyPath: path(.serverPrivateKey), clientCAPath: path(.caCertificate))
            services.append(Consumer(configuration: ConsumerConfiguration(port: 0, transport: .https(tls), exchange: exchange), handler: firewall.actuator, logger: logger) {
                announce.yield((name, $0))
            })
        }
        let group = ServiceGroup(services: services, gracefulShutdownSignals: [], logger: logger)
        let running = Task { try await group.run() }
        var bound: [String: Int] = [:]
        for await (name, port) in ports {
            bound[name] = port
            if bound.count == consumers + 1 { break }
        }
        let fleet = Fleet(members: actuators.map { name, _ in
            Fleet.Member(
                name: name, url: "https://127.0.0.1:\(bound[name] ?? 0)/.well-known/openc2",
                certificate: path(.clientCertificate), key: path(.clientPrivateKey), ca: path(.caCertificate))
        })
        let base = "http://127.0.0.1:\(bound["taxii"] ?? 0)/services"
        let measured = try await TAXIIClient.with(proxy: .none, timeout: .seconds(300)) { client in
            let clock = ContinuousClock()
            let start = clock.now
            let blocks = try (0..<indicators).map { index in
                try TAXII11.ContentBlock(contentBinding: TAXII11.ContentBinding(TAXII.ContentBindingID.stixXML111), xml: BenchTAXIICommand.package(index))
            }
            let reply = try await client.call(base + "/inbox", TAXII11.InboxMessage(contentBlocks: blocks))
            guard reply.status?.type == .success else { throw CLIError("the inbox was refused: \(reply.text)") }
            let inboxed = clock.now
            let bridge = try Bridge(
                configuration: BridgeConfiguration(pollURL: base + "/poll", collection: "default", commandsInFlight: inFlight),
                fleet: fleet, state: try BridgeState(path: directory + "/bridge.sqlite"), taxii: client, logger: logger)
            let polled = await bridge.poll()
            let pollDone = clock.now
            let reconciled = await bridge.reconcile()
            let end = clock.now
            guard polled.error == nil, reconciled.denied == indicators * consumers, reconciled.failed == 0 else {
                throw CLIError("the round did not complete: \(polled), \(reconciled)")
            }
            return (inbox: inboxed - start, poll: pollDone - inboxed, deny: end - pollDone, total: end - start)
        }
        var enforced = 0
        for (_, actuator) in actuators { enforced += try await actuator.installedRules.count }
        await group.triggerGracefulShutdown()
        try await running.value
        guard enforced == indicators * consumers else { throw CLIError("\(enforced) rules installed, \(indicators * consumers) expected") }
        let seconds = BenchTAXIICommand.seconds
        if json {
            print(#"{"indicators":\#(indicators),"consumers":\#(consumers),"denies":\#(enforced),"inbox_seconds":\#(seconds(measured.inbox)),"poll_seconds":\#(seconds(measured.poll)),"deny_seconds":\#(seconds(measured.deny)),"total_seconds":\#(seconds(measured.total))}"#)
        } else {
            print("""
                \(indicators) indicators → \(enforced) denies on \(consumers) Consumers (dry-run firewall, HTTPS with mutual TLS, \(inFlight) in flight each)
                  inbox  \(String(format: "%.2f", seconds(measured.inbox))) s
                  poll   \(String(format: "%.2f", seconds(measured.poll))) s
                  denies \(String(format: "%.2f", seconds(measured.deny))) s (\(Int(Double(enforced) / seconds(measured.deny))) acknowledged denies/s)
                  total  \(String(format: "%.2f", seconds(measured.total))) s from the inbox to the last deny enforced
                """)
        }
    }
}

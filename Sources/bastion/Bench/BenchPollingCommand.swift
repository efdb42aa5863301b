import ArgumentParser
import AsyncHTTPClient
import BastionHTTPClient
import BastionConsumer
import BastionHTTPServer
import BastionPKI
import BastionTLS
import Foundation
import Logging
import NIOSSL
import OpenC2
import OpenC2HTTPS
import OpenC2Polling
import OpenC2SLPF
import ServiceLifecycle
import SLPFActuator
import Synchronization

/// `bastion bench fanout`: one Command to many push Consumers.
struct BenchFanOutCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fanout",
        abstract: "Time one Command reaching --consumers push Consumers on loopback (p50/p99 per Consumer, total).",
        discussion: """
        Starts --consumers Consumers in this process (HTTPS with mutual TLS, `query features` \
        answered), then sends one `query features` to all of them with Producer.fanOut, --rounds times. \
        Prints the per-Consumer latency percentiles and the time until the last answer, per round.
        """
    )

    @Option(help: ArgumentHelp("Push Consumers.", valueName: "count"))
    var consumers = 200

    @Option(help: ArgumentHelp("Fan-outs to time (the first warms the connections up and is not counted).", valueName: "count"))
    var rounds = 5

    @Option(help: ArgumentHelp("Exchanges in flight at once.", valueName: "count"))
    var concurrency = 64

    func validate() throws {
        guard (1...2_000).contains(consumers), (1...1_000).contains(rounds), (1...10_000).contains(concurrency) else {
            throw ValidationError("--consumers 1…2000, --rounds 1…1000, --concurrency 1…10000")
        }
    }

    func run() async throws {
        let logger = Logger(label: "bench") { _ in SwiftLogNoOpLogHandler() }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("bastion-bench-fanout-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try DevelopmentPKI.generate().write(toDirectory: directory)
        func path(_ file: DevelopmentPKI.File) -> String { file.path(inDirectory: directory) }
        let serverTLS = try TLSPolicy.server(certificatePath: path(.serverCertificate), keyPath: path(.serverPrivateKey), clientCAPath: path(.caCertificate))
        let (ports, announce) = AsyncStream.makeStream(of: Int.self)
        var exchange = ConsumerExchange.Configuration()
        exchange.profiles = [SLPFProfile()]
        let services: [any Service] = (0..<consumers).map { _ in
            Consumer(configuration: ConsumerConfiguration(port: 0, transport: .https(serverTLS), exchange: exchange), handler: QueryFeaturesHandler(), logger: logger) {
                announce.yield($0)
            }
        }
        let group = ServiceGroup(services: services, gracefulShutdownSignals: [], logger: logger)
        let running = Task { try await group.run() }
        var endpoints: [String] = []
        for await port in ports {
            endpoints.append("https://127.0.0.1:\(port)/.well-known/openc2")
            if endpoints.count == consumers { break }
        }
        var configuration = HTTPClient.Configuration.failingFast()
        configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = 4
        let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
        let tls = try TLSPolicy.client(caPath: path(.caCertificate), certificatePath: path(.clientCertificate), keyPath: path(.clientPrivateKey))
        let command = Command(.query, .features([.versions]))
        var totals: [Double] = []
        var latencies: [Double] = []
        for round in 0...rounds {
            let start = ContinuousClock.now
            var answered = 0
            for await result in Producer.fanOut(command, to: endpoints, tls: tls, concurrency: concurrency, httpClient: client) {
                if result.succeeded { answered += 1 }
                if round > 0 { latencies.append(BenchTAXIICommand.seconds(result.duration) * 1000) }
            }
            guard answered == consumers else { throw CLIError("round \(round): \(answered) of \(consumers) Consumers answered") }
            if round > 0 { totals.append(BenchTAXIICommand.seconds(ContinuousClock.now - start) * 1000) }
        }
        try await client.shutdown()
        await group.triggerGracefulShutdown()
        try await running.value
        latencies.sort()
        totals.sort()
        func percentile(_ values: [Double], _ p: Double) -> String { String(format: "%.1f", values[min(values.count - 1, Int(Double(values.count) * p))]) }
        print("""
            one Command to \(consumers) Consumers (HTTPS with mutual TLS, \(concurrency) in flight), \(rounds) rounds after a warm-up
              per Consumer: p50 \(percentile(latencies, 0.5)) ms, p99 \(percentile(latencies, 0.99)) ms
              all answered: median \(percentile(totals, 0.5)) ms, worst \(String(format: "%.1f", totals.last ?? 0)) ms
            """)
    }
}

/// `bastion bench polling`: commands end to end through the polling model.
struct BenchPollingCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "polling",
        abstract: "Commands per second end to end: enqueue → polled → executed (dry-run firewall) → Response stored.",
        discussion: """
        Starts a Producer server (HTTPS with mutual TLS; a fresh SQLite queue, or the PostgreSQL \
        database --database names, whose queue table is emptied first) and --consumers polling \
        Consumers in this process, each with its own dry-run SLPF actuator, queues --commands deny \
        Commands spread over them, and times until every Response is stored.
        """
    )

    @Option(help: ArgumentHelp("Run the queue on this PostgreSQL database (postgres://user:password@host:port/database) instead of a fresh SQLite file. Its queue is emptied first: never point it at a queue in use.", valueName: "url"))
    var database: String?

    @Option(help: ArgumentHelp("Polling Consumers.", valueName: "count"))
    var consumers = 50

    @Option(help: ArgumentHelp("Commands to queue.", valueName: "count"))
    var commands = 2_000

    func validate() throws {
        guard (1...500).contains(consumers), (1...1_000_000).contains(commands) else { throw ValidationError("--consumers 1…500, --commands 1…1000000") }
        if let database, !QueueOptions.isPostgres(database) { throw ValidationError("--database must be a postgres:// URL (SQLite is the default)") }
    }

    func run() async throws {
        let logger = Logger(label: "bench") { _ in SwiftLogNoOpLogHandler() }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("bastion-bench-polling-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let pki = try DevelopmentPKI.generate()
        try pki.write(toDirectory: directory)
        func path(_ file: DevelopmentPKI.File) -> String { file.path(inDirectory: directory) }
        let (queue, queueService) = try QueueOptions.open(database.map { $0 } ?? "sqlite:\(directory)/producer.sqlite")
        let queueRunning = queueService.map { service in Task { try await service.run() } }
        defer { queueRunning?.cancel() }
        if let postgres = queue as? PostgresCommandQueue {
            try await postgres.prepare(within: QueueOptions.connectDeadline)
            try await postgres.removeAll()
        }
        let (ports, announce) = AsyncStream.makeStream(of: Int.self)
        let server = ProducerServer(
            configuration: .init(profiles: [SLPFProfile()]), queue: queue,
            http: HTTPServerConfiguration(name: "producer", port: 0, transport: .https(try TLSPolicy.server(
                certificatePath: path(.serverCertificate), keyPath: path(.serverPrivateKey), clientCAPath: path(.caCertificate)))),
            logger: logger, onListening: { announce.yield($0) })
        let group = ServiceGroup(services: [server], gracefulShutdownSignals: [], logger: logger)
        let running = Task { try await group.run() }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else { throw CLIError("the Producer server did not start") }
        let url = "https://127.0.0.1:\(port)/.well-known/openc2"
        // One client certificate (identity) per Consumer, from the CA the server trusts.
        let authority = pki.authority
        let tlsByConsumer = try (0..<consumers).map { index -> (String, TLSConfiguration) in
            let name = "edge-\(index)"
            let leaf = try authority.issueClientCertificate(commonName: name, validityDays: 1)
            try leaf.certificatePEM.write(toFile: "\(directory)/\(name).pem", atomically: true, encoding: .utf8)
            try leaf.privateKeyPEM.write(toFile: "\(directory)/\(name)-key.pem", atomically: true, encoding: .utf8)
            return (name, try TLSPolicy.client(caPath: path(.caCertificate), certificatePath: "\(directory)/\(name).pem", keyPath: "\(directory)/\(name)-key.pem"))
        }
        let now = ProducerServerExchange.now()
        for index in 0..<commands {
            let id = "bench-\(index)"
            let command = Command(
                .deny, .ipv4Net(try IPv4Net(IPv4Address(UInt32(0x0A00_0000 + index)), prefixLength: 32)), args: Args(responseRequested: .complete),
                commandID: try CommandID(id))
            try await queue.enqueue(QueuedCommand(
                commandID: id, consumer: tlsByConsumer[index % consumers].0, command: String(decoding: OpenC2Encoder().encode(command), as: UTF8.self),
                enqueuedAt: now + Int64(index)))
        }
        let start = ContinuousClock.now
        let answered = SharedCount()
        let (total, started) = (commands, directory)
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            for (name, tls) in tlsByConsumer {
                tasks.addTask {
                    let firewall = try await BastionConsumer.Firewall.start(.dryRun, statePath: "\(started)/\(name).sqlite", rulesDirectory: nil, logger: logger)
                    let configuration = PollingConsumer.Configuration(url: url, tls: tls, interval: .milliseconds(50))
                    let client = PollingConsumer.makeClient(configuration)
                    let consumer = PollingConsumer(
                        configuration: configuration, handler: firewall.actuator,
                        executed: try ExecutedCommands(path: "\(started)/\(name)-executed.sqlite"), client: client, profiles: [SLPFProfile()], logger: logger)
                    while answered.value.load(ordering: .relaxed) < total {
                        switch await consumer.pollOnce() {
                        case .answered: answered.value.add(1, ordering: .relaxed)
                        case .idle: try await Task.sleep(for: .milliseconds(20))
                        case .failed(let reason): throw CLIError("\(name): \(reason)")
                        }
                    }
                    try await client.shutdown()
                }
            }
            try await tasks.waitForAll()
        }
        let seconds = BenchTAXIICommand.seconds(ContinuousClock.now - start)
        var stored = 0
        for (name, _) in tlsByConsumer { stored += try await queue.commands(for: name).filter { $0.state == .answered }.count }
        await group.triggerGracefulShutdown()
        try await running.value
        guard stored == commands else { throw CLIError("\(stored) of \(commands) Responses stored") }
        print("""
            \(commands) Commands through the polling model (\(database == nil ? "SQLite" : "PostgreSQL") queue, \(consumers) polling Consumers, dry-run firewalls, HTTPS with mutual TLS)
              \(String(format: "%.2f", seconds)) s end to end: \(Int(Double(commands) / seconds)) Commands/s (enqueue excluded)
            """)
    }
}

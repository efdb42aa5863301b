import ArgumentParser
import BastionHTTPServer
import BastionTLS
import NIOSSL
import Foundation
import Logging
import OpenC2
import OpenC2HTTPS
import OpenC2Polling
import OpenC2SLPF
import ServiceLifecycle

/// The command queue a `--database` names: `sqlite:PATH`, or `postgres://user:password@host:port/database`.
struct QueueOptions: ParsableArguments {
    @Option(help: ArgumentHelp("The command queue: sqlite:PATH, or postgres://user:password@host:port/database to share it between Producer servers.", valueName: "url"))
    var database: String = "sqlite:.bastion/producer.sqlite"

    func validate() throws {
        try Self.check(database, option: "--database")
    }

    /// Refuses a queue URL that is neither `sqlite:PATH` nor `postgres://…`.
    static func check(_ database: String, option: String) throws {
        guard isPostgres(database) || (database.hasPrefix("sqlite:") && database.count > 7) else {
            throw ValidationError("\(option) must be sqlite:PATH or postgres://user:password@host:port/database, got '\(database)'")
        }
    }

    static func isPostgres(_ database: String) -> Bool { database.hasPrefix("postgres://") || database.hasPrefix("postgresql://") }

    /// The queue, and the service that must run while it is used (PostgreSQL's connection pool).
    static func open(_ database: String) throws -> (any CommandQueue, (any Service)?) {
        do {
            if isPostgres(database) {
                let queue = try PostgresCommandQueue(url: database, logger: Logger(label: "bastion.openc2.queue"))
                return (queue, queue)
            }
            return (try SQLiteCommandQueue(path: String(database.dropFirst("sqlite:".count))), nil)
        } catch {
            throw CLIError(error.description)
        }
    }

    /// How long a command waits for a PostgreSQL queue before it says it cannot be reached.
    static let connectDeadline: Duration = .seconds(10)

    /// Runs `body` with the queue ready (a PostgreSQL queue's connection pool running).
    func with<T: Sendable>(_ body: (any CommandQueue) async throws -> T) async throws -> T {
        try await Self.with(database, body)
    }

    /// Runs `body` with the queue at `database` ready.
    static func with<T: Sendable>(_ database: String, _ body: (any CommandQueue) async throws -> T) async throws -> T {
        let (queue, service) = try open(database)
        let running = service.map { service in Task { try await service.run() } }
        defer { running?.cancel() }
        do {
            if let postgres = queue as? PostgresCommandQueue {
                try await postgres.prepare(within: connectDeadline)
            } else {
                try await queue.prepare()
            }
        } catch {
            throw CLIError(error.description)
        }
        return try await body(queue)
    }
}

/// `bastion openc2 producer-server`
struct ProducerServerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "producer-server",
        abstract: "Run the Producer as an HTTPS server that polling Consumers fetch their Commands from (HTTPS WD02).",
        discussion: """
        A Consumer, known by its client certificate (CN, else first SAN), GETs its next Command: 200 \
        with the Command and X-Correlation-ID = its command_id, or 204 when none is queued. It POSTs \
        the Response with that X-Correlation-ID: 102 marks the Command processing, a final status \
        answers it. A Command delivered and not answered within --lease is delivered again; one still \
        processing after --status-after gets a status query (query of target command); one past its \
        stop_time or expiry is never delivered. Queue Commands with `bastion openc2 enqueue`, read \
        them with `bastion openc2 status`.
        """
    )

    @Option(help: ArgumentHelp("The server certificate (PEM).", valueName: "file"))
    var cert: String

    @Option(help: ArgumentHelp("The server certificate's private key (PEM).", valueName: "file"))
    var key: String

    @Option(name: .customLong("client-ca"), help: ArgumentHelp("The CA the Consumers' client certificates must chain to (PEM).", valueName: "file"))
    var clientCA: String

    @Option(help: "The address to listen on.")
    var host: String = "127.0.0.1"

    @Option(help: "The port to listen on.")
    var port: Int = 443

    @Option(help: "The OpenC2 path.")
    var path: String = "/.well-known/openc2"

    @OptionGroup var queue: QueueOptions

    @Option(help: ArgumentHelp("Seconds a delivered Command waits for an answer before it is delivered again.", valueName: "seconds"))
    var lease: Int = 60

    @Option(name: .customLong("status-after"), help: ArgumentHelp("Seconds a Command may be processing before a status query is queued.", valueName: "seconds"))
    var statusAfter: Int = 60

    func validate() throws {
        guard (0...65_535).contains(port) else { throw ValidationError("--port must be 0…65535") }
        guard (1...86_400).contains(lease), (1...86_400).contains(statusAfter) else { throw ValidationError("--lease and --status-after must be 1…86400 seconds") }
        guard path.hasPrefix("/") else { throw ValidationError("--path must start with /") }
    }

    func run() async throws {
        let logger = Logger(label: "bastion.openc2.producer-server")
        let tls: TLSConfiguration
        do { tls = try TLSPolicy.server(certificatePath: cert, keyPath: key, clientCAPath: clientCA) } catch { throw CLIError("\(error)") }
        try await queue.with { commandQueue in try await serve(commandQueue, tls: tls, logger: logger) }
    }

    private func serve(_ commandQueue: any CommandQueue, tls: TLSConfiguration, logger: Logger) async throws {
        let server = ProducerServer(
            configuration: ProducerServerExchange.Configuration(path: path, lease: .seconds(lease), profiles: [SLPFProfile()]), queue: commandQueue,
            http: HTTPServerConfiguration(name: "producer", host: host, port: port, transport: .https(tls)), statusAfter: .seconds(statusAfter), logger: logger
        ) { port in
            // Written at once (not through print's buffer): scripts wait for this line.
            FileHandle.standardOutput.write(Data("OpenC2 Producer server on https://\(host):\(port)\(path) (mutual TLS; queue \(queue.database)); Ctrl-C stops it.\n".utf8))
        }
        try await ServiceGroup(services: [server], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger).run()
    }
}

/// `bastion openc2 enqueue`
struct EnqueueCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "enqueue",
        abstract: "Queue an OpenC2 Command for polling Consumers; prints its command_id (one per Consumer).",
        discussion: """
        The Command is given as for `bastion openc2 send` (ACTION TARGET VALUE or --file) and \
        validated first. Each Consumer gets its own copy with its own command_id (the Command's own \
        when one Consumer is named). It writes to the queue directly: a Producer server need not run.
        """
    )

    @OptionGroup var queue: QueueOptions

    @Option(name: .customLong("consumer"), help: ArgumentHelp("The Consumer's identity (its client certificate's CN); repeat for several.", valueName: "name"))
    var consumers: [String] = []

    @Option(name: .customLong("expires-in"), help: ArgumentHelp("Seconds after which the Command is not delivered any more.", valueName: "seconds"))
    var expiresIn: Int?

    @OptionGroup var command: CommandArguments

    func validate() throws {
        guard !consumers.isEmpty else { throw ValidationError("name the Consumer with --consumer") }
        if let expiresIn, !(1...31_536_000).contains(expiresIn) { throw ValidationError("--expires-in must be 1…31536000 seconds") }
    }

    func run() async throws {
        let built = try command.build()
        if built.commandID != nil, consumers.count > 1 {
            throw CLIError("the Command has a command_id; each of several Consumers needs its own: leave it out")
        }
        let now = ProducerServerExchange.now()
        let stop = built.args?.stopTime.map { Int64(clamping: $0.millisecondsSince1970) }
        let expiry = [stop, expiresIn.map { now + Int64($0) * 1000 }].compactMap { $0 }.min()
        let ids = try await queue.with { queue in
            var ids: [String] = []
            for consumer in consumers {
                var copy = built
                do {
                    copy.commandID = try built.commandID ?? CommandID(UUID().uuidString.lowercased())
                } catch {
                    throw CLIError("\(error)")
                }
                let id = copy.commandID?.rawValue ?? ""
                do {
                    try await queue.enqueue(QueuedCommand(
                        commandID: id, consumer: consumer, command: String(decoding: OpenC2Encoder().encode(copy), as: UTF8.self), enqueuedAt: now, expiresAt: expiry))
                } catch {
                    throw CLIError("\(error)")
                }
                ids.append(id)
            }
            return ids
        }
        for id in ids { print(id) }
    }
}

/// `bastion openc2 status`
struct QueueStatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show a queued Command's state and Response, or every Command of a Consumer."
    )

    @OptionGroup var queue: QueueOptions

    @Argument(help: "The command_id.")
    var commandID: String?

    @Option(help: ArgumentHelp("List this Consumer's Commands instead.", valueName: "name"))
    var consumer: String?

    @Flag(help: "Print JSON: one object (or an array with --consumer) with command_id, consumer, state, delivered_at, answered_at, response.")
    var json = false

    func validate() throws {
        guard (commandID == nil) != (consumer == nil) else { throw ValidationError("give a COMMAND_ID or --consumer NAME") }
    }

    func run() async throws {
        let commands: [QueuedCommand] = try await queue.with { queue in
            do {
                if let commandID {
                    guard let found = try await queue.command(id: commandID) else { throw CLIError("no command \(commandID) in the queue") }
                    return [found]
                }
                return try await queue.commands(for: consumer ?? "")
            } catch let error as CommandQueueError {
                throw CLIError(error.description)
            }
        }
        if json {
            let objects: [[String: Any]] = commands.map { command in
                [
                    "command_id": command.commandID, "consumer": command.consumer, "state": command.state.rawValue,
                    "delivered_at": command.deliveredAt as Any, "answered_at": command.answeredAt as Any,
                    "response": command.response.flatMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) } as Any,
                ]
            }
            let value: Any = commandID != nil ? objects[0] : objects
            print(String(decoding: try JSONSerialization.data(withJSONObject: value, options: [.sortedKeys, .withoutEscapingSlashes]), as: UTF8.self))
            return
        }
        for command in commands {
            print("\(command.commandID)  \(command.consumer)  \(command.state.rawValue)" + (command.response.map { "  \($0)" } ?? ""))
        }
    }
}

import BastionConfig
import Logging
import PostgresNIO
import ServiceLifecycle

/// A ``CommandQueue`` in PostgreSQL, for several Producer-server processes behind one address:
/// a Command is handed to one poll only (`FOR UPDATE SKIP LOCKED`), across processes.
///
/// It is a ServiceLifecycle `Service` (its connection pool runs while it runs): put it in the
/// server's service group, and call ``prepare()`` once it runs.
public final class PostgresCommandQueue: CommandQueue, Service {
    /// Where the database is, without the password.
    public let location: String
    let client: PostgresClient
    let logger: Logger

    /// A queue in the database at `url` (`postgres://user:password@host:port/database`).
    public init(url: String, logger: Logger = Logger(label: "bastion.openc2.queue")) throws(CommandQueueError) {
        let parsed: PostgresURL
        do { parsed = try PostgresURL(url) } catch { throw CommandQueueError(.unavailable, error.problem) }
        var configuration = PostgresClient.Configuration(
            host: parsed.host, port: parsed.port, username: parsed.user, password: parsed.password, database: parsed.database, tls: .disable)
        configuration.options.maximumConnections = 16
        location = parsed.location
        client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        self.logger = logger
    }

    /// Runs the connection pool until cancelled.
    public func run() async {
        await client.run()
    }

    /// Brings the schema up to date (each process may: an advisory lock serialises them),
    /// waiting for the database as long as it takes.
    public func prepare() async throws(CommandQueueError) {
        try await migrate()
    }

    /// Like ``prepare()``, but a database that cannot be reached within `deadline` is an
    /// `.unavailable` error: what a command line wants, rather than waiting.
    public func prepare(within deadline: Duration) async throws(CommandQueueError) {
        let outcome: Result<Void, CommandQueueError>? = await withTaskGroup(of: Result<Void, CommandQueueError>?.self) { group in
            group.addTask {
                do { try await self.migrate() } catch let error as CommandQueueError { return .failure(error) } catch { return .failure(CommandQueueError(.unavailable, "\(error)")) }
                return .success(())
            }
            group.addTask {
                try? await Task.sleep(for: deadline)
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first
        }
        switch outcome {
        case .success?: return
        case .failure(let error)?: throw error
        case nil: throw CommandQueueError(.unavailable, "PostgreSQL \(location): not reachable within \(deadline)")
        }
    }

    private func migrate() async throws(CommandQueueError) {
        try await transaction { connection in
            try await connection.query("SELECT pg_advisory_xact_lock(727275)", logger: self.logger)
            try await connection.query("""
                CREATE TABLE IF NOT EXISTS openc2_commands (
                    command_id TEXT PRIMARY KEY, consumer TEXT NOT NULL, command TEXT NOT NULL, state TEXT NOT NULL,
                    enqueued_at BIGINT NOT NULL, delivered_at BIGINT, lease_until BIGINT, processing_since BIGINT,
                    answered_at BIGINT, expires_at BIGINT, response TEXT, status_of TEXT)
                """, logger: self.logger)
            try await connection.query(
                "CREATE INDEX IF NOT EXISTS openc2_commands_by_consumer ON openc2_commands (consumer, state, enqueued_at)", logger: self.logger)
            try await connection.query("CREATE INDEX IF NOT EXISTS openc2_commands_by_subject ON openc2_commands (status_of)", logger: self.logger)
        }
    }

    static let columns = """
        command_id, consumer, command, state, enqueued_at, delivered_at, lease_until, processing_since, answered_at, expires_at, response, status_of
        """

    public func enqueue(_ command: QueuedCommand) async throws(CommandQueueError) {
        let inserted = try await execute { client in
            var count = 0
            for try await _ in try await client.query("""
                INSERT INTO openc2_commands (command_id, consumer, command, state, enqueued_at, delivered_at, lease_until, expires_at, status_of)
                VALUES (\(command.commandID), \(command.consumer), \(command.command), \(command.state.rawValue), \(command.enqueuedAt),
                        \(command.deliveredAt), \(command.leaseUntil), \(command.expiresAt), \(command.statusOf))
                ON CONFLICT (command_id) DO NOTHING RETURNING command_id
                """, logger: self.logger).decode(String.self) { count += 1 }
            return count
        }
        guard inserted == 1 else { throw CommandQueueError(.duplicate, "command_id \(command.commandID) is queued already") }
    }

    public func next(for consumer: String, now: Int64, lease: Int64) async throws(CommandQueueError) -> QueuedCommand? {
        // One statement, so one round trip: the expired commands are marked and the oldest
        // deliverable one (skipping rows another poll holds) is leased. Both parts see the same
        // snapshot, so the choice itself leaves out what is past its expiry.
        try await execute { client in
            try await Self.commands(try await client.query("""
                WITH expired AS (
                    UPDATE openc2_commands SET state = 'expired'
                    WHERE consumer = \(consumer) AND state IN ('queued', 'delivered') AND expires_at IS NOT NULL AND expires_at <= \(now))
                UPDATE openc2_commands SET state = 'delivered', delivered_at = \(now), lease_until = \(now + lease)
                WHERE command_id = (
                    SELECT command_id FROM openc2_commands
                    WHERE consumer = \(consumer) AND (state = 'queued' OR (state = 'delivered' AND lease_until <= \(now)))
                        AND (expires_at IS NULL OR expires_at > \(now))
                    ORDER BY enqueued_at, command_id LIMIT 1 FOR UPDATE SKIP LOCKED)
                RETURNING \(unescaped: Self.columns)
                """, logger: self.logger)).first
        }
    }

    public func record(response: String, status: Int, commandID: String, from consumer: String, now: Int64) async throws(CommandQueueError) -> QueuedCommand {
        try await transaction { connection in
            guard var command = try await Self.commands(try await connection.query(
                "SELECT \(unescaped: Self.columns) FROM openc2_commands WHERE command_id = \(commandID) FOR UPDATE", logger: self.logger)).first
            else {
                throw CommandQueueError(.unknownCommand, "no command \(commandID) is queued")
            }
            try command.take(response: response, status: status, from: consumer, now: now)
            try await connection.query("""
                UPDATE openc2_commands SET state = \(command.state.rawValue), response = \(response), processing_since = \(command.processingSince),
                    answered_at = \(command.answeredAt) WHERE command_id = \(commandID)
                """, logger: self.logger)
            return command
        }
    }

    public func command(id: String) async throws(CommandQueueError) -> QueuedCommand? {
        try await execute { client in
            try await Self.commands(try await client.query(
                "SELECT \(unescaped: Self.columns) FROM openc2_commands WHERE command_id = \(id)", logger: self.logger)).first
        }
    }

    public func commands(for consumer: String) async throws(CommandQueueError) -> [QueuedCommand] {
        try await execute { client in
            try await Self.commands(try await client.query(
                "SELECT \(unescaped: Self.columns) FROM openc2_commands WHERE consumer = \(consumer) ORDER BY enqueued_at, command_id", logger: self.logger))
        }
    }

    public func processing(since before: Int64) async throws(CommandQueueError) -> [QueuedCommand] {
        try await execute { client in
            try await Self.commands(try await client.query("""
                SELECT \(unescaped: Self.columns) FROM openc2_commands c WHERE c.state = 'processing' AND c.processing_since < \(before) AND c.lease_until IS NOT NULL
                AND NOT EXISTS (SELECT 1 FROM openc2_commands q WHERE q.status_of = c.command_id)
                """, logger: self.logger))
        }
    }

    /// Deletes every queued Command and Response: for a benchmark that needs an empty queue. Never
    /// call it on a queue in use.
    public func removeAll() async throws(CommandQueueError) {
        _ = try await execute { client in try await client.query("DELETE FROM openc2_commands", logger: self.logger) }
    }

    static func commands(_ rows: PostgresRowSequence) async throws -> [QueuedCommand] {
        var result: [QueuedCommand] = []
        for try await row in rows {
            let (id, consumer, command, state, enqueuedAt, deliveredAt, leaseUntil, processingSince, answeredAt, expiresAt, response, statusOf) =
                try row.decode((String, String, String, String, Int64, Int64?, Int64?, Int64?, Int64?, Int64?, String?, String?).self)
            guard let known = QueuedCommand.State(rawValue: state) else {
                throw CommandQueueError(.unavailable, "command \(id) has an unknown state '\(state)'")
            }
            result.append(QueuedCommand(
                commandID: id, consumer: consumer, command: command, state: known, enqueuedAt: enqueuedAt, deliveredAt: deliveredAt,
                leaseUntil: leaseUntil, processingSince: processingSince, answeredAt: answeredAt, expiresAt: expiresAt, response: response, statusOf: statusOf))
        }
        return result
    }

    private func execute<T>(_ body: (PostgresClient) async throws -> T) async throws(CommandQueueError) -> T {
        do { return try await body(client) } catch { throw queueError(error) }
    }

    private func transaction<T>(_ body: (PostgresConnection) async throws -> sending T) async throws(CommandQueueError) -> sending T {
        do { return try await client.withTransaction(logger: logger, body) } catch { throw queueError(error) }
    }

    private func queueError(_ error: any Error) -> CommandQueueError {
        if let error = error as? CommandQueueError { return error }
        // A refusal thrown inside a transaction comes back wrapped (the transaction was rolled back).
        if let error = error as? PostgresTransactionError, let refusal = error.closureError as? CommandQueueError { return refusal }
        if let error = error as? PSQLError {
            return CommandQueueError(.unavailable, "PostgreSQL \(location): \(error.serverInfo?[.message] ?? "\(error.code)")")
        }
        return CommandQueueError(.unavailable, "PostgreSQL \(location): \(String(reflecting: error))")
    }
}

import Foundation
import GRDB

/// A ``CommandQueue`` in one SQLite file (GRDB, WAL, synchronous NORMAL: a queued command
/// survives the process crashing). The default; one Producer server at a time.
public final class SQLiteCommandQueue: CommandQueue {
    let pool: DatabasePool
    /// The file.
    public let path: String

    /// Opens (making it if needed) the queue at `path`.
    public init(path: String) throws(CommandQueueError) {
        self.path = path
        do {
            pool = try openStateDatabase(path: path)
            try Self.migrator.migrate(pool)
        } catch {
            throw CommandQueueError(.unavailable, "cannot open the command queue \(path): \(error)")
        }
    }

    private static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(sql: """
                CREATE TABLE commands (
                    command_id TEXT PRIMARY KEY, consumer TEXT NOT NULL, command TEXT NOT NULL, state TEXT NOT NULL,
                    enqueued_at INTEGER NOT NULL, delivered_at INTEGER, lease_until INTEGER, processing_since INTEGER,
                    answered_at INTEGER, expires_at INTEGER, response TEXT, status_of TEXT);
                CREATE INDEX commands_by_consumer ON commands (consumer, state, enqueued_at);
                CREATE INDEX commands_by_subject ON commands (status_of);
                """)
        }
        return migrator
    }

    /// Nothing to do: the file was opened and migrated when the queue was made.
    public func prepare() async throws(CommandQueueError) {}

    public func enqueue(_ command: QueuedCommand) async throws(CommandQueueError) {
        try await write { db in
            guard try Bool.fetchOne(db, sql: "SELECT 1 FROM commands WHERE command_id = ?", arguments: [command.commandID]) == nil else {
                throw CommandQueueError(.duplicate, "command_id \(command.commandID) is queued already")
            }
            try db.execute(sql: """
                INSERT INTO commands (command_id, consumer, command, state, enqueued_at, delivered_at, lease_until, expires_at, status_of)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [
                    command.commandID, command.consumer, command.command, command.state.rawValue, command.enqueuedAt, command.deliveredAt,
                    command.leaseUntil, command.expiresAt, command.statusOf,
                ])
        }
    }

    // The statements of the hot paths (a poll, a Response) are compiled once per connection.

    public func next(for consumer: String, now: Int64, lease: Int64) async throws(CommandQueueError) -> QueuedCommand? {
        try await write { db in
            try db.cachedStatement(sql: """
                UPDATE commands SET state = 'expired'
                WHERE consumer = ? AND state IN ('queued', 'delivered') AND expires_at IS NOT NULL AND expires_at <= ?
                """).execute(arguments: [consumer, now])
            guard let row = try Row.fetchOne(db.cachedStatement(sql: """
                SELECT * FROM commands WHERE consumer = ? AND (state = 'queued' OR (state = 'delivered' AND lease_until <= ?))
                ORDER BY enqueued_at, command_id LIMIT 1
                """), arguments: [consumer, now])
            else { return nil }
            var command = try Self.command(row)
            command.state = .delivered
            command.deliveredAt = now
            command.leaseUntil = now + lease
            try db.cachedStatement(sql: "UPDATE commands SET state = 'delivered', delivered_at = ?, lease_until = ? WHERE command_id = ?")
                .execute(arguments: [now, now + lease, command.commandID])
            return command
        }
    }

    public func record(response: String, status: Int, commandID: String, from consumer: String, now: Int64) async throws(CommandQueueError) -> QueuedCommand {
        try await write { db in
            guard let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM commands WHERE command_id = ?"), arguments: [commandID]) else {
                throw CommandQueueError(.unknownCommand, "no command \(commandID) is queued")
            }
            var command = try Self.command(row)
            try command.take(response: response, status: status, from: consumer, now: now)
            try db.cachedStatement(sql: "UPDATE commands SET state = ?, response = ?, processing_since = ?, answered_at = ? WHERE command_id = ?")
                .execute(arguments: [command.state.rawValue, response, command.processingSince, command.answeredAt, commandID])
            return command
        }
    }

    public func command(id: String) async throws(CommandQueueError) -> QueuedCommand? {
        try await read { db in try Row.fetchOne(db, sql: "SELECT * FROM commands WHERE command_id = ?", arguments: [id]).map(Self.command) }
    }

    public func commands(for consumer: String) async throws(CommandQueueError) -> [QueuedCommand] {
        try await read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM commands WHERE consumer = ? ORDER BY enqueued_at, command_id", arguments: [consumer]).map(Self.command)
        }
    }

    public func processing(since before: Int64) async throws(CommandQueueError) -> [QueuedCommand] {
        try await read { db in
            try Row.fetchAll(db, sql: """
                SELECT * FROM commands c WHERE c.state = 'processing' AND c.processing_since < ? AND c.lease_until IS NOT NULL
                AND NOT EXISTS (SELECT 1 FROM commands q WHERE q.status_of = c.command_id)
                """, arguments: [before]).map(Self.command)
        }
    }

    static func command(_ row: Row) throws -> QueuedCommand {
        guard let state = QueuedCommand.State(rawValue: row["state"]) else {
            throw CommandQueueError(.unavailable, "a command with an unknown state '\(String(describing: row["state"] as String?))'")
        }
        return QueuedCommand(
            commandID: row["command_id"], consumer: row["consumer"], command: row["command"], state: state, enqueuedAt: row["enqueued_at"],
            deliveredAt: row["delivered_at"], leaseUntil: row["lease_until"], processingSince: row["processing_since"],
            answeredAt: row["answered_at"], expiresAt: row["expires_at"], response: row["response"], statusOf: row["status_of"])
    }

    private func read<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws(CommandQueueError) -> T {
        do { return try await pool.read(body) } catch { throw Self.queueError(error, path) }
    }

    private func write<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws(CommandQueueError) -> T {
        do { return try await pool.write(body) } catch { throw Self.queueError(error, path) }
    }

    private static func queueError(_ error: any Error, _ path: String) -> CommandQueueError {
        (error as? CommandQueueError) ?? CommandQueueError(.unavailable, "the command queue \(path): \(error)")
    }
}

import Foundation
import GRDB

/// The bridge's durable state, in one SQLite file (WAL, synchronous NORMAL: what is committed
/// survives the process crashing; only a power loss can take back the last commits): where each polled collection was read up to,
/// the indicators seen (with their addresses and validity), and per Consumer and address the
/// rule that denies it (or the last error). Denies are kept per address, so two indicators
/// naming one address, a re-poll or a restart never make a second rule.
public final class BridgeState: Sendable {
    let queue: DatabasePool
    /// The file.
    public let path: String

    /// Opens (making it if needed) the state file at `path`.
    public init(path: String) throws(BridgeError) {
        self.path = path
        do {
            var configuration = Configuration()
            configuration.busyMode = .timeout(5)
            configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA synchronous = NORMAL") }
            queue = try DatabasePool(path: path, configuration: configuration)
            try Self.migrator.migrate(queue)
        } catch {
            throw BridgeError(.state, "cannot open the bridge state \(path): \(error)")
        }
    }

    private static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(sql: """
                CREATE TABLE cursors (source TEXT PRIMARY KEY, last_end INTEGER NOT NULL);
                CREATE TABLE indicators (
                    id TEXT PRIMARY KEY, collection TEXT NOT NULL, block_label INTEGER, valid_from INTEGER, valid_until INTEGER,
                    seen_at INTEGER NOT NULL);
                CREATE TABLE indicator_addresses (
                    indicator_id TEXT NOT NULL REFERENCES indicators (id) ON DELETE CASCADE, address TEXT NOT NULL,
                    PRIMARY KEY (indicator_id, address));
                CREATE INDEX indicator_addresses_by_address ON indicator_addresses (address);
                CREATE TABLE rules (
                    consumer TEXT NOT NULL, address TEXT NOT NULL, rule_number INTEGER, error TEXT, updated_at INTEGER NOT NULL,
                    PRIMARY KEY (consumer, address));
                """)
        }
        migrator.registerMigration("v2 queued commands") { db in
            try db.execute(sql: """
                ALTER TABLE rules ADD COLUMN pending TEXT;
                ALTER TABLE rules ADD COLUMN pending_action TEXT;
                """)
        }
        return migrator
    }

    // MARK: Cursors

    /// Where polling `source` (a TAXII URL and collection) got to: the last Inclusive_End_Timestamp, in microseconds.
    public func cursor(_ source: String) async throws(BridgeError) -> Int64? {
        try await read { db in try Int64.fetchOne(db, sql: "SELECT last_end FROM cursors WHERE source = ?", arguments: [source]) }
    }

    /// Keeps where polling `source` got to.
    public func setCursor(_ source: String, to end: Int64) async throws(BridgeError) {
        try await write { db in
            try db.execute(sql: "INSERT INTO cursors (source, last_end) VALUES (?, ?) ON CONFLICT (source) DO UPDATE SET last_end = excluded.last_end",
                           arguments: [source, end])
        }
    }

    // MARK: Indicators

    /// Keeps `indicator` (from a block of `collection` labelled `blockLabel`), replacing an
    /// earlier version of the same id: its addresses and validity are the new ones.
    public func record(_ indicator: ExtractedIndicator, collection: String, blockLabel: Int64?, at now: Int64) async throws(BridgeError) {
        try await record([(indicator, blockLabel)], collection: collection, at: now)
    }

    /// Keeps `indicators` (each with the label of its block) in one transaction.
    public func record(_ indicators: [(ExtractedIndicator, Int64?)], collection: String, at now: Int64) async throws(BridgeError) {
        try await write { db in
            for (indicator, blockLabel) in indicators { try Self.record(indicator, collection: collection, blockLabel: blockLabel, at: now, in: db) }
        }
    }

    private static func record(_ indicator: ExtractedIndicator, collection: String, blockLabel: Int64?, at now: Int64, in db: Database) throws {
        try db.execute(sql: """
            INSERT INTO indicators (id, collection, block_label, valid_from, valid_until, seen_at) VALUES (?, ?, ?, ?, ?, ?)
            ON CONFLICT (id) DO UPDATE SET collection = excluded.collection, block_label = excluded.block_label,
                valid_from = excluded.valid_from, valid_until = excluded.valid_until, seen_at = excluded.seen_at
            """, arguments: [indicator.id, collection, blockLabel, indicator.validFrom, indicator.validUntil, now])
        // A revocation (a republished indicator that has ended) keeps the addresses it ends.
        guard !indicator.addresses.isEmpty else { return }
        try db.execute(sql: "DELETE FROM indicator_addresses WHERE indicator_id = ?", arguments: [indicator.id])
        for address in indicator.addresses {
            try db.execute(sql: "INSERT INTO indicator_addresses (indicator_id, address) VALUES (?, ?)", arguments: [indicator.id, address.description])
        }
    }

    /// An address some indicator wants denied now, with the window its indicators give.
    public struct Wanted: Sendable, Equatable {
        public var address: String
        /// The earliest start (microseconds), `nil` when one indicator has none.
        public var from: Int64?
        /// The latest end (microseconds), `nil` when one indicator has none.
        public var until: Int64?
    }

    /// The addresses of the indicators valid at `now` (not ended; started or starting later).
    public func wanted(at now: Int64) async throws(BridgeError) -> [Wanted] {
        try await read { db in
            try Row.fetchAll(db, sql: """
                SELECT a.address,
                       CASE WHEN count(*) = count(i.valid_from) THEN min(i.valid_from) END AS from_time,
                       CASE WHEN count(*) = count(i.valid_until) THEN max(i.valid_until) END AS until_time
                FROM indicator_addresses a JOIN indicators i ON i.id = a.indicator_id
                WHERE i.valid_until IS NULL OR i.valid_until > ?
                GROUP BY a.address ORDER BY a.address
                """, arguments: [now]).map { Wanted(address: $0["address"], from: $0["from_time"], until: $0["until_time"]) }
        }
    }

    // MARK: Rules

    /// A Consumer's rule for an address, or the error of the last attempt to make it.
    public struct Rule: Sendable, Equatable {
        public var consumer: String
        public var address: String
        public var ruleNumber: Int64?
        public var error: String?
        /// For a polling Consumer: the command_id of a Command queued and not answered yet.
        public var pending: String?
        /// What the pending Command does: `deny` or `delete`.
        public var pendingAction: String?

        public init(consumer: String, address: String, ruleNumber: Int64?, error: String?, pending: String? = nil, pendingAction: String? = nil) {
            self.consumer = consumer
            self.address = address
            self.ruleNumber = ruleNumber
            self.error = error
            self.pending = pending
            self.pendingAction = pendingAction
        }
    }

    /// Every rule (and failed attempt) kept.
    public func rules() async throws(BridgeError) -> [Rule] {
        try await read { db in
            try Row.fetchAll(db, sql: "SELECT consumer, address, rule_number, error, pending, pending_action FROM rules ORDER BY consumer, address").map {
                Rule(consumer: $0["consumer"], address: $0["address"], ruleNumber: $0["rule_number"], error: $0["error"],
                     pending: $0["pending"], pendingAction: $0["pending_action"])
            }
        }
    }

    /// Keeps that Command `commandID` (`deny` or `delete` of `address`) waits in `consumer`'s queue.
    public func recordPending(consumer: String, address: String, commandID: String, action: String, at now: Int64) async throws(BridgeError) {
        try await write { db in
            try db.execute(sql: """
                INSERT INTO rules (consumer, address, pending, pending_action, updated_at) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT (consumer, address) DO UPDATE SET pending = excluded.pending, pending_action = excluded.pending_action,
                    updated_at = excluded.updated_at
                """, arguments: [consumer, address, commandID, action, now])
        }
    }

    /// Keeps what denying `address` on `consumer` gave: a rule number, or an error (which
    /// keeps a rule number already held). A Command pending for it is settled.
    public func recordRule(consumer: String, address: String, ruleNumber: Int64?, error: String?, at now: Int64) async throws(BridgeError) {
        try await write { db in
            try db.execute(sql: """
                INSERT INTO rules (consumer, address, rule_number, error, updated_at) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT (consumer, address) DO UPDATE SET rule_number = coalesce(excluded.rule_number, rules.rule_number),
                    error = excluded.error, updated_at = excluded.updated_at, pending = NULL, pending_action = NULL
                """, arguments: [consumer, address, ruleNumber, error, now])
        }
    }

    /// Forgets the rule for `address` on `consumer` (it was deleted, or never made).
    public func removeRule(consumer: String, address: String) async throws(BridgeError) {
        try await write { db in
            try db.execute(sql: "DELETE FROM rules WHERE consumer = ? AND address = ?", arguments: [consumer, address])
        }
    }

    // MARK: Status

    /// One indicator as `bastion bridge status` shows it.
    public struct IndicatorStatus: Sendable, Equatable {
        public var id: String
        public var collection: String
        public var blockLabel: Int64?
        public var validFrom: Int64?
        public var validUntil: Int64?
        public var addresses: [String]
    }

    /// Every indicator kept, newest first.
    public func indicators() async throws(BridgeError) -> [IndicatorStatus] {
        try await read { db in
            let rows = try Row.fetchAll(db, sql: "SELECT * FROM indicators ORDER BY seen_at DESC, id")
            return try rows.map { row in
                let id: String = row["id"]
                let addresses = try String.fetchAll(db, sql: "SELECT address FROM indicator_addresses WHERE indicator_id = ? ORDER BY address", arguments: [id])
                return IndicatorStatus(
                    id: id, collection: row["collection"], blockLabel: row["block_label"], validFrom: row["valid_from"],
                    validUntil: row["valid_until"], addresses: addresses)
            }
        }
    }

    // MARK: Access

    private func read<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws(BridgeError) -> T {
        do { return try await queue.read(body) } catch { throw BridgeError(.state, "the bridge state \(path): \(error)") }
    }

    private func write<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws(BridgeError) -> T {
        do { return try await queue.write(body) } catch { throw BridgeError(.state, "the bridge state \(path): \(error)") }
    }
}

import Foundation
import GRDB

/// A ``TAXIIStore`` in one SQLite file (GRDB, WAL, synchronous NORMAL): the default, for one
/// server process (other processes may read and write it too; SQLite serialises the writers).
///
/// Writes run on GRDB's writer queue. Reads, short and bounded, run on the caller's thread, which
/// under the HTTP server is the connection's event loop: the blocks a poll reads through
/// ``SQLiteReadConnections`` (SQLite's C API), the rest through GRDB (see `read`).
public final class SQLiteTAXIIStore: TAXIIStore {
    /// The database file.
    public let path: String
    private let pool: DatabasePool
    /// The connections the block queries (polls, counts, result parts) read through.
    private let readers: SQLiteReadConnections
    private let clock: @Sendable () -> Int64
    /// Inboxes arriving together are stored in one transaction.
    private let inserts = GroupCommit<[Placement], [[Int64]]>()

    /// Opens (creating if needed) the store at `path` and brings its schema up to date.
    /// `clock` gives the current time in microseconds since 1970 (tests set it).
    public init(path: String, clock: @escaping @Sendable () -> Int64 = SQLiteTAXIIStore.now) throws(TAXIIStoreError) {
        self.path = path
        self.clock = clock
        self.readers = SQLiteReadConnections(path: path)
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        configuration.label = "TAXIIServer.SQLiteTAXIIStore"
        // WAL with synchronous NORMAL: a committed inbox survives the process crashing; only a
        // power loss can take the last transactions back (as with PostgreSQL's default commit
        // delay off, it is the usual trade for a write-heavy server).
        configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA synchronous = NORMAL") }
        do {
            let directory = URL(fileURLWithPath: path).deletingLastPathComponent()
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            pool = try DatabasePool(path: path, configuration: configuration)
            try Self.migrator.migrate(pool)
        } catch {
            throw TAXIIStoreError(.unavailable, "cannot open the TAXII database \(path): \(error)")
        }
    }

    /// The current time in microseconds since 1970.
    public static func now() -> Int64 {
        Int64((Date().timeIntervalSince1970 * 1_000_000).rounded(.down))
    }

    private static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(sql: """
                CREATE TABLE content_blocks (
                    id INTEGER PRIMARY KEY,
                    collection TEXT NOT NULL,
                    label INTEGER NOT NULL,
                    binding_id TEXT NOT NULL,
                    subtype_id TEXT,
                    content TEXT NOT NULL,
                    is_xml INTEGER NOT NULL,
                    message TEXT,
                    UNIQUE (collection, label)
                );
                CREATE INDEX content_blocks_by_binding ON content_blocks (collection, binding_id, label);
                CREATE TABLE result_sets (
                    id TEXT PRIMARY KEY,
                    query TEXT NOT NULL,
                    total INTEGER NOT NULL,
                    page_size INTEGER NOT NULL,
                    is_listed INTEGER NOT NULL,
                    created_at INTEGER NOT NULL
                );
                CREATE INDEX result_sets_by_age ON result_sets (created_at);
                CREATE TABLE result_items (
                    result_id TEXT NOT NULL REFERENCES result_sets (id) ON DELETE CASCADE,
                    position INTEGER NOT NULL,
                    block_id INTEGER NOT NULL,
                    PRIMARY KEY (result_id, position)
                ) WITHOUT ROWID;
                """)
        }
        migrator.registerMigration("v2 subscriptions") { db in
            try db.execute(sql: """
                CREATE TABLE subscriptions (
                    id TEXT PRIMARY KEY,
                    collection TEXT NOT NULL,
                    owner TEXT,
                    status TEXT NOT NULL,
                    request TEXT NOT NULL,
                    created_at INTEGER NOT NULL
                );
                CREATE INDEX subscriptions_by_collection ON subscriptions (collection, owner, created_at);
                """)
        }
        migrator.registerMigration("v3 push deliveries") { db in
            try db.execute(sql: """
                CREATE TABLE push_deliveries (
                    subscription_id TEXT PRIMARY KEY REFERENCES subscriptions (id), pushed_up_to INTEGER,
                    next_attempt INTEGER NOT NULL, failures INTEGER NOT NULL DEFAULT 0, last_error TEXT);
                CREATE INDEX push_deliveries_due ON push_deliveries (next_attempt);
                """)
        }
        migrator.registerMigration("v4 result set states") { db in
            try db.execute(sql: """
                ALTER TABLE result_sets ADD COLUMN state TEXT NOT NULL DEFAULT 'ready';
                ALTER TABLE result_sets ADD COLUMN failure TEXT;
                """)
        }
        return migrator
    }

    /// Nothing to do: the file was opened and migrated when the store was made.
    public func prepare() async throws(TAXIIStoreError) {}

    public func insert(_ placements: [Placement]) async throws(TAXIIStoreError) -> [[Int64]] {
        try await inserts.submit(placements) { requests throws(TAXIIStoreError) in try await self.insert(together: requests) }
    }

    /// Stores the placements of several inboxes in one transaction, labelled in the order they came.
    private func insert(together requests: [[Placement]]) async throws(TAXIIStoreError) -> [[[Int64]]] {
        let now = clock()
        return try await write { db in
            var next: [String: Int64] = [:]
            let insert = try db.cachedStatement(sql: """
                INSERT INTO content_blocks (collection, label, binding_id, subtype_id, content, is_xml, message)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """)
            return try requests.map { placements in
                try placements.map { placement in
                    let collection = placement.collection
                    var label = try next[collection] ?? max(now, (Self.latestLabel(in: collection, db) ?? Int64.min) &+ 1)
                    var given: [Int64] = []
                    for block in placement.blocks {
                        try insert.execute(arguments: [collection, label, block.bindingID, block.subtypeID, block.content, block.isXML, block.message])
                        given.append(label)
                        label += 1
                    }
                    next[collection] = label
                    return given
                }
            }
        }
    }

    public func count(_ query: BlockQuery) async throws(TAXIIStoreError) -> Int {
        try readers.read { connection throws(TAXIIStoreError) in try Self.count(query, connection) }
    }

    public func blocks(_ query: BlockQuery, offset: Int, limit: Int) async throws(TAXIIStoreError) -> [StoredContentBlock] {
        let (condition, arguments) = Self.condition(query)
        return try readers.read { connection throws(TAXIIStoreError) in
            try Self.blocks(
                "SELECT \(Self.blockColumns) FROM content_blocks WHERE \(condition) ORDER BY label LIMIT ? OFFSET ?", cache: query.bindings.isEmpty,
                arguments + [.integer(Int64(max(0, limit))), .integer(Int64(max(0, offset)))], connection)
        }
    }

    public func latestLabel(in collection: String) async throws(TAXIIStoreError) -> Int64? {
        try readers.read { connection throws(TAXIIStoreError) in try Self.latestLabel(in: collection, connection) }
    }

    /// The newest label in `collection` (the insert path's version, inside its write transaction).
    static func latestLabel(in collection: String, _ db: Database) throws -> Int64? {
        try Int64.fetchOne(db.cachedStatement(sql: Self.latestLabelSQL), arguments: [collection])
    }

    static func latestLabel(in collection: String, _ connection: SQLiteReadConnection) throws(TAXIIStoreError) -> Int64? {
        try connection.integer(Self.latestLabelSQL, cache: true, [.text(collection)])
    }

    private static let latestLabelSQL = "SELECT max(label) FROM content_blocks WHERE collection = ?"

    static func count(_ query: BlockQuery, _ connection: SQLiteReadConnection) throws(TAXIIStoreError) -> Int {
        let (condition, arguments) = Self.condition(query)
        return Int(try connection.integer("SELECT count(*) FROM content_blocks WHERE \(condition)", cache: query.bindings.isEmpty, arguments) ?? 0)
    }

    public func snapshot(_ query: BlockQuery, limit: Int) async throws(TAXIIStoreError) -> WindowSnapshot {
        try readers.read { connection throws(TAXIIStoreError) in
            let latest = try Self.latestLabel(in: query.collection, connection)
            var window = query
            window.upTo = [latest, query.upTo].compactMap { $0 }.min()
            guard latest != nil else { return WindowSnapshot(query: window, latest: nil, total: 0, blocks: []) }
            guard limit > 0 else { return WindowSnapshot(query: window, latest: latest, total: try Self.count(window, connection), blocks: []) }
            let (condition, arguments) = Self.condition(window)
            let blocks = try Self.blocks(
                "SELECT \(Self.blockColumns) FROM content_blocks WHERE \(condition) ORDER BY label LIMIT ?", cache: window.bindings.isEmpty,
                arguments + [.integer(Int64(limit))], connection)
            // A page that is not full is the whole window: counting it again would tell nothing new.
            let total = blocks.count < limit ? blocks.count : try Self.count(window, connection)
            return WindowSnapshot(query: window, latest: latest, total: total, blocks: blocks)
        }
    }

    public func saveResultSet(_ resultSet: ResultSet, blockIDs: [Int64]?) async throws(TAXIIStoreError) {
        let query: String
        do {
            query = String(decoding: try JSONEncoder().encode(resultSet.query), as: UTF8.self)
        } catch {
            throw TAXIIStoreError(.query, "cannot encode a result set's query: \(error)")
        }
        let (state, failure) = resultSet.storedState
        try await write { db in
            try db.execute(
                sql: "INSERT INTO result_sets (id, query, total, page_size, is_listed, created_at, state, failure) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                arguments: [resultSet.id, query, resultSet.total, resultSet.pageSize, resultSet.isListed, resultSet.createdAt, state, failure])
            try Self.list(blockIDs, of: resultSet.id, in: db)
        }
    }

    private static func list(_ blockIDs: [Int64]?, of resultID: String, in db: Database) throws {
        for (position, blockID) in (blockIDs ?? []).enumerated() {
            try db.execute(sql: "INSERT INTO result_items (result_id, position, block_id) VALUES (?, ?, ?)", arguments: [resultID, position, blockID])
        }
    }

    public func finishResultSet(id: String, total: Int, blockIDs: [Int64]?) async throws(TAXIIStoreError) {
        try await write { db in
            try db.execute(sql: "UPDATE result_sets SET state = 'ready', total = ? WHERE id = ? AND state = 'pending'", arguments: [total, id])
            guard db.changesCount > 0 else { return }
            try Self.list(blockIDs, of: id, in: db)
        }
    }

    public func failResultSet(id: String, reason: String) async throws(TAXIIStoreError) {
        try await write { db in
            try db.execute(sql: "UPDATE result_sets SET state = 'failed', failure = ? WHERE id = ? AND state = 'pending'", arguments: [reason, id])
        }
    }

    public func resultSet(id: String) async throws(TAXIIStoreError) -> ResultSet? {
        try await read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM result_sets WHERE id = ?", arguments: [id]) else { return nil }
            let query: BlockQuery
            do {
                query = try JSONDecoder().decode(BlockQuery.self, from: Data(try Self.column(row, "query", as: String.self).utf8))
            } catch {
                throw TAXIIStoreError(.corrupt, "result set \(id) cannot be read: \(error)")
            }
            return ResultSet(
                id: id, query: query, total: try Self.column(row, "total"), pageSize: max(1, try Self.column(row, "page_size")),
                isListed: try Self.column(row, "is_listed"), createdAt: try Self.column(row, "created_at"),
                state: ResultSet.state(stored: try Self.column(row, "state"), reason: try Self.column(row, "failure")))
        }
    }

    public func listedBlocks(resultID: String, offset: Int, limit: Int) async throws(TAXIIStoreError) -> [StoredContentBlock] {
        try readers.read { connection throws(TAXIIStoreError) in
            try Self.blocks(
                """
                SELECT \(Self.blockColumns("content_blocks.")) FROM result_items JOIN content_blocks ON content_blocks.id = result_items.block_id
                WHERE result_items.result_id = ? AND result_items.position >= ? ORDER BY result_items.position LIMIT ?
                """, cache: true, [.text(resultID), .integer(Int64(max(0, offset))), .integer(Int64(max(0, limit)))], connection)
        }
    }

    public func removeResultSets(createdBefore microsecondsSince1970: Int64) async throws(TAXIIStoreError) -> Int {
        try await write { db in
            try db.execute(sql: "DELETE FROM result_items WHERE result_id IN (SELECT id FROM result_sets WHERE created_at < ?)", arguments: [microsecondsSince1970])
            try db.execute(sql: "DELETE FROM result_sets WHERE created_at < ?", arguments: [microsecondsSince1970])
            return db.changesCount
        }
    }

    public func saveSubscription(_ subscription: StoredSubscription) async throws(TAXIIStoreError) {
        try await write { db in
            try db.execute(
                sql: "INSERT INTO subscriptions (id, collection, owner, status, request, created_at) VALUES (?, ?, ?, ?, ?, ?)",
                arguments: [subscription.id, subscription.collection, subscription.owner, subscription.status, subscription.request, subscription.createdAt])
        }
    }

    public func subscription(id: String) async throws(TAXIIStoreError) -> StoredSubscription? {
        try await read { db in try Row.fetchOne(db, sql: "SELECT * FROM subscriptions WHERE id = ?", arguments: [id]).map(Self.subscription) }
    }

    public func subscriptions(collection: String, owner: String?) async throws(TAXIIStoreError) -> [StoredSubscription] {
        try await read { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM subscriptions WHERE collection = ? AND owner IS ? ORDER BY created_at, id", arguments: [collection, owner]
            ).map(Self.subscription)
        }
    }

    public func setSubscriptionStatus(id: String, to status: String) async throws(TAXIIStoreError) -> Bool {
        try await write { db in
            try db.execute(sql: "UPDATE subscriptions SET status = ? WHERE id = ?", arguments: [status, id])
            return db.changesCount > 0
        }
    }

    public func startPushing(subscriptionID: String, after: Int64?, firstAttempt: Int64) async throws(TAXIIStoreError) {
        try await write { db in
            try db.execute(
                sql: "INSERT INTO push_deliveries (subscription_id, pushed_up_to, next_attempt) VALUES (?, ?, ?)",
                arguments: [subscriptionID, after, firstAttempt])
        }
    }

    public func claimDuePushes(now: Int64, leaseUntil: Int64, limit: Int) async throws(TAXIIStoreError) -> [PushDelivery] {
        try await write { db in
            let due = try Row.fetchAll(db, sql: """
                SELECT d.subscription_id, s.collection, s.request, d.pushed_up_to, d.next_attempt, d.failures, d.last_error
                FROM push_deliveries d JOIN subscriptions s ON s.id = d.subscription_id
                WHERE s.status = 'ACTIVE' AND d.next_attempt <= ? ORDER BY d.next_attempt LIMIT ?
                """, arguments: [now, max(0, limit)]).map(Self.pushDelivery)
            for delivery in due {
                try db.execute(sql: "UPDATE push_deliveries SET next_attempt = ? WHERE subscription_id = ?", arguments: [leaseUntil, delivery.subscriptionID])
            }
            return due
        }
    }

    public func recordPush(_ delivery: PushDelivery) async throws(TAXIIStoreError) {
        try await write { db in
            try db.execute(
                sql: "UPDATE push_deliveries SET pushed_up_to = ?, next_attempt = ?, failures = ?, last_error = ? WHERE subscription_id = ?",
                arguments: [delivery.pushedUpTo, delivery.nextAttempt, delivery.failures, delivery.lastError, delivery.subscriptionID])
        }
    }

    public func pushDelivery(subscriptionID: String) async throws(TAXIIStoreError) -> PushDelivery? {
        try await read { db in
            try Row.fetchOne(db, sql: """
                SELECT d.subscription_id, s.collection, s.request, d.pushed_up_to, d.next_attempt, d.failures, d.last_error
                FROM push_deliveries d JOIN subscriptions s ON s.id = d.subscription_id WHERE d.subscription_id = ?
                """, arguments: [subscriptionID]).map(Self.pushDelivery)
        }
    }

    static func pushDelivery(_ row: Row) throws -> PushDelivery {
        PushDelivery(
            subscriptionID: try column(row, "subscription_id"), collection: try column(row, "collection"), request: try column(row, "request"),
            pushedUpTo: try column(row, "pushed_up_to"), nextAttempt: try column(row, "next_attempt"), failures: try column(row, "failures"),
            lastError: try column(row, "last_error"))
    }

    static func subscription(_ row: Row) throws -> StoredSubscription {
        StoredSubscription(
            id: try column(row, "id"), collection: try column(row, "collection"), owner: try column(row, "owner"),
            status: try column(row, "status"), request: try column(row, "request"), createdAt: try column(row, "created_at"))
    }

    // MARK: SQL

    /// The WHERE clause selecting `query`'s blocks, and its arguments. Its text varies only with
    /// the content-binding filters (whose lists vary in length): without them it is compiled once
    /// per connection; with them, for the one call, so that no request can grow the cache.
    static func condition(_ query: BlockQuery) -> (String, [SQLiteArgument]) {
        var clauses = ["collection = ?"]
        var arguments: [SQLiteArgument] = [.text(query.collection)]
        if let after = query.after {
            clauses.append("label > ?")
            arguments.append(.integer(after))
        }
        if let upTo = query.upTo {
            clauses.append("label <= ?")
            arguments.append(.integer(upTo))
        }
        if !query.bindings.isEmpty {
            var alternatives: [String] = []
            for filter in query.bindings {
                arguments.append(.text(filter.bindingID))
                if filter.subtypeIDs.isEmpty {
                    alternatives.append("binding_id = ?")
                } else {
                    alternatives.append("(binding_id = ? AND subtype_id IN (\(filter.subtypeIDs.map { _ in "?" }.joined(separator: ", "))))")
                    arguments += filter.subtypeIDs.map(SQLiteArgument.text)
                }
            }
            clauses.append("(" + alternatives.joined(separator: " OR ") + ")")
        }
        return (clauses.joined(separator: " AND "), arguments)
    }

    /// The blocks `sql` selects (``blockColumns`` in order), read from SQLite's rows as they are
    /// stepped through.
    static func blocks(_ sql: String, cache: Bool, _ arguments: [SQLiteArgument], _ connection: SQLiteReadConnection) throws(TAXIIStoreError) -> [StoredContentBlock] {
        var blocks: [StoredContentBlock] = []
        try connection.rows(sql, cache: cache, arguments) { row throws(TAXIIStoreError) in blocks.append(try Self.block(row)) }
        return blocks
    }

    /// The block in the first ``blockColumns`` of `row`.
    static func block(_ row: SQLiteRow) throws(TAXIIStoreError) -> StoredContentBlock {
        StoredContentBlock(
            id: try row.integer(0, "id"), collection: try row.text(1, "collection"), label: try row.integer(2, "label"),
            block: NewContentBlock(
                bindingID: try row.text(3, "binding_id"), subtypeID: try row.optionalText(4, "subtype_id"), content: try row.text(5, "content"),
                isXML: try row.bool(6, "is_xml"), message: try row.optionalText(7, "message")))
    }

    /// The columns ``blocks(_:cache:_:_:)`` reads, in its order (read by position: a poll reads many rows).
    static func blockColumns(_ table: String = "") -> String {
        blockColumnNames.map { table + $0 }.joined(separator: ", ")
    }

    private static let blockColumnNames = ["id", "collection", "label", "binding_id", "subtype_id", "content", "is_xml", "message"]

    static let blockColumns = blockColumns()

    /// The value of `name` in `row` (SQLite keeps any type in any column: a value of the wrong
    /// type is a corrupt row, never a trap).
    static func column<Value: DatabaseValueConvertible>(_ row: Row, _ name: String, as type: Value.Type = Value.self) throws(TAXIIStoreError) -> Value {
        do { return try row.decode(Value.self, forColumn: name) } catch {
            throw TAXIIStoreError(.corrupt, "a stored row's \(name) is not a \(Value.self)")
        }
    }

    /// Runs `body` in one read transaction on GRDB's reader queue (result sets, subscriptions,
    /// pushes; the block queries of polls read through `readers`, on the caller's thread).
    private func read<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws(TAXIIStoreError) -> T {
        do { return try await pool.read(body) } catch { throw Self.storeError(error) }
    }

    private func write<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws(TAXIIStoreError) -> T {
        do { return try await pool.write(body) } catch { throw Self.storeError(error) }
    }

    private static func storeError(_ error: any Error) -> TAXIIStoreError {
        if let error = error as? TAXIIStoreError { return error }
        return TAXIIStoreError(.query, "TAXII database: \(error)")
    }
}

import BastionConfig
import Foundation
import Logging
import PostgresNIO
import ServiceLifecycle

/// A ``TAXIIStore`` in PostgreSQL, for several server processes sharing one database.
///
/// It is a ServiceLifecycle `Service` (its connection pool runs while it runs): put it in the
/// server's service group. Labels stay strictly increasing per collection across processes: an
/// inbox takes a transaction-scoped advisory lock on each collection it writes, reads the newest
/// label and inserts after it, and the lock holds until it commits. Inboxes that arrive while
/// one is being written are written together, in one transaction.
public final class PostgresTAXIIStore: TAXIIStore, Service {
    /// Where the database is, without the password.
    public let location: String
    let client: PostgresClient
    let logger: Logger
    private let clock: @Sendable () -> Int64
    /// Inboxes arriving together are stored in one transaction: one commit waits for the disk for all.
    private let inserts = GroupCommit<[Placement], [[Int64]]>()

    /// A store for the database at `url` (`postgres://user:password@host:port/database`).
    public init(url: String, logger: Logger = Logger(label: "bastion.taxii.store"), clock: @escaping @Sendable () -> Int64 = SQLiteTAXIIStore.now) throws(TAXIIStoreError) {
        let parsed: PostgresURL
        do { parsed = try PostgresURL(url) } catch { throw TAXIIStoreError(.unavailable, error.problem) }
        var configuration = PostgresClient.Configuration(
            host: parsed.host, port: parsed.port, username: parsed.user, password: parsed.password, database: parsed.database, tls: .disable)
        // Connections kept open from the start and not pinged: postgres-nio's pool schedules a
        // keep-alive timer (and, above the minimum, an idle timer) each time a connection goes back
        // to it, and cancels them at the next lease, which woke its background task twice per query
        // (measured: about a third of a poll's CPU). A connection that died while idle fails the
        // one query that finds it so, and the pool opens another.
        configuration.options.minimumConnections = 8
        configuration.options.maximumConnections = 16
        configuration.options.keepAliveBehavior = nil
        self.location = parsed.location
        self.client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        self.logger = logger
        self.clock = clock
    }

    /// Runs the connection pool until cancelled.
    public func run() async {
        await client.run()
    }

    /// Brings the schema up to date (each process may: an advisory lock serialises them).
    public func prepare() async throws(TAXIIStoreError) {
        try await transaction { connection in
            try await connection.query("SELECT pg_advisory_xact_lock(727274)", logger: self.logger)
            for statement in Self.schema {
                try await connection.query(PostgresQuery(unsafeSQL: statement), logger: self.logger)
            }
        }
    }

    static let schema = [
        """
        CREATE TABLE IF NOT EXISTS taxii_content_blocks (
            id BIGSERIAL PRIMARY KEY, collection TEXT NOT NULL, label BIGINT NOT NULL, binding_id TEXT NOT NULL,
            subtype_id TEXT, content TEXT NOT NULL, is_xml BOOLEAN NOT NULL, message TEXT, UNIQUE (collection, label))
        """,
        "CREATE INDEX IF NOT EXISTS taxii_content_blocks_by_binding ON taxii_content_blocks (collection, binding_id, label)",
        """
        CREATE TABLE IF NOT EXISTS taxii_result_sets (
            id TEXT PRIMARY KEY, query TEXT NOT NULL, total BIGINT NOT NULL, page_size BIGINT NOT NULL,
            is_listed BOOLEAN NOT NULL, created_at BIGINT NOT NULL)
        """,
        "CREATE INDEX IF NOT EXISTS taxii_result_sets_by_age ON taxii_result_sets (created_at)",
        "ALTER TABLE taxii_result_sets ADD COLUMN IF NOT EXISTS state TEXT NOT NULL DEFAULT 'ready'",
        "ALTER TABLE taxii_result_sets ADD COLUMN IF NOT EXISTS failure TEXT",
        """
        CREATE TABLE IF NOT EXISTS taxii_result_items (
            result_id TEXT NOT NULL REFERENCES taxii_result_sets (id) ON DELETE CASCADE, position BIGINT NOT NULL,
            block_id BIGINT NOT NULL, PRIMARY KEY (result_id, position))
        """,
        """
        CREATE TABLE IF NOT EXISTS taxii_subscriptions (
            id TEXT PRIMARY KEY, collection TEXT NOT NULL, owner TEXT, status TEXT NOT NULL, request TEXT NOT NULL,
            created_at BIGINT NOT NULL)
        """,
        "CREATE INDEX IF NOT EXISTS taxii_subscriptions_by_collection ON taxii_subscriptions (collection, owner, created_at)",
        """
        CREATE TABLE IF NOT EXISTS taxii_push_deliveries (
            subscription_id TEXT PRIMARY KEY REFERENCES taxii_subscriptions (id), pushed_up_to BIGINT,
            next_attempt BIGINT NOT NULL, failures BIGINT NOT NULL DEFAULT 0, last_error TEXT)
        """,
        "CREATE INDEX IF NOT EXISTS taxii_push_deliveries_due ON taxii_push_deliveries (next_attempt)",
    ]

    public func insert(_ placements: [Placement]) async throws(TAXIIStoreError) -> [[Int64]] {
        try await inserts.submit(placements) { requests throws(TAXIIStoreError) in try await self.insert(together: requests) }
    }

    /// Stores the placements of several inboxes in one transaction: each collection they write is
    /// locked (in name order, so that two processes never wait for each other), its newest label
    /// read once, and the blocks labelled after it in the order the inboxes came.
    private func insert(together requests: [[Placement]]) async throws(TAXIIStoreError) -> [[[Int64]]] {
        let now = clock()
        return try await transaction { connection in
            var next: [String: Int64] = [:]
            for collection in Set(requests.joined().map(\.collection)).sorted() {
                // Two statements: under READ COMMITTED the second sees what was committed before the lock was granted.
                try await connection.query("SELECT pg_advisory_xact_lock(hashtext(\(collection)))", logger: self.logger)
                var latest: Int64?
                for try await value in try await connection.execute(LatestLabelStatement(collection: collection), logger: self.logger) { latest = value }
                next[collection] = max(now, (latest ?? Int64.min) &+ 1)
            }
            var replies: [[[Int64]]] = []
            var rows = BlockRows()
            for placements in requests {
                var labels: [[Int64]] = []
                for placement in placements {
                    var given: [Int64] = []
                    for block in placement.blocks {
                        let label = next[placement.collection, default: now]
                        rows.append(block, collection: placement.collection, label: label)
                        given.append(label)
                        next[placement.collection] = label + 1
                    }
                    labels.append(given)
                }
                replies.append(labels)
            }
            // Every block in one statement: one round trip, however many inboxes came together.
            // Drained: asking a prepared statement for its command tag instead stops the process on a
            // precondition in postgres-nio when the rows were not read.
            let inserted: AsyncThrowingMapSequence<PostgresRowSequence, ()> = try await connection.execute(rows, logger: self.logger)
            for try await _ in inserted {}
            return replies
        }
    }

    /// Blocks to insert, column by column (arrays of optional values cannot be sent, so each
    /// optional column travels with a column saying whether it has a value), as the prepared
    /// statement that inserts them.
    private struct BlockRows: PostgresPreparedStatement {
        typealias Row = ()
        static let name = "bastion_taxii_insert_blocks"
        static let sql = """
            INSERT INTO taxii_content_blocks (collection, label, binding_id, subtype_id, content, is_xml, message)
            SELECT c, l, b, CASE WHEN hs THEN s END, t, x, CASE WHEN hm THEN m END
            FROM UNNEST($1::text[], $2::bigint[], $3::text[], $4::text[], $5::boolean[], $6::text[], $7::boolean[], $8::text[], $9::boolean[])
                AS u(c, l, b, s, hs, t, x, m, hm)
            """

        var collections: [String] = []
        var labels: [Int64] = []
        var bindingIDs: [String] = []
        var subtypes: [String] = []
        var hasSubtype: [Bool] = []
        var contents: [String] = []
        var isXML: [Bool] = []
        var messages: [String] = []
        var hasMessage: [Bool] = []

        func makeBindings() throws -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 9)
            bindings.append(collections)
            bindings.append(labels)
            bindings.append(bindingIDs)
            bindings.append(subtypes)
            bindings.append(hasSubtype)
            bindings.append(contents)
            bindings.append(isXML)
            bindings.append(messages)
            bindings.append(hasMessage)
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> Row {}

        mutating func append(_ block: NewContentBlock, collection: String, label: Int64) {
            collections.append(collection)
            labels.append(label)
            bindingIDs.append(block.bindingID)
            subtypes.append(block.subtypeID ?? "")
            hasSubtype.append(block.subtypeID != nil)
            contents.append(block.content)
            isXML.append(block.isXML)
            messages.append(block.message ?? "")
            hasMessage.append(block.message != nil)
        }
    }

    public func count(_ query: BlockQuery) async throws(TAXIIStoreError) -> Int {
        try await execute { client in try await self.count(query, on: client) }
    }

    public func blocks(_ query: BlockQuery, offset: Int, limit: Int) async throws(TAXIIStoreError) -> [StoredContentBlock] {
        let (condition, binds) = Self.condition(query, firstBind: 1)
        var all = binds
        all.append(Int64(max(0, limit)))
        all.append(Int64(max(0, offset)))
        let sql = "SELECT \(Self.columns) FROM taxii_content_blocks WHERE \(condition) ORDER BY label LIMIT $\(all.count - 1) OFFSET $\(all.count)"
        return try await execute { client in try await Self.blocks(try await client.query(PostgresQuery(unsafeSQL: sql, binds: all), logger: self.logger)) }
    }

    public func latestLabel(in collection: String) async throws(TAXIIStoreError) -> Int64? {
        try await execute { client in
            var latest: Int64?
            for try await value in try await client.query("SELECT max(label) FROM taxii_content_blocks WHERE collection = \(collection)", logger: self.logger)
                .decode(Int64?.self) { latest = value }
            return latest
        }
    }

    public func snapshot(_ query: BlockQuery, limit: Int) async throws(TAXIIStoreError) -> WindowSnapshot {
        try await execute { client in
            var snapshot: WindowSnapshot
            if query.bindings.isEmpty {
                // The common poll, whose text never varies: prepared once per connection, so the
                // server does not plan it again for every poll.
                snapshot = try await Self.snapshot(query, from: try await client.execute(WindowSnapshotStatement(query: query, limit: limit), logger: self.logger))
            } else {
                let (condition, binds) = Self.condition(query, firstBind: 1)
                var all = binds
                all.append(Int64(max(0, limit)))
                let rows = try await client.query(PostgresQuery(unsafeSQL: Self.snapshotSQL(condition: condition, limit: "$\(all.count)"), binds: all), logger: self.logger)
                snapshot = try await Self.snapshot(query, from: rows.decode(WindowSnapshotStatement.Row.self))
            }
            snapshot.query.upTo = [snapshot.latest, query.upTo].compactMap { $0 }.min()
            return snapshot
        }
    }

    /// One statement, so one round trip and one snapshot: the newest label, how many blocks the
    /// window (`condition`) holds up to it, and its first page of at most `limit` blocks (a row of
    /// NULL block columns when it is empty). `$1` must be the collection.
    static func snapshotSQL(condition: String, limit: String) -> String {
        let selected = "FROM taxii_content_blocks WHERE \(condition) AND label <= (SELECT label FROM latest)"
        return """
            WITH latest AS (SELECT max(label) AS label FROM taxii_content_blocks WHERE collection = $1),
                 page AS (SELECT \(columns) \(selected) ORDER BY label LIMIT \(limit))
            SELECT (SELECT label FROM latest), (SELECT count(*) \(selected)), \(columns("page."))
            FROM (SELECT 1) AS one LEFT JOIN page ON true ORDER BY page.label
            """
    }

    /// The snapshot of `query` in the rows of ``snapshotSQL(condition:limit:)``.
    private static func snapshot(
        _ query: BlockQuery, from rows: AsyncThrowingMapSequence<PostgresRowSequence, WindowSnapshotStatement.Row>
    ) async throws -> WindowSnapshot {
        var snapshot = WindowSnapshot(query: query, latest: nil, total: 0, blocks: [])
        for try await (latest, total, id, collection, label, bindingID, subtypeID, content, isXML, message) in rows {
            snapshot.latest = latest
            snapshot.total = Int(total)
            if let id, let collection, let label, let bindingID, let content, let isXML {
                snapshot.blocks.append(StoredContentBlock(
                    id: id, collection: collection, label: label,
                    block: NewContentBlock(bindingID: bindingID, subtypeID: subtypeID, content: content, isXML: isXML, message: message)))
            }
        }
        return snapshot
    }

    public func saveResultSet(_ resultSet: ResultSet, blockIDs: [Int64]?) async throws(TAXIIStoreError) {
        let query: String
        do { query = String(decoding: try JSONEncoder().encode(resultSet.query), as: UTF8.self) } catch {
            throw TAXIIStoreError(.query, "cannot encode a result set's query: \(error)")
        }
        let (state, failure) = resultSet.storedState
        try await transaction { connection in
            try await connection.query("""
                INSERT INTO taxii_result_sets (id, query, total, page_size, is_listed, created_at, state, failure)
                VALUES (\(resultSet.id), \(query), \(Int64(resultSet.total)), \(Int64(resultSet.pageSize)), \(resultSet.isListed), \(resultSet.createdAt),
                        \(state), \(failure))
                """, logger: self.logger)
            try await self.list(blockIDs, of: resultSet.id, on: connection)
        }
    }

    private func list(_ blockIDs: [Int64]?, of resultID: String, on connection: PostgresConnection) async throws {
        for (position, blockID) in (blockIDs ?? []).enumerated() {
            try await connection.query(
                "INSERT INTO taxii_result_items (result_id, position, block_id) VALUES (\(resultID), \(Int64(position)), \(blockID))", logger: logger)
        }
    }

    public func finishResultSet(id: String, total: Int, blockIDs: [Int64]?) async throws(TAXIIStoreError) {
        try await transaction { connection in
            var updated = false
            for try await _ in try await connection.query(
                "UPDATE taxii_result_sets SET state = 'ready', total = \(Int64(total)) WHERE id = \(id) AND state = 'pending' RETURNING id", logger: self.logger
            ).decode(String.self) { updated = true }
            if updated { try await self.list(blockIDs, of: id, on: connection) }
        }
    }

    public func failResultSet(id: String, reason: String) async throws(TAXIIStoreError) {
        _ = try await execute { client in
            try await client.query("UPDATE taxii_result_sets SET state = 'failed', failure = \(reason) WHERE id = \(id) AND state = 'pending'", logger: self.logger)
        }
    }

    public func resultSet(id: String) async throws(TAXIIStoreError) -> ResultSet? {
        try await execute { client in
            for try await (query, total, pageSize, isListed, createdAt, state, failure) in try await client.query(
                "SELECT query, total, page_size, is_listed, created_at, state, failure FROM taxii_result_sets WHERE id = \(id)", logger: self.logger
            ).decode((String, Int64, Int64, Bool, Int64, String, String?).self) {
                let window: BlockQuery
                do { window = try JSONDecoder().decode(BlockQuery.self, from: Data(query.utf8)) } catch {
                    throw TAXIIStoreError(.corrupt, "result set \(id) cannot be read: \(error)")
                }
                return ResultSet(
                    id: id, query: window, total: Int(total), pageSize: max(1, Int(pageSize)), isListed: isListed, createdAt: createdAt,
                    state: ResultSet.state(stored: state, reason: failure))
            }
            return nil
        }
    }

    public func listedBlocks(resultID: String, offset: Int, limit: Int) async throws(TAXIIStoreError) -> [StoredContentBlock] {
        try await execute { client in
            try await Self.blocks(try await client.query("""
                SELECT \(unescaped: Self.columns("taxii_content_blocks.")) FROM taxii_result_items
                JOIN taxii_content_blocks ON taxii_content_blocks.id = taxii_result_items.block_id
                WHERE taxii_result_items.result_id = \(resultID) AND taxii_result_items.position >= \(Int64(max(0, offset)))
                ORDER BY taxii_result_items.position LIMIT \(Int64(max(0, limit)))
                """, logger: self.logger))
        }
    }

    public func removeResultSets(createdBefore microsecondsSince1970: Int64) async throws(TAXIIStoreError) -> Int {
        try await execute { client in
            var removed = 0
            for try await count in try await client.query("""
                WITH gone AS (DELETE FROM taxii_result_sets WHERE created_at < \(microsecondsSince1970) RETURNING 1) SELECT count(*) FROM gone
                """, logger: self.logger).decode(Int64.self) { removed = Int(count) }
            return removed
        }
    }

    public func saveSubscription(_ subscription: StoredSubscription) async throws(TAXIIStoreError) {
        _ = try await execute { client in
            try await client.query("""
                INSERT INTO taxii_subscriptions (id, collection, owner, status, request, created_at)
                VALUES (\(subscription.id), \(subscription.collection), \(subscription.owner), \(subscription.status), \(subscription.request), \(subscription.createdAt))
                """, logger: self.logger)
        }
    }

    public func subscription(id: String) async throws(TAXIIStoreError) -> StoredSubscription? {
        try await execute { client in
            try await Self.subscriptions(try await client.query(
                "SELECT id, collection, owner, status, request, created_at FROM taxii_subscriptions WHERE id = \(id)", logger: self.logger)).first
        }
    }

    public func subscriptions(collection: String, owner: String?) async throws(TAXIIStoreError) -> [StoredSubscription] {
        try await execute { client in
            try await Self.subscriptions(try await client.query("""
                SELECT id, collection, owner, status, request, created_at FROM taxii_subscriptions
                WHERE collection = \(collection) AND owner IS NOT DISTINCT FROM \(owner) ORDER BY created_at, id
                """, logger: self.logger))
        }
    }

    public func setSubscriptionStatus(id: String, to status: String) async throws(TAXIIStoreError) -> Bool {
        try await execute { client in
            var found = false
            for try await _ in try await client.query(
                "UPDATE taxii_subscriptions SET status = \(status) WHERE id = \(id) RETURNING id", logger: self.logger
            ).decode(String.self) { found = true }
            return found
        }
    }

    public func startPushing(subscriptionID: String, after: Int64?, firstAttempt: Int64) async throws(TAXIIStoreError) {
        _ = try await execute { client in
            try await client.query("""
                INSERT INTO taxii_push_deliveries (subscription_id, pushed_up_to, next_attempt) VALUES (\(subscriptionID), \(after), \(firstAttempt))
                """, logger: self.logger)
        }
    }

    public func claimDuePushes(now: Int64, leaseUntil: Int64, limit: Int) async throws(TAXIIStoreError) -> [PushDelivery] {
        // SKIP LOCKED: a delivery another process is claiming at this moment is left to it.
        try await execute { client in
            try await Self.pushDeliveries(try await client.query("""
                WITH due AS (
                    SELECT d.subscription_id FROM taxii_push_deliveries d JOIN taxii_subscriptions s ON s.id = d.subscription_id
                    WHERE s.status = 'ACTIVE' AND d.next_attempt <= \(now) ORDER BY d.next_attempt LIMIT \(Int64(max(0, limit)))
                    FOR UPDATE OF d SKIP LOCKED)
                UPDATE taxii_push_deliveries d SET next_attempt = \(leaseUntil) FROM due, taxii_subscriptions s
                WHERE d.subscription_id = due.subscription_id AND s.id = d.subscription_id
                RETURNING d.subscription_id, s.collection, s.request, d.pushed_up_to, d.next_attempt, d.failures, d.last_error
                """, logger: self.logger))
        }
    }

    public func recordPush(_ delivery: PushDelivery) async throws(TAXIIStoreError) {
        _ = try await execute { client in
            try await client.query("""
                UPDATE taxii_push_deliveries SET pushed_up_to = \(delivery.pushedUpTo), next_attempt = \(delivery.nextAttempt),
                    failures = \(Int64(delivery.failures)), last_error = \(delivery.lastError)
                WHERE subscription_id = \(delivery.subscriptionID)
                """, logger: self.logger)
        }
    }

    public func pushDelivery(subscriptionID: String) async throws(TAXIIStoreError) -> PushDelivery? {
        try await execute { client in
            try await Self.pushDeliveries(try await client.query("""
                SELECT d.subscription_id, s.collection, s.request, d.pushed_up_to, d.next_attempt, d.failures, d.last_error
                FROM taxii_push_deliveries d JOIN taxii_subscriptions s ON s.id = d.subscription_id WHERE d.subscription_id = \(subscriptionID)
                """, logger: self.logger)).first
        }
    }

    static func pushDeliveries(_ rows: PostgresRowSequence) async throws -> [PushDelivery] {
        var deliveries: [PushDelivery] = []
        for try await (id, collection, request, pushedUpTo, nextAttempt, failures, lastError) in rows.decode(
            (String, String, String, Int64?, Int64, Int64, String?).self
        ) {
            deliveries.append(PushDelivery(
                subscriptionID: id, collection: collection, request: request, pushedUpTo: pushedUpTo, nextAttempt: nextAttempt,
                failures: Int(failures), lastError: lastError))
        }
        return deliveries
    }

    static func subscriptions(_ rows: PostgresRowSequence) async throws -> [StoredSubscription] {
        var subscriptions: [StoredSubscription] = []
        for try await (id, collection, owner, status, request, createdAt) in rows.decode((String, String, String?, String, String, Int64).self) {
            subscriptions.append(StoredSubscription(id: id, collection: collection, owner: owner, status: status, request: request, createdAt: createdAt))
        }
        return subscriptions
    }

    // MARK: SQL

    static let columns = columns("")

    static func columns(_ prefix: String) -> String {
        ["id", "collection", "label", "binding_id", "subtype_id", "content", "is_xml", "message"].map { prefix + $0 }.joined(separator: ", ")
    }

    private func count(_ query: BlockQuery, on client: PostgresClient) async throws -> Int {
        let (condition, binds) = Self.condition(query, firstBind: 1)
        var total = 0
        for try await value in try await client.query(
            PostgresQuery(unsafeSQL: "SELECT count(*) FROM taxii_content_blocks WHERE \(condition)", binds: binds), logger: logger
        ).decode(Int64.self) { total = Int(value) }
        return total
    }

    /// The WHERE clause selecting `query`'s blocks, its binds numbered from `firstBind`.
    static func condition(_ query: BlockQuery, firstBind: Int) -> (String, PostgresBindings) {
        var binds = PostgresBindings()
        func bind(_ value: some PostgresDynamicTypeEncodable) -> String {
            binds.append(value)
            return "$\(firstBind + binds.count - 1)"
        }
        var clauses = ["collection = " + bind(query.collection)]
        if let after = query.after { clauses.append("label > " + bind(after)) }
        if let upTo = query.upTo { clauses.append("label <= " + bind(upTo)) }
        if !query.bindings.isEmpty {
            let alternatives = query.bindings.map { filter -> String in
                let binding = "binding_id = " + bind(filter.bindingID)
                guard !filter.subtypeIDs.isEmpty else { return binding }
                return "(\(binding) AND subtype_id IN (\(filter.subtypeIDs.map { bind($0) }.joined(separator: ", "))))"
            }
            clauses.append("(" + alternatives.joined(separator: " OR ") + ")")
        }
        return (clauses.joined(separator: " AND "), binds)
    }

    static func blocks(_ rows: PostgresRowSequence) async throws -> [StoredContentBlock] {
        var blocks: [StoredContentBlock] = []
        for try await (id, collection, label, bindingID, subtypeID, content, isXML, message) in rows.decode(
            (Int64, String, Int64, String, String?, String, Bool, String?).self
        ) {
            blocks.append(StoredContentBlock(
                id: id, collection: collection, label: label,
                block: NewContentBlock(bindingID: bindingID, subtypeID: subtypeID, content: content, isXML: isXML, message: message)))
        }
        return blocks
    }

    private func execute<T>(_ body: (PostgresClient) async throws -> T) async throws(TAXIIStoreError) -> T {
        do { return try await body(client) } catch { throw storeError(error) }
    }

    private func transaction<T>(_ body: (PostgresConnection) async throws -> sending T) async throws(TAXIIStoreError) -> sending T {
        do { return try await client.withTransaction(logger: logger, body) } catch { throw storeError(error) }
    }

    private func storeError(_ error: any Error) -> TAXIIStoreError {
        if let error = error as? TAXIIStoreError { return error }
        if let error = error as? PSQLError {
            let message = error.serverInfo?[.message] ?? "\(error.code)"
            return TAXIIStoreError(.query, "PostgreSQL \(location): \(message)")
        }
        return TAXIIStoreError(.query, "PostgreSQL \(location): \(String(reflecting: error))")
    }
}

/// The snapshot of a window without content-binding filters, as a prepared statement (its
/// text is the same for every such poll; an open end is bound as the extreme label).
struct WindowSnapshotStatement: PostgresPreparedStatement {
    typealias Row = (Int64?, Int64, Int64?, String?, Int64?, String?, String?, String?, Bool?, String?)

    static let name = "bastion_taxii_window_snapshot"
    static let sql = PostgresTAXIIStore.snapshotSQL(condition: "collection = $1 AND label > $2 AND label <= $3", limit: "$4")
    static let bindingDataTypes: [PostgresDataType] = [.text, .int8, .int8, .int8]

    var query: BlockQuery
    var limit: Int

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 4)
        bindings.append(query.collection)
        bindings.append(query.after ?? Int64.min)
        bindings.append(query.upTo ?? Int64.max)
        bindings.append(Int64(max(0, limit)))
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> Row {
        try row.decode(Row.self)
    }
}

/// The newest label of a collection, as a prepared statement (read on every inbox).
struct LatestLabelStatement: PostgresPreparedStatement {
    typealias Row = Int64?

    static let name = "bastion_taxii_latest_label"
    static let sql = "SELECT max(label) FROM taxii_content_blocks WHERE collection = $1"
    static let bindingDataTypes: [PostgresDataType] = [.text]

    var collection: String

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 1)
        bindings.append(collection)
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> Row {
        try row.decode(Int64?.self)
    }
}

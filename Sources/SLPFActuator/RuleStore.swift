import GRDB
import NIOConcurrencyHelpers
import OpenC2
import OpenC2SLPF

/// The durable source of truth for SLPF rules: an SQLite database (WAL) with versioned
/// migrations. The firewall is rebuilt from it on start, so every rule the store acknowledged
/// survives a crash.
///
/// Schema (migration `v1`): one table `rule`, keyed by `rule_number` (`AUTOINCREMENT`, so an
/// allocated number is never handed out twice, even after its rule is deleted). The target is
/// kept as its canonical OpenC2 JSON (`target_json`, e.g. `{"ipv4_net":"10.0.0.0/8"}`) next to
/// its type (`target_type`); times are milliseconds since 1970.
///
/// Migration `v2` adds `rule.source` (`NULL` for a rule a Command added, `file:<name>` for a
/// rule an `update file` loaded) and `store_state.generation`, a counter that triggers raise
/// on every change to `rule`: a running actuator compares it with the generation its own
/// writes produced (``lastWrite``) to notice changes made by another process (`bastion
/// openc2 rules delete`).
public final class RuleStore: Sendable {
    /// The database file.
    public let path: String
    private let pool: DatabasePool
    private let lastWriteGenerations = NIOLockedValueBox<(before: Int64, after: Int64)>((0, 0))

    /// The migrations this version knows, in order.
    public static let migrationIdentifiers = ["v1", "v2"]

    /// The store's generation before and after this object's last write: when `before` is not
    /// the generation the caller last saw, another writer changed the store in between.
    public var lastWrite: (before: Int64, after: Int64) { lastWriteGenerations.withLockedValue { $0 } }

    /// Opens (creating if needed) the store at `path` and brings its schema up to date.
    public init(path: String) throws(RuleStoreError) {
        self.path = path
        var configuration = Configuration()
        configuration.busyMode = .timeout(5)
        configuration.label = "SLPFActuator.RuleStore"
        do {
            pool = try DatabasePool(path: path, configuration: configuration)
            try Self.migrator.migrate(pool)
        } catch {
            throw Self.storeError(error)
        }
    }

    private static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(sql: """
                CREATE TABLE rule (
                    rule_number INTEGER PRIMARY KEY AUTOINCREMENT,
                    action TEXT NOT NULL CHECK (action IN ('allow', 'deny')),
                    target_type TEXT NOT NULL,
                    target_json TEXT NOT NULL,
                    direction TEXT NOT NULL CHECK (direction IN ('both', 'ingress', 'egress')),
                    drop_process TEXT NOT NULL CHECK (drop_process IN ('none', 'reject', 'false_ack')),
                    persistent INTEGER NOT NULL CHECK (persistent IN (0, 1)),
                    start_time INTEGER NOT NULL,
                    stop_time INTEGER,
                    created_at INTEGER NOT NULL,
                    state TEXT NOT NULL CHECK (state IN ('scheduled', 'active'))
                );
                CREATE INDEX rule_stop_time ON rule (stop_time) WHERE stop_time IS NOT NULL;
                CREATE INDEX rule_start_time ON rule (start_time) WHERE state = 'scheduled';
                CREATE INDEX rule_target_type ON rule (target_type, action);
                """)
        }
        migrator.registerMigration("v2") { db in
            try db.execute(sql: """
                ALTER TABLE rule ADD COLUMN source TEXT;
                CREATE INDEX rule_source ON rule (source) WHERE source IS NOT NULL;
                CREATE TABLE store_state (id INTEGER PRIMARY KEY CHECK (id = 1), generation INTEGER NOT NULL);
                INSERT INTO store_state (id, generation) VALUES (1, 0);
                CREATE TRIGGER rule_inserted AFTER INSERT ON rule BEGIN UPDATE store_state SET generation = generation + 1; END;
                CREATE TRIGGER rule_deleted AFTER DELETE ON rule BEGIN UPDATE store_state SET generation = generation + 1; END;
                CREATE TRIGGER rule_updated AFTER UPDATE ON rule BEGIN UPDATE store_state SET generation = generation + 1; END;
                """)
        }
        return migrator
    }

    /// The migrations applied to this database, in order.
    public func appliedMigrations() throws(RuleStoreError) -> [String] {
        try read { db in try Self.migrator.appliedMigrations(db) }
    }

    /// Stores a rule for `request` in one transaction and returns it.
    ///
    /// The rule number is `request.insertRule` when given (``RuleStoreError/ruleNumberInUse(_:)``
    /// when a rule has it), else the next never-used number. The time window is resolved from
    /// `receivedAt` (start defaults to it); `state` says whether the rule is in force yet.
    @discardableResult
    public func add(
        _ request: FilterRuleRequest, receivedAt: DateTime, state: SLPFRule.State = .active, source: String? = nil
    ) throws(RuleStoreError) -> SLPFRule {
        try write { db in try Self.insert(request, receivedAt: receivedAt, state: state, source: source, db) }
    }

    /// Replaces the rules of `source` with rules for `requests`, in one transaction: the old
    /// ones are deleted (or, with `at` given, end at that time) and the new ones stored with
    /// `state` (their start is `at` when given). Returns the rules removed and added.
    public func replace(
        source: String, with requests: [FilterRuleRequest], receivedAt: DateTime, at start: DateTime? = nil,
        state: SLPFRule.State = .active
    ) throws(RuleStoreError) -> (removed: [SLPFRule], added: [SLPFRule]) {
        try write { db in
            let old = try Row.fetchAll(db, sql: "SELECT * FROM rule WHERE source = ? ORDER BY rule_number", arguments: [source])
                .map(Self.rule(from:))
            if let start {
                try db.execute(sql: "UPDATE rule SET stop_time = MIN(COALESCE(stop_time, ?), ?) WHERE source = ?",
                               arguments: [Self.sqlTime(start), Self.sqlTime(start), source])
            } else {
                try db.execute(sql: "DELETE FROM rule WHERE source = ?", arguments: [source])
            }
            var added: [SLPFRule] = []
            for var request in requests {
                if let start, request.startTime == nil, request.stopTime == nil { request.startTime = start }
                added.append(try Self.insert(request, receivedAt: receivedAt, state: state, source: source, db))
            }
            return (start == nil ? old : [], added)
        }
    }

    private static func insert(
        _ request: FilterRuleRequest, receivedAt: DateTime, state: SLPFRule.State, source: String?, _ db: Database
    ) throws -> SLPFRule {
        let window = request.window(receivedAt: receivedAt)
        if let number = request.insertRule, !(0...JSONValue.maximumSafeInteger).contains(number) {
            throw RuleStoreError.invalidRuleNumber(number)
        }
        if let number = request.insertRule,
           try Int64.fetchOne(db, sql: "SELECT 1 FROM rule WHERE rule_number = ?", arguments: [number]) != nil {
            throw RuleStoreError.ruleNumberInUse(number)
        }
        // Compiled once per connection: every allow and deny comes this way.
        try db.cachedStatement(sql: """
                INSERT INTO rule (rule_number, action, target_type, target_json, direction, drop_process, persistent,
                                  start_time, stop_time, created_at, state, source)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """).execute(arguments: [
                request.insertRule, request.action.rawValue, request.match.target.name,
                OpenC2Encoder().string(request.match.target), request.direction.rawValue, request.dropProcess.rawValue,
                request.persistent, sqlTime(window.start), window.stop.map(sqlTime), sqlTime(receivedAt), state.rawValue,
                source,
            ])
        let number = db.lastInsertedRowID
        guard number <= JSONValue.maximumSafeInteger else { throw RuleStoreError.invalidRuleNumber(number) }
        return SLPFRule(
            ruleNumber: number, action: request.action, match: request.match, direction: request.direction,
            dropProcess: request.dropProcess, persistent: request.persistent, startTime: window.start,
            stopTime: window.stop, createdAt: receivedAt, state: state, source: source)
    }

    /// Makes rule `number` end at `time` (or earlier, when it already ends earlier); returns the
    /// rule as changed, or `nil` when there is no such rule.
    @discardableResult
    public func end(_ number: RuleNumber, at time: DateTime) throws(RuleStoreError) -> SLPFRule? {
        try write { db in
            try db.execute(sql: "UPDATE rule SET stop_time = MIN(COALESCE(stop_time, ?), ?) WHERE rule_number = ?",
                           arguments: [Self.sqlTime(time), Self.sqlTime(time), number])
            return try Row.fetchOne(db, sql: "SELECT * FROM rule WHERE rule_number = ?", arguments: [number]).map(Self.rule(from:))
        }
    }

    /// The earliest time after which something is due: a scheduled rule's start or any rule's
    /// stop; `nil` when nothing is scheduled.
    public func nextEvent() throws(RuleStoreError) -> DateTime? {
        try read { db in
            let start = try Int64.fetchOne(db, sql: "SELECT MIN(start_time) FROM rule WHERE state = 'scheduled'")
            let stop = try Int64.fetchOne(db, sql: "SELECT MIN(stop_time) FROM rule WHERE stop_time IS NOT NULL")
            return [start, stop].compactMap { $0 }.min().map(Self.dateTime)
        }
    }

    /// The store's generation: a counter raised by every change to its rules, by any process.
    public func generation() throws(RuleStoreError) -> Int64 {
        try read { db in try Int64.fetchOne(db, sql: "SELECT generation FROM store_state") ?? 0 }
    }

    /// Removes rule `number`; returns it, or `nil` when there was no such rule.
    @discardableResult
    public func remove(_ number: RuleNumber) throws(RuleStoreError) -> SLPFRule? {
        try write { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM rule WHERE rule_number = ?", arguments: [number]) else {
                return nil
            }
            let rule = try Self.rule(from: row)
            try db.execute(sql: "DELETE FROM rule WHERE rule_number = ?", arguments: [number])
            return rule
        }
    }

    /// Changes the state of rule `number`; returns whether it exists.
    @discardableResult
    public func setState(_ state: SLPFRule.State, of number: RuleNumber) throws(RuleStoreError) -> Bool {
        try write { db in
            try db.execute(sql: "UPDATE rule SET state = ? WHERE rule_number = ?", arguments: [state.rawValue, number])
            return db.changesCount > 0
        }
    }

    /// Rule `number`, or `nil`.
    public func get(_ number: RuleNumber) throws(RuleStoreError) -> SLPFRule? {
        try read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM rule WHERE rule_number = ?", arguments: [number]).map(Self.rule(from:))
        }
    }

    /// Every rule, by rule number.
    public func list() throws(RuleStoreError) -> [SLPFRule] {
        try fetch("SELECT * FROM rule ORDER BY rule_number")
    }

    /// The rules whose stop time is at or before `time`, by rule number.
    public func expired(at time: DateTime) throws(RuleStoreError) -> [SLPFRule] {
        try fetch("SELECT * FROM rule WHERE stop_time IS NOT NULL AND stop_time <= ? ORDER BY rule_number", [Self.sqlTime(time)])
    }

    /// The scheduled rules whose start time is at or before `time`, by rule number.
    public func due(at time: DateTime) throws(RuleStoreError) -> [SLPFRule] {
        try fetch("SELECT * FROM rule WHERE state = 'scheduled' AND start_time <= ? ORDER BY rule_number", [Self.sqlTime(time)])
    }

    /// The rules to restore after a restart: the persistent ones, by rule number.
    public func rulesToRestore() throws(RuleStoreError) -> [SLPFRule] {
        try fetch("SELECT * FROM rule WHERE persistent = 1 ORDER BY rule_number")
    }

    /// Deletes the non-persistent rules (what a restart does to them) and returns them.
    @discardableResult
    public func discardNonPersistent() throws(RuleStoreError) -> [SLPFRule] {
        try write { db in
            let rules = try Row.fetchAll(db, sql: "SELECT * FROM rule WHERE persistent = 0 ORDER BY rule_number").map(Self.rule(from:))
            try db.execute(sql: "DELETE FROM rule WHERE persistent = 0")
            return rules
        }
    }

    // MARK: Rows

    private func fetch(_ sql: String, _ arguments: StatementArguments = StatementArguments()) throws(RuleStoreError) -> [SLPFRule] {
        try read { db in try Row.fetchAll(db, sql: sql, arguments: arguments).map(Self.rule(from:)) }
    }

    private static func sqlTime(_ time: DateTime) -> Int64 { Int64(clamping: time.millisecondsSince1970) }

    private static func dateTime(_ value: Int64) -> DateTime { DateTime(millisecondsSince1970: UInt64(max(0, value))) }

    /// The rule a row holds. A row whose values are not of their column's type (the file was
    /// edited or damaged: SQLite stores any type in any column) is `.corruptRule`, never a trap.
    private static func rule(from row: Row) throws -> SLPFRule {
        // rule_number is the INTEGER PRIMARY KEY (the rowid): SQLite keeps it an integer.
        let number: Int64 = (try? row.decode(Int64.self, forColumn: "rule_number")) ?? -1
        func corrupt(_ reason: String) -> RuleStoreError { .corruptRule(number, reason: reason) }
        func value<Value: DatabaseValueConvertible>(_ column: String, as type: Value.Type = Value.self) throws(RuleStoreError) -> Value {
            do { return try row.decode(Value.self, forColumn: column) } catch { throw corrupt("\(column) is not a \(Value.self)") }
        }
        guard let action = FilterAction(rawValue: try value("action")) else { throw corrupt("unknown action") }
        guard let direction = Direction(rawValue: try value("direction")) else { throw corrupt("unknown direction") }
        guard let dropProcess = DropProcess(rawValue: try value("drop_process")) else { throw corrupt("unknown drop_process") }
        guard let state = SLPFRule.State(rawValue: try value("state")) else { throw corrupt("unknown state") }
        let targetJSON: String = try value("target_json")
        let target: Target
        do {
            target = try OpenC2Decoder().decode(Target.self, from: targetJSON)
        } catch {
            throw corrupt("target_json: \(error)")
        }
        let match: FilterMatch
        switch target {
        case .ipv4Net(let net): match = .ipv4Net(net)
        case .ipv6Net(let net): match = .ipv6Net(net)
        case .ipv4Connection(let connection): match = .ipv4Connection(connection)
        case .ipv6Connection(let connection): match = .ipv6Connection(connection)
        default: throw corrupt("target \(target.name) is not an SLPF rule target")
        }
        let stop: Int64? = try value("stop_time")
        return SLPFRule(
            ruleNumber: number, action: action, match: match, direction: direction, dropProcess: dropProcess,
            persistent: try value("persistent"), startTime: dateTime(try value("start_time")), stopTime: stop.map(dateTime),
            createdAt: dateTime(try value("created_at")), state: state, source: try value("source"))
    }

    // MARK: Access

    private func read<T>(_ body: (Database) throws -> T) throws(RuleStoreError) -> T {
        do { return try pool.read(body) } catch { throw Self.storeError(error) }
    }

    private func write<T>(_ body: (Database) throws -> T) throws(RuleStoreError) -> T {
        do {
            return try pool.write { db in
                let before = try Self.generation(db)
                let result = try body(db)
                let after = try Self.generation(db)
                lastWriteGenerations.withLockedValue { $0 = (before, after) }
                return result
            }
        } catch {
            throw Self.storeError(error)
        }
    }

    private static func generation(_ db: Database) throws -> Int64 {
        try Int64.fetchOne(db.cachedStatement(sql: "SELECT generation FROM store_state")) ?? 0
    }

    private static func storeError(_ error: any Error) -> RuleStoreError {
        if let error = error as? RuleStoreError { return error }
        return .database(String(describing: error))
    }
}

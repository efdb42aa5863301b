import GRDBSQLite
import NIOConcurrencyHelpers

/// Read-only connections to a SQLite file for the queries a poll makes, used through SQLite's C
/// API on the caller's thread.
///
/// A poll's reads are a few indexed queries, short and bounded (a page is at most a result part;
/// counting a whole collection of 100,000 blocks takes about 5 ms), and in WAL mode they never
/// wait for a writer, so they run where the request is handled (under the HTTP server, the
/// connection's event loop) rather than on a queue of their own. Through GRDB's pool (a
/// semaphore, a dispatch queue, scheduling checks, generic row decoding) they cost more than
/// SQLite's own work; here a caller takes an idle connection (opening one when none is idle),
/// runs its read transaction and puts the connection back: one uncontended lock each way.
final class SQLiteReadConnections: Sendable {
    /// The database file.
    let path: String
    /// Connections kept for reuse at most (more may be open while more callers read at once).
    let maximumIdle: Int
    private let idle = NIOLockedValueBox<[SQLiteReadConnection]>([])

    init(path: String, maximumIdle: Int = 16) {
        self.path = path
        self.maximumIdle = maximumIdle
    }

    /// Runs `body` in one read transaction (one snapshot of the database).
    func read<T>(_ body: (SQLiteReadConnection) throws(TAXIIStoreError) -> T) throws(TAXIIStoreError) -> T {
        let connection: SQLiteReadConnection
        if let idle = idle.withLockedValue({ $0.popLast() }) { connection = idle } else { connection = try SQLiteReadConnection(path: path) }
        let value = try connection.inTransaction(body)
        idle.withLockedValue { idle in
            if idle.count < maximumIdle { idle.append(connection) }
        }
        return value
    }
}

/// A value bound to a statement's parameter.
enum SQLiteArgument: Sendable, Equatable {
    case integer(Int64)
    case text(String)
}

/// One read-only SQLite connection with its compiled statements.
///
/// Not for concurrent use: ``SQLiteReadConnections`` hands it to one caller at a time (its
/// lock orders each hand-over), which is what makes the unchecked `Sendable` sound.
final class SQLiteReadConnection: @unchecked Sendable {
    private let handle: OpaquePointer
    private var cached: [String: OpaquePointer] = [:]
    private var begin: OpaquePointer?
    private var commit: OpaquePointer?

    /// Statements kept compiled at most (only fixed texts are cached; see ``rows(_:cache:_:each:)``).
    private static let maximumCached = 64

    init(path: String) throws(TAXIIStoreError) {
        var handle: OpaquePointer?
        let code = sqlite3_open_v2(path, &handle, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, nil)
        guard code == SQLITE_OK, let handle else {
            let message = handle.map { String(cString: sqlite3_errmsg($0)) } ?? String(cString: sqlite3_errstr(code))
            sqlite3_close_v2(handle)
            throw TAXIIStoreError(.unavailable, "cannot open the TAXII database \(path) for reading: \(message)")
        }
        self.handle = handle
        sqlite3_busy_timeout(handle, 10_000)
    }

    deinit {
        for statement in cached.values { sqlite3_finalize(statement) }
        sqlite3_finalize(begin)
        sqlite3_finalize(commit)
        sqlite3_close_v2(handle)
    }

    /// Runs `body` between BEGIN and COMMIT (ROLLBACK when it throws).
    func inTransaction<T>(_ body: (SQLiteReadConnection) throws(TAXIIStoreError) -> T) throws(TAXIIStoreError) -> T {
        try run(&begin, "BEGIN DEFERRED TRANSACTION")
        let value: T
        do {
            value = try body(self)
        } catch {
            sqlite3_exec(handle, "ROLLBACK", nil, nil, nil)
            throw error
        }
        do {
            try run(&commit, "COMMIT")
        } catch {
            // Never hand a connection back still inside a transaction.
            sqlite3_exec(handle, "ROLLBACK", nil, nil, nil)
            throw error
        }
        return value
    }

    /// Runs `sql` with `arguments`, calling `each` for every row. With `cache`, the statement is
    /// compiled once and kept (for texts that do not vary with a request's content).
    func rows(_ sql: String, cache: Bool, _ arguments: [SQLiteArgument], each: (SQLiteRow) throws(TAXIIStoreError) -> Void) throws(TAXIIStoreError) {
        let statement: OpaquePointer
        let keep: Bool
        if cache, let kept = cached[sql] {
            (statement, keep) = (kept, true)
        } else {
            statement = try prepare(sql)
            keep = cache && cached.count < Self.maximumCached
            if keep { cached[sql] = statement }
        }
        defer {
            if keep {
                sqlite3_reset(statement)
                sqlite3_clear_bindings(statement)
            } else {
                sqlite3_finalize(statement)
            }
        }
        for (index, argument) in arguments.enumerated() {
            let position = Int32(index + 1)
            let code: Int32
            switch argument {
            case .integer(let value): code = sqlite3_bind_int64(statement, position, value)
            case .text(let value): code = sqlite3_bind_text(statement, position, value, -1, Self.transient)
            }
            guard code == SQLITE_OK else { throw failure("cannot bind an argument of \(sql)") }
        }
        while true {
            switch sqlite3_step(statement) {
            case SQLITE_ROW: try each(SQLiteRow(statement: statement))
            case SQLITE_DONE: return
            default: throw failure("cannot run \(sql)")
            }
        }
    }

    /// The single integer (or NULL) `sql` answers.
    func integer(_ sql: String, cache: Bool, _ arguments: [SQLiteArgument]) throws(TAXIIStoreError) -> Int64? {
        var value: Int64?
        try rows(sql, cache: cache, arguments) { row throws(TAXIIStoreError) in value = try row.optionalInteger(0, "the answer of \(sql)") }
        return value
    }

    private func run(_ statement: inout OpaquePointer?, _ sql: String) throws(TAXIIStoreError) {
        if statement == nil { statement = try prepare(sql) }
        defer { sqlite3_reset(statement) }
        guard sqlite3_step(statement) == SQLITE_DONE else { throw failure("cannot run \(sql)") }
    }

    private func prepare(_ sql: String) throws(TAXIIStoreError) -> OpaquePointer {
        var statement: OpaquePointer?
        guard sqlite3_prepare_v2(handle, sql, -1, &statement, nil) == SQLITE_OK, let statement else {
            throw failure("cannot compile \(sql)")
        }
        return statement
    }

    private func failure(_ what: String) -> TAXIIStoreError {
        TAXIIStoreError(.query, "TAXII database: \(what): \(String(cString: sqlite3_errmsg(handle))) (SQLite code \(sqlite3_extended_errcode(handle)))")
    }

    /// SQLite copies a bound text (the Swift string's storage does not outlive the call).
    private static let transient = unsafeBitCast(OpaquePointer(bitPattern: -1), to: sqlite3_destructor_type.self)
}

/// The current row of a statement being stepped through; valid only inside the `each` call.
/// SQLite keeps any type in any column, so every read checks the type: a value of the wrong type
/// is a corrupt row, never a trap. Column names are for the error message, made only then.
struct SQLiteRow {
    let statement: OpaquePointer

    func integer(_ index: Int32, _ name: @autoclosure () -> String) throws(TAXIIStoreError) -> Int64 {
        try present(try optionalInteger(index, name()), name(), "an integer")
    }

    func optionalInteger(_ index: Int32, _ name: @autoclosure () -> String) throws(TAXIIStoreError) -> Int64? {
        switch sqlite3_column_type(statement, index) {
        case SQLITE_NULL: return nil
        case SQLITE_INTEGER: return sqlite3_column_int64(statement, index)
        default: throw corrupt(name(), "an integer")
        }
    }

    func bool(_ index: Int32, _ name: @autoclosure () -> String) throws(TAXIIStoreError) -> Bool {
        switch try integer(index, name()) {
        case 0: return false
        case 1: return true
        default: throw corrupt(name(), "a boolean")
        }
    }

    func text(_ index: Int32, _ name: @autoclosure () -> String) throws(TAXIIStoreError) -> String {
        try present(try optionalText(index, name()), name(), "a text")
    }

    func optionalText(_ index: Int32, _ name: @autoclosure () -> String) throws(TAXIIStoreError) -> String? {
        switch sqlite3_column_type(statement, index) {
        case SQLITE_NULL: return nil
        case SQLITE_TEXT:
            guard let bytes = sqlite3_column_text(statement, index) else { return "" }
            return String(decoding: UnsafeBufferPointer(start: bytes, count: Int(sqlite3_column_bytes(statement, index))), as: UTF8.self)
        default: throw corrupt(name(), "a text")
        }
    }

    /// `value`, which a NOT NULL column must have.
    private func present<Value>(_ value: Value?, _ name: @autoclosure () -> String, _ expected: String) throws(TAXIIStoreError) -> Value {
        guard let value else { throw corrupt(name(), expected) }
        return value
    }

    private func corrupt(_ name: String, _ expected: String) -> TAXIIStoreError {
        TAXIIStoreError(.corrupt, "a stored row's \(name) is not \(expected)")
    }
}

import Foundation
import GRDB
import NIOConcurrencyHelpers
import Testing
import TestSupport
@testable import TAXIIServer

/// A clock tests set by hand, in microseconds since 1970.
final class ManualClock: Sendable {
    let now = NIOLockedValueBox<Int64>(1_700_000_000_000_000)
    var function: @Sendable () -> Int64 { { self.now.withLockedValue { $0 } } }
    func advance(_ microseconds: Int64) { now.withLockedValue { $0 += microseconds } }
}

func block(_ n: Int, binding: String = "urn:example:text", subtype: String? = nil, xml: Bool = false) -> NewContentBlock {
    NewContentBlock(bindingID: binding, subtypeID: subtype, content: xml ? "<n>\(n)</n>" : "block \(n)", isXML: xml)
}

/// The two stores the storage tests run on.
enum StoreKind: String, CaseIterable, Sendable {
    case sqlite, postgres
}

/// Runs `body` with a new, empty store of `kind` (PostgreSQL: a fresh database on the test server).
func withStore(_ kind: StoreKind, clock: ManualClock? = nil, _ body: (any TAXIIStore) async throws -> Void) async throws {
    let now = clock?.function ?? SQLiteTAXIIStore.now
    switch kind {
    case .sqlite:
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try await body(try SQLiteTAXIIStore(path: directory.path("taxii.sqlite"), clock: now))
    case .postgres:
        let store = try PostgresTAXIIStore(url: try TestPostgres.freshDatabase(), clock: now)
        let running = Task { await store.run() }
        defer { running.cancel() }
        try await store.prepare()
        try await body(store)
    }
}

@Suite("TAXII stores: SQLite and PostgreSQL")
struct StoreTests {
    @Test("labels increase strictly within a collection, also when the clock stands still or goes back", arguments: StoreKind.allCases)
    func labels(_ kind: StoreKind) async throws {
        let clock = ManualClock()
        try await withStore(kind, clock: clock) { store in
        let first = try await store.insert(["a", "b"].map { Placement(collection: $0, blocks: [block(1), block(2)]) })
        #expect(first == [[1_700_000_000_000_000, 1_700_000_000_000_001], [1_700_000_000_000_000, 1_700_000_000_000_001]])
        clock.advance(-10_000_000)
        let second = try await store.insert(["a"].map { Placement(collection: $0, blocks: [block(3)]) })
        #expect(second == [[1_700_000_000_000_002]])
        clock.advance(20_000_000)
        #expect(try await store.insert(["a"].map { Placement(collection: $0, blocks: [block(4)]) }) == [[1_700_000_010_000_000]])
        #expect(try await store.latestLabel(in: "a") == 1_700_000_010_000_000)
        #expect(try await store.latestLabel(in: "none") == nil)
        }
    }

    @Test("windows and binding filters select by label; pages are in label order; a snapshot reads them at once", arguments: StoreKind.allCases)
    func queries(_ kind: StoreKind) async throws {
        try await withStore(kind, clock: ManualClock()) { store in
        let labels = try await store.insert(["c"].map { Placement(collection: $0, blocks: [
            block(1, binding: "urn:x"), block(2, binding: "urn:y", subtype: "s1"), block(3, binding: "urn:y", subtype: "s2"), block(4, binding: "urn:x"),
        ]) })[0]
        #expect(try await store.count(BlockQuery(collection: "c")) == 4)
        #expect(try await store.count(BlockQuery(collection: "c", after: labels[0], upTo: labels[2])) == 2)
        #expect(try await store.count(BlockQuery(collection: "c", bindings: [BindingFilter(bindingID: "urn:y")])) == 2)
        #expect(try await store.count(BlockQuery(collection: "c", bindings: [BindingFilter(bindingID: "urn:y", subtypeIDs: ["s2"]), BindingFilter(bindingID: "urn:x")])) == 3)
        let page = try await store.blocks(BlockQuery(collection: "c"), offset: 1, limit: 2)
        #expect(page.map(\.block.content) == ["block 2", "block 3"])
        #expect(page.map(\.label) == [labels[1], labels[2]])
        #expect(page[0].block.subtypeID == "s1")
        let snapshot = try await store.snapshot(BlockQuery(collection: "c", after: labels[1], bindings: [BindingFilter(bindingID: "urn:x")]), limit: 5)
        #expect(snapshot.latest == labels[3] && snapshot.query.upTo == labels[3] && snapshot.total == 1)
        #expect(snapshot.blocks.map(\.block.content) == ["block 4"])
        let empty = try await store.snapshot(BlockQuery(collection: "none"), limit: 5)
        #expect(empty.latest == nil && empty.total == 0 && empty.blocks.isEmpty)
        }
    }

    @Test("snapshots: a window within a page, a full page, an empty window, an end before or past the newest label", arguments: StoreKind.allCases)
    func snapshots(_ kind: StoreKind) async throws {
        try await withStore(kind, clock: ManualClock()) { store in
        let labels = try await store.insert([Placement(collection: "c", blocks: (1...6).map { block($0, binding: $0 == 3 ? "urn:y" : "urn:x") })])[0]
        _ = try await store.insert([Placement(collection: "d", blocks: [block(7)])])
        let newest = labels[5]
        // Within a page: the blocks after labels[1], up to the newest label.
        var snapshot = try await store.snapshot(BlockQuery(collection: "c", after: labels[1]), limit: 10)
        #expect(snapshot.blocks.map(\.label) == Array(labels[2...]) && snapshot.total == 4)
        #expect(snapshot.latest == newest && snapshot.query.upTo == newest && snapshot.query.after == labels[1])
        // An end before the newest label stays the end; one past it becomes the newest label.
        snapshot = try await store.snapshot(BlockQuery(collection: "c", after: labels[0], upTo: labels[3]), limit: 10)
        #expect(snapshot.blocks.map(\.label) == [labels[1], labels[2], labels[3]] && snapshot.total == 3)
        #expect(snapshot.latest == newest && snapshot.query.upTo == labels[3])
        snapshot = try await store.snapshot(BlockQuery(collection: "c", upTo: newest + 1_000_000), limit: 10)
        #expect(snapshot.total == 6 && snapshot.query.upTo == newest)
        // A binding filter: the newest label is still the collection's.
        snapshot = try await store.snapshot(BlockQuery(collection: "c", bindings: [BindingFilter(bindingID: "urn:y")]), limit: 10)
        #expect(snapshot.blocks.map(\.label) == [labels[2]] && snapshot.total == 1 && snapshot.latest == newest)
        // A full page: the first page and the whole window's count.
        snapshot = try await store.snapshot(BlockQuery(collection: "c"), limit: 4)
        #expect(snapshot.blocks.map(\.label) == Array(labels[0..<4]) && snapshot.total == 6 && snapshot.query.upTo == newest)
        // Nothing in the window: no blocks, but the newest label all the same.
        snapshot = try await store.snapshot(BlockQuery(collection: "c", after: newest), limit: 10)
        #expect(snapshot.blocks.isEmpty && snapshot.total == 0 && snapshot.latest == newest && snapshot.query.upTo == newest)
        snapshot = try await store.snapshot(BlockQuery(collection: "c", after: labels[0], upTo: labels[0]), limit: 10)
        #expect(snapshot.blocks.isEmpty && snapshot.total == 0 && snapshot.latest == newest && snapshot.query.upTo == labels[0])
        }
    }

    @Test("result sets are kept with their listed blocks, and removed when old", arguments: StoreKind.allCases)
    func resultSets(_ kind: StoreKind) async throws {
        try await withStore(kind) { store in
        let stored = try await store.blocks(BlockQuery(collection: "c"), offset: 0, limit: 10)
        #expect(stored.isEmpty)
        _ = try await store.insert(["c"].map { Placement(collection: $0, blocks: (1...5).map { block($0) }) })
        let all = try await store.blocks(BlockQuery(collection: "c"), offset: 0, limit: 10)
        let listed = ResultSet(id: "r1", query: BlockQuery(collection: "c", upTo: all.last!.label), total: 2, pageSize: 1, isListed: true, createdAt: 10)
        try await store.saveResultSet(listed, blockIDs: [all[4].id, all[1].id])
        #expect(try await store.resultSet(id: "r1") == listed)
        #expect(try await store.listedBlocks(resultID: "r1", offset: 1, limit: 5).map(\.block.content) == ["block 2"])
        #expect(try await store.resultSet(id: "r2") == nil)
        #expect(try await store.removeResultSets(createdBefore: 11) == 1)
        #expect(try await store.resultSet(id: "r1") == nil)
        #expect(try await store.listedBlocks(resultID: "r1", offset: 0, limit: 5).isEmpty)
        }
    }

    @Test("a stored row of the wrong type is a corrupt-store error, not a crash", arguments: [
        ("is_xml", "'maybe'"), ("is_xml", "2"), ("label", "'soon'"), ("content", "x'00ff'"), ("subtype_id", "x'01'"), ("message", "x'02'"),
    ])
    func corruptRow(column: String, value: String) async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try SQLiteTAXIIStore(path: directory.path("taxii.sqlite"))
        _ = try await store.insert(["c"].map { Placement(collection: $0, blocks: [block(1)]) })
        #expect(try await store.snapshot(BlockQuery(collection: "c"), limit: 1).blocks.count == 1)
        let other = try DatabaseQueue(path: directory.path("taxii.sqlite"))
        // SQLite keeps any type in any column: a file changed by other hands may hold these.
        try await other.write { db in try db.execute(sql: "UPDATE content_blocks SET \(column) = \(value)") }
        let error = await #expect(throws: TAXIIStoreError.self) { _ = try await store.blocks(BlockQuery(collection: "c"), offset: 0, limit: 1) }
        #expect(error?.kind == .corrupt)
        #expect(error?.message.contains(column) == true)
        await #expect(throws: TAXIIStoreError.self) { _ = try await store.snapshot(BlockQuery(collection: "c"), limit: 1) }
    }

    @Test("reads through pooled connections: each sees what was committed before it, many at once")
    func pooledReads() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try SQLiteTAXIIStore(path: directory.path("taxii.sqlite"))
        for n in 1...5 {
            _ = try await store.insert([Placement(collection: "c", blocks: [block(n)])])
            // The same idle connection answers each time, in a new transaction.
            #expect(try await store.count(BlockQuery(collection: "c")) == n)
        }
        let counts = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<64 {
                group.addTask { try await store.snapshot(BlockQuery(collection: "c"), limit: 5).blocks.count }
            }
            return try await group.reduce(into: [Int]()) { $0.append($1) }
        }
        #expect(counts == Array(repeating: 5, count: 64))
        let (condition, _) = SQLiteTAXIIStore.condition(BlockQuery(collection: "c", bindings: [BindingFilter(bindingID: "a", subtypeIDs: ["x", "y"])]))
        #expect(condition == "collection = ? AND ((binding_id = ? AND subtype_id IN (?, ?)))")
    }

    @Test("a database that cannot be opened is a clear error naming it")
    func unavailable() {
        let error = #expect(throws: TAXIIStoreError.self) { _ = try SQLiteTAXIIStore(path: "/proc/bastion/taxii.sqlite") }
        #expect(error?.kind == .unavailable)
        #expect(error?.message.contains("/proc/bastion/taxii.sqlite") == true)
    }
}

import NIOConcurrencyHelpers
import Testing
import TestSupport
@testable import TAXIIServer

@Suite("Group commit: inboxes that arrive together are written in one transaction")
struct GroupCommitTests {
    @Test("concurrent requests share batches; each gets its own reply; one the write refuses fails alone")
    func batching() async throws {
        let group = GroupCommit<String, String>(maximumBatch: 16)
        let batchSizes = NIOLockedValueBox<[Int]>([])
        let write: GroupCommit<String, String>.Write = { requests throws(TAXIIStoreError) in
            batchSizes.withLockedValue { $0.append(requests.count) }
            try? await Task.sleep(for: .milliseconds(5))
            if requests.contains("bad") { throw TAXIIStoreError(.query, "refused: bad") }
            return requests.map { $0.uppercased() }
        }
        let requests = (0..<40).map { $0 == 17 ? "bad" : "r\($0)" }
        let replies = await withTaskGroup(of: (String, Result<String, TAXIIStoreError>).self) { tasks in
            for request in requests {
                tasks.addTask {
                    do throws(TAXIIStoreError) { return (request, .success(try await group.submit(request, writing: write))) }
                    catch { return (request, .failure(error)) }
                }
            }
            var replies: [String: Result<String, TAXIIStoreError>] = [:]
            for await (request, reply) in tasks { replies[request] = reply }
            return replies
        }
        for request in requests where request != "bad" {
            #expect(try replies[request]?.get() == request.uppercased())
        }
        guard case .failure(let error)? = replies["bad"] else { throw TestFailure("the refused request did not fail") }
        #expect(error.message.contains("refused"))
        let sizes = batchSizes.withLockedValue { $0 }
        #expect(sizes.contains { $0 > 1 }, "requests waiting while a write ran were written together: \(sizes)")
        #expect(sizes.allSatisfy { $0 <= 16 })
    }

    @Test("concurrent inboxes on a store: every block stored once with its own label; a block PostgreSQL refuses fails alone", arguments: StoreKind.allCases)
    func concurrentInboxes(_ kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let outcomes = await withTaskGroup(of: (Int, [[Int64]]?).self) { tasks in
                for index in 0..<30 {
                    tasks.addTask {
                        // PostgreSQL refuses a NUL character in text; SQLite keeps it.
                        let content = index == 11 ? "nul \u{0} inside" : "block \(index)"
                        let placement = Placement(collection: "c", blocks: [NewContentBlock(bindingID: "urn:x", content: content, isXML: false)])
                        return (index, try? await store.insert([placement]))
                    }
                }
                var outcomes: [Int: [[Int64]]?] = [:]
                for await (index, labels) in tasks { outcomes[index] = labels }
                return outcomes
            }
            let stored = outcomes.compactMap { $0.value?.first?.first }
            #expect(Set(stored).count == stored.count, "labels are unique")
            #expect(stored.count == (kind == .postgres ? 29 : 30))
            if kind == .postgres { #expect(outcomes[11] == .some(nil), "the refused inbox failed alone") }
            #expect(try await store.count(BlockQuery(collection: "c")) == stored.count)
            let snapshot = try await store.snapshot(BlockQuery(collection: "c"), limit: 4)
            #expect(snapshot.total == stored.count && snapshot.blocks.map(\.label) == Array(stored.sorted().prefix(4)))
            let countOnly = try await store.snapshot(BlockQuery(collection: "c", after: stored.sorted()[2]), limit: 0)
            #expect(countOnly.total == stored.count - 3 && countOnly.blocks.isEmpty && countOnly.latest == stored.max())
        }
    }
}

struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

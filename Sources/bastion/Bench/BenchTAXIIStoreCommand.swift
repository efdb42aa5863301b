import ArgumentParser
import Foundation
import TAXIIServer

/// `bastion bench taxii-store`: how a large collection behaves in the TAXII server's store.
struct BenchTAXIIStoreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "taxii-store",
        abstract: "Fill a TAXII collection with --blocks content blocks, then time what polls ask of the store.",
        discussion: """
        Times, each the median of --repeat runs: a poll of the newest 10 blocks (window, count, first
        page), a COUNT_ONLY poll of the whole collection, and part 50 of a result set of the whole
        collection (100 blocks per part). Prints the process's resident memory after filling and
        after the polls: a poll reads pages, never the collection.
        """
    )

    @Option(help: ArgumentHelp("Where to keep the collection: sqlite:PATH (a new file is best).", valueName: "url"))
    var database = "sqlite:bench-taxii-store.sqlite"

    @Option(help: ArgumentHelp("Content blocks to store.", valueName: "count"))
    var blocks = 100_000

    @Option(help: ArgumentHelp("Runs of each timed operation.", valueName: "count"))
    var `repeat` = 50

    func validate() throws {
        guard database.hasPrefix("sqlite:"), database.count > 7 else { throw ValidationError("--database must be sqlite:PATH") }
        guard (1_000...10_000_000).contains(blocks) else { throw ValidationError("--blocks must be 1000…10000000") }
        guard (1...10_000).contains(`repeat`) else { throw ValidationError("--repeat must be 1…10000") }
    }

    func run() async throws {
        let store: SQLiteTAXIIStore
        do { store = try SQLiteTAXIIStore(path: String(database.dropFirst(7))) } catch { throw CLIError("\(error)") }
        let collection = "bench-\(UUID().uuidString.prefix(8))"
        let clock = ContinuousClock()
        let fillStart = clock.now
        var stored = 0
        while stored < blocks {
            let batch = (stored..<min(blocks, stored + 1_000)).map {
                NewContentBlock(bindingID: "urn:stix.mitre.org:xml:1.1.1", content: BenchTAXIICommand.package($0), isXML: true)
            }
            _ = try await store.insert([Placement(collection: collection, blocks: batch)])
            stored += batch.count
        }
        let fillSeconds = BenchTAXIICommand.seconds(clock.now - fillStart)
        let filledMemory = Self.residentMegabytes()
        let all = BlockQuery(collection: collection)
        let labels = try await store.blocks(BlockQuery(collection: collection, after: nil), offset: blocks - 11, limit: 11).map(\.label)

        func median(_ work: () async throws -> Void) async throws -> Double {
            var times: [Double] = []
            for _ in 0..<`repeat` {
                let start = clock.now
                try await work()
                times.append(BenchTAXIICommand.seconds(clock.now - start) * 1_000)
            }
            return times.sorted()[times.count / 2]
        }
        let recent = try await median {
            let snapshot = try await store.snapshot(BlockQuery(collection: collection, after: labels.first), limit: 100)
            guard snapshot.total == 10, snapshot.blocks.count == 10 else { throw CLIError("the recent window holds \(snapshot.total) blocks, not 10") }
        }
        let countOnly = try await median {
            let snapshot = try await store.snapshot(all, limit: 0)
            guard snapshot.total == blocks else { throw CLIError("the collection holds \(snapshot.total) blocks, not \(blocks)") }
        }
        let part50 = try await median {
            let page = try await store.blocks(all, offset: 49 * 100, limit: 100)
            guard page.count == 100 else { throw CLIError("part 50 holds \(page.count) blocks") }
        }
        print("""
        TAXII store \(store.path): \(blocks) blocks of ~2 KB stored in \(String(format: "%.1f", fillSeconds)) s (\(Int(Double(blocks) / fillSeconds)) blocks/s, 1000 per transaction)
          poll of the newest 10 blocks:      \(String(format: "%.3f", recent)) ms (median of \(`repeat`))
          COUNT_ONLY poll of all blocks:     \(String(format: "%.3f", countOnly)) ms
          part 50 of the whole collection:   \(String(format: "%.3f", part50)) ms
          resident memory: \(filledMemory) MB after filling, \(Self.residentMegabytes()) MB after the polls
        """)
    }

    /// This process's resident memory in MB (Linux), or 0 when unknown.
    static func residentMegabytes() -> Int {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
              let kilobytes = Int(line.split(separator: " ").dropFirst().first ?? "")
        else { return 0 }
        return kilobytes / 1024
    }
}

import Foundation
import TAXII
import TAXIIClient
import Testing
import TestSupport

/// Two `bastion taxii server` processes on one PostgreSQL database.
@Suite("TAXII servers sharing PostgreSQL")
struct TAXIIScaleOutCLITests {
    /// Starts `bastion taxii server` with `arguments` on a free port; returns it and its services' URL.
    func startServer(_ arguments: [String]) throws -> (Process, String) {
        let process = try CLI.process(["taxii", "server", "--port", "0"] + arguments)
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        var banner = ""
        while !banner.contains("\n") {
            let data = output.fileHandleForReading.availableData
            if data.isEmpty { break }
            banner += String(decoding: data, as: UTF8.self)
        }
        guard let range = banner.range(of: #"http://127\.0\.0\.1:\d+"#, options: .regularExpression) else {
            process.terminate()
            throw LoopbackError("the server printed no URL: \(banner)")
        }
        return (process, String(banner[range]) + "/services")
    }

    @Test("concurrent inboxes to both and an incremental poller alternating between them: no block missed, none repeated")
    func consistentPolls() async throws {
        let database = try TestPostgres.freshDatabase()
        let (first, firstURL) = try startServer(["--database", database, "--page-size", "7"])
        defer { first.terminate(); first.waitUntilExit() }
        let (second, secondURL) = try startServer(["--database", database, "--page-size", "7"])
        defer { second.terminate(); second.waitUntilExit() }

        let perServer = 150
        let pushers = try [firstURL, secondURL].map { url in
            let pusher = try CLI.process(["bench", "taxii", "--url", url, "--inbox", String(perServer), "--poll", "0", "--concurrency", "4"])
            pusher.standardOutput = FileHandle.nullDevice
            pusher.standardError = FileHandle.nullDevice
            try pusher.run()
            return pusher
        }

        var labels: [Int64] = []
        var end: TAXII.Timestamp?
        try await TAXIIClient.with(proxy: .none) { client in
            var round = 0
            var finished = false
            while !finished {
                finished = pushers.allSatisfy { !$0.isRunning }  // one more round after both are done
                let url = (round % 2 == 0 ? firstURL : secondURL) + "/poll"
                var windowEnd = end
                _ = try await client.poll(url, PollSelection(exclusiveBegin: end).request(version: .v11)) { reply in
                    guard case .taxii11(.pollResponse(let response)) = reply else {
                        Issue.record("not a Poll Response: \(reply)")
                        return
                    }
                    labels += response.contentBlocks.compactMap(\.timestampLabel?.microsecondsSince1970)
                    if let responseEnd = response.inclusiveEndTimestamp { windowEnd = responseEnd }
                }
                end = windowEnd
                round += 1
                if !finished { try await Task.sleep(for: .milliseconds(50)) }
            }
        }
        for pusher in pushers {
            pusher.waitUntilExit()
            #expect(pusher.terminationStatus == 0, "every inbox answered SUCCESS")
        }
        #expect(labels.count == 2 * perServer, "every pushed block polled once: \(labels.count) of \(2 * perServer)")
        #expect(Set(labels).count == labels.count, "no block polled twice")
        #expect(labels == labels.sorted(), "labels arrive in increasing order across both servers")
    }
}

@Suite("bastion bench taxii")
struct BenchTAXIICLITests {
    @Test("a short run against a Bastion TAXII server: every inbox SUCCESS, every poll window with its blocks, JSON figures")
    func shortRun() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let (server, url) = try TAXIIScaleOutCLITests().startServer(["--database", "sqlite:" + directory.path("bench.sqlite")])
        defer { server.terminate() }
        let result = try CLI.run(["bench", "taxii", "--url", url, "--inbox", "60", "--poll", "40", "--blocks-per-poll", "5", "--concurrency", "3", "--json"])
        #expect(result.status == 0, "\(result.error)")
        let figures = try #require(try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any], "\(result.output)")
        #expect(figures["inbox_errors"] as? Int == 0 && figures["poll_errors"] as? Int == 0)
        #expect((figures["inbox_per_second"] as? Double ?? 0) > 0 && (figures["poll_per_second"] as? Double ?? 0) > 0)
        // What the load generator pushed is what the server stored.
        let polled = try CLI.run(["taxii", "poll", "--url", url + "/poll", "--collection", "default", "--count-only"])
        #expect(polled.output.contains("Record Count: 60\n"), "\(polled.output) \(polled.error)")
    }
}

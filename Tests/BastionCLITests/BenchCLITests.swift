import Foundation
import OpenC2
import Testing

@Suite("bastion bench consumer")
struct BenchCLITests {
    struct CLIFailure: Error { let message: String }

    /// Starts `bastion openc2 consumer --testing-http` on a free port and returns it with its URL.
    /// Its log (one line per command) goes to a file, so that it never blocks on a full pipe.
    func startTestingConsumer(log: URL) throws -> (process: Foundation.Process, url: String) {
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let process = Foundation.Process()
        process.executableURL = CLI.executable
        process.arguments = ["openc2", "consumer", "--testing-http", "--port", "0"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = try FileHandle(forWritingTo: log)
        try process.run()
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline, process.isRunning {
            let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
            if let range = text.range(of: #"http://127\.0\.0\.1:\d+"#, options: .regularExpression) {
                return (process, String(text[range]))
            }
            Thread.sleep(forTimeInterval: 0.05)
        }
        if process.isRunning { process.terminate() }
        throw CLIFailure(message: "the consumer printed no URL: \((try? String(contentsOf: log, encoding: .utf8)) ?? "")")
    }

    @Test("a one-second run against a testing Consumer: requests answered 200, no errors")
    func runAgainstTestingConsumer() throws {
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("bastion-bench-\(UUID().uuidString).log")
        let (consumer, url) = try startTestingConsumer(log: log)
        defer {
            if consumer.isRunning {
                consumer.terminate()
                consumer.waitUntilExit()
            }
            try? FileManager.default.removeItem(at: log)
        }

        let result = try CLI.run(["bench", "consumer", "--to", url, "--connections", "4", "--duration", "1", "--warmup", "0.2", "--json"])
        #expect(result.status == 0, "\(result.error)")
        let report = try JSONParser().parse(result.output).object("report")
        guard case .integer(let requests)? = report["requests"], case .integer(let errors)? = report["errors"],
              case .object(let statuses)? = report["statuses"]
        else {
            Issue.record("unexpected output: \(result.output)")
            return
        }
        #expect(requests > 0)
        #expect(errors == 0, "\(result.output)")
        #expect(statuses["200"] == .integer(requests), "every request answered 200: \(result.output)")
        #expect(report["mode"] == .string("keep-alive"))
    }

    @Test("nonsensical settings are refused before anything is sent")
    func refusesBadSettings() throws {
        let result = try CLI.run(["bench", "consumer", "--to", "http://127.0.0.1:9", "--connections", "0"])
        #expect(result.status != 0)
        #expect(result.error.contains("--connections"))
    }
}

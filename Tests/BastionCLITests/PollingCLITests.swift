import AsyncHTTPClient
import BastionHTTPClient
import BastionPKI
import Foundation
import NIOCore
import TestSupport
import Testing

@Suite("bastion openc2 producer-server, enqueue and status")
struct PollingCLITests {
    /// Starts the Producer server on a free port over `database`; returns it and its URL.
    func startProducerServer(database: String) throws -> (Process, String) {
        let pki = TestPKI.shared
        let process = try CLI.process([
            "openc2", "producer-server", "--cert", pki.path(.serverCertificate), "--key", pki.path(.serverPrivateKey),
            "--client-ca", pki.path(.caCertificate), "--port", "0", "--database", database, "--lease", "1",
        ])
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        var banner = ""
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline, !banner.contains("\n") {
            let data = output.fileHandleForReading.availableData
            if data.isEmpty { break }
            banner += String(decoding: data, as: UTF8.self)
        }
        guard let range = banner.range(of: #"https://127\.0\.0\.1:\d+/\.well-known/openc2"#, options: .regularExpression) else {
            process.terminate()
            throw CLITestError("producer-server printed no URL: \(banner)")
        }
        return (process, String(banner[range]))
    }

    /// `bastion openc2 status --json` of `id`, once it is answered (or after 20 s, as it stands then).
    func waitUntilAnswered(_ id: String, database: String) throws -> [String: Any] {
        var current: [String: Any] = [:]
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline {
            let status = try CLI.run(["openc2", "status", "--database", database, id, "--json"])
            current = (try? JSONSerialization.jsonObject(with: Data(status.output.utf8)) as? [String: Any]) ?? [:]
            if current["state"] as? String == "answered" { break }
            Thread.sleep(forTimeInterval: 0.1)
        }
        return current
    }

    @Test("enqueue → a polling Consumer's GET (200, X-Correlation-ID) → its POSTed Response → status shows it answered")
    func roundTrip() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let database = "sqlite:" + directory.path("producer.sqlite")
        let (server, url) = try startProducerServer(database: database)
        defer { server.terminate() }
        let identity = DevelopmentPKI.defaultClientCommonName

        let queued = try CLI.run(["openc2", "enqueue", "--database", database, "--consumer", identity, "deny", "ipv4_net", "198.51.100.1", "--response-requested", "complete"])
        #expect(queued.status == 0, "\(queued.error)")
        let id = queued.output.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(id.count == 36, "a command_id alone on standard output: \(queued.output)")

        var configuration = HTTPClient.Configuration.failingFast()
        configuration.tlsConfiguration = try TestPKI.shared.clientTLS()
        let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
        do {
            let polled = try await client.execute(HTTPClientRequest(url: url), timeout: .seconds(10))
            #expect(polled.status.code == 200 && polled.headers.first(name: "X-Correlation-ID") == id)
            #expect(polled.headers.first(name: "Content-Type") == "application/openc2-cmd+json;version=1.0")
            let body = String(buffer: try await polled.body.collect(upTo: 1 << 16))
            #expect(body.contains(#""ipv4_net":"198.51.100.1""#) && body.contains(#""command_id":"\#(id)""#), "\(body)")
            var answer = HTTPClientRequest(url: url)
            answer.method = .POST
            answer.headers.add(name: "Content-Type", value: "application/openc2-rsp+json;version=1.0")
            answer.headers.add(name: "X-Correlation-ID", value: id)
            answer.body = .bytes(Array(#"{"status":200,"results":{"slpf":{"rule_number":7}}}"#.utf8))
            #expect(try await client.execute(answer, timeout: .seconds(10)).status.code == 200)
            #expect(try await client.execute(HTTPClientRequest(url: url), timeout: .seconds(10)).status.code == 204)
        } catch {
            try await client.shutdown()
            throw error
        }
        try await client.shutdown()

        let status = try CLI.run(["openc2", "status", "--database", database, id, "--json"])
        #expect(status.status == 0, "\(status.error)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(status.output.utf8)) as? [String: Any])
        #expect(object["state"] as? String == "answered" && object["consumer"] as? String == identity && object["answered_at"] is Int)
        #expect(((object["response"] as? [String: Any])?["results"] as? [String: Any]) != nil)
        let list = try CLI.run(["openc2", "status", "--database", database, "--consumer", identity])
        #expect(list.output.contains(id) && list.output.contains("answered"))
    }

    @Test("bastion openc2 consumer --poll: the Command is executed on its firewall and the Response stored; a restart does not run it again")
    func pollingConsumer() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let database = "sqlite:" + directory.path("producer.sqlite")
        let (server, url) = try startProducerServer(database: database)
        defer { server.terminate() }
        let pki = TestPKI.shared
        func startConsumer() throws -> Process {
            let process = try CLI.process([
                "openc2", "consumer", "--poll", url, "--cert", pki.path(.clientCertificate), "--key", pki.path(.clientPrivateKey),
                "--ca", pki.path(.caCertificate), "--interval", "1", "--firewall", "dry-run", "--state", directory.path("edge/slpf.sqlite"),
            ])
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            return process
        }
        var consumer = try startConsumer()
        defer { if consumer.isRunning { consumer.terminate() } }
        let queued = try CLI.run(["openc2", "enqueue", "--database", database, "--consumer", DevelopmentPKI.defaultClientCommonName,
                                  "deny", "ipv4_net", "198.51.100.9", "--response-requested", "complete"])
        let id = queued.output.trimmingCharacters(in: .whitespacesAndNewlines)
        let current = try waitUntilAnswered(id, database: database)
        #expect(current["state"] as? String == "answered", "\(current)")
        let results = (current["response"] as? [String: Any])?["results"] as? [String: Any]
        #expect((results?["slpf"] as? [String: Any])?["rule_number"] as? Int == 1)
        let rules = try CLI.run(["openc2", "rules", "list", "--state", directory.path("edge/slpf.sqlite")])
        #expect(rules.output.contains(#"{"ipv4_net":"198.51.100.9"}"#), "\(rules.output)")

        // Restarted, the Consumer keeps what it executed: the same Command is not run twice.
        consumer.terminate()
        consumer.waitUntilExit()
        #expect(consumer.terminationStatus == 0, "SIGTERM stops the polling Consumer cleanly")
        consumer = try startConsumer()
        let again = try CLI.run(["openc2", "enqueue", "--database", database, "--consumer", DevelopmentPKI.defaultClientCommonName,
                                 "deny", "ipv4_net", "198.51.100.10"])
        let second = again.output.trimmingCharacters(in: .whitespacesAndNewlines)
        let until = Date().addingTimeInterval(20)
        while Date() < until {
            let status = try CLI.run(["openc2", "status", "--database", database, second, "--json"])
            if status.output.contains(#""state":"answered""#) { break }
            Thread.sleep(forTimeInterval: 0.2)
        }
        let listed = try CLI.run(["openc2", "rules", "list", "--state", directory.path("edge/slpf.sqlite")])
        #expect(listed.output.split(separator: "\n").count == 2, "one rule per Command: \(listed.output)")
    }

    @Test("both servers: a Consumer with --respond-to answers ack with 102 and POSTs the final Response to the Producer server; send --record keeps both")
    func respondTo() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let database = "sqlite:" + directory.path("producer.sqlite")
        let (server, producerURL) = try startProducerServer(database: database)
        defer { server.terminate() }
        let pki = TestPKI.shared
        let log = directory.path("consumer.log")
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        let consumer = try CLI.process([
            "openc2", "consumer", "--port", "0", "--cert", pki.path(.serverCertificate), "--key", pki.path(.serverPrivateKey),
            "--client-ca", pki.path(.caCertificate), "--firewall", "dry-run", "--state", directory.path("edge/slpf.sqlite"),
            "--respond-to", producerURL, "--respond-cert", pki.path(.clientCertificate), "--respond-key", pki.path(.clientPrivateKey),
        ])
        consumer.standardOutput = FileHandle.nullDevice
        consumer.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        try consumer.run()
        defer { if consumer.isRunning { consumer.terminate() } }
        var consumerURL: String?
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline, consumerURL == nil, consumer.isRunning {
            let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            let listening = text.range(of: #"https://127\.0\.0\.1:\d+\S* \[OpenC2HTTPS\] consumer listening"#, options: .regularExpression).map { String(text[$0]) }
            consumerURL = listening?.range(of: #"https://127\.0\.0\.1:\d+"#, options: .regularExpression).map { String(listening![$0]) }
            Thread.sleep(forTimeInterval: 0.05)
        }
        let url = try #require(consumerURL, "the Consumer printed no URL: \((try? String(contentsOfFile: log, encoding: .utf8)) ?? "")")

        let identity = DevelopmentPKI.defaultClientCommonName
        let sent = try CLI.run([
            "openc2", "send", "--to", url, "--cert", pki.path(.clientCertificate), "--key", pki.path(.clientPrivateKey), "--ca", pki.path(.caCertificate),
            "--record", database, "--consumer", identity, "deny", "ipv4_net", "198.51.100.20", "--response-requested", "ack", "--json",
        ])
        #expect(sent.status == 0, "\(sent.error)")
        #expect(sent.output.contains(#""status":102"#), "acknowledged at once: \(sent.output)")
        let id = try #require(sent.error.range(of: #"recorded as [0-9a-f-]{36}"#, options: .regularExpression).map { String(sent.error[$0].suffix(36)) }, "\(sent.error)")

        let current = try waitUntilAnswered(id, database: database)
        #expect(current["state"] as? String == "answered" && current["consumer"] as? String == identity, "\(current)")
        let results = (current["response"] as? [String: Any])?["results"] as? [String: Any]
        #expect((results?["slpf"] as? [String: Any])?["rule_number"] as? Int == 1, "the final Response, forwarded: \(current)")

        let several = try CLI.run(["openc2", "send", "--to", url, "--to", url, "--record", database, "query", "features"])
        #expect(several.status != 0 && several.error.contains("--record takes one Consumer"), "\(several.error)")
        let polling = try CLI.run(["openc2", "consumer", "--poll", producerURL, "--cert", "c", "--key", "k", "--ca", "a", "--respond-to", producerURL])
        #expect(polling.status != 0 && polling.error.contains("--respond-to is for a listening Consumer"), "\(polling.error)")
    }

    @Test("bad enqueues say why and queue nothing", arguments: [
        (["deny", "ipv4_net", "198.51.100.1"], "name the Consumer with --consumer"),
        (["--consumer", "a", "deny", "ipv4_net", "999.1.1.1"], "not a valid OpenC2 Command"),
        (["--consumer", "a", "--database", "postgres://u@127.0.0.1:1/db", "deny", "ipv4_net", "198.51.100.1"], "PostgreSQL postgres://u@127.0.0.1:1/db"),
        (["--consumer", "a", "--database", "mysql://x", "deny", "ipv4_net", "198.51.100.1"], "--database must be sqlite:PATH or postgres://"),
        (["--consumer", "a", "--consumer", "b", "--file", "-"], "each of several Consumers needs its own"),
    ])
    func refusals(_ arguments: [String], _ message: String) throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let database = directory.path("producer.sqlite")
        let hasDatabase = arguments.contains("--database")
        let result = try CLI.run(["openc2", "enqueue"] + (hasDatabase ? [] : ["--database", "sqlite:" + database]) + arguments,
                                 input: Data(#"{"action":"deny","target":{"ipv4_net":"198.51.100.1"},"command_id":"fixed"}"#.utf8))
        #expect(result.status != 0)
        #expect(result.error.contains(message), "\(result.error)")
        if FileManager.default.fileExists(atPath: database) {
            let listed = try CLI.run(["openc2", "status", "--database", "sqlite:" + database, "--consumer", "a"])
            #expect(listed.output.isEmpty, "nothing queued: \(listed.output)")
        }
    }
}

struct CLITestError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

import Foundation
import Testing
import TestSupport

@Suite("bastion taxii server")
struct TAXIIServerCLITests {
    @Test("serves what bastion's own client commands push and poll, with Basic authentication; SIGTERM stops it cleanly")
    func serveAndUse() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let process = try CLI.process([
            "taxii", "server", "--port", "0", "--database", "sqlite:" + directory.path("taxii.sqlite"), "--user", "alice:wonder", "--metrics", "127.0.0.1:0",
        ])
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer { if process.isRunning { process.terminate() } }
        var banner = ""
        while !banner.contains("--collection default\n") || !banner.contains("Metrics: ") {
            let data = output.fileHandleForReading.availableData
            if data.isEmpty { break }
            banner += String(decoding: data, as: UTF8.self)
        }
        let range = try #require(banner.range(of: #"TAXII server on http://127\.0\.0\.1:\d+"#, options: .regularExpression), "\(banner)")
        let base = String(banner[range].dropFirst("TAXII server on ".count)) + "/services"
        #expect(banner.contains("1 user(s), Basic authentication"))

        let credentials = ["--username", "alice", "--pass", "wonder"]
        let inbox = try CLI.run(["taxii", "inbox", "--url", base + "/inbox"] + credentials)
        #expect(inbox.status == 0, "\(inbox.output)\(inbox.error)")
        let anonymous = try CLI.run(["taxii", "inbox", "--url", base + "/inbox"])
        #expect(anonymous.status == 1)
        #expect(anonymous.error.contains("UNAUTHORIZED"), "\(anonymous.error)")
        let destination = directory.path("polled")
        let poll = try CLI.run(["taxii", "poll", "--url", base + "/poll", "--collection", "default", "--dest-dir", destination] + credentials)
        #expect(poll.status == 0, "\(poll.error)")
        let files = try FileManager.default.contentsOfDirectory(atPath: destination)
        #expect(files.count == 1 && files.first?.hasPrefix("default_STIX11_t") == true, "\(files)")

        // The metrics endpoint counts what happened.
        let metricsRange = try #require(banner.range(of: #"http://127\.0\.0\.1:\d+/metrics"#, options: .regularExpression), "\(banner)")
        let metrics = try String(contentsOf: URL(string: String(banner[metricsRange]))!, encoding: .utf8)
        for expected in [
            #"bastion_taxii_requests_total{service="INBOX",answer="SUCCESS"} 1"#,
            #"bastion_taxii_requests_total{service="INBOX",answer="UNAUTHORIZED"} 1"#,
            #"bastion_taxii_requests_total{service="POLL",answer="Poll_Response"} 1"#,
            #"bastion_taxii_content_blocks_received_total{collection="default"} 1"#,
            #"bastion_http_requests_total{server="taxii",status="200"}"#,
        ] {
            #expect(metrics.contains(expected), "\(expected) not in\n\(metrics)")
        }

        process.terminate()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
    }

    @Test("hash-password prints a scrypt hash of the password read from standard input")
    func hashPassword() throws {
        let result = try CLI.run(["taxii", "server", "hash-password"], input: Data("correct horse\n".utf8))
        #expect(result.status == 0)
        let fields = result.output.trimmingCharacters(in: .newlines).split(separator: "$")
        #expect(fields.count == 6 && fields.first == "scrypt" && fields[1] == "32768", "\(result.output)")
        let empty = try CLI.run(["taxii", "server", "hash-password"], input: Data())
        #expect(empty.status != 0 && empty.error.contains("no password"))
    }

    @Test("a database URL it cannot use, or a malformed --user, is refused before serving")
    func refusedOptions() throws {
        let postgres = try CLI.run(["taxii", "server", "--database", "mysql://x"])
        #expect(postgres.status == 64 && postgres.error.contains("--database must be sqlite:PATH or postgres://"), "\(postgres.error)")
        let user = try CLI.run(["taxii", "server", "--user", "nopassword"])
        #expect(user.status == 64 && user.error.contains("NAME:PASSWORD"))
    }

    @Test("--init-config writes a commented file the server starts from; a mistake in a file stops it with one line naming file and key")
    func configFiles() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let file = directory.path("taxii.yaml")
        let written = try CLI.run(["taxii", "server", "--init-config", file])
        #expect(written.status == 0 && written.output.contains("wrote \(file)"))
        let text = try String(contentsOfFile: file, encoding: .utf8)
        #expect(text.contains("collections:") && text.contains("hash-password"))
        let again = try CLI.run(["taxii", "server", "--init-config", file])
        #expect(again.status != 0 && again.error.contains("already exists"))

        let bad = try directory.write("collections:\n  - {name: a}\nusers:\n  - {name: u, password_hash: nope}\n", to: "bad.yaml")
        let refused = try CLI.run(["taxii", "server", "--config", bad])
        #expect(refused.status != 0)
        #expect(refused.error.contains("bad.yaml: 'users[0].password_hash' not a password hash"), "\(refused.error)")
        #expect(refused.error.split(separator: "\n").count == 1, "one line: \(refused.error)")
    }
}

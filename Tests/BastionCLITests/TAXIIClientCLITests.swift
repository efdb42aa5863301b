import Foundation
import Testing
import TestSupport

/// A loopback URL nothing listens at.
private func closedPortURL(path: String = "/services/discovery") throws -> String {
    "http://127.0.0.1:\(try Loopback.closedPort())\(path)"
}

@Suite("bastion taxii client commands")
struct TAXIIClientCLITests {
    @Test("a refused connection: one line on standard error, exit 3, for every command", arguments: [
        ["discovery"], ["collections", "--taxii-version", "1.0"], ["poll", "--collection", "c", "--write", "none"],
        ["fulfillment", "--result-id", "r"], ["inbox"], ["query", "--ip", "198.51.100.1"], ["subscription-status"],
        ["pause", "--subscription-id", "s"], ["resume", "--subscription-id", "s"],
    ])
    func refused(_ command: [String]) throws {
        let url = try closedPortURL()
        let result = try CLI.run(["taxii"] + command + ["--url", url])
        #expect(result.status == 3, "\(result.error)")
        #expect(result.error == "error: \(url): connection refused: nothing listens there\n")
        #expect(result.output.isEmpty)
    }

    @Test("no URL, or TAXII 1.1-only options with --taxii-version 1.0: usage errors")
    func usage() throws {
        let missing = try CLI.run(["taxii", "discovery"])
        #expect(missing.status != 0 && missing.error.contains("give the service's URL with --url"))
        let v10 = try CLI.run(["taxii", "poll", "--url", "http://127.0.0.1:9/x", "--taxii-version", "1.0", "--count-only"])
        #expect(v10.status != 0 && v10.error.contains("need TAXII 1.1"))
        let query = try CLI.run(["taxii", "query", "--url", "http://127.0.0.1:9/x", "--rel", "begins_with", "--value", "a"])
        #expect(query.status != 0 && query.error.contains("needs --case-sensitive"))
        let pause = try CLI.run(["taxii", "pause", "--url", "http://127.0.0.1:9/x"])
        #expect(pause.status != 0 && pause.error.contains("pause needs --subscription-id"))
        let resume10 = try CLI.run(["taxii", "resume", "--url", "http://127.0.0.1:9/x", "--subscription-id", "s", "--taxii-version", "1.0"])
        #expect(resume10.status != 0 && resume10.error.contains("resume needs TAXII 1.1"))
    }

    @Test("--from-file: options from the [libtaxii] section win over the command line; deprecated options warn")
    func fromFile() throws {
        let url = try closedPortURL(path: "/from-file")
        let config = try CLI.temporaryFile("[libtaxii]\nurl = \(url)\nxml_output = true\n", name: UUID().uuidString + ".ini")
        let result = try CLI.run(["taxii", "discovery", "--from-file", config.path])
        #expect(result.status == 3)
        #expect(result.error.contains("error: \(url): connection refused"))
        let deprecated = try CLI.run(["taxii", "discovery", "--host", "127.0.0.1", "--port", "9", "--path", "/d"])
        #expect(deprecated.error.contains("warning: --host is deprecated; use --url"))
        #expect(deprecated.error.contains("deprecated options read as --url http://127.0.0.1:9/d"))
    }
}

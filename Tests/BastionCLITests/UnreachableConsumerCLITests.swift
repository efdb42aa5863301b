import Foundation
import NetworkNamespaceSupport
import Testing
import TestSupport

/// A Producer reports a Consumer it cannot reach at once; only one that accepts the connection
/// and then stays silent makes it wait for `--timeout`.
@Suite("Producer commands against unreachable Consumers")
struct UnreachableConsumerCLITests {
    /// Runs the CLI and returns its result and how long it took.
    func timed(_ arguments: [String], prefix: [String] = []) throws -> (result: CLI.Result, seconds: Double) {
        let start = Date()
        let result = try CLI.run(arguments, prefix: prefix)
        return (result, Date().timeIntervalSince(start))
    }

    @Test("a closed port: connection refused, exit 3, well before the timeout", arguments: [
        ["openc2", "features"], ["openc2", "send", "query", "features"],
    ])
    func closedPort(_ command: [String]) throws {
        let url = "http://127.0.0.1:\(try Loopback.closedPort())"
        let (result, seconds) = try timed(command + ["--to", url, "--timeout", "30"])
        #expect(result.status == 3)
        #expect(result.error == "error: cannot reach \(url)/.well-known/openc2: connection refused: nothing listens there\n")
        #expect(seconds < 30, "reported after \(seconds) s, the timeout is 30 s")
    }

    @Test("bench consumer against a closed port stops at its first command with the same error")
    func benchClosedPort() throws {
        let url = "http://127.0.0.1:\(try Loopback.closedPort())"
        let (result, seconds) = try timed(["bench", "consumer", "--to", url, "--timeout", "30", "--duration", "1"])
        #expect(result.status == 3)
        #expect(result.error.contains("connection refused: nothing listens there"), "\(result.error)")
        #expect(seconds < 30)
    }

    @Test("a Consumer that accepts the connection and never answers: the timeout's message after --timeout")
    func silentConsumer() throws {
        let listener = try ListeningSocket()
        defer { listener.close() }
        let url = "http://127.0.0.1:\(listener.port)"
        let (result, seconds) = try timed(["openc2", "features", "--to", url, "--timeout", "2"])
        #expect(result.status == 3)
        #expect(result.error == "error: cannot reach \(url)/.well-known/openc2: no reply within 2 s\n")
        #expect(seconds >= 2, "the Producer gave up after \(seconds) s, before its 2 s timeout")
    }

    @Test("a host that drops packets: given up after --connect-timeout, not --timeout")
    func droppedPackets() async throws {
        let namespace = try NetworkNamespace()
        defer { namespace.close() }
        let loopback = try await namespace.runner.run(["ip", "link", "set", "lo", "up"], input: "")
        #expect(loopback.status == 0, "\(loopback.stderr)")
        let drop = try await namespace.runner.run(["nft", "-f", "-"], input: """
            table inet blackhole {
                chain input { type filter hook input priority 0; tcp dport 9999 drop; }
            }
            """)
        #expect(drop.status == 0, "\(drop.stderr)")
        let (result, seconds) = try timed(
            ["openc2", "features", "--to", "http://127.0.0.1:9999", "--timeout", "30", "--connect-timeout", "1"], prefix: namespace.prefix)
        #expect(result.status == 3)
        #expect(result.error.contains("no connection before the connect timeout: the host does not answer"), "\(result.error)")
        #expect(seconds >= 1 && seconds < 30, "gave up after \(seconds) s")
    }

    @Test("--connect-timeout out of range is refused before anything is sent")
    func connectTimeoutRange() throws {
        let result = try CLI.run(["openc2", "features", "--to", "http://127.0.0.1:1", "--connect-timeout", "0"])
        #expect(result.status == 64)
        #expect(result.error.contains("--connect-timeout must be 1…86400 seconds"), "\(result.error)")
    }
}

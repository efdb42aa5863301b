import Foundation
#if canImport(Glibc)
import Glibc
#endif
import NetworkNamespaceSupport
import OpenC2
import SLPFActuator
import Synchronization
import Testing

/// A Consumer enforcing with real nftables in a namespace of its own is killed with SIGKILL
/// while Producers send it Commands, and restarted.
@Suite("SLPF Consumer crash safety", .serialized)
struct CrashCLITests {
    let port = "9555"

    func startConsumer(_ namespace: NetworkNamespace, state: String) throws -> Foundation.Process {
        let process = try CLI.process(
            ["openc2", "consumer", "--testing-http", "--port", port, "--firewall", "nftables", "--state", state],
            prefix: namespace.prefix)
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        // Listening once `features` answers.
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline {
            if try CLI.run(["openc2", "features", "--to", "http://127.0.0.1:\(port)", "--timeout", "1"], prefix: namespace.prefix).status == 0 {
                return process
            }
            guard process.isRunning else { throw CLI.CLIToolMissing(description: "the consumer exited with \(process.terminationStatus)") }
            usleep(100_000)
        }
        throw CLI.CLIToolMissing(description: "the consumer did not start listening")
    }

    /// Sends `deny ipv4_net` Commands one after another until one gets no answer; returns the
    /// rule numbers of those answered 200, and counts them in `answered` as they come.
    static func sendDenies(round: Int, prefix: [String], port: String, answered: Answered) throws -> [Int64] {
        var acknowledged: [Int64] = []
        for index in 0..<200 {
            let result = try CLI.run(
                ["openc2", "send", "--to", "http://127.0.0.1:\(port)", "--timeout", "2", "--response-requested", "complete",
                 "deny", "ipv4_net", "10.\(round).\(index).0/24"], prefix: prefix)
            guard result.status == 0 else { break }
            guard let range = result.output.range(of: #""rule_number" *: *[0-9]+"#, options: .regularExpression),
                  let number = Int64(result.output[range].split(separator: ":").last!.trimmingCharacters(in: .whitespaces)) else {
                break
            }
            acknowledged.append(number)
            answered.count.add(1, ordering: .relaxed)
        }
        return acknowledged
    }

    @Test("kill -9 amid a stream of denies loses no acknowledged rule, and after a restart store and nftables agree")
    func killNine() async throws {
        let namespace = try NetworkNamespace()
        defer { namespace.close() }
        #expect(try await namespace.runner.run(["ip", "link", "set", "lo", "up"], input: "").status == 0)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("bastion-crash-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let state = directory.appendingPathComponent("slpf.sqlite").path

        var acknowledged: [Int64] = []
        for round in 0..<3 {
            let consumer = try startConsumer(namespace, state: state)
            let (prefix, port) = (namespace.prefix, port)
            let answered = Answered()
            let sender = Task.detached { try Self.sendDenies(round: round, prefix: prefix, port: port, answered: answered) }
            // The kill lands at a random moment after the first answer: a busy machine may take
            // seconds to start the first `bastion openc2 send`, so a fixed delay could kill too early.
            let firstAnswerDeadline = ContinuousClock.now + .seconds(60)
            while answered.count.load(ordering: .relaxed) == 0, ContinuousClock.now < firstAnswerDeadline {
                try await Task.sleep(for: .milliseconds(20))
            }
            try await Task.sleep(for: .milliseconds(Int.random(in: 0...1_000)))
            kill(consumer.processIdentifier, SIGKILL)
            consumer.waitUntilExit()
            let acked = try await sender.value
            #expect(!acked.isEmpty, "round \(round): some denies should have been answered before the kill")
            acknowledged += acked
        }

        let consumer = try startConsumer(namespace, state: state)
        defer { consumer.terminate(); consumer.waitUntilExit() }
        let rules = try RuleStore(path: state).list()
        #expect(Set(acknowledged).isSubset(of: Set(rules.map(\.ruleNumber))), "every acknowledged rule is in the store")
        let listing = try await namespace.runner.run(["nft", "-j", "list", "table", "inet", "bastion"], input: "")
        #expect(listing.status == 0)
        let installed = try NFTablesBackend.parseListing(listing.stdout)
        let expected = try NFTablesRuleset().expectedInstalled(rules.filter { $0.state == .active })
        #expect(installed.withoutHandles == expected.withoutHandles, "the firewall holds exactly the stored rules")
        #expect(installed.nonEmptySets["drop4_both_24"]?.count == rules.count)
    }
}

/// A counter the sending task and the test share.
final class Answered: Sendable {
    let count = Atomic<Int>(0)
}

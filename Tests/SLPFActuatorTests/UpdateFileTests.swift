import Crypto
import Foundation
import OpenC2
import OpenC2SLPF
import Testing
import TestSupport
@testable import SLPFActuator

@Suite("SLPFActuator update file")
struct UpdateFileTests {
    let context = RequestContext(receivedAt: SLPFActuatorTests.start)

    func update(_ file: File) -> Command {
        Command(.update, .file(file), args: Args(responseRequested: .complete), actuator: .slpf())
    }

    func write(_ text: String, to name: String, in directory: TemporaryDirectory) throws {
        try Data(text.utf8).write(to: directory.url.appendingPathComponent(name))
    }

    static let blocklist = """
        {"rules": [
          {"action": "deny", "target": {"ipv4_net": "198.51.100.0/24"}},
          {"action": "deny", "target": {"ipv4_connection": {"src_addr": "203.0.113.7", "dst_port": 22, "protocol": "tcp"}},
           "args": {"slpf": {"drop_process": "reject", "direction": "ingress"}}},
          {"action": "allow", "target": {"ipv6_net": "2001:db8:1::/48"}}
        ]}
        """

    @Test("loads a rules file in one transaction, and a reload replaces what that file loaded, not other rules")
    func loadAndReload() async throws {
        let backend = DryRunBackend()
        try await SLPFActuatorTests().withActuator(backend: backend, rulesDirectory: true) { actuator, store, directory in
            _ = try await actuator.handle(deny(.ipv4Net(ipv4("192.0.2.1"))), context: context)
            try write(Self.blocklist, to: "blocklist.json", in: directory)
            await backend.clearTransactions()
            let response = try await actuator.handle(update(File(name: "blocklist.json", path: directory.url.path)), context: context)
            #expect(response.status == .ok, "\(response.statusText ?? "")")
            #expect(await backend.transactions.count == 1)
            #expect(try store.list().map(\.source) == [nil, "file:blocklist.json", "file:blocklist.json", "file:blocklist.json"])
            #expect(try await backend.installed().ruleNumbers == [3])

            try write(#"{"rules": [{"action": "deny", "target": {"ipv4_net": "198.51.100.0/25"}}]}"#, to: "blocklist.json", in: directory)
            #expect(try await actuator.handle(update(File(name: "blocklist.json")), context: context).status == .ok)
            let rules = try store.list()
            #expect(rules.map(\.ruleNumber) == [1, 5])
            #expect(try await backend.installed().nonEmptySets == [
                "drop4_both_32": ["192.0.2.1"], "drop4_both_25": ["198.51.100.0"],
            ])
            #expect(try await backend.installed().ruleNumbers.isEmpty)
        }
    }

    @Test("a file that cannot be read is 500 Cannot access file, and changes nothing")
    func cannotAccess() async throws {
        try await SLPFActuatorTests().withActuator(rulesDirectory: true) { actuator, store, directory in
            try write(Self.blocklist, to: "ok.json", in: directory)
            let sha = Array(SHA256.hash(data: Array("other".utf8)))
            for file in [
                File(name: "missing.json"),
                File(name: "../etc/passwd"),
                File(path: directory.url.path),
                File(name: "ok.json", path: "/etc"),
                File(name: "ok.json", hashes: Hashes(sha256: sha)),
            ] {
                let response = try await actuator.handle(update(file), context: context)
                #expect(response.status == .internalError, "\(file)")
                #expect(response.statusText?.hasPrefix("Cannot access file: ") == true, "\(response.statusText ?? "")")
            }
            let right = Array(SHA256.hash(data: Array(Self.blocklist.utf8)))
            #expect(try await actuator.handle(update(File(name: "ok.json", hashes: Hashes(sha256: right))), context: context).status == .ok)
            #expect(try store.list().count == 3)
        }
    }

    @Test("a file with a bad rule is 500 Rule not updated naming the entry, and changes nothing")
    func badContent() async throws {
        try await SLPFActuatorTests().withActuator(rulesDirectory: true) { actuator, store, directory in
            let cases = [
                ("notjson.json", "{rules: []}", "not a rules file"),
                ("shape.json", #"{"rules": [], "extra": 1}"#, "not a rules file"),
                ("query.json", #"{"rules": [{"action": "query", "target": {"features": []}}]}"#, "rules[0]: only allow and deny"),
                ("badnet.json", #"{"rules": [{"action": "deny", "target": {"ipv4_net": "10.0.0.0/8"}}, {"action": "deny", "target": {"ipv4_net": "10.0.0.0/33"}}]}"#, "rules[1]:"),
                ("falseack.json", #"{"rules": [{"action": "deny", "target": {"ipv4_net": "10.0.0.0/8"}, "args": {"slpf": {"drop_process": "false_ack"}}}]}"#, "rules[0]: Option not supported"),
            ]
            for (name, text, reason) in cases {
                try write(text, to: name, in: directory)
                let response = try await actuator.handle(update(File(name: name)), context: context)
                #expect(response.status == .internalError)
                #expect(response.statusText?.hasPrefix("Rule not updated: ") == true)
                #expect(response.statusText?.contains(reason) == true, "\(name): \(response.statusText ?? "")")
            }
            #expect(try store.list().isEmpty)
        }
    }
}

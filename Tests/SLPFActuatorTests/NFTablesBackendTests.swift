import Foundation
import OpenC2
import OpenC2SLPF
import NetworkNamespaceSupport
import Testing
import TestSupport
@testable import SLPFActuator

/// These tests run the real `nft` inside a user + network namespace each test makes; they
/// fail (never skip) when nft is not installed.
@Suite("NFTablesBackend with real nft in a namespace", .serialized)
struct NFTablesBackendTests {
    let ruleset = NFTablesRuleset()

    @Test("a rebuild installs exactly the rules, listed back")
    func rebuildAndList() async throws {
        let namespace = try NetworkNamespace()
        defer { namespace.close() }
        let backend = namespace.backend
        #expect(try await backend.installed().tableExists == false)
        try await backend.applyAll(sampleRules)
        let installed = try await backend.installed()
        #expect(installed.tableExists)
        #expect(installed.withoutHandles == (try ruleset.expectedInstalled(sampleRules)).withoutHandles)
        #expect(installed.rules.count == 5)  // rule 7 is in two chains
        // A second rebuild replaces, not appends.
        try await backend.applyAll(Array(sampleRules.prefix(2)))
        #expect(try await backend.installed().withoutHandles == (try ruleset.expectedInstalled(Array(sampleRules.prefix(2)))).withoutHandles)
    }

    @Test("incremental changes keep the firewall equal to the rules")
    func incremental() async throws {
        let namespace = try NetworkNamespace()
        defer { namespace.close() }
        let backend = namespace.backend
        var current: [SLPFRule] = []
        try await backend.applyAll(current)
        func check(_ comment: Comment) async throws {
            let installed = try await backend.installed().withoutHandles
            #expect(installed == (try ruleset.expectedInstalled(current)).withoutHandles, comment)
        }
        for added in sampleRules + [rule(9, .deny, .ipv4Net(ipv4("10.0.0.0/7")), direction: .ingress)] {
            try await backend.apply(.add(added))
            current.append(added)
            try await check("after adding \(added.ruleNumber)")
        }
        for number: RuleNumber in [9, 1, 4, 7, 2, 6, 3, 5, 8] {
            let removed = current.first { $0.ruleNumber == number }!
            current.removeAll { $0.ruleNumber == number }
            try await backend.apply(.remove(removed))
            try await check("after removing \(number)")
        }
        #expect(try await backend.installed().nonEmptySets.isEmpty)
        #expect(try await backend.installed().rules.isEmpty)
    }

    @Test("restart: the store is reopened and the firewall rebuilt from it, dropping stale state")
    func restartAndReconcile() async throws {
        let namespace = try NetworkNamespace()
        defer { namespace.close() }
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path("rules.sqlite")
        let backend = namespace.backend
        try await backend.applyAll([])  // first start: an empty store
        do {
            let store = try RuleStore(path: path)
            var installed: [SLPFRule] = []
            for request in [
                FilterRuleRequest(action: .deny, match: .ipv4Net(ipv4("198.51.100.0/24"))),
                FilterRuleRequest(action: .deny, match: .ipv4Net(ipv4("203.0.113.9")), persistent: false),
                FilterRuleRequest(action: .allow, match: .ipv4Connection(IPv4Connection(destinationPort: 22, protocol: .tcp)),
                                  direction: .ingress),
            ] {
                let added = try store.add(request, receivedAt: at(0))
                try await backend.apply(.add(added))
                installed.append(added)
            }
            #expect(try await backend.installed().nonEmptySets["drop4_both_24"] == ["198.51.100.0"])
            #expect(try await backend.installed().nonEmptySets["drop4_both_32"] == ["203.0.113.9"])
        }
        // Drift the firewall as a crash between store and firewall could.
        _ = try await backend.executor.run("add element inet bastion drop4_both_24 { 192.0.2.0 }\n", echo: false)
        // Restart.
        let store = try RuleStore(path: path)
        try store.discardNonPersistent()
        let restored = try store.rulesToRestore()
        #expect(restored.map(\.ruleNumber) == [1, 3])
        try await backend.applyAll(restored)
        let installed = try await backend.installed()
        #expect(installed.withoutHandles == (try ruleset.expectedInstalled(restored)).withoutHandles)
        #expect(installed.nonEmptySets == ["drop4_both_24": ["198.51.100.0"]])
        #expect(installed.ruleNumbers == [3])
    }

    @Test("nft refusing a transaction is a typed error with its message, and changes nothing")
    func nftFailure() async throws {
        let namespace = try NetworkNamespace()
        defer { namespace.close() }
        let backend = namespace.backend
        try await backend.applyAll([sampleRules[0]])
        await #expect {
            try await backend.executor.run("add element inet bastion drop4_in_8 { 192.0.0.0 }\nadd element inet bastion nosuchset { 192.0.2.2 }\n", echo: false)
        } throws: { error in
            guard let error = error as? FirewallError, error.kind == .commandFailed,
                  let command = error.command, let status = error.exitStatus, let stderr = error.standardError else { return false }
            return command == ["nft", "-f", "-"] && status != 0 && stderr.contains("nosuchset")
        }
        // Atomic: the first line did not happen either.
        #expect(try await backend.installed().nonEmptySets == ["drop4_in_8": ["10.0.0.0"]])
    }

    @Test("a missing nft program is reported as required")
    func missingNFT() async {
        let backend = NFTablesBackend(nft: "nft-that-does-not-exist")
        await #expect(throws: FirewallError.toolNotFound("nft-that-does-not-exist")) {
            try await backend.applyAll([])
        }
        #expect(FirewallError.toolNotFound("nft").description.contains("nft is required"))
    }

    @Test("nft listing JSON is parsed")
    func parseListing() throws {
        let json = """
            {"nftables": [{"metainfo": {"version": "1.0.6", "json_schema_version": 1}},
             {"table": {"family": "inet", "name": "bastion", "handle": 1}},
             {"set": {"family": "inet", "name": "drop4_in", "table": "bastion", "type": "ipv4_addr", "handle": 2, "flags": ["interval"],
                      "elem": ["1.2.3.4", {"prefix": {"addr": "10.0.0.0", "len": 8}}, {"range": ["10.9.0.1", "10.9.0.3"]}]}},
             {"set": {"family": "inet", "name": "drop4_out", "table": "bastion", "type": "ipv4_addr", "handle": 3, "flags": ["interval"]}},
             {"chain": {"family": "inet", "table": "bastion", "name": "deny_in", "handle": 4}},
             {"rule": {"family": "inet", "table": "bastion", "chain": "deny_in", "handle": 5, "expr": []}},
             {"rule": {"family": "inet", "table": "bastion", "chain": "deny_in", "handle": 6, "comment": "bastion:7", "expr": [{"drop": null}]}}]}
            """
        let state = try NFTablesBackend.parseListing(json)
        #expect(state.tableExists)
        #expect(state.sets == ["drop4_in": ["1.2.3.4", "10.0.0.0/8", "10.9.0.1-10.9.0.3"], "drop4_out": []])
        #expect(state.rules == [InstalledRule(chain: "deny_in", handle: 6, ruleNumber: 7)])
        #expect(throws: FirewallError.self) { try NFTablesBackend.parseListing("[]") }
    }
}

@Suite("DryRunBackend")
struct DryRunBackendTests {
    @Test("records the transactions nft would run and answers as nft would")
    func records() async throws {
        let backend = DryRunBackend()
        try await backend.applyAll([sampleRules[0]])
        try await backend.apply(.add(sampleRules[3]))
        try await backend.apply(.add(rule(9, .deny, .ipv4Net(ipv4("10.1.2.3/8")), direction: .ingress)))  // same element: no transaction
        try await backend.apply(.remove(sampleRules[3]))
        let transactions = await backend.transactions
        #expect(transactions.count == 3)
        #expect(transactions[0] == (try NFTablesRuleset().rebuild([sampleRules[0]])))
        #expect(transactions[1] == """
            add rule inet bastion deny_in ip saddr 192.0.2.1 tcp dport 22 reject with tcp reset comment "bastion:4"

            """)
        #expect(transactions[2] == "delete rule inet bastion deny_in handle 1\n")
        let installed = try await backend.installed()
        #expect(installed.nonEmptySets == ["drop4_in_8": ["10.0.0.0"]])
        #expect(installed.rules.isEmpty)
        await backend.clearTransactions()
        #expect(await backend.transactions.isEmpty)
    }

    @Test("refuses what nftables cannot express")
    func refuses() async {
        let backend = DryRunBackend()
        await #expect(throws: FirewallError.render(.unsupportedDropProcess(1, .falseAck))) {
            try await backend.applyAll([rule(1, .deny, .ipv4Net(ipv4("10.0.0.0/8")), dropProcess: .falseAck)])
        }
    }
}

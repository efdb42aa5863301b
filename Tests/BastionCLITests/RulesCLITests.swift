import Foundation
import NetworkNamespaceSupport
import OpenC2
import OpenC2SLPF
import SLPFActuator
import Testing

@Suite("bastion openc2 rules", .serialized)
struct RulesCLITests {
    @Test("list, show and delete work on the store; delete rebuilds the firewall from it")
    func listShowDelete() async throws {
        let namespace = try NetworkNamespace()
        defer { namespace.close() }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("bastion-rules-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let state = directory.appendingPathComponent("slpf.sqlite").path
        do {
            let store = try RuleStore(path: state)
            try store.add(FilterRuleRequest(action: .deny, match: .ipv4Net(try IPv4Net("198.51.100.0/24"))), receivedAt: DateTime(millisecondsSince1970: 0))
            try store.add(FilterRuleRequest(action: .allow, match: .ipv6Net(try IPv6Net("2001:db8::/32")), direction: .egress),
                          receivedAt: DateTime(millisecondsSince1970: 0))
        }
        let list = try CLI.run(["openc2", "rules", "list", "--state", state])
        #expect(list.status == 0)
        #expect(list.output == """
            1  deny  {"ipv4_net":"198.51.100.0/24"}  both
            2  allow  {"ipv6_net":"2001:db8::/32"}  egress

            """)
        let json = try CLI.run(["openc2", "rules", "list", "--state", state, "--json"])
        #expect(json.output.contains(#""rule_number": 2"#))
        let show = try CLI.run(["openc2", "rules", "show", "2", "--state", state])
        #expect(show.status == 0)
        #expect(show.output.contains(#""direction": "egress""#))
        let missing = try CLI.run(["openc2", "rules", "show", "9", "--state", state])
        #expect(missing.status != 0)
        #expect(missing.error.contains("no rule 9"))

        let delete = try CLI.run(["openc2", "rules", "delete", "1", "--state", state, "--firewall", "nftables"], prefix: namespace.prefix)
        #expect(delete.status == 0, "\(delete.error)")
        #expect(delete.output.contains("rebuilt with 1 rules"))
        let listing = try await namespace.runner.run(["nft", "-j", "list", "table", "inet", "bastion"], input: "")
        #expect(try NFTablesBackend.parseListing(listing.stdout).nonEmptySets == ["allow6_out_32": ["2001:db8::"]])
        #expect(try RuleStore(path: state).list().map(\.ruleNumber) == [2])

        let noStore = try CLI.run(["openc2", "rules", "list", "--state", directory.appendingPathComponent("none.sqlite").path])
        #expect(noStore.status != 0)
        #expect(noStore.error.contains("no rule store at"))
    }
}

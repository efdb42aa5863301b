import OpenC2
import OpenC2SLPF
import Testing
@testable import SLPFActuator

/// Rules covering each kind of target, direction, verdict and drop process.
let sampleRules: [SLPFRule] = [
    rule(1, .deny, .ipv4Net(ipv4("10.0.0.0/8")), direction: .ingress),
    rule(2, .allow, .ipv4Net(ipv4("10.1.0.0/16"))),
    rule(3, .deny, .ipv6Net(ipv6("2001:db8::/32")), direction: .egress, dropProcess: .reject),
    rule(4, .deny, .ipv4Connection(IPv4Connection(sourceAddress: ipv4("192.0.2.1"), destinationPort: 22, protocol: .tcp)),
         direction: .ingress, dropProcess: .reject),
    rule(5, .allow, .ipv6Connection(IPv6Connection(destinationAddress: ipv6("2001:db8::1"), destinationPort: 53, protocol: .udp)),
         direction: .egress),
    // Inside rule 1's block, with another prefix length: its own set.
    rule(6, .deny, .ipv4Net(ipv4("10.2.3.4/16")), direction: .ingress),
    rule(7, .deny, .ipv4Connection(IPv4Connection(destinationPort: 8080))),
    rule(8, .deny, .ipv6Connection(IPv6Connection(sourceAddress: ipv6("2001:db8:1::/48"), protocol: .icmp)),
         direction: .ingress, dropProcess: .reject),
]

let sampleRebuild = """
    table inet bastion
    delete table inet bastion
    table inet bastion {
    \tset allow4_both_16 {
    \t\ttype ipv4_addr
    \t\telements = { 10.1.0.0 }
    \t}
    \tset drop4_in_16 {
    \t\ttype ipv4_addr
    \t\telements = { 10.2.0.0 }
    \t}
    \tset drop4_in_8 {
    \t\ttype ipv4_addr
    \t\telements = { 10.0.0.0 }
    \t}
    \tset reject6_out_32 {
    \t\ttype ipv6_addr
    \t\telements = { 2001:db8:: }
    \t}
    \tchain allow_in {
    \t\tip saddr & 255.255.0.0 @allow4_both_16 accept
    \t}
    \tchain deny_in {
    \t\tip saddr & 255.255.0.0 @drop4_in_16 drop
    \t\tip saddr & 255.0.0.0 @drop4_in_8 drop
    \t\tip saddr 192.0.2.1 tcp dport 22 reject with tcp reset comment "bastion:4"
    \t\tmeta nfproto ipv4 meta l4proto { tcp, udp, sctp } th dport 8080 drop comment "bastion:7"
    \t\tip6 saddr 2001:db8:1::/48 meta l4proto ipv6-icmp reject with icmpx type admin-prohibited comment "bastion:8"
    \t}
    \tchain allow_out {
    \t\tip daddr & 255.255.0.0 @allow4_both_16 accept
    \t\tip6 daddr 2001:db8::1 udp dport 53 accept comment "bastion:5"
    \t}
    \tchain deny_out {
    \t\tip6 daddr & ffff:ffff:: @reject6_out_32 meta l4proto tcp reject with tcp reset
    \t\tip6 daddr & ffff:ffff:: @reject6_out_32 reject with icmpx type admin-prohibited
    \t\tmeta nfproto ipv4 meta l4proto { tcp, udp, sctp } th dport 8080 drop comment "bastion:7"
    \t}
    \tchain input {
    \t\ttype filter hook input priority filter; policy accept;
    \t\tjump allow_in
    \t\tjump deny_in
    \t}
    \tchain output {
    \t\ttype filter hook output priority filter; policy accept;
    \t\tjump allow_out
    \t\tjump deny_out
    \t}
    }

    """

@Suite("NFTablesRuleset rendering")
struct NFTablesRulesetTests {
    let ruleset = NFTablesRuleset()

    @Test("full rebuild renders the exact table")
    func rebuild() throws {
        #expect(try ruleset.rebuild(sampleRules) == sampleRebuild)
        // Order of the input does not matter.
        #expect(try ruleset.rebuild(sampleRules.reversed()) == sampleRebuild)
    }

    @Test("a gateway ruleset adds a forward chain visiting both allow chains, then both deny chains")
    func gatewayRebuild() throws {
        let host = try NFTablesRuleset().rebuild(sampleRules)
        let gateway = try NFTablesRuleset(gateway: true).rebuild(sampleRules)
        #expect(!host.contains("hook forward"))
        let forward = "\tchain forward {\n\t\ttype filter hook forward priority filter; policy accept;\n"
            + "\t\tjump allow_in\n\t\tjump allow_out\n\t\tjump deny_in\n\t\tjump deny_out\n\t}\n}\n"
        #expect(gateway == String(host.dropLast(2)) + forward)
    }

    @Test("an empty store rebuilds an empty table")
    func emptyRebuild() throws {
        let text = try ruleset.rebuild([])
        #expect(text.hasPrefix("table inet bastion\ndelete table inet bastion\ntable inet bastion {\n\tchain allow_in {\n\t}\n"))
        #expect(!text.contains("set "))
        #expect(!text.contains("comment"))
    }

    @Test("adding an address-only rule: one element, and the set with its lookup the first time")
    func addAddress() throws {
        var state = NFTablesState()
        let first = rule(1, .deny, .ipv4Net(ipv4("10.0.0.0/8")), direction: .ingress)
        #expect(try state.script(for: .add(first)) == ("""
            add set inet bastion drop4_in_8 { type ipv4_addr; }
            insert rule inet bastion deny_in ip saddr & 255.0.0.0 @drop4_in_8 drop
            add element inet bastion drop4_in_8 { 10.0.0.0 }

            """, false))
        state.commit(.add(first))
        // The set exists now: just the element. Host bits are cleared.
        let second = rule(2, .deny, .ipv4Net(ipv4("11.2.3.4/8")), direction: .ingress)
        #expect(try state.script(for: .add(second)).script == "add element inet bastion drop4_in_8 { 11.0.0.0 }\n")
        // The same block again: nothing changes in the firewall.
        let same = rule(3, .deny, .ipv4Net(ipv4("10.9.9.9/8")), direction: .ingress)
        state.commit(.add(second))
        #expect(try state.script(for: .add(same)).script == "")
        // A single address, both directions, reject: one set, looked up in both deny chains.
        let host = rule(4, .deny, .ipv6Net(ipv6("2001:db8::5")), dropProcess: .reject)
        #expect(try state.script(for: .add(host)).script == """
            add set inet bastion reject6_both_128 { type ipv6_addr; }
            insert rule inet bastion deny_out ip6 daddr @reject6_both_128 reject with icmpx type admin-prohibited
            insert rule inet bastion deny_out ip6 daddr @reject6_both_128 meta l4proto tcp reject with tcp reset
            insert rule inet bastion deny_in ip6 saddr @reject6_both_128 reject with icmpx type admin-prohibited
            insert rule inet bastion deny_in ip6 saddr @reject6_both_128 meta l4proto tcp reject with tcp reset
            add element inet bastion reject6_both_128 { 2001:db8::5 }

            """)
    }

    @Test("removing an address-only rule deletes its element only when no other rule needs it")
    func removeAddress() throws {
        let a = rule(1, .allow, .ipv4Net(ipv4("192.0.2.0/24")), direction: .egress)
        let b = rule(2, .allow, .ipv4Net(ipv4("192.0.2.128/24")), direction: .egress)
        var state = NFTablesState(rebuilt: try NFTablesRuleset.Contents([a, b]))
        #expect(try state.script(for: .remove(a)).script == "")
        state.commit(.remove(a))
        #expect(try state.script(for: .remove(b)).script == "delete element inet bastion allow4_out_24 { 192.0.2.0 }\n")
        state.commit(.remove(b))
        // The set stays: adding to it again needs no new set.
        #expect(try state.script(for: .add(a)).script == "add element inet bastion allow4_out_24 { 192.0.2.0 }\n")
    }

    @Test("5-tuple rules are added by comment, their handles learnt from nft's echo, and deleted by handle")
    func connections() throws {
        var state = NFTablesState()
        let added = try state.script(for: .add(sampleRules[6]))
        #expect(added.needsEcho)
        #expect(added.script == """
            add rule inet bastion deny_in meta nfproto ipv4 meta l4proto { tcp, udp, sctp } th dport 8080 drop comment "bastion:7"
            add rule inet bastion deny_out meta nfproto ipv4 meta l4proto { tcp, udp, sctp } th dport 8080 drop comment "bastion:7"

            """)
        let echo = """
            add rule inet bastion deny_in meta nfproto ipv4 meta l4proto { tcp, udp, sctp } th dport 8080 drop comment "bastion:7" # handle 11
            add rule inet bastion deny_out meta nfproto ipv4 meta l4proto { tcp, udp, sctp } th dport 8080 drop comment "bastion:7" # handle 13
            # new generation 5 by process 123 (nft)

            """
        #expect(NFTablesRuleset.echoedRules(echo) == [
            InstalledRule(chain: "deny_in", handle: 11, ruleNumber: 7), InstalledRule(chain: "deny_out", handle: 13, ruleNumber: 7),
        ])
        state.commit(.add(sampleRules[6]), echo: echo)
        #expect(try state.script(for: .remove(sampleRules[6])).script
            == "delete rule inet bastion deny_in handle 11\ndelete rule inet bastion deny_out handle 13\n")
        state.commit(.remove(sampleRules[6]))
        #expect(try state.script(for: .remove(sampleRules[6])).script == "")
        let sctp = rule(9, .allow, .ipv4Connection(IPv4Connection(sourcePort: 5000, protocol: .sctp)), direction: .egress)
        #expect(try state.script(for: .add(sctp)).script
            == "add rule inet bastion allow_out meta nfproto ipv4 sctp sport 5000 accept comment \"bastion:9\"\n")
        let anyTCP = rule(10, .deny, .ipv6Connection(IPv6Connection(protocol: .tcp)), direction: .ingress, dropProcess: .reject)
        #expect(try state.script(for: .add(anyTCP)).script
            == "add rule inet bastion deny_in meta nfproto ipv6 meta l4proto tcp reject with tcp reset comment \"bastion:10\"\n")
    }

    @Test("what nftables cannot express is a typed error")
    func unsupported() {
        #expect(throws: NFTablesRenderError.unsupportedDropProcess(1, .falseAck)) {
            try ruleset.rebuild([rule(1, .deny, .ipv4Net(ipv4("10.0.0.0/8")), dropProcess: .falseAck)])
        }
        #expect(throws: NFTablesRenderError.portsWithoutTransport(2, .icmp)) {
            try NFTablesState().script(for: .add(rule(2, .deny, .ipv4Connection(IPv4Connection(destinationPort: 1, protocol: .icmp)))))
        }
    }

    @Test("comments carry rule numbers")
    func comments() {
        #expect(NFTablesRuleset.comment(for: 12) == "bastion:12")
        #expect(NFTablesRuleset.ruleNumber(inComment: "bastion:12") == 12)
        #expect(NFTablesRuleset.ruleNumber(inComment: "other:12") == nil)
        #expect(NFTablesRuleset.ruleNumber(inComment: "bastion:x") == nil)
    }

    @Test("expected installed state of the sample rules")
    func expected() throws {
        let state = try ruleset.expectedInstalled(sampleRules)
        #expect(state.nonEmptySets == [
            "allow4_both_16": ["10.1.0.0"], "drop4_in_16": ["10.2.0.0"], "drop4_in_8": ["10.0.0.0"],
            "reject6_out_32": ["2001:db8::"],
        ])
        #expect(state.ruleNumbers == [4, 5, 7, 8])
    }

    @Test("large rebuilds split into bounded add transactions")
    func parts() throws {
        let many = (0..<4_500).map { rule(RuleNumber($0 + 1), .deny, .ipv4Net(try! IPv4Net(IPv4Address(0x0A00_0000 + UInt32($0)))), direction: .ingress) }
        let parts = NFTablesBackend.parts(try NFTablesRuleset.Contents(many))
        #expect(parts.count == 3)
        let elements = parts.map { $0.split(separator: ",").count }
        #expect(elements == [2_000, 2_000, 500])
        #expect(parts.allSatisfy { $0.hasPrefix("add element inet bastion drop4_in_32 { ") })
    }

    @Test("netmasks")
    func masks() {
        #expect(AddressBlock.mask(family: 4, length: 0) == "0.0.0.0")
        #expect(AddressBlock.mask(family: 4, length: 20) == "255.255.240.0")
        #expect(AddressBlock.mask(family: 6, length: 64) == "ffff:ffff:ffff:ffff::")
        #expect(AddressBlock.mask(family: 6, length: 65) == "ffff:ffff:ffff:ffff:8000::")
        #expect(AddressBlock(ipv4("10.2.3.4/16")).networkAddress == "10.2.0.0")
    }
}

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
    // Inside rule 1's block: adds no element.
    rule(6, .deny, .ipv4Net(ipv4("10.2.3.4/16")), direction: .ingress),
    rule(7, .deny, .ipv4Connection(IPv4Connection(destinationPort: 8080))),
    rule(8, .deny, .ipv6Connection(IPv6Connection(sourceAddress: ipv6("2001:db8:1::/48"), protocol: .icmp)),
         direction: .ingress, dropProcess: .reject),
]

let sampleRebuild = """
    table inet bastion
    delete table inet bastion
    table inet bastion {
    \tset allow4_in {
    \t\ttype ipv4_addr
    \t\tflags interval
    \t\telements = { 10.1.0.0/16 }
    \t}
    \tset allow4_out {
    \t\ttype ipv4_addr
    \t\tflags interval
    \t\telements = { 10.1.0.0/16 }
    \t}
    \tset allow6_in {
    \t\ttype ipv6_addr
    \t\tflags interval
    \t}
    \tset allow6_out {
    \t\ttype ipv6_addr
    \t\tflags interval
    \t}
    \tset drop4_in {
    \t\ttype ipv4_addr
    \t\tflags interval
    \t\telements = { 10.0.0.0/8 }
    \t}
    \tset drop4_out {
    \t\ttype ipv4_addr
    \t\tflags interval
    \t}
    \tset drop6_in {
    \t\ttype ipv6_addr
    \t\tflags interval
    \t}
    \tset drop6_out {
    \t\ttype ipv6_addr
    \t\tflags interval
    \t}
    \tset reject4_in {
    \t\ttype ipv4_addr
    \t\tflags interval
    \t}
    \tset reject4_out {
    \t\ttype ipv4_addr
    \t\tflags interval
    \t}
    \tset reject6_in {
    \t\ttype ipv6_addr
    \t\tflags interval
    \t}
    \tset reject6_out {
    \t\ttype ipv6_addr
    \t\tflags interval
    \t\telements = { 2001:db8::/32 }
    \t}
    \tchain allow_in {
    \t\tip saddr @allow4_in accept
    \t\tip6 saddr @allow6_in accept
    \t}
    \tchain deny_in {
    \t\tip saddr @drop4_in drop
    \t\tip6 saddr @drop6_in drop
    \t\tip saddr @reject4_in meta l4proto tcp reject with tcp reset
    \t\tip saddr @reject4_in reject with icmpx type admin-prohibited
    \t\tip6 saddr @reject6_in meta l4proto tcp reject with tcp reset
    \t\tip6 saddr @reject6_in reject with icmpx type admin-prohibited
    \t\tip saddr 192.0.2.1 tcp dport 22 reject with tcp reset comment "bastion:4"
    \t\tmeta nfproto ipv4 meta l4proto { tcp, udp, sctp } th dport 8080 drop comment "bastion:7"
    \t\tip6 saddr 2001:db8:1::/48 meta l4proto ipv6-icmp reject with icmpx type admin-prohibited comment "bastion:8"
    \t}
    \tchain allow_out {
    \t\tip daddr @allow4_out accept
    \t\tip6 daddr @allow6_out accept
    \t\tip6 daddr 2001:db8::1 udp dport 53 accept comment "bastion:5"
    \t}
    \tchain deny_out {
    \t\tip daddr @drop4_out drop
    \t\tip6 daddr @drop6_out drop
    \t\tip daddr @reject4_out meta l4proto tcp reject with tcp reset
    \t\tip daddr @reject4_out reject with icmpx type admin-prohibited
    \t\tip6 daddr @reject6_out meta l4proto tcp reject with tcp reset
    \t\tip6 daddr @reject6_out reject with icmpx type admin-prohibited
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

    @Test("an empty store rebuilds an empty table")
    func emptyRebuild() throws {
        let text = try ruleset.rebuild([])
        #expect(text.hasPrefix("table inet bastion\ndelete table inet bastion\ntable inet bastion {\n\tset allow4_in {\n"))
        #expect(!text.contains("elements"))
        #expect(!text.contains("comment"))
    }

    @Test("adding address-only rules keeps sets non-overlapping")
    func addAddress() throws {
        let base = [sampleRules[0]]  // drop4_in { 10.0.0.0/8 }
        // Inside an existing block: nothing to do.
        #expect(try ruleset.addition(of: rule(9, .deny, .ipv4Net(ipv4("10.5.0.0/16")), direction: .ingress), alongside: base) == "")
        // Disjoint: one element.
        #expect(try ruleset.addition(of: rule(9, .deny, .ipv4Net(ipv4("192.0.2.7")), direction: .ingress), alongside: base)
            == "add element inet bastion drop4_in { 192.0.2.7 }\n")
        // Covering: the covered element goes, in the same transaction.
        #expect(try ruleset.addition(of: rule(9, .deny, .ipv4Net(ipv4("10.0.0.0/7")), direction: .ingress), alongside: base)
            == "delete element inet bastion drop4_in { 10.0.0.0/8 }\nadd element inet bastion drop4_in { 10.0.0.0/7 }\n")
        // Both directions: two sets. Host bits are cleared.
        #expect(try ruleset.addition(of: rule(9, .allow, .ipv6Net(ipv6("2001:db8::5/64"))), alongside: base)
            == "add element inet bastion allow6_in { 2001:db8::/64 }\nadd element inet bastion allow6_out { 2001:db8::/64 }\n")
    }

    @Test("removing address-only rules puts back what they covered")
    func removeAddress() throws {
        let covering = rule(1, .deny, .ipv4Net(ipv4("10.0.0.0/8")), direction: .ingress)
        let inside = rule(6, .deny, .ipv4Net(ipv4("10.2.0.0/16")), direction: .ingress)
        let same = rule(9, .deny, .ipv4Net(ipv4("10.0.0.0/8")), direction: .ingress)
        #expect(try ruleset.removal(of: covering, remaining: [inside], installed: [])
            == "delete element inet bastion drop4_in { 10.0.0.0/8 }\nadd element inet bastion drop4_in { 10.2.0.0/16 }\n")
        // Another rule has the same block: the element stays.
        #expect(try ruleset.removal(of: covering, remaining: [inside, same], installed: []) == "")
        // A covered rule goes without a trace in the firewall.
        #expect(try ruleset.removal(of: inside, remaining: [covering], installed: []) == "")
        #expect(try ruleset.removal(of: inside, remaining: [], installed: [])
            == "delete element inet bastion drop4_in { 10.2.0.0/16 }\n")
    }

    @Test("5-tuple rules are added by comment and deleted by handle")
    func connections() throws {
        #expect(try ruleset.addition(of: sampleRules[6], alongside: [])
            == """
            add rule inet bastion deny_in meta nfproto ipv4 meta l4proto { tcp, udp, sctp } th dport 8080 drop comment "bastion:7"
            add rule inet bastion deny_out meta nfproto ipv4 meta l4proto { tcp, udp, sctp } th dport 8080 drop comment "bastion:7"

            """)
        let installed = [
            InstalledRule(chain: "deny_in", handle: 11, ruleNumber: 7),
            InstalledRule(chain: "deny_in", handle: 12, ruleNumber: 4),
            InstalledRule(chain: "deny_out", handle: 13, ruleNumber: 7),
        ]
        #expect(try ruleset.removal(of: sampleRules[6], remaining: [], installed: installed)
            == "delete rule inet bastion deny_in handle 11\ndelete rule inet bastion deny_out handle 13\n")
        let sctp = rule(9, .allow, .ipv4Connection(IPv4Connection(sourcePort: 5000, protocol: .sctp)), direction: .egress)
        #expect(try ruleset.addition(of: sctp, alongside: [])
            == "add rule inet bastion allow_out meta nfproto ipv4 sctp sport 5000 accept comment \"bastion:9\"\n")
        let anyTCP = rule(10, .deny, .ipv6Connection(IPv6Connection(protocol: .tcp)), direction: .ingress, dropProcess: .reject)
        #expect(try ruleset.addition(of: anyTCP, alongside: [])
            == "add rule inet bastion deny_in meta nfproto ipv6 meta l4proto tcp reject with tcp reset comment \"bastion:10\"\n")
    }

    @Test("what nftables cannot express is a typed error")
    func unsupported() {
        #expect(throws: NFTablesRenderError.unsupportedDropProcess(1, .falseAck)) {
            try ruleset.rebuild([rule(1, .deny, .ipv4Net(ipv4("10.0.0.0/8")), dropProcess: .falseAck)])
        }
        #expect(throws: NFTablesRenderError.portsWithoutTransport(2, .icmp)) {
            try ruleset.addition(of: rule(2, .deny, .ipv4Connection(IPv4Connection(destinationPort: 1, protocol: .icmp))), alongside: [])
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
            "allow4_in": ["10.1.0.0/16"], "allow4_out": ["10.1.0.0/16"], "drop4_in": ["10.0.0.0/8"], "reject6_out": ["2001:db8::/32"],
        ])
        #expect(state.sets.count == 12)
        #expect(state.ruleNumbers == [4, 5, 7, 8])
    }

    @Test("maximal address blocks")
    func maximal() {
        let blocks = ["10.0.0.0/8", "10.1.0.0/16", "10.0.0.0/8", "192.0.2.1", "192.0.2.0/31", "0.0.0.0/0"].map { AddressBlock(ipv4($0)) }
        #expect(AddressBlock.maximal(blocks).map(\.description) == ["0.0.0.0/0"])
        let some = ["10.1.0.0/16", "10.0.0.0/8", "192.0.2.1", "192.0.2.0/31", "192.0.2.3"].map { AddressBlock(ipv4($0)) }
        #expect(AddressBlock.maximal(some).map(\.description) == ["10.0.0.0/8", "192.0.2.0/31", "192.0.2.3"])
        let v6 = ["2001:db8::/32", "2001:db8:ffff::1", "::/0"].map { AddressBlock(ipv6($0)) }
        #expect(AddressBlock.maximal(v6.prefix(2)).map(\.description) == ["2001:db8::/32"])
        #expect(AddressBlock.maximal(v6).map(\.description) == ["::/0"])
    }
}

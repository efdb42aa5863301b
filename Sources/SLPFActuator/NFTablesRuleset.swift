import OpenC2
import OpenC2SLPF

/// Why a rule cannot be expressed in nftables.
public enum NFTablesRenderError: Error, Hashable, Sendable, CustomStringConvertible {
    /// `drop_process: false_ack` has no nftables equivalent here.
    case unsupportedDropProcess(RuleNumber, DropProcess)
    /// Ports given with a protocol that has none (ICMP).
    case portsWithoutTransport(RuleNumber, L4Protocol)

    public var description: String {
        switch self {
        case .unsupportedDropProcess(let number, let process):
            "rule \(number): drop_process \(process.rawValue) is not supported by the nftables backend"
        case .portsWithoutTransport(let number, let proto):
            "rule \(number): ports cannot be matched for protocol \(proto.rawValue)"
        }
    }
}

/// A rule the firewall holds, as listed back: its chain, its handle and, for Bastion's
/// 5-tuple rules, the rule number from its `comment "bastion:<rule_number>"`.
public struct InstalledRule: Hashable, Sendable {
    public var chain: String
    public var handle: Int64
    public var ruleNumber: RuleNumber?

    /// An installed rule.
    public init(chain: String, handle: Int64, ruleNumber: RuleNumber?) {
        self.chain = chain
        self.handle = handle
        self.ruleNumber = ruleNumber
    }
}

/// Renders SLPF rules as `nft -f` text for `table inet bastion`. Pure: no I/O.
///
/// Layout (the whole table is Bastion's; nothing else is touched):
///
/// - 12 interval sets `<verdict><family>_<dir>` — verdict `allow`, `drop` or `reject`, family
///   `4` (`ipv4_addr`) or `6` (`ipv6_addr`), dir `in` or `out` — hold the address-only rules
///   (`ipv4_net`, `ipv6_net`). An interval set refuses overlapping elements, so a set holds the
///   maximal blocks of its rules: a rule whose block lies inside another rule's block adds no
///   element, and removing a block puts back the blocks it was covering.
/// - Regular chains `allow_in`, `deny_in`, `allow_out`, `deny_out`: first the set lookups
///   (`ip saddr @allow4_in accept`; ingress matches the source address, egress the destination
///   address), then the 5-tuple rules (`ipv4_connection`, `ipv6_connection`) in rule-number
///   order, each commented `bastion:<rule_number>`, matched literally in both directions.
/// - Base chains `input` and `output` (`type filter hook … priority filter; policy accept`)
///   `jump` to the allow chain, then to the deny chain: allow rules win over deny rules, and
///   traffic no rule matches passes. There is no `forward` chain: Bastion filters the host it
///   runs on; `direction` `ingress` is `input`, `egress` is `output`, `both` is both.
/// - `drop_process: none` → `drop`; `reject` → `reject with tcp reset` for TCP, else
///   `reject with icmpx type admin-prohibited`; `false_ack` is not supported.
///
/// ``rebuild(_:)`` replaces the whole table in one transaction; ``addition(of:alongside:)``
/// and ``removal(of:remaining:installed:)`` render one change touching only what changed.
public struct NFTablesRuleset: Sendable {
    /// The table's family and name.
    public static let family = "inet"
    public static let table = "bastion"
    /// `inet bastion`.
    public static let qualifiedTable = "\(family) \(table)"

    /// The comment that marks a 5-tuple rule: `bastion:<rule_number>`.
    public static func comment(for number: RuleNumber) -> String { "bastion:\(number)" }

    /// The rule number in a `bastion:<rule_number>` comment.
    public static func ruleNumber(inComment comment: String) -> RuleNumber? {
        guard comment.hasPrefix("bastion:") else { return nil }
        return RuleNumber(comment.dropFirst("bastion:".count))
    }

    /// A renderer.
    public init() {}

    // MARK: Layout

    enum Verdict: String, CaseIterable { case allow, drop, reject }
    enum Way: String, CaseIterable {
        case `in`, out
        var baseChain: String { self == .in ? "input" : "output" }
        var hook: String { self == .in ? "input" : "output" }
        /// The address field an address-only rule matches.
        var addressField: String { self == .in ? "saddr" : "daddr" }
    }

    static func setName(_ verdict: Verdict, family: Int, _ way: Way) -> String { "\(verdict.rawValue)\(family)_\(way.rawValue)" }
    static func chainName(allow: Bool, _ way: Way) -> String { "\(allow ? "allow" : "deny")_\(way.rawValue)" }

    private static func ways(_ direction: Direction) -> [Way] {
        switch direction {
        case .both: [.in, .out]
        case .ingress: [.in]
        case .egress: [.out]
        }
    }

    private static func verdict(of rule: SLPFRule) throws(NFTablesRenderError) -> Verdict {
        switch (rule.action, rule.dropProcess) {
        case (.allow, _): .allow
        case (.deny, .silent): .drop
        case (.deny, .reject): .reject
        case (.deny, .falseAck): throw .unsupportedDropProcess(rule.ruleNumber, .falseAck)
        }
    }

    /// The address block of an address-only rule, `nil` for a 5-tuple rule.
    private static func block(of rule: SLPFRule) -> AddressBlock? {
        switch rule.match {
        case .ipv4Net(let net): AddressBlock(net)
        case .ipv6Net(let net): AddressBlock(net)
        case .ipv4Connection, .ipv6Connection: nil
        }
    }

    /// The sets an address-only rule's block goes into.
    private static func sets(of rule: SLPFRule, block: AddressBlock) throws(NFTablesRenderError) -> [String] {
        let verdict = try verdict(of: rule)
        return ways(rule.direction).map { setName(verdict, family: block.family, $0) }
    }

    static func setsOf(_ rule: SLPFRule, _ block: AddressBlock) throws(NFTablesRenderError) -> [String] {
        try sets(of: rule, block: block)
    }

    // MARK: Full rebuild

    /// The transaction that replaces `table inet bastion` with exactly `rules` (all of them
    /// installed, whatever their state: pass the active ones). Atomic: `nft -f` applies all of
    /// it or none. It deletes and re-creates the table rather than `flush table`, which would
    /// keep the sets and chains of an older layout.
    public func rebuild(_ rules: [SLPFRule]) throws(NFTablesRenderError) -> String {
        var elements: [String: [AddressBlock]] = [:]
        var connectionRules: [String: [String]] = [:]
        for rule in rules.sorted(by: { $0.ruleNumber < $1.ruleNumber }) {
            if let block = Self.block(of: rule) {
                for set in try Self.sets(of: rule, block: block) { elements[set, default: []].append(block) }
            } else {
                for (chain, line) in try Self.connectionRules(rule) { connectionRules[chain, default: []].append(line) }
            }
        }
        let t = Self.qualifiedTable
        var text = "table \(t)\ndelete table \(t)\ntable \(t) {\n"
        for verdict in Verdict.allCases {
            for family in [4, 6] {
                for way in Way.allCases {
                    let name = Self.setName(verdict, family: family, way)
                    text += "\tset \(name) {\n\t\ttype ipv\(family)_addr\n\t\tflags interval\n"
                    let blocks = AddressBlock.maximal(elements[name] ?? [])
                    if !blocks.isEmpty {
                        text += "\t\telements = { \(blocks.map(\.description).joined(separator: ", ")) }\n"
                    }
                    text += "\t}\n"
                }
            }
        }
        for way in Way.allCases {
            for allow in [true, false] {
                let chain = Self.chainName(allow: allow, way)
                text += "\tchain \(chain) {\n"
                for line in Self.setLookups(allow: allow, way) { text += "\t\t\(line)\n" }
                for line in connectionRules[chain] ?? [] { text += "\t\t\(line)\n" }
                text += "\t}\n"
            }
        }
        for way in Way.allCases {
            text += "\tchain \(way.baseChain) {\n"
            text += "\t\ttype filter hook \(way.hook) priority filter; policy accept;\n"
            text += "\t\tjump \(Self.chainName(allow: true, way))\n"
            text += "\t\tjump \(Self.chainName(allow: false, way))\n"
            text += "\t}\n"
        }
        text += "}\n"
        return text
    }

    /// The set lookups at the top of an allow or deny chain.
    private static func setLookups(allow: Bool, _ way: Way) -> [String] {
        let field = way.addressField
        if allow {
            return ["ip \(field) @\(setName(.allow, family: 4, way)) accept", "ip6 \(field) @\(setName(.allow, family: 6, way)) accept"]
        }
        return [
            "ip \(field) @\(setName(.drop, family: 4, way)) drop",
            "ip6 \(field) @\(setName(.drop, family: 6, way)) drop",
            "ip \(field) @\(setName(.reject, family: 4, way)) meta l4proto tcp reject with tcp reset",
            "ip \(field) @\(setName(.reject, family: 4, way)) reject with icmpx type admin-prohibited",
            "ip6 \(field) @\(setName(.reject, family: 6, way)) meta l4proto tcp reject with tcp reset",
            "ip6 \(field) @\(setName(.reject, family: 6, way)) reject with icmpx type admin-prohibited",
        ]
    }

    // MARK: 5-tuple rules

    /// The nft rule text of a 5-tuple rule, per chain it goes into.
    static func connectionRules(_ rule: SLPFRule) throws(NFTablesRenderError) -> [(chain: String, rule: String)] {
        let verdict = try verdict(of: rule)
        var parts: [String]
        var proto: L4Protocol?
        switch rule.match {
        case .ipv4Connection(let c):
            parts = try matchExpression(family: "ip", nfproto: "ipv4", icmp: "icmp", rule: rule.ruleNumber,
                                        source: c.sourceAddress.map { AddressBlock($0).description },
                                        destination: c.destinationAddress.map { AddressBlock($0).description },
                                        sourcePort: c.sourcePort, destinationPort: c.destinationPort, protocol: c.protocol)
            proto = c.protocol
        case .ipv6Connection(let c):
            parts = try matchExpression(family: "ip6", nfproto: "ipv6", icmp: "ipv6-icmp", rule: rule.ruleNumber,
                                        source: c.sourceAddress.map { AddressBlock($0).description },
                                        destination: c.destinationAddress.map { AddressBlock($0).description },
                                        sourcePort: c.sourcePort, destinationPort: c.destinationPort, protocol: c.protocol)
            proto = c.protocol
        case .ipv4Net, .ipv6Net:
            return []
        }
        switch verdict {
        case .allow: parts.append("accept")
        case .drop: parts.append("drop")
        case .reject: parts.append(proto == .tcp ? "reject with tcp reset" : "reject with icmpx type admin-prohibited")
        }
        parts.append("comment \"\(comment(for: rule.ruleNumber))\"")
        let text = parts.joined(separator: " ")
        return ways(rule.direction).map { (chainName(allow: verdict == .allow, $0), text) }
    }

    private static func matchExpression(
        family: String, nfproto: String, icmp: String, rule: RuleNumber, source: String?, destination: String?,
        sourcePort: Port?, destinationPort: Port?, protocol proto: L4Protocol?
    ) throws(NFTablesRenderError) -> [String] {
        var parts: [String] = []
        if source == nil && destination == nil { parts.append("meta nfproto \(nfproto)") }
        if let source { parts.append("\(family) saddr \(source)") }
        if let destination { parts.append("\(family) daddr \(destination)") }
        let hasPorts = sourcePort != nil || destinationPort != nil
        switch proto {
        case .tcp?, .udp?, .sctp?:
            let name = proto!.rawValue
            if hasPorts {
                if let sourcePort { parts.append("\(name) sport \(sourcePort)") }
                if let destinationPort { parts.append("\(name) dport \(destinationPort)") }
            } else {
                parts.append("meta l4proto \(name)")
            }
        case .icmp?:
            if hasPorts { throw .portsWithoutTransport(rule, .icmp) }
            parts.append("meta l4proto \(icmp)")
        case nil:
            if hasPorts {
                parts.append("meta l4proto { tcp, udp, sctp }")
                if let sourcePort { parts.append("th sport \(sourcePort)") }
                if let destinationPort { parts.append("th dport \(destinationPort)") }
            }
        }
        return parts
    }

    // MARK: Incremental changes

    /// The transaction that adds `rule` to a table that holds `others` (the other installed
    /// rules; only address-only ones in the same sets matter). Empty when nothing changes in
    /// the firewall (the rule's block lies inside a block already in each of its sets).
    public func addition(of rule: SLPFRule, alongside others: [SLPFRule]) throws(NFTablesRenderError) -> String {
        let t = Self.qualifiedTable
        guard let block = Self.block(of: rule) else {
            return try Self.connectionRules(rule).map { "add rule \(t) \($0.chain) \($0.rule)\n" }.joined()
        }
        var text = ""
        for set in try Self.sets(of: rule, block: block) {
            let current = AddressBlock.maximal(try Self.blocks(in: set, of: others, excluding: rule.ruleNumber))
            if current.contains(where: { $0.contains(block) }) { continue }
            let covered = current.filter { block.contains($0) }
            if !covered.isEmpty {
                text += "delete element \(t) \(set) { \(covered.map(\.description).joined(separator: ", ")) }\n"
            }
            text += "add element \(t) \(set) { \(block) }\n"
        }
        return text
    }

    /// The transaction that removes `rule` from a table that keeps `remaining` (the other
    /// installed rules). A 5-tuple rule is deleted by the handles of `installed` whose comment
    /// names it; an address block is deleted from its sets unless another rule's block covers
    /// it, and the blocks it covered are put back. Empty when nothing changes in the firewall.
    public func removal(of rule: SLPFRule, remaining: [SLPFRule], installed: [InstalledRule]) throws(NFTablesRenderError) -> String {
        let t = Self.qualifiedTable
        guard let block = Self.block(of: rule) else {
            return installed.filter { $0.ruleNumber == rule.ruleNumber }
                .map { "delete rule \(t) \($0.chain) handle \($0.handle)\n" }.joined()
        }
        var text = ""
        for set in try Self.sets(of: rule, block: block) {
            let others = try Self.blocks(in: set, of: remaining, excluding: rule.ruleNumber)
            if others.contains(where: { $0.contains(block) }) { continue }
            text += "delete element \(t) \(set) { \(block) }\n"
            let uncovered = AddressBlock.maximal(others.filter { block.contains($0) })
            if !uncovered.isEmpty {
                text += "add element \(t) \(set) { \(uncovered.map(\.description).joined(separator: ", ")) }\n"
            }
        }
        return text
    }

    /// The blocks address-only `rules` (but rule `excluded`) put into `set`.
    private static func blocks(in set: String, of rules: [SLPFRule], excluding excluded: RuleNumber) throws(NFTablesRenderError) -> [AddressBlock] {
        var blocks: [AddressBlock] = []
        for rule in rules where rule.ruleNumber != excluded {
            guard let block = block(of: rule) else { continue }
            if try sets(of: rule, block: block).contains(set) { blocks.append(block) }
        }
        return blocks
    }
}

import OpenC2SLPF

/// What is installed in `table inet bastion`, kept in step with every transaction so that a
/// change renders without reading the firewall back: the elements of each address set with
/// the number of rules that put them there, the sets the table has, and the handles of the
/// 5-tuple rules.
///
/// A change is rendered with ``script(for:)`` (no mutation) and recorded with
/// ``commit(_:echo:)`` only once nft has applied it, so a refused transaction leaves the state
/// as the firewall is.
struct NFTablesState: Sendable {
    typealias AddressSet = NFTablesRuleset.AddressSet

    /// Per set: how many installed rules put each block there.
    private(set) var elements: [AddressSet: [AddressBlock: Int]] = [:]
    /// The sets the table has (a set stays after its last element goes, until a rebuild).
    private(set) var sets: Set<AddressSet> = []
    /// The nft rules of each installed 5-tuple rule.
    private(set) var handles: [RuleNumber: [InstalledRule]] = [:]

    /// The state right after a rebuild of `contents`; the 5-tuple rules' handles are
    /// recorded with ``recordHandles(_:)``.
    init(rebuilt contents: NFTablesRuleset.Contents = try! NFTablesRuleset.Contents([])) {
        elements = contents.elements
        sets = Set(contents.elements.keys)
    }

    /// Records the handles of the 5-tuple rules listed back or echoed by nft.
    mutating func recordHandles(_ rules: [InstalledRule]) {
        for rule in rules {
            guard let number = rule.ruleNumber else { continue }
            if !(handles[number]?.contains(rule) ?? false) { handles[number, default: []].append(rule) }
        }
    }

    /// The transaction that applies `change`; empty when the firewall does not change (the
    /// block is already in its set, or is still needed by another rule). Adding a
    /// 5-tuple rule needs nft's echo (`--echo --handle`) to learn its handles.
    func script(for change: FirewallChange) throws(NFTablesRenderError) -> (script: String, needsEcho: Bool) {
        let t = NFTablesRuleset.qualifiedTable
        let rule = change.rule
        guard let block = NFTablesRuleset.block(of: rule) else {
            switch change {
            case .add:
                let lines = try NFTablesRuleset.connectionRules(rule).map { "add rule \(t) \($0.chain) \($0.rule)\n" }
                return (lines.joined(), true)
            case .remove:
                let lines = (handles[rule.ruleNumber] ?? []).map { "delete rule \(t) \($0.chain) handle \($0.handle)\n" }
                return (lines.joined(), false)
            }
        }
        let set = try NFTablesRuleset.set(of: rule, block: block)
        let count = elements[set]?[block] ?? 0
        var text = ""
        switch change {
        case .add:
            guard count == 0 else { break }
            if !sets.contains(set) {
                text += "add set \(t) \(set.name) { type ipv\(set.family)_addr; }\n"
                // Each `insert` goes to the top of its chain: inserted last to first, the lookups
                // end in the rebuild's order (a reject set's TCP reset before its ICMP reject,
                // which would otherwise answer TCP too).
                for lookup in set.lookups.reversed() { text += "insert rule \(t) \(lookup.chain) \(lookup.rule)\n" }
            }
            text += "add element \(t) \(set.name) { \(block.networkAddress) }\n"
        case .remove:
            guard count == 1 else { break }
            text += "delete element \(t) \(set.name) { \(block.networkAddress) }\n"
        }
        return (text, false)
    }

    /// Records `change` as applied; `echo` is what nft echoed for it.
    mutating func commit(_ change: FirewallChange, echo: String = "") {
        let rule = change.rule
        guard let block = NFTablesRuleset.block(of: rule) else {
            switch change {
            case .add: recordHandles(NFTablesRuleset.echoedRules(echo).filter { $0.ruleNumber == rule.ruleNumber })
            case .remove: handles[rule.ruleNumber] = nil
            }
            return
        }
        guard let set = try? NFTablesRuleset.set(of: rule, block: block) else { return }
        switch change {
        case .add:
            sets.insert(set)
            elements[set, default: [:]][block, default: 0] += 1
        case .remove:
            guard let count = elements[set]?[block] else { return }
            elements[set]![block] = count > 1 ? count - 1 : nil
        }
    }
}

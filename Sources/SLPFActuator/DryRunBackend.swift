import OpenC2SLPF

/// A backend that changes nothing: it records the `nft -f` transactions it would run, and
/// keeps the rules it would have installed so that ``installed()`` answers as nftables would.
/// For demos and machines without the privilege to change the firewall.
public actor DryRunBackend: FirewallBackend {
    /// The transactions, in order, as `nft -f` text (empty changes are not recorded).
    public private(set) var transactions: [String] = []
    private var rules: [RuleNumber: SLPFRule] = [:]
    private var state = NFTablesState()
    private var nextHandle: Int64 = 1
    private let ruleset: NFTablesRuleset

    /// An empty dry-run firewall; with `gateway`, its transactions filter routed traffic too.
    public init(gateway: Bool = false) {
        ruleset = NFTablesRuleset(gateway: gateway)
    }

    public func applyAll(_ rules: [SLPFRule]) throws(FirewallError) {
        let contents: NFTablesRuleset.Contents
        do { contents = try NFTablesRuleset.Contents(rules) } catch { throw .render(error) }
        transactions.append(ruleset.rebuild(contents))
        self.rules = Dictionary(rules.map { ($0.ruleNumber, $0) }, uniquingKeysWith: { $1 })
        state = NFTablesState(rebuilt: contents)
        for rule in rules { state.recordHandles(handles(for: rule)) }
    }

    public func apply(_ change: FirewallChange) throws(FirewallError) {
        let planned: (script: String, needsEcho: Bool)
        do { planned = try state.script(for: change) } catch { throw .render(error) }
        if !planned.script.isEmpty { transactions.append(planned.script) }
        switch change {
        case .add(let rule):
            rules[rule.ruleNumber] = rule
            state.commit(change)
            state.recordHandles(handles(for: rule))
        case .remove(let rule):
            rules[rule.ruleNumber] = nil
            state.commit(change)
        }
    }

    public func installed() throws(FirewallError) -> InstalledRuleset {
        var installed: InstalledRuleset
        do { installed = try ruleset.expectedInstalled(Array(rules.values)) } catch { throw .render(error) }
        installed.rules = state.handles.values.flatMap { $0 }.sorted { $0.handle < $1.handle }
        return installed
    }

    /// Forgets the recorded transactions.
    public func clearTransactions() { transactions = [] }

    /// Handles as nft would give them to a 5-tuple rule's nft rules.
    private func handles(for rule: SLPFRule) -> [InstalledRule] {
        guard let placed = try? NFTablesRuleset.connectionRules(rule) else { return [] }
        return placed.map { placement in
            defer { nextHandle += 1 }
            return InstalledRule(chain: placement.chain, handle: nextHandle, ruleNumber: rule.ruleNumber)
        }
    }
}

import OpenC2SLPF

/// A backend that changes nothing: it records the `nft -f` transactions it would run, and
/// keeps the rules it would have installed so that ``installed()`` answers as nftables would.
/// For demos and machines without the privilege to change the firewall.
public actor DryRunBackend: FirewallBackend {
    /// The transactions, in order, as `nft -f` text (empty changes are not recorded).
    public private(set) var transactions: [String] = []
    private var rules: [RuleNumber: SLPFRule] = [:]
    private var handles: [RuleNumber: [InstalledRule]] = [:]
    private var nextHandle: Int64 = 1
    private let ruleset = NFTablesRuleset()

    /// An empty dry-run firewall.
    public init() {}

    public func applyAll(_ rules: [SLPFRule]) throws(FirewallError) {
        let text: String
        do { text = try ruleset.rebuild(rules) } catch { throw .render(error) }
        transactions.append(text)
        self.rules = [:]
        handles = [:]
        for rule in rules { install(rule) }
    }

    public func apply(_ change: FirewallChange, others: [SLPFRule]) throws(FirewallError) {
        let text: String
        do {
            switch change {
            case .add(let rule): text = try ruleset.addition(of: rule, alongside: others)
            case .remove(let rule):
                text = try ruleset.removal(of: rule, remaining: others, installed: handles[rule.ruleNumber] ?? [])
            }
        } catch {
            throw .render(error)
        }
        if !text.isEmpty { transactions.append(text) }
        switch change {
        case .add(let rule): install(rule)
        case .remove(let rule):
            rules[rule.ruleNumber] = nil
            handles[rule.ruleNumber] = nil
        }
    }

    public func installed() throws(FirewallError) -> InstalledRuleset {
        var state: InstalledRuleset
        do { state = try ruleset.expectedInstalled(Array(rules.values)) } catch { throw .render(error) }
        state.rules = handles.values.flatMap { $0 }.sorted { $0.handle < $1.handle }
        return state
    }

    /// Forgets the recorded transactions.
    public func clearTransactions() { transactions = [] }

    private func install(_ rule: SLPFRule) {
        rules[rule.ruleNumber] = rule
        guard let placed = try? NFTablesRuleset.connectionRules(rule), !placed.isEmpty else { return }
        handles[rule.ruleNumber] = placed.map { placement in
            defer { nextHandle += 1 }
            return InstalledRule(chain: placement.chain, handle: nextHandle, ruleNumber: rule.ruleNumber)
        }
    }
}

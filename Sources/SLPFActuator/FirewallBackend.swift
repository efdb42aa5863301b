import OpenC2SLPF

/// One change to the installed rules.
public enum FirewallChange: Hashable, Sendable {
    /// Install a rule.
    case add(SLPFRule)
    /// Uninstall a rule.
    case remove(SLPFRule)

    /// The rule the change is about.
    public var rule: SLPFRule {
        switch self {
        case .add(let rule), .remove(let rule): rule
        }
    }
}

/// Why the firewall could not be changed or read.
public enum FirewallError: Error, Hashable, Sendable, CustomStringConvertible {
    /// A rule has no nftables form.
    case render(NFTablesRenderError)
    /// A program the backend needs is not installed.
    case toolNotFound(String)
    /// A program could not be started.
    case launchFailed(command: [String], reason: String)
    /// A program ran and failed; `stderr` is what it said.
    case commandFailed(command: [String], status: Int32, stderr: String)
    /// The listing of the installed rules could not be read.
    case unreadableListing(String)

    public var description: String {
        switch self {
        case .render(let error): error.description
        case .toolNotFound(let tool):
            "\(tool) is required but was not found (on Debian/Ubuntu: apt-get install nftables)"
        case .launchFailed(let command, let reason): "cannot run \(command.joined(separator: " ")): \(reason)"
        case .commandFailed(let command, let status, let stderr):
            "\(command.joined(separator: " ")) exited with status \(status): \(stderr.trimmingTrailingNewlines)"
        case .unreadableListing(let reason): "cannot read the installed ruleset: \(reason)"
        }
    }
}

extension String {
    var trimmingTrailingNewlines: Substring {
        var text = Substring(self)
        while let last = text.last, last.isNewline { text.removeLast() }
        return text
    }
}

/// Where the rules are enforced: a packet filter that can be rebuilt whole, changed one rule
/// at a time, and listed back.
public protocol FirewallBackend: Sendable {
    /// Replaces everything the backend installed with exactly `rules`, atomically.
    func applyAll(_ rules: [SLPFRule]) async throws(FirewallError)

    /// Applies one change, atomically, touching only what changed.
    func apply(_ change: FirewallChange) async throws(FirewallError)

    /// What is installed now.
    func installed() async throws(FirewallError) -> InstalledRuleset
}

/// The installed state of `table inet bastion`, as a backend lists it back.
public struct InstalledRuleset: Hashable, Sendable {
    /// Whether the table exists.
    public var tableExists: Bool
    /// Each set's elements as nft writes them (`192.0.2.0` in a per-prefix-length set), sorted;
    /// every set of the table is present, empty ones too.
    public var sets: [String: [String]]
    /// The rules of the regular chains that carry a `bastion:<n>` comment, in chain order.
    public var rules: [InstalledRule]

    /// An installed state.
    public init(tableExists: Bool = true, sets: [String: [String]] = [:], rules: [InstalledRule] = []) {
        self.tableExists = tableExists
        self.sets = sets
        self.rules = rules
    }

    /// The rule numbers of the installed 5-tuple rules, sorted, each once.
    public var ruleNumbers: [RuleNumber] {
        Array(Set(rules.compactMap(\.ruleNumber))).sorted()
    }

    /// The non-empty sets only.
    public var nonEmptySets: [String: [String]] { sets.filter { !$0.value.isEmpty } }
}

extension NFTablesRuleset {
    /// The set contents and rule placement that ``rebuild(_:)`` of `rules` installs; rule
    /// handles are 0 (compare with ``InstalledRuleset/withoutHandles``).
    public func expectedInstalled(_ rules: [SLPFRule]) throws(NFTablesRenderError) -> InstalledRuleset {
        let contents = try Contents(rules)
        var installed = InstalledRuleset()
        for (set, blocks) in contents.elements {
            installed.sets[set.name] = blocks.keys.map(\.networkAddress).sorted()
        }
        for chain in Self.regularChains {
            installed.rules += (contents.connectionRules[chain] ?? []).map {
                InstalledRule(chain: chain, handle: 0, ruleNumber: $0.number)
            }
        }
        return installed
    }
}

extension InstalledRuleset {
    /// The same state without empty sets, with every rule handle set to 0 and the rules sorted
    /// by chain, then rule number, for comparing with ``NFTablesRuleset/expectedInstalled(_:)``.
    public var withoutHandles: InstalledRuleset {
        var copy = self
        copy.sets = nonEmptySets
        copy.rules = rules.map { InstalledRule(chain: $0.chain, handle: 0, ruleNumber: $0.ruleNumber) }
            .sorted { ($0.chain, $0.ruleNumber ?? -1) < ($1.chain, $1.ruleNumber ?? -1) }
        return copy
    }
}

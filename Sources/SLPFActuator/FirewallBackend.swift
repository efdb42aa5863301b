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
///
/// ``kind`` says what class of problem it is; for a program that failed, ``command``,
/// ``exitStatus`` and ``standardError`` say what ran and what it said.
public struct FirewallError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The class of problem.
    public enum Kind: String, Hashable, Sendable, CaseIterable {
        /// A rule has no nftables form.
        case render
        /// A program the backend needs is not installed.
        case toolNotFound
        /// A program could not be started.
        case launchFailed
        /// A program ran and failed.
        case commandFailed
        /// The listing of the installed rules could not be read.
        case unreadableListing
    }

    /// The class of problem.
    public var kind: Kind
    /// The program and its arguments, for `.launchFailed` and `.commandFailed`.
    public var command: [String]?
    /// The program's exit status, for `.commandFailed`.
    public var exitStatus: Int32?
    /// What the program wrote to standard error, for `.commandFailed`.
    public var standardError: String?
    /// What went wrong, in one line.
    public var description: String

    /// Creates an error.
    public init(_ kind: Kind, _ description: String, command: [String]? = nil, exitStatus: Int32? = nil, standardError: String? = nil) {
        self.kind = kind
        self.description = description
        self.command = command
        self.exitStatus = exitStatus
        self.standardError = standardError
    }

    public static func render(_ error: NFTablesRenderError) -> FirewallError {
        FirewallError(.render, error.description)
    }

    public static func toolNotFound(_ tool: String) -> FirewallError {
        FirewallError(.toolNotFound, "\(tool) is required but was not found (on Debian/Ubuntu: apt-get install nftables)")
    }

    public static func launchFailed(command: [String], reason: String) -> FirewallError {
        FirewallError(.launchFailed, "cannot run \(command.joined(separator: " ")): \(reason)", command: command)
    }

    public static func commandFailed(command: [String], status: Int32, stderr: String) -> FirewallError {
        FirewallError(
            .commandFailed, "\(command.joined(separator: " ")) exited with status \(status): \(stderr.trimmingTrailingNewlines)",
            command: command, exitStatus: status, standardError: stderr)
    }

    public static func unreadableListing(_ reason: String) -> FirewallError {
        FirewallError(.unreadableListing, "cannot read the installed ruleset: \(reason)")
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

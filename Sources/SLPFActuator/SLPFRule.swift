import OpenC2
import OpenC2SLPF

/// One SLPF rule as the actuator keeps it: what an `allow`/`deny` Command asked for, with its
/// rule number, its time window resolved, and where it is in its life.
public struct SLPFRule: Hashable, Sendable {
    /// Where a rule is in its life.
    public enum State: String, Hashable, Sendable, CaseIterable {
        /// Stored; its start time has not come yet, so it is not in the firewall.
        case scheduled
        /// Stored and meant to be in the firewall.
        case active
    }

    /// The rule's identifier, immutable and unique in this Consumer (SLPF §2.1.3.2).
    public var ruleNumber: RuleNumber
    /// Whether the rule permits or blocks what it matches.
    public var action: FilterAction
    /// The traffic the rule matches.
    public var match: FilterMatch
    /// Which traffic the rule applies to.
    public var direction: Direction
    /// How denied packets are handled (`.silent` for allow rules).
    public var dropProcess: DropProcess
    /// Whether the rule is restored after a restart.
    public var persistent: Bool
    /// When the rule takes effect.
    public var startTime: DateTime
    /// When the rule ends; `nil` for never.
    public var stopTime: DateTime?
    /// When the rule was stored.
    public var createdAt: DateTime
    /// Where the rule is in its life.
    public var state: State
    /// Where the rule came from: `nil` for a Command, `file:<name>` for a rules file.
    public var source: String?

    /// A rule.
    public init(
        ruleNumber: RuleNumber, action: FilterAction, match: FilterMatch, direction: Direction = .both,
        dropProcess: DropProcess = .silent, persistent: Bool = true, startTime: DateTime,
        stopTime: DateTime? = nil, createdAt: DateTime, state: State = .active, source: String? = nil
    ) {
        self.ruleNumber = ruleNumber
        self.action = action
        self.match = match
        self.direction = direction
        self.dropProcess = dropProcess
        self.persistent = persistent
        self.startTime = startTime
        self.stopTime = stopTime
        self.createdAt = createdAt
        self.state = state
        self.source = source
    }

    /// Whether the rule has ended at `time`.
    public func isExpired(at time: DateTime) -> Bool {
        stopTime.map { $0 <= time } ?? false
    }
}

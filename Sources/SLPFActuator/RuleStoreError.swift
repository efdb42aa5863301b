import OpenC2SLPF

/// Why the rule store could not do what was asked.
public enum RuleStoreError: Error, Hashable, Sendable, CustomStringConvertible {
    /// `insert_rule` asked for a rule number another rule has.
    case ruleNumberInUse(RuleNumber)
    /// A rule number outside 0…2^53−1 (or 1…2^53−1 when allocated).
    case invalidRuleNumber(RuleNumber)
    /// A stored row could not be read back as a rule.
    case corruptRule(RuleNumber, reason: String)
    /// SQLite failed (open, migrate, read or write).
    case database(String)

    public var description: String {
        switch self {
        case .ruleNumberInUse(let number): "rule number \(number) is currently in use"
        case .invalidRuleNumber(let number): "rule number \(number) is out of range"
        case .corruptRule(let number, let reason): "stored rule \(number) cannot be read: \(reason)"
        case .database(let message): "rule store: \(message)"
        }
    }
}

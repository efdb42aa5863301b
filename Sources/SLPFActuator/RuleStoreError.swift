import OpenC2SLPF

/// Why the rule store could not do what was asked.
///
/// ``kind`` says what class of problem it is; ``description`` says it in one line.
public struct RuleStoreError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The class of problem.
    public enum Kind: String, Hashable, Sendable, CaseIterable {
        /// `insert_rule` asked for a rule number another rule has.
        case ruleNumberInUse
        /// A rule number outside 0…2^53−1 (or 1…2^53−1 when allocated).
        case invalidRuleNumber
        /// A stored row could not be read back as a rule.
        case corruptRule
        /// SQLite failed (open, migrate, read or write).
        case database
    }

    /// The class of problem.
    public var kind: Kind
    /// The rule concerned, when there is one.
    public var ruleNumber: RuleNumber?
    /// What went wrong, in one line.
    public var description: String

    /// Creates an error.
    public init(_ kind: Kind, ruleNumber: RuleNumber? = nil, _ description: String) {
        self.kind = kind
        self.ruleNumber = ruleNumber
        self.description = description
    }

    public static func ruleNumberInUse(_ number: RuleNumber) -> RuleStoreError {
        RuleStoreError(.ruleNumberInUse, ruleNumber: number, "rule number \(number) is currently in use")
    }

    public static func invalidRuleNumber(_ number: RuleNumber) -> RuleStoreError {
        RuleStoreError(.invalidRuleNumber, ruleNumber: number, "rule number \(number) is out of range")
    }

    public static func corruptRule(_ number: RuleNumber, reason: String) -> RuleStoreError {
        RuleStoreError(.corruptRule, ruleNumber: number, "stored rule \(number) cannot be read: \(reason)")
    }

    public static func database(_ message: String) -> RuleStoreError {
        RuleStoreError(.database, "rule store: \(message)")
    }
}

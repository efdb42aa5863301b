// TAXII Default Query 1.0 identifiers: capability modules, operators,
// relationships, parameters and targeting expression vocabularies.
extension TAXII.DefaultQuery {
    /// Capability module ids (libtaxii `CM_*`).
    public enum CapabilityModule {
        /// `CM_CORE`.
        public static let core = "urn:taxii.mitre.org:query:capability:core-1"
        /// `CM_REGEX`.
        public static let regex = "urn:taxii.mitre.org:query:capability:regex-1"
        /// `CM_TIMESTAMP`.
        public static let timestamp = "urn:taxii.mitre.org:query:capability:timestamp-1"
        /// `CM_IDS`.
        public static let all: [String] = [core, regex, timestamp]

        /// The relationships each capability module defines, with the
        /// parameters each relationship requires.
        public static let relationships: [String: [Relationship: [String]]] = [
            core: [
                .equals: [Parameter.value, Parameter.matchType],
                .notEquals: [Parameter.value, Parameter.matchType],
                .greaterThan: [Parameter.value],
                .greaterThanOrEqual: [Parameter.value],
                .lessThan: [Parameter.value],
                .lessThanOrEqual: [Parameter.value],
                .doesNotExist: [],
                .exists: [],
                .beginsWith: [Parameter.caseSensitive, Parameter.value],
                .endsWith: [Parameter.caseSensitive, Parameter.value],
                .contains: [Parameter.caseSensitive, Parameter.value],
            ],
            regex: [
                .matches: [Parameter.value, Parameter.caseSensitive],
            ],
            timestamp: [
                .equals: [Parameter.value],
                .greaterThan: [Parameter.value],
                .greaterThanOrEqual: [Parameter.value],
                .lessThan: [Parameter.value],
                .lessThanOrEqual: [Parameter.value],
            ],
        ]
    }

    /// Criteria operators (libtaxii `OP_*`).
    public enum Operator: String, Sendable, CaseIterable {
        /// `OP_AND`.
        case and = "AND"
        /// `OP_OR`.
        case or = "OR"
    }

    /// Relationship names (libtaxii `R_*`).
    public enum Relationship: String, Sendable, CaseIterable {
        /// `R_EQUALS`.
        case equals = "equals"
        /// `R_NOT_EQUALS`.
        case notEquals = "not_equals"
        /// `R_GREATER_THAN`.
        case greaterThan = "greater_than"
        /// `R_GREATER_THAN_OR_EQUAL`.
        case greaterThanOrEqual = "greater_than_or_equal"
        /// `R_LESS_THAN`.
        case lessThan = "less_than"
        /// `R_LESS_THAN_OR_EQUAL`.
        case lessThanOrEqual = "less_than_or_equal"
        /// `R_DOES_NOT_EXIST`.
        case doesNotExist = "does_not_exist"
        /// `R_EXISTS`.
        case exists = "exists"
        /// `R_BEGINS_WITH`.
        case beginsWith = "begins_with"
        /// `R_ENDS_WITH`.
        case endsWith = "ends_with"
        /// `R_CONTAINS`.
        case contains = "contains"
        /// `R_MATCHES`.
        case matches = "matches"
    }

    /// Parameter names (libtaxii `P_*`).
    public enum Parameter {
        /// `P_VALUE`.
        public static let value = "value"
        /// `P_MATCH_TYPE`.
        public static let matchType = "match_type"
        /// `P_CASE_SENSITIVE`.
        public static let caseSensitive = "case_sensitive"
        /// `P_NAMES`.
        public static let all: [String] = [value, matchType, caseSensitive]
    }

    /// Values of the `match_type` parameter.
    public enum MatchType: String, Sendable, CaseIterable {
        /// Case-sensitive string comparison.
        case caseSensitiveString = "case_sensitive_string"
        /// Case-insensitive string comparison.
        case caseInsensitiveString = "case_insensitive_string"
        /// Numeric comparison.
        case number = "number"
    }

    /// Targeting expression ids: the vocabularies targeting expressions are
    /// written in, named by their content binding ids.
    public enum TargetingExpressionID {
        /// STIX XML 1.0.
        public static let stixXML10 = TAXII.ContentBindingID.stixXML10
        /// STIX XML 1.0.1.
        public static let stixXML101 = TAXII.ContentBindingID.stixXML101
        /// STIX XML 1.1.
        public static let stixXML11 = TAXII.ContentBindingID.stixXML11
        /// STIX XML 1.1.1.
        public static let stixXML111 = TAXII.ContentBindingID.stixXML111
        /// STIX XML 1.2.
        public static let stixXML12 = TAXII.ContentBindingID.stixXML12
    }
}

extension TAXII {
    /// A TAXII Default Query 1.0 (`tdq:Default_Query`; libtaxii
    /// `taxii_default_query.DefaultQuery`): criteria over the content of a
    /// content block, written in a targeting expression vocabulary.
    ///
    /// ```swift
    /// let query = TAXII.DefaultQuery(
    ///     targetingExpressionID: TAXII.DefaultQuery.TargetingExpressionID.stixXML111,
    ///     criteria: try .init(.and, criterion: [
    ///         try .init(target: "STIX_Package/Indicators/Indicator/Observable/**/Address_Value",
    ///                   test: try .init(capabilityID: TAXII.DefaultQuery.CapabilityModule.core, relationship: .equals,
    ///                                   parameters: ["value": "198.51.100.7", "match_type": "case_sensitive_string"])),
    ///     ])
    /// )
    /// let matcher = try query.matcher()          // compile once
    /// let hit = matcher.matches(stixPackageElement)
    /// ```
    ///
    /// In a message it travels inside ``TAXII11/Query`` (`Poll_Parameters`,
    /// `Subscription_Parameters`). Equality is libtaxii's: nested criteria and
    /// criterion lists compare in any order.
    public struct DefaultQuery: Sendable, Equatable {
        /// The targeting expression vocabulary (`targeting_expression_id`),
        /// e.g. ``TargetingExpressionID/stixXML111``.
        public var targetingExpressionID: String
        /// The top-level criteria (`Criteria`).
        public var criteria: Criteria

        /// Creates a query.
        public init(targetingExpressionID: String, criteria: Criteria) {
            self.targetingExpressionID = targetingExpressionID
            self.criteria = criteria
        }
    }
}

extension TAXII.DefaultQuery {
    /// Criteria (`Criteria`; libtaxii `DefaultQuery.Criteria`): criteria and
    /// criterion combined with AND or OR, optionally negated. At least one
    /// child is required.
    ///
    /// `negate` on criteria is Bastion's addition (the XML schema and libtaxii
    /// only negate a criterion): negated criteria are written by De Morgan's
    /// laws — operator swapped, each child negated — so the XML stays valid
    /// and means the same to any reader.
    public struct Criteria: Sendable, Equatable {
        /// AND (all children true) or OR (at least one).
        public var `operator`: Operator
        /// Whether the combined result is inverted.
        public var negate: Bool
        /// Nested criteria (`Criteria`).
        public private(set) var criteria: [Criteria]
        /// Criterion (`Criterion`).
        public private(set) var criterion: [Criterion]

        /// Creates criteria.
        ///
        /// - Throws: ``TAXIIError`` `.missingElement` when there is neither a
        ///   nested criteria nor a criterion.
        public init(_ operator: Operator, negate: Bool = false, criteria: [Criteria] = [], criterion: [Criterion] = []) throws(TAXIIError) {
            try self.init(`operator`, negate: negate, criteria: criteria, criterion: criterion, at: .xml("Criteria"))
        }

        init(_ operator: Operator, negate: Bool, criteria: [Criteria], criterion: [Criterion], at path: ComponentPath) throws(TAXIIError) {
            guard !criteria.isEmpty || !criterion.isEmpty else {
                throw TAXIIError(path.missingKind, path: path.child("Criterion", key: "criterion"), "criteria need at least one nested criteria or criterion")
            }
            self.operator = `operator`
            self.negate = negate
            self.criteria = criteria
            self.criterion = criterion
        }

        /// The same criteria with the negation pushed into the children (De
        /// Morgan): `negate` is false on the result and on every nested
        /// criteria; only criterion carry negation.
        public var withNegationPushedDown: Criteria {
            pushingNegation(negate)
        }

        private func pushingNegation(_ invert: Bool) -> Criteria {
            var result = self
            result.negate = false
            if invert { result.operator = self.operator == .and ? .or : .and }
            result.criteria = criteria.map { $0.pushingNegation($0.negate != invert) }
            if invert {
                result.criterion = criterion.map { item in
                    var flipped = item
                    flipped.negate.toggle()
                    return flipped
                }
            }
            return result
        }

        /// libtaxii equality: nested lists in any order.
        public static func == (lhs: Criteria, rhs: Criteria) -> Bool {
            lhs.operator == rhs.operator && lhs.negate == rhs.negate
                && sameElements(lhs.criterion, rhs.criterion) && sameElements(lhs.criteria, rhs.criteria)
        }
    }

    /// A criterion (`Criterion`; libtaxii `DefaultQuery.Criterion`): a test
    /// applied to what a target selects, optionally negated.
    ///
    /// The criterion is true when the test holds for at least one selected
    /// node (`exists` / `does_not_exist`: when the target selects some / no
    /// node), then inverted if ``negate`` is set.
    public struct Criterion: Sendable, Equatable {
        /// The target (`Target`), parsed.
        public var targetingExpression: TargetingExpression
        /// The test (`Test`).
        public var test: Test
        /// Whether the result is inverted (`negate`, default `false`).
        public var negate: Bool

        /// The targeting expression as written (`Target`).
        public var target: String { targetingExpression.description }

        /// Creates a criterion.
        ///
        /// - Throws: ``TAXIIError`` `.invalidValue` when `target` is not a
        ///   targeting expression (see ``TargetingExpression``).
        public init(target: String, test: Test, negate: Bool = false) throws(TAXIIError) {
            self.init(targetingExpression: try TargetingExpression(target, path: "Criterion/Target"), test: test, negate: negate)
        }

        /// Creates a criterion from a parsed targeting expression.
        public init(targetingExpression: TargetingExpression, test: Test, negate: Bool = false) {
            self.targetingExpression = targetingExpression
            self.test = test
            self.negate = negate
        }
    }
}

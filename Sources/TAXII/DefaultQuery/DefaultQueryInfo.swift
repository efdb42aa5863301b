extension TAXII {
    /// What a service supports of TAXII Default Query (`tdq:Default_Query_Info`,
    /// inside `Supported_Query`; libtaxii `taxii_default_query.DefaultQueryInfo`):
    /// the targeting expression vocabularies with their scopes, and the
    /// capability modules.
    ///
    /// ``check(_:)`` tells whether a query stays within what is advertised,
    /// with the error a server turns into the matching status message.
    /// Equality is libtaxii's: lists compare in any order.
    public struct DefaultQueryInfo: Sendable, Equatable {
        /// A supported targeting expression vocabulary
        /// (`Targeting_Expression_Info`; libtaxii `DefaultQueryInfo.TargetingExpressionInfo`).
        public struct TargetingExpressionInfo: Sendable, Equatable {
            /// The vocabulary (`targeting_expression_id`), e.g. ``TAXII/DefaultQuery/TargetingExpressionID/stixXML111``.
            public var targetingExpressionID: String
            /// Expressions the service evaluates well (`Preferred_Scope`).
            public private(set) var preferredScope: [DefaultQuery.TargetingExpression]
            /// Expressions the service accepts (`Allowed_Scope`).
            public private(set) var allowedScope: [DefaultQuery.TargetingExpression]

            /// Creates the information, checking each scope as a targeting expression.
            ///
            /// - Throws: ``TAXIIError`` `.invalidValue` for a scope that is not
            ///   a targeting expression (libtaxii checks them against the same syntax).
            public init(targetingExpressionID: String, preferredScope: [String] = [], allowedScope: [String] = []) throws(TAXIIError) {
                try self.init(
                    targetingExpressionID: targetingExpressionID, preferredScope: preferredScope, allowedScope: allowedScope,
                    at: .xml("Targeting_Expression_Info")
                )
            }

            init(targetingExpressionID: String, preferredScope: [String], allowedScope: [String], at path: DefaultQuery.ComponentPath) throws(TAXIIError) {
                self.targetingExpressionID = targetingExpressionID
                self.preferredScope = try Self.scopes(preferredScope, "Preferred_Scope", key: "preferred_scope", at: path)
                self.allowedScope = try Self.scopes(allowedScope, "Allowed_Scope", key: "allowed_scope", at: path)
            }

            private static func scopes(_ texts: [String], _ name: String, key: String, at path: DefaultQuery.ComponentPath) throws(TAXIIError) -> [DefaultQuery.TargetingExpression] {
                var result: [DefaultQuery.TargetingExpression] = []
                for (index, text) in texts.enumerated() {
                    result.append(try DefaultQuery.TargetingExpression(text, path: path.item(name, key: key, index: index)))
                }
                return result
            }

            /// Whether `target` is covered by a preferred or an allowed scope
            /// (``TAXII/DefaultQuery/TargetingExpression/isCovered(by:)``).
            /// With no scope at all, everything is allowed.
            public func allows(_ target: DefaultQuery.TargetingExpression) -> Bool {
                if preferredScope.isEmpty && allowedScope.isEmpty { return true }
                return preferredScope.contains { target.isCovered(by: $0) } || allowedScope.contains { target.isCovered(by: $0) }
            }

            /// libtaxii equality: scopes in any order.
            public static func == (lhs: Self, rhs: Self) -> Bool {
                lhs.targetingExpressionID == rhs.targetingExpressionID
                    && sameElements(lhs.preferredScope, rhs.preferredScope) && sameElements(lhs.allowedScope, rhs.allowedScope)
            }
        }

        /// The supported vocabularies (`Targeting_Expression_Info`, 1..n).
        public private(set) var targetingExpressionInfos: [TargetingExpressionInfo]
        /// The supported capability module ids (`Capability_Module`, 1..n).
        public private(set) var capabilityModules: [String]

        /// Creates the information.
        ///
        /// - Throws: ``TAXIIError`` `.missingElement` when either list is empty
        ///   (the schema requires at least one of each), `.invalidValue` for an
        ///   empty capability module id.
        public init(targetingExpressionInfos: [TargetingExpressionInfo], capabilityModules: [String]) throws(TAXIIError) {
            try self.init(targetingExpressionInfos: targetingExpressionInfos, capabilityModules: capabilityModules, at: .xml("Default_Query_Info"))
        }

        init(targetingExpressionInfos: [TargetingExpressionInfo], capabilityModules: [String], at path: DefaultQuery.ComponentPath) throws(TAXIIError) {
            guard !targetingExpressionInfos.isEmpty else {
                throw TAXIIError(
                    path.missingKind, path: path.child("Targeting_Expression_Info", key: "targeting_expression_infos"),
                    "at least one targeting expression info is required"
                )
            }
            guard !capabilityModules.isEmpty else {
                throw TAXIIError(path.missingKind, path: path.child("Capability_Module", key: "capability_modules"), "at least one capability module is required")
            }
            if let index = capabilityModules.firstIndex(where: \.isEmpty) {
                throw TAXIIError(.invalidValue, path: path.item("Capability_Module", key: "capability_modules", index: index), "capability module id is empty")
            }
            self.targetingExpressionInfos = targetingExpressionInfos
            self.capabilityModules = capabilityModules
        }

        /// Checks that `query` uses only what this information advertises: its
        /// vocabulary, its capability modules, targets within the vocabulary's scopes.
        ///
        /// - Throws: ``TAXIIError`` — `.unsupportedTargetingExpressionID`
        ///   (status `UNSUPPORTED_TARGETING_EXPRESSION_ID`),
        ///   `.unsupportedCapabilityModule` (`UNSUPPORTED_CAPABILITY_MODULE`) or
        ///   `.unsupportedTargetingExpression` (`UNSUPPORTED_TARGETING_EXPRESSION`),
        ///   with the path of the first offending criterion.
        public func check(_ query: DefaultQuery) throws(TAXIIError) {
            guard let info = targetingExpressionInfos.first(where: { $0.targetingExpressionID == query.targetingExpressionID }) else {
                throw TAXIIError(
                    .unsupportedTargetingExpressionID, path: "Default_Query@targeting_expression_id",
                    "targeting expression id \"\(query.targetingExpressionID.prefix(200))\" is not supported (supported: "
                        + targetingExpressionInfos.map(\.targetingExpressionID).joined(separator: ", ") + ")"
                )
            }
            try check(query.criteria, info: info, path: "Default_Query/Criteria")
        }

        private func check(_ criteria: DefaultQuery.Criteria, info: TargetingExpressionInfo, path: String) throws(TAXIIError) {
            for (index, nested) in criteria.criteria.enumerated() {
                try check(nested, info: info, path: "\(path)/Criteria[\(index + 1)]")
            }
            for (index, criterion) in criteria.criterion.enumerated() {
                let criterionPath = "\(path)/Criterion[\(index + 1)]"
                guard capabilityModules.contains(criterion.test.capabilityID) else {
                    throw TAXIIError(
                        .unsupportedCapabilityModule, path: criterionPath + "/Test@capability_id",
                        "capability module \(criterion.test.capabilityID) is not supported (supported: \(capabilityModules.joined(separator: ", ")))"
                    )
                }
                guard info.allows(criterion.targetingExpression) else {
                    throw TAXIIError(
                        .unsupportedTargetingExpression, path: criterionPath + "/Target",
                        "target \(criterion.target.prefix(200)) is outside the supported scopes (preferred: "
                            + info.preferredScope.map(\.description).joined(separator: ", ") + "; allowed: "
                            + info.allowedScope.map(\.description).joined(separator: ", ") + ")"
                    )
                }
            }
        }

        /// libtaxii equality: lists in any order.
        public static func == (lhs: Self, rhs: Self) -> Bool {
            sameElements(lhs.targetingExpressionInfos, rhs.targetingExpressionInfos)
                && sameElements(lhs.capabilityModules, rhs.capabilityModules)
        }
    }
}

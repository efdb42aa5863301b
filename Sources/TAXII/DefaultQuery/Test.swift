extension TAXII.DefaultQuery {
    /// A test (`Test`; libtaxii `DefaultQuery.Criterion.Test`): a relationship
    /// of a capability module, with its parameters.
    ///
    /// Checked when made: the capability module must be core, regex or
    /// timestamp; the relationship one that module defines; the parameters
    /// exactly those the relationship takes (``CapabilityModule/relationships``),
    /// each of the right type — `match_type` one of ``MatchType``,
    /// `case_sensitive` a boolean, the numeric relationships' `value` a number
    /// (and `equals`/`not_equals` with `match_type` `number` a numeric string),
    /// the timestamp module's `value` a timestamp, the regex module's `value`
    /// a regular expression that compiles.
    ///
    /// libtaxii checks the relationship and the parameter types too, but lets
    /// unknown capability modules and missing parameters pass; Bastion refuses
    /// both, so a query it accepts is one it can evaluate.
    public struct Test: Sendable, Equatable {
        /// The capability module (`capability_id`), e.g. ``CapabilityModule/core``.
        public let capabilityID: String
        /// The relationship (`relationship`).
        public let relationship: Relationship
        /// The parameters by name (`Parameter@name` → value).
        public let parameters: [String: ParameterValue]

        /// The longest regular expression accepted, in characters.
        public static let maximumPatternLength = 1024

        /// Makes a test, checking it as described on the type.
        ///
        /// - Throws: ``TAXIIError`` — `.unsupportedCapabilityModule` for an
        ///   unknown module; `.invalidValue` for a relationship the module does
        ///   not define or a parameter value of the wrong type or out of range;
        ///   `.invalidTimestamp` for a timestamp module value that is not
        ///   a timestamp; `.missingElement` for a missing parameter;
        ///   `.unexpectedElement` for a parameter the relationship does not take.
        public init(capabilityID: String, relationship: Relationship, parameters: [String: ParameterValue] = [:]) throws(TAXIIError) {
            try self.init(capabilityID: capabilityID, relationship: relationship, parameters: parameters, at: .xml("Test"))
        }

        init(capabilityID: String, relationship: Relationship, parameters: [String: ParameterValue], at path: ComponentPath) throws(TAXIIError) {
            let names = try Self.parameterNames(capabilityID: capabilityID, relationship: relationship, at: path)
            for name in parameters.keys.sorted() where !names.contains(name) {
                throw TAXIIError(
                    .unexpectedElement, path: path.parameter(name),
                    "parameter \"\(name)\" is not taken by relationship \(relationship.rawValue)"
                        + (names.isEmpty ? " (it takes none)" : " (it takes \(names.joined(separator: ", ")))")
                )
            }
            for name in names {
                guard let value = parameters[name] else {
                    throw TAXIIError(
                        path.missingKind, path: path.parameter(name),
                        "relationship \(relationship.rawValue) requires parameter \"\(name)\" (it takes \(names.joined(separator: ", ")))"
                    )
                }
                try Self.check(value, kind: ParameterKind(capabilityID: capabilityID, relationship: relationship, name: name),
                               name: name, path: path.parameter(name))
            }
            if case .string(let matchType)? = parameters[Parameter.matchType], matchType == MatchType.number.rawValue,
               case .string(let text)? = parameters[Parameter.value], ParameterKind.number(text) == nil {
                throw TAXIIError(
                    .invalidValue, path: path.parameter(Parameter.value),
                    "\"\(text.prefix(100))\" is not a number, as match_type number requires"
                )
            }
            self.capabilityID = capabilityID
            self.relationship = relationship
            self.parameters = parameters
        }

        /// The value of the `value` parameter, if any.
        public var value: ParameterValue? { parameters[Parameter.value] }

        /// The `match_type` parameter, if any.
        public var matchType: MatchType? {
            guard case .string(let text)? = parameters[Parameter.matchType] else { return nil }
            return MatchType(rawValue: text)
        }

        /// The `case_sensitive` parameter, if any.
        public var isCaseSensitive: Bool? {
            guard case .boolean(let flag)? = parameters[Parameter.caseSensitive] else { return nil }
            return flag
        }

        /// The parameter names, in the order the relationship lists them
        /// (the order they are written in).
        var orderedParameterNames: [String] {
            CapabilityModule.relationships[capabilityID]?[relationship] ?? parameters.keys.sorted()
        }

        /// The parameter names `relationship` of `capabilityID` takes.
        static func parameterNames(capabilityID: String, relationship: Relationship, at path: ComponentPath) throws(TAXIIError) -> [String] {
            let module = try module(capabilityID, at: path)
            guard let names = module[relationship] else {
                throw undefinedRelationship(relationship.rawValue, module: module, capabilityID: capabilityID, at: path)
            }
            return names
        }

        /// Resolves a relationship given by name: the relationship and the
        /// parameter names it takes, or the error for an unknown module or a
        /// relationship the module does not define.
        static func resolve(_ name: String, capabilityID: String, at path: ComponentPath) throws(TAXIIError) -> (Relationship, [String]) {
            let module = try module(capabilityID, at: path)
            guard let relationship = Relationship(rawValue: name), let names = module[relationship] else {
                throw undefinedRelationship(name, module: module, capabilityID: capabilityID, at: path)
            }
            return (relationship, names)
        }

        /// The relationships a known capability module defines.
        static func module(_ capabilityID: String, at path: ComponentPath) throws(TAXIIError) -> [Relationship: [String]] {
            guard let module = CapabilityModule.relationships[capabilityID] else {
                throw TAXIIError(
                    .unsupportedCapabilityModule, path: path.attribute("capability_id"),
                    "capability module \"\(capabilityID.prefix(200))\" is not supported (supported: \(CapabilityModule.all.joined(separator: ", ")))"
                )
            }
            return module
        }

        static func undefinedRelationship(_ name: String, module: [Relationship: [String]], capabilityID: String, at path: ComponentPath) -> TAXIIError {
            let defined = Relationship.allCases.filter { module[$0] != nil }.map(\.rawValue)
            return TAXIIError(
                .invalidValue, path: path.attribute("relationship"),
                "relationship \"\(name.prefix(100))\" is not defined by capability module \(capabilityID) (it defines \(defined.joined(separator: ", ")))"
            )
        }

        private static func check(_ value: ParameterValue, kind: ParameterKind, name: String, path: String) throws(TAXIIError) {
            func wrongType(_ expected: String) -> TAXIIError {
                TAXIIError(.invalidValue, path: path, "parameter \"\(name)\" must be \(expected), not \(value.kindName) (\(String(describing: value).prefix(100)))")
            }
            switch (kind, value) {
            case (.string, .string):
                return
            case (.regularExpression, .string(let pattern)):
                _ = try CompiledPattern(pattern, caseSensitive: true, path: path)
            case (.matchType, .string(let text)):
                guard MatchType(rawValue: text) != nil else {
                    throw TAXIIError(
                        .invalidValue, path: path,
                        "\"\(text.prefix(100))\" is not one of " + MatchType.allCases.map(\.rawValue).joined(separator: ", ")
                    )
                }
            case (.number, .number(let number)):
                guard number.isFinite else { throw TAXIIError(.invalidValue, path: path, "\(number) is not a finite number") }
            case (.boolean, .boolean), (.timestamp, .timestamp):
                return
            case (.string, _), (.regularExpression, _), (.matchType, _): throw wrongType("a string")
            case (.number, _): throw wrongType("a number")
            case (.boolean, _): throw wrongType("a boolean")
            case (.timestamp, _): throw wrongType("a timestamp")
            }
        }
    }
}

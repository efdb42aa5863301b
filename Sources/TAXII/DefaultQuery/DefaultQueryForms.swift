// Dictionary and text forms of the Default Query types, with libtaxii's
// `to_dict()` keys and `to_text()` layout.
//
// Parameter values in the dictionary form: strings as strings, booleans as
// booleans, timestamps as Python `isoformat()` strings (libtaxii holds a
// `datetime`), numbers as integers when whole (Python compares `65536 ==
// 65536.0`) and otherwise as their text (the dictionary form has no floats).
// Reading accepts those, and booleans and numbers written as strings.

extension TAXII.DefaultQuery {
    /// libtaxii's `DefaultQuery.to_dict()`: `format_id`, `targeting_expression_id`,
    /// `criteria` (negated criteria by De Morgan's laws, as in XML).
    public func dictionary() -> [String: TAXII.DictionaryValue] {
        [
            "format_id": .string(TAXII.QueryFormatID.defaultQuery10),
            "targeting_expression_id": .string(targetingExpressionID),
            "criteria": .dictionary(criteria.dictionary()),
        ]
    }

    /// Reads libtaxii's dictionary form (`DefaultQuery.from_dict`); a
    /// `format_id`, if present, must be the Default Query's.
    ///
    /// - Throws: ``TAXIIError``: `.missingKey`, `.wrongType` or
    ///   `.invalidValue` naming the key path, or a check of the model types.
    public init(dictionary: [String: TAXII.DictionaryValue]) throws(TAXIIError) {
        try self.init(dictionary: DictionaryReader(dictionary, path: ""))
    }

    init(dictionary reader: DictionaryReader) throws(TAXIIError) {
        if let formatID = try reader.optionalString("format_id"), formatID != TAXII.QueryFormatID.defaultQuery10 {
            throw TAXIIError(.invalidValue, path: reader.keyPath("format_id"), "\"\(formatID)\" is not the Default Query format \(TAXII.QueryFormatID.defaultQuery10)")
        }
        self.init(
            targetingExpressionID: try reader.string("targeting_expression_id"),
            criteria: try reader.object("criteria") { (inner) throws(TAXIIError) in try Criteria(dictionary: inner) }
        )
    }

    /// libtaxii's `to_text()` of the query.
    public var text: String { text(prefix: "") }

    func text(prefix: String) -> String {
        prefix + "=== Query ===\n" + prefix + "  Query Format: \(TAXII.QueryFormatID.defaultQuery10)\n"
            + prefix + "  Targeting Expression ID: \(targetingExpressionID)\n" + criteria.withNegationPushedDown.text(prefix: prefix)
    }
}

extension TAXII.DefaultQuery.Criteria {
    /// libtaxii's `Criteria.to_dict()`: `operator`, `criteria`, `criterion`
    /// (a negated criteria is written by De Morgan's laws).
    public func dictionary() -> [String: TAXII.DictionaryValue] {
        withNegationPushedDown.plainDictionary()
    }

    private func plainDictionary() -> [String: TAXII.DictionaryValue] {
        [
            "operator": .string(self.operator.rawValue),
            "criteria": .list(criteria.map { .dictionary($0.plainDictionary()) }),
            "criterion": .list(criterion.map { .dictionary($0.dictionary()) }),
        ]
    }

    /// Reads libtaxii's dictionary form; a `negate` key (Bastion's) is honoured.
    public init(dictionary: [String: TAXII.DictionaryValue]) throws(TAXIIError) {
        try self.init(dictionary: DictionaryReader(dictionary, path: ""))
    }

    init(dictionary reader: DictionaryReader) throws(TAXIIError) {
        guard let op = try reader.optionalEnum("operator", allowed: TAXII.DefaultQuery.Operator.allCases) else {
            throw TAXIIError(.missingKey, path: reader.keyPath("operator"), "required key \"operator\" is missing")
        }
        try self.init(
            op, negate: try reader.optionalBool("negate") ?? false,
            criteria: try reader.objects("criteria") { (inner) throws(TAXIIError) in try Self(dictionary: inner) },
            criterion: try reader.objects("criterion") { (inner) throws(TAXIIError) in try TAXII.DefaultQuery.Criterion(dictionary: inner) },
            at: .dictionary(reader.path)
        )
    }

    func text(prefix: String) -> String {
        var result = prefix + "=== Criteria ===\n" + prefix + "  Operator: \(self.operator.rawValue)\n"
        for nested in criteria { result += nested.text(prefix: prefix + TextForm.indent) }
        for item in criterion { result += item.text(prefix: prefix + TextForm.indent) }
        return result
    }
}

extension TAXII.DefaultQuery.Criterion {
    /// libtaxii's `Criterion.to_dict()`: `negate`, `target`, `test`.
    public func dictionary() -> [String: TAXII.DictionaryValue] {
        ["negate": .bool(negate), "target": .string(target), "test": .dictionary(test.dictionary())]
    }

    /// Reads libtaxii's dictionary form (`negate` missing or `null`: false).
    public init(dictionary: [String: TAXII.DictionaryValue]) throws(TAXIIError) {
        try self.init(dictionary: DictionaryReader(dictionary, path: ""))
    }

    init(dictionary reader: DictionaryReader) throws(TAXIIError) {
        let negate = try reader.optionalBool("negate") ?? false
        let target = try TAXII.DefaultQuery.TargetingExpression(reader.string("target"), path: reader.keyPath("target"))
        let test = try reader.object("test") { (inner) throws(TAXIIError) in try TAXII.DefaultQuery.Test(dictionary: inner) }
        self.init(targetingExpression: target, test: test, negate: negate)
    }

    func text(prefix: String) -> String {
        prefix + "=== Criterion ===\n" + prefix + "  Negate: \(TextForm.python(negate))\n" + prefix + "  Target: \(target)\n"
            + test.text(prefix: prefix + TextForm.indent)
    }
}

extension TAXII.DefaultQuery.Test {
    /// libtaxii's `Test.to_dict()`: `capability_id`, `relationship`, `parameters`.
    public func dictionary() -> [String: TAXII.DictionaryValue] {
        [
            "capability_id": .string(capabilityID), "relationship": .string(relationship.rawValue),
            "parameters": .dictionary(parameters.mapValues(\.dictionaryValue)),
        ]
    }

    /// Reads libtaxii's dictionary form, converting each parameter to the
    /// type its relationship takes, then checks the test.
    public init(dictionary: [String: TAXII.DictionaryValue]) throws(TAXIIError) {
        try self.init(dictionary: DictionaryReader(dictionary, path: ""))
    }

    init(dictionary reader: DictionaryReader) throws(TAXIIError) {
        let path = TAXII.DefaultQuery.ComponentPath.dictionary(reader.path)
        let capabilityID = try reader.string("capability_id")
        let relationshipText = try reader.string("relationship")
        let (relationship, names) = try Self.resolve(relationshipText, capabilityID: capabilityID, at: path)
        var parameters: [String: TAXII.DefaultQuery.ParameterValue] = [:]
        if let given = reader.value("parameters") {
            let inner = try DictionaryReader(given, path: reader.keyPath("parameters"))
            for (name, value) in inner.members where value != .null {
                guard names.contains(name) else {
                    parameters[name] = .string(value.description)  // refused by the check below, with the names allowed
                    continue
                }
                let kind = TAXII.DefaultQuery.ParameterKind(capabilityID: capabilityID, relationship: relationship, name: name)
                parameters[name] = try kind.value(fromDictionary: value, path: inner.keyPath(name))
            }
        }
        try self.init(capabilityID: capabilityID, relationship: relationship, parameters: parameters, at: path)
    }

    func text(prefix: String) -> String {
        var result = prefix + "=== Test ==\n" + prefix + "  Capability ID: \(capabilityID)\n" + prefix + "  Relationship: \(relationship.rawValue)\n"
        for name in orderedParameterNames {
            guard let value = parameters[name] else { continue }
            result += prefix + "  Parameter: \(name) = \(value.pythonDescription)\n"
        }
        return result
    }
}

extension TAXII.DefaultQuery.ParameterValue {
    /// The value in the dictionary form (see the file's notes).
    var dictionaryValue: TAXII.DictionaryValue {
        switch self {
        case .string(let text): .string(text)
        case .boolean(let flag): .bool(flag)
        case .timestamp(let timestamp): .string(timestamp.isoFormat)
        case .number(let number):
            if number == number.rounded(), abs(number) < 1e15 { .integer(Int(number)) } else { .string(description) }
        }
    }

    /// Python's `str()` of the value libtaxii holds (`True`, `65536.0`, `2015-01-01 00:00:00+00:00`).
    var pythonDescription: String {
        switch self {
        case .string(let text): text
        case .boolean(let flag): TextForm.python(flag)
        case .number: description
        case .timestamp(let timestamp): timestamp.pythonDescription
        }
    }
}

extension TAXII.DefaultQuery.ParameterKind {
    /// Reads a parameter's dictionary-form value as this kind.
    func value(fromDictionary value: TAXII.DictionaryValue, path: String) throws(TAXIIError) -> TAXII.DefaultQuery.ParameterValue {
        switch (self, value) {
        case (.string, .string(let text)), (.regularExpression, .string(let text)), (.matchType, .string(let text)):
            return .string(text)
        case (.boolean, .bool(let flag)):
            return .boolean(flag)
        case (.number, .integer(let number)):
            return .number(Double(number))
        case (.boolean, .string(let text)), (.number, .string(let text)), (.timestamp, .string(let text)):
            return try self.value(fromText: text, path: path)
        case (.string, _), (.regularExpression, _), (.matchType, _):
            throw TAXIIError(.wrongType, path: path, "expected a string, found \(value.typeName)")
        case (.boolean, _):
            throw TAXIIError(.wrongType, path: path, "expected a boolean, found \(value.typeName)")
        case (.number, _):
            throw TAXIIError(.wrongType, path: path, "expected a number, found \(value.typeName)")
        case (.timestamp, _):
            throw TAXIIError(.wrongType, path: path, "expected an ISO 8601 timestamp string, found \(value.typeName)")
        }
    }
}

extension TAXII.DefaultQueryInfo {
    /// libtaxii's `DefaultQueryInfo.to_dict()`: `format_id`,
    /// `targeting_expression_infos`, `capability_modules`.
    public func dictionary() -> [String: TAXII.DictionaryValue] {
        [
            "format_id": .string(TAXII.QueryFormatID.defaultQuery10),
            "targeting_expression_infos": .list(targetingExpressionInfos.map { .dictionary($0.dictionary()) }),
            "capability_modules": capabilityModules.dictionaryList,
        ]
    }

    /// Reads libtaxii's dictionary form (`DefaultQueryInfo.from_dict`).
    public init(dictionary: [String: TAXII.DictionaryValue]) throws(TAXIIError) {
        try self.init(dictionary: DictionaryReader(dictionary, path: ""))
    }

    init(dictionary reader: DictionaryReader) throws(TAXIIError) {
        if let formatID = try reader.optionalString("format_id"), formatID != TAXII.QueryFormatID.defaultQuery10 {
            throw TAXIIError(.invalidValue, path: reader.keyPath("format_id"), "\"\(formatID)\" is not the Default Query format \(TAXII.QueryFormatID.defaultQuery10)")
        }
        try self.init(
            targetingExpressionInfos: try reader.objects("targeting_expression_infos") { (inner) throws(TAXIIError) in
                try TargetingExpressionInfo(dictionary: inner)
            },
            capabilityModules: try reader.strings("capability_modules"),
            at: .dictionary(reader.path)
        )
    }

    /// libtaxii's `to_text()` of the advertisement.
    public var text: String { text(prefix: "") }

    func text(prefix: String) -> String {
        var result = prefix + "=== Supported Query Information ===\n" + prefix + "  Query Format: \(TAXII.QueryFormatID.defaultQuery10)\n"
        for info in targetingExpressionInfos { result += info.text(prefix: prefix + TextForm.indent) }
        for module in capabilityModules { result += prefix + "  Capability Module: \(module)\n" }
        return result
    }
}

extension TAXII.DefaultQueryInfo.TargetingExpressionInfo {
    /// libtaxii's `TargetingExpressionInfo.to_dict()`: `targeting_expression_id`,
    /// `preferred_scope`, `allowed_scope`.
    public func dictionary() -> [String: TAXII.DictionaryValue] {
        [
            "targeting_expression_id": .string(targetingExpressionID),
            "preferred_scope": preferredScope.map(\.description).dictionaryList,
            "allowed_scope": allowedScope.map(\.description).dictionaryList,
        ]
    }

    /// Reads libtaxii's dictionary form.
    public init(dictionary: [String: TAXII.DictionaryValue]) throws(TAXIIError) {
        try self.init(dictionary: DictionaryReader(dictionary, path: ""))
    }

    init(dictionary reader: DictionaryReader) throws(TAXIIError) {
        try self.init(
            targetingExpressionID: try reader.string("targeting_expression_id"),
            preferredScope: try reader.strings("preferred_scope"), allowedScope: try reader.strings("allowed_scope"),
            at: .dictionary(reader.path)
        )
    }

    func text(prefix: String) -> String {
        var result = prefix + "=== Targeting Expression Info ===\n" + prefix + "  Targeting Expression ID: \(targetingExpressionID)\n"
        for scope in preferredScope { result += prefix + "  Preferred Scope: \(scope)\n" }
        for scope in allowedScope { result += prefix + "  Allowed Scope: \(scope)\n" }
        return result
    }
}

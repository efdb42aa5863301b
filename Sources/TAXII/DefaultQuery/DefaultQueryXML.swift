import BastionXML

// XML forms of the Default Query types, as libtaxii writes them: prefix `tdq`,
// nested criteria before criterion, `negate` written on every criterion,
// parameters in the order the relationship lists them.

/// A Default Query type with a standalone XML form: ``TAXII/DefaultQuery``
/// (`tdq:Default_Query`) and ``TAXII/DefaultQueryInfo`` (`tdq:Default_Query_Info`).
public protocol DefaultQueryXMLForm: Sendable, Equatable {
    /// The element's local name in the Default Query namespace.
    static var elementName: String { get }
    /// Interprets a parsed element of this type, checking it; errors name
    /// their place starting with `path` (the element's own path).
    init(element: XMLElement, path: String) throws(TAXIIError)
    /// Writes the element.
    func write(to writer: inout XMLWriter)
}

extension DefaultQueryXMLForm {
    /// Interprets a parsed element of this type, checking it.
    public init(element: XMLElement) throws(TAXIIError) {
        try self.init(element: element, path: Self.elementName)
    }

    /// Parses the standalone element from text.
    ///
    /// - Throws: ``TAXIIError``: `.malformedXML`, a structural error, or a
    ///   check of the model types.
    public init(xml: String) throws(TAXIIError) {
        try self.init(element: TAXIIError.parse(xml))
    }

    /// Parses the standalone element from bytes.
    public init(xml bytes: [UInt8]) throws(TAXIIError) {
        try self.init(element: TAXIIError.parse(bytes))
    }

    /// The element as a standalone fragment (the `tdq` namespace declared on it).
    public func xml(prettyPrinted: Bool = false) throws(TAXIIError) -> String {
        var writer = XMLWriter(options: .init(prettyPrinted: prettyPrinted))
        write(to: &writer)
        do {
            return try writer.finish()
        } catch {
            throw TAXIIError(.serialization, path: Self.elementName, error.description, xmlError: error)
        }
    }

    /// Checks that `element` is this type's element.
    static func expect(_ element: XMLElement, path: String) throws(TAXIIError) {
        guard element.isNamed(elementName, namespace: TAXII.Namespace.defaultQuery) else {
            throw TAXIIError(
                .unexpectedElement, path: path,
                "expected <tdq:\(elementName)>, found <\(element.qualifiedName)> (namespace \(element.namespaceURI ?? "none"))"
            )
        }
    }

    /// A parsing cursor (no collector: the first error is thrown) over `element`.
    static func root(_ element: XMLElement, path: String) -> ElementCursor {
        ElementCursor(element, path: path, namespace: TAXII.Namespace.defaultQuery, collector: nil)
    }
}

extension TAXII.DefaultQuery: DefaultQueryXMLForm {
    /// `Default_Query`.
    public static let elementName = "Default_Query"

    /// Interprets a parsed `tdq:Default_Query` element; errors name their place starting with `path`.
    public init(element: XMLElement, path: String) throws(TAXIIError) {
        try self.init(reading: Self.root(element, path: path))
    }

    /// Reads the element `cursor` is on, which must be this type's (in the Default Query namespace).
    init(reading cursor: ElementCursor) throws(TAXIIError) {
        try Self.expect(cursor.element, path: cursor.path)
        var cursor = cursor
        let id = try cursor.requiredAttribute("targeting_expression_id")
        let (criteria, criteriaPath) = try cursor.required("Criteria")
        try cursor.finish()
        self.init(targetingExpressionID: id, criteria: try Criteria(cursor.child(criteria, path: criteriaPath)))
    }

    /// Writes the `tdq:Default_Query` element (negated criteria by De Morgan's laws).
    public func write(to writer: inout XMLWriter) {
        writer.startTDQ("Default_Query")
        writer.attribute("targeting_expression_id", targetingExpressionID)
        criteria.withNegationPushedDown.write(to: &writer)
        writer.endElement()
    }
}

extension TAXII.DefaultQuery.Criteria {
    init(_ cursor: ElementCursor) throws(TAXIIError) {
        let (element, path) = (cursor.element, cursor.path)
        let op: TAXII.DefaultQuery.Operator = try cursor.requiredEnumAttribute("operator")
        let negate = try cursor.boolAttribute("negate") ?? false
        var criteria: [Self] = []
        var criterion: [TAXII.DefaultQuery.Criterion] = []
        for child in element.childElements {
            if child.isNamed("Criteria", namespace: TAXII.Namespace.defaultQuery) {
                criteria.append(try Self(cursor.child(child, path: "\(path)/Criteria[\(criteria.count + 1)]")))
            } else if child.isNamed("Criterion", namespace: TAXII.Namespace.defaultQuery) {
                criterion.append(try TAXII.DefaultQuery.Criterion(cursor.child(child, path: "\(path)/Criterion[\(criterion.count + 1)]")))
            } else {
                throw TAXIIError(
                    .unexpectedElement, path: "\(path)/\(child.localName)",
                    "element <\(child.qualifiedName)> is not allowed here (only <tdq:Criteria> and <tdq:Criterion>)"
                )
            }
        }
        try self.init(op, negate: negate, criteria: criteria, criterion: criterion, at: .xml(path))
    }

    /// Writes the criteria as they are (callers push negation down first).
    func write(to writer: inout XMLWriter) {
        writer.startTDQ("Criteria")
        writer.attribute("operator", self.operator.rawValue)
        for nested in criteria { nested.write(to: &writer) }
        for item in criterion { item.write(to: &writer) }
        writer.endElement()
    }
}

extension TAXII.DefaultQuery.Criterion {
    init(_ cursor: ElementCursor) throws(TAXIIError) {
        var cursor = cursor
        let negate = try cursor.boolAttribute("negate") ?? false
        let (target, targetPath) = try cursor.required("Target")
        let (test, testPath) = try cursor.required("Test")
        try cursor.finish()
        let expression = try TAXII.DefaultQuery.TargetingExpression(target.text.trimmedXMLWhitespace, path: targetPath)
        self.init(targetingExpression: expression, test: try TAXII.DefaultQuery.Test(cursor.child(test, path: testPath)), negate: negate)
    }

    func write(to writer: inout XMLWriter) {
        writer.startTDQ("Criterion")
        writer.attribute("negate", negate ? "true" : "false")
        writer.textTDQ("Target", target)
        test.write(to: &writer)
        writer.endElement()
    }
}

extension TAXII.DefaultQuery.Test {
    init(_ cursor: ElementCursor) throws(TAXIIError) {
        var cursor = cursor
        let path = cursor.path
        let capabilityID = try cursor.requiredAttribute("capability_id")
        let relationshipText = try cursor.requiredAttribute("relationship")
        let (relationship, _) = try Self.resolve(relationshipText, capabilityID: capabilityID, at: .xml(path))
        var parameters: [String: TAXII.DefaultQuery.ParameterValue] = [:]
        for (parameter, parameterPath) in try cursor.many("Parameter") {
            let name = try cursor.child(parameter, path: parameterPath).requiredAttribute("name")
            guard parameters[name] == nil else {
                throw TAXIIError(.unexpectedElement, path: parameterPath, "parameter \"\(name)\" is given twice")
            }
            let kind = TAXII.DefaultQuery.ParameterKind(capabilityID: capabilityID, relationship: relationship, name: name)
            parameters[name] = try kind.value(fromText: parameter.text, path: parameterPath)
        }
        try cursor.finish()
        try self.init(capabilityID: capabilityID, relationship: relationship, parameters: parameters, at: .xml(path))
    }

    func write(to writer: inout XMLWriter) {
        writer.startTDQ("Test")
        writer.attribute("capability_id", capabilityID)
        writer.attribute("relationship", relationship.rawValue)
        for name in orderedParameterNames {
            guard let value = parameters[name] else { continue }
            writer.startTDQ("Parameter")
            writer.attribute("name", name)
            writer.text(value.description)
            writer.endElement()
        }
        writer.endElement()
    }
}

extension TAXII.DefaultQueryInfo: DefaultQueryXMLForm {
    /// `Default_Query_Info`.
    public static let elementName = "Default_Query_Info"

    /// Interprets a parsed `tdq:Default_Query_Info` element; errors name their place starting with `path`.
    public init(element: XMLElement, path: String) throws(TAXIIError) {
        try self.init(reading: Self.root(element, path: path))
    }

    /// Reads the element `cursor` is on, which must be this type's (in the Default Query namespace).
    init(reading cursor: ElementCursor) throws(TAXIIError) {
        try Self.expect(cursor.element, path: cursor.path)
        var cursor = cursor
        let path = cursor.path
        var infos: [TargetingExpressionInfo] = []
        for (info, infoPath) in try cursor.many("Targeting_Expression_Info", minimum: 1) {
            infos.append(try TargetingExpressionInfo(cursor.child(info, path: infoPath)))
        }
        let modules = try cursor.tokens("Capability_Module", minimum: 1)
        try cursor.finish()
        try self.init(targetingExpressionInfos: infos, capabilityModules: modules, at: .xml(path))
    }

    /// Writes the `tdq:Default_Query_Info` element.
    public func write(to writer: inout XMLWriter) {
        writer.startTDQ("Default_Query_Info")
        for info in targetingExpressionInfos {
            writer.startTDQ("Targeting_Expression_Info")
            writer.attribute("targeting_expression_id", info.targetingExpressionID)
            for scope in info.preferredScope { writer.textTDQ("Preferred_Scope", scope.description) }
            for scope in info.allowedScope { writer.textTDQ("Allowed_Scope", scope.description) }
            writer.endElement()
        }
        for module in capabilityModules { writer.textTDQ("Capability_Module", module) }
        writer.endElement()
    }
}

extension TAXII.DefaultQueryInfo.TargetingExpressionInfo {
    init(_ cursor: ElementCursor) throws(TAXIIError) {
        var cursor = cursor
        let path = cursor.path
        let id = try cursor.requiredAttribute("targeting_expression_id")
        let preferred = try cursor.tokens("Preferred_Scope")
        let allowed = try cursor.tokens("Allowed_Scope")
        try cursor.finish()
        try self.init(targetingExpressionID: id, preferredScope: preferred, allowedScope: allowed, at: .xml(path))
    }
}

extension XMLWriter {
    /// Opens a Default Query element (prefix `tdq`).
    mutating func startTDQ(_ name: String) {
        startElement(name, namespace: TAXII.Namespace.defaultQuery, prefix: "tdq")
    }

    /// Writes a Default Query element holding only text.
    mutating func textTDQ(_ name: String, _ value: String) {
        textElement(name, namespace: TAXII.Namespace.defaultQuery, prefix: "tdq", text: value)
    }
}

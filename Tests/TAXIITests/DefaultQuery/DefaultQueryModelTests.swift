import Testing
@testable import TAXII

@Suite("Default Query: construction checks")
struct DefaultQueryModelTests {
    /// Parameters of the right type for every parameter a relationship takes.
    static func goodParameters(module: String, relationship: DQ.Relationship) -> [String: DQ.ParameterValue] {
        var result: [String: DQ.ParameterValue] = [:]
        for name in DQ.CapabilityModule.relationships[module]![relationship]! {
            switch DQ.ParameterKind(capabilityID: module, relationship: relationship, name: name) {
            case .string: result[name] = "text"
            case .regularExpression: result[name] = "^a+b?$"
            case .matchType: result[name] = "case_insensitive_string"
            case .number: result[name] = 4.5
            case .boolean: result[name] = false
            case .timestamp: result[name] = .timestamp(TAXII.Timestamp("2015-01-01T00:00:00Z")!)
            }
        }
        return result
    }

    @Test("every relationship of every module is accepted with its parameters")
    func everyRelationship() throws {
        var count = 0
        for module in DQ.CapabilityModule.all {
            for relationship in DQ.Relationship.allCases where DQ.CapabilityModule.relationships[module]![relationship] != nil {
                let parameters = Self.goodParameters(module: module, relationship: relationship)
                let test = try DQ.Test(capabilityID: module, relationship: relationship, parameters: parameters)
                #expect(test.parameters == parameters)
                #expect(test.relationship == relationship)
                count += 1
            }
        }
        #expect(count == 17)
    }

    @Test("typed accessors")
    func accessors() throws {
        let valid = try DQSupport.test(.equals, ["value": "12", "match_type": "number"])
        #expect(valid.matchType == .number)
        #expect(valid.value == .string("12"))
        #expect(valid.isCaseSensitive == nil)
        let begins = try DQSupport.test(.beginsWith, ["value": "a", "case_sensitive": true])
        #expect(begins.isCaseSensitive == true)
        #expect(begins.matchType == nil)
    }

    struct Refusal: Sendable, CustomStringConvertible {
        var name: String
        var module: String
        var relationship: DQ.Relationship
        var parameters: [String: DQ.ParameterValue]
        var kind: TAXIIError.Kind
        var path: String
        var says: String
        var description: String { name }
    }

    static let refusals: [Refusal] = [
        .init(name: "unknown capability module", module: "urn:example:capability:fuzzy-1", relationship: .equals,
              parameters: ["value": "x"], kind: .unsupportedCapabilityModule, path: "Test@capability_id", says: "fuzzy-1"),
        .init(name: "matches is not a core relationship", module: DQSupport.core, relationship: .matches,
              parameters: ["value": "x", "case_sensitive": true], kind: .invalidValue, path: "Test@relationship", says: "core-1"),
        .init(name: "contains is not a timestamp relationship", module: DQSupport.timestamp, relationship: .contains,
              parameters: ["value": "x"], kind: .invalidValue, path: "Test@relationship", says: "equals, greater_than"),
        .init(name: "equals is not a regex relationship", module: DQSupport.regex, relationship: .equals,
              parameters: ["value": "x"], kind: .invalidValue, path: "Test@relationship", says: "matches"),
        .init(name: "missing match_type", module: DQSupport.core, relationship: .equals,
              parameters: ["value": "x"], kind: .missingElement, path: "Test/Parameter[name=match_type]", says: "requires parameter \"match_type\""),
        .init(name: "missing value", module: DQSupport.core, relationship: .contains,
              parameters: ["case_sensitive": true], kind: .missingElement, path: "Test/Parameter[name=value]", says: "requires"),
        .init(name: "missing case_sensitive", module: DQSupport.regex, relationship: .matches,
              parameters: ["value": "a"], kind: .missingElement, path: "Test/Parameter[name=case_sensitive]", says: "case_sensitive"),
        .init(name: "extra parameter on exists", module: DQSupport.core, relationship: .exists,
              parameters: ["value": "x"], kind: .unexpectedElement, path: "Test/Parameter[name=value]", says: "takes none"),
        .init(name: "unknown parameter name", module: DQSupport.core, relationship: .greaterThan,
              parameters: ["value": 1, "precision": "high"], kind: .unexpectedElement, path: "Test/Parameter[name=precision]", says: "takes value"),
        .init(name: "match_type on contains", module: DQSupport.core, relationship: .contains,
              parameters: ["value": "x", "case_sensitive": true, "match_type": "number"], kind: .unexpectedElement,
              path: "Test/Parameter[name=match_type]", says: "match_type"),
        .init(name: "bad match_type", module: DQSupport.core, relationship: .notEquals,
              parameters: ["value": "x", "match_type": "fuzzy"], kind: .invalidValue, path: "Test/Parameter[name=match_type]",
              says: "case_sensitive_string, case_insensitive_string, number"),
        .init(name: "match_type not a string", module: DQSupport.core, relationship: .equals,
              parameters: ["value": "x", "match_type": true], kind: .invalidValue, path: "Test/Parameter[name=match_type]", says: "must be a string"),
        .init(name: "case_sensitive as text", module: DQSupport.core, relationship: .beginsWith,
              parameters: ["value": "x", "case_sensitive": "true"], kind: .invalidValue, path: "Test/Parameter[name=case_sensitive]",
              says: "must be a boolean"),
        .init(name: "numeric value as text", module: DQSupport.core, relationship: .lessThan,
              parameters: ["value": "5"], kind: .invalidValue, path: "Test/Parameter[name=value]", says: "must be a number"),
        .init(name: "infinite number", module: DQSupport.core, relationship: .lessThanOrEqual,
              parameters: ["value": .number(.infinity)], kind: .invalidValue, path: "Test/Parameter[name=value]", says: "finite"),
        .init(name: "string value as number", module: DQSupport.core, relationship: .endsWith,
              parameters: ["value": 5, "case_sensitive": false], kind: .invalidValue, path: "Test/Parameter[name=value]", says: "must be a string"),
        .init(name: "timestamp value as text", module: DQSupport.timestamp, relationship: .greaterThan,
              parameters: ["value": "2015-01-01T00:00:00Z"], kind: .invalidValue, path: "Test/Parameter[name=value]", says: "must be a timestamp"),
        .init(name: "match_type number with a non-numeric value", module: DQSupport.core, relationship: .equals,
              parameters: ["value": "ten", "match_type": "number"], kind: .invalidValue, path: "Test/Parameter[name=value]", says: "not a number"),
        .init(name: "regular expression that does not compile", module: DQSupport.regex, relationship: .matches,
              parameters: ["value": "([a-z]", "case_sensitive": true], kind: .invalidValue, path: "Test/Parameter[name=value]",
              says: "is not a supported regular expression: missing ')'"),
        .init(name: "regular expression too long", module: DQSupport.regex, relationship: .matches,
              parameters: ["value": .string(String(repeating: "a", count: 1025)), "case_sensitive": true], kind: .invalidValue,
              path: "Test/Parameter[name=value]", says: "longer than 1024"),
    ]

    @Test("a bad test is refused with kind, path and reason", arguments: refusals)
    func refused(_ refusal: Refusal) throws {
        let error = #expect(throws: TAXIIError.self) {
            try DQ.Test(capabilityID: refusal.module, relationship: refusal.relationship, parameters: refusal.parameters)
        }
        #expect(error?.kind == refusal.kind, "\(error?.description ?? "")")
        #expect(error?.path == refusal.path, "\(error?.description ?? "")")
        #expect(error?.message.contains(refusal.says) == true, "\(error?.description ?? "")")
    }

    static let badTargets = [
        "", "/", "a//b", "a/", "/a", "@", "a/@b/c", "@a/b", "***", "a b", "a/b-c", "a[1]", "a/*x", "ns:Name", "a/@", "**/@*",
    ]

    @Test("a target that is not a targeting expression is refused", arguments: badTargets)
    func badTarget(_ target: String) throws {
        let test = try DQSupport.test(.exists)
        let error = #expect(throws: TAXIIError.self) { try DQ.Criterion(target: target, test: test) }
        #expect(error?.kind == .invalidValue)
        #expect(error?.path == "Criterion/Target")
        #expect(error?.message.contains("is not a targeting expression") == true)
    }

    @Test("targeting expressions parse into steps")
    func steps() throws {
        #expect(try DQ.TargetingExpression("STIX_Package/*/Indicator/**/@id").steps == [
            .element("STIX_Package"), .anyElement, .element("Indicator"), .anyDepth, .attribute("id"),
        ])
        #expect(try DQ.TargetingExpression("**").steps == [.anyDepth])
        #expect(try DQ.TargetingExpression("@id").steps == [.attribute("id")])
        #expect(try DQ.TargetingExpression("Größe_1").steps == [.element("Größe_1")])
        let long = String(repeating: "a/", count: 3000) + "a"
        let error = #expect(throws: TAXIIError.self) { try DQ.TargetingExpression(long) }
        #expect(error?.message.contains("longer than 4096") == true)
    }

    @Test("criteria need a child")
    func emptyCriteria() throws {
        let error = #expect(throws: TAXIIError.self) { try DQ.Criteria(.or) }
        #expect(error?.kind == .missingElement)
        #expect(error?.path == "Criteria/Criterion")
        let nested = try DQ.Criteria(.or, criteria: [DQ.Criteria(.and, criterion: [DQ.Criterion(target: "**", test: DQSupport.test(.exists))])])
        #expect(nested.criteria.count == 1)
        #expect(nested.criterion.isEmpty)
    }

    @Test("Default Query Info needs vocabularies and modules; scopes are checked")
    func info() throws {
        let tei = try TAXII.DefaultQueryInfo.TargetingExpressionInfo(targetingExpressionID: DQ.TargetingExpressionID.stixXML12, allowedScope: ["**"])
        let noInfos = #expect(throws: TAXIIError.self) { try TAXII.DefaultQueryInfo(targetingExpressionInfos: [], capabilityModules: [DQSupport.core]) }
        #expect(noInfos?.kind == .missingElement)
        #expect(noInfos?.path == "Default_Query_Info/Targeting_Expression_Info")
        let noModules = #expect(throws: TAXIIError.self) { try TAXII.DefaultQueryInfo(targetingExpressionInfos: [tei], capabilityModules: []) }
        #expect(noModules?.path == "Default_Query_Info/Capability_Module")
        let emptyModule = #expect(throws: TAXIIError.self) {
            try TAXII.DefaultQueryInfo(targetingExpressionInfos: [tei], capabilityModules: [DQSupport.core, ""])
        }
        #expect(emptyModule?.kind == .invalidValue)
        #expect(emptyModule?.path == "Default_Query_Info/Capability_Module[2]")
        let badScope = #expect(throws: TAXIIError.self) {
            try TAXII.DefaultQueryInfo.TargetingExpressionInfo(targetingExpressionID: "x", preferredScope: ["a/b", "a b"])
        }
        #expect(badScope?.kind == .invalidValue)
        #expect(badScope?.path == "Targeting_Expression_Info/Preferred_Scope[2]")
    }

    @Test("equality ignores the order of criteria, criterion, scopes and modules")
    func equality() throws {
        let a = try DQ.Criterion(target: "**/@id", test: DQSupport.test(.exists))
        let b = try DQ.Criterion(target: "**/Title", test: DQSupport.test(.equals, ["value": "x", "match_type": "case_sensitive_string"]))
        let nested = try DQ.Criteria(.or, criterion: [a])
        let one = try DQ.Criteria(.and, criteria: [nested], criterion: [a, b])
        let two = try DQ.Criteria(.and, criteria: [nested], criterion: [b, a])
        #expect(one == two)
        #expect(one != (try DQ.Criteria(.or, criteria: [nested], criterion: [a, b])))
        #expect(one != (try DQ.Criteria(.and, negate: true, criteria: [nested], criterion: [a, b])))
        var negated = b
        negated.negate = true
        #expect(one != (try DQ.Criteria(.and, criteria: [nested], criterion: [a, negated])))
        #expect(one != (try DQ.Criteria(.and, criterion: [a, b])))

        let x = try TAXII.DefaultQueryInfo.TargetingExpressionInfo(targetingExpressionID: "x", preferredScope: ["a", "b"], allowedScope: ["**"])
        let y = try TAXII.DefaultQueryInfo.TargetingExpressionInfo(targetingExpressionID: "x", preferredScope: ["b", "a"], allowedScope: ["**"])
        #expect(x == y)
        let z = try TAXII.DefaultQueryInfo.TargetingExpressionInfo(targetingExpressionID: "z", allowedScope: ["**"])
        #expect(try TAXII.DefaultQueryInfo(targetingExpressionInfos: [x, z], capabilityModules: [DQSupport.core, DQSupport.regex])
            == TAXII.DefaultQueryInfo(targetingExpressionInfos: [z, y], capabilityModules: [DQSupport.regex, DQSupport.core]))
        #expect(try TAXII.DefaultQueryInfo(targetingExpressionInfos: [x], capabilityModules: [DQSupport.core])
            != TAXII.DefaultQueryInfo(targetingExpressionInfos: [z], capabilityModules: [DQSupport.core]))
        // Parameters compare by value: numbers numerically, timestamps by instant.
        #expect(try DQSupport.test(.greaterThan, ["value": 5]) == DQSupport.test(.greaterThan, ["value": 5.0]))
        #expect(try DQSupport.test(.equals, ["value": .timestamp(TAXII.Timestamp("2015-01-01T01:00:00+01:00")!)], module: DQSupport.timestamp)
            == DQSupport.test(.equals, ["value": .timestamp(TAXII.Timestamp("2015-01-01T00:00:00Z")!)], module: DQSupport.timestamp))
    }

    @Test("negation pushed down by De Morgan's laws")
    func deMorgan() throws {
        let a = try DQ.Criterion(target: "a", test: DQSupport.test(.exists))
        let b = try DQ.Criterion(target: "b", test: DQSupport.test(.exists), negate: true)
        let inner = try DQ.Criteria(.or, negate: true, criterion: [a])
        let outer = try DQ.Criteria(.and, negate: true, criteria: [inner], criterion: [a, b])
        let pushed = outer.withNegationPushedDown
        #expect(pushed.operator == .or)
        #expect(pushed.negate == false)
        #expect(pushed.criterion.map(\.negate) == [true, false])
        // NOT(NOT(OR(a))) = OR(a): the inner criteria keeps its operator and children.
        #expect(pushed.criteria[0].operator == .or)
        #expect(pushed.criteria[0].negate == false)
        #expect(pushed.criteria[0].criterion[0].negate == false)
        // Without negation nothing changes.
        let plain = try DQ.Criteria(.and, criteria: [inner], criterion: [a])
        #expect(plain.withNegationPushedDown.criteria[0].operator == .and)
        #expect(plain.withNegationPushedDown.criteria[0].criterion[0].negate == true)
        #expect(plain.withNegationPushedDown.criterion == [a])
    }

    @Test("parameter values print as libtaxii writes them")
    func parameterText() {
        #expect(DQ.ParameterValue.number(5).description == "5.0")
        #expect(DQ.ParameterValue.number(0.25).description == "0.25")
        #expect(DQ.ParameterValue.boolean(true).description == "true")
        #expect(DQ.ParameterValue.boolean(false).description == "false")
        #expect(DQ.ParameterValue.string("a<b").description == "a<b")
        #expect(DQ.ParameterValue.timestamp(TAXII.Timestamp("2015-01-01T00:00:00.5+02:00")!).description == "2015-01-01T00:00:00.5+02:00")
    }
}

@Suite("Default Query regex patterns")
struct DefaultQueryRegexRefusalTests {
    @Test("a Default Query test with such a pattern is refused when it is made, naming the reason")
    func refusedInAQuery() {
        let error = #expect(throws: TAXIIError.self) {
            try DQSupport.test(.matches, ["value": #"(evil)\1"#, "case_sensitive": true], module: DQSupport.regex)
        }
        #expect(error?.kind == .invalidValue)
        #expect(error?.message.contains("back-references need backtracking and are not supported") == true, "\(String(describing: error))")
    }
}

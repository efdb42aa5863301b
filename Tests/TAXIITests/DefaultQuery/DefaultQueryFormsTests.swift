import Testing
@testable import TAXII

@Suite("Default Query: dictionary and text forms")
struct DefaultQueryFormsTests {
    /// An oracle file: libtaxii 1.1.119's `to_dict()` (as JSON) or `to_text()` of a fixture's query.
    static func libtaxii(_ name: String) throws -> String {
        try Support.fixture("default_query_dict/" + name)
    }

    static func coreQuery() throws -> DQ { try DQSupport.pollQuery("default_query_poll_request_core.xml") }

    static func info() throws -> TAXII.DefaultQueryInfo {
        try #require(TAXII11.DiscoveryResponse(xml: Support.fixture("valid/default_query_discovery_response_info.xml"))
            .serviceInstances[0].supportedQueries[0].defaultQueryInfo)
    }

    @Test("the dictionary is libtaxii's to_dict(), key for key")
    func libtaxiiDictionary() throws {
        #expect(try TAXII.DictionaryValue.dictionary(Self.coreQuery().dictionary()) == TAXII.DictionaryValue(json: Self.libtaxii("core_query.libtaxii.json")))
        #expect(try TAXII.DictionaryValue.dictionary(Self.info().dictionary()) == TAXII.DictionaryValue(json: Self.libtaxii("info.libtaxii.json")))
    }

    @Test("libtaxii's dictionary reads back to the model the XML gives")
    func fromLibtaxiiDictionary() throws {
        let query = try TAXII.DictionaryValue(json: Self.libtaxii("core_query.libtaxii.json"))
        #expect(try DQ(dictionary: #require(query.dictionaryValue)) == Self.coreQuery())
        let info = try TAXII.DictionaryValue(json: Self.libtaxii("info.libtaxii.json"))
        #expect(try TAXII.DefaultQueryInfo(dictionary: #require(info.dictionaryValue)) == Self.info())
    }

    @Test("the text is libtaxii's to_text(), line for line", arguments: [
        ("default_query_poll_request_core.xml", "core_query.libtaxii.txt"),
        ("default_query_poll_request_regex_timestamp.xml", "regex_timestamp_query.libtaxii.txt"),
    ])
    func libtaxiiText(fixture: String, oracle: String) throws {
        #expect(try DQSupport.pollQuery(fixture).text == Self.libtaxii(oracle))
    }

    @Test("the advertisement's text is libtaxii's, and messages embed both texts")
    func infoText() throws {
        #expect(try Self.info().text == Self.libtaxii("info.libtaxii.txt"))
        // Whole messages carrying them print as libtaxii prints them.
        #expect(try Support.message("default_query_discovery_response_info.xml").text == Self.libtaxii("discovery_response_info.message.libtaxii.txt"))
        #expect(try Support.message("default_query_poll_request_core.xml").text == Self.libtaxii("poll_request_core.message.libtaxii.txt"))
    }

    @Test("every type: dictionary → model → dictionary, and the model equals the XML one", arguments: DefaultQueryXMLTests.fixtures)
    func roundTrip(name: String) throws {
        let message = try Support.message(name)
        for query in DefaultQueryXMLTests.queries(in: message) {
            switch query.body {
            case .defaultQuery(let body):
                let dictionary = body.dictionary()
                #expect(try DQ(dictionary: dictionary) == body)
                #expect(try DQ(dictionary: dictionary).dictionary() == dictionary)
                #expect(try DQ.Criteria(dictionary: body.criteria.dictionary()) == body.criteria)
                for criterion in body.criteria.criterion {
                    #expect(try DQ.Criterion(dictionary: criterion.dictionary()) == criterion)
                    #expect(try DQ.Test(dictionary: criterion.test.dictionary()) == criterion.test)
                }
            case .defaultQueryInfo(let body):
                #expect(try TAXII.DefaultQueryInfo(dictionary: body.dictionary()) == body)
                for info in body.targetingExpressionInfos {
                    #expect(try TAXII.DefaultQueryInfo.TargetingExpressionInfo(dictionary: info.dictionary()) == info)
                }
            case .xml:
                Issue.record("\(name): a Default Query fixture with an untyped body")
            }
        }
        // The whole message, through JSON.
        let json = message.json(prettyPrinted: true)
        #expect(try TAXII11.Message(json: json) == message)
    }

    @Test("parameter values: types as libtaxii holds them; numbers whole or as text; timestamps ISO")
    func parameterValues() throws {
        let timestamp = try DQSupport.test(.lessThan, ["value": .timestamp(TAXII.Timestamp("2016-02-11T17:42:09.5+01:00")!)], module: DQSupport.timestamp)
        #expect(timestamp.dictionary()["parameters"] == ["value": "2016-02-11T17:42:09.500000+01:00"])
        #expect(try DQ.Test(dictionary: timestamp.dictionary()) == timestamp)
        let whole = try DQSupport.test(.greaterThan, ["value": 65536])
        #expect(whole.dictionary()["parameters"] == ["value": 65536])
        let fraction = try DQSupport.test(.greaterThan, ["value": 0.25])
        #expect(fraction.dictionary()["parameters"] == ["value": "0.25"])
        #expect(try DQ.Test(dictionary: fraction.dictionary()) == fraction)
        let flag = try DQSupport.test(.endsWith, ["value": "x", "case_sensitive": false])
        #expect(flag.dictionary()["parameters"] == ["value": "x", "case_sensitive": false])
        // Written by hand: booleans and numbers as strings, a naive timestamp, Python's str() of a datetime.
        let loose = try DQ.Test(dictionary: [
            "capability_id": .string(DQSupport.core), "relationship": "begins_with", "parameters": ["value": "a", "case_sensitive": "false"],
        ])
        #expect(loose.isCaseSensitive == false)
        let naive = try DQ.Test(dictionary: [
            "capability_id": .string(DQSupport.timestamp), "relationship": "equals", "parameters": ["value": "2016-02-11 17:42:09"],
        ])
        #expect(naive.value == .timestamp(TAXII.Timestamp("2016-02-11T17:42:09Z")!))
        // negate: null (libtaxii's None) is false.
        let criterion = try DQ.Criterion(dictionary: ["negate": nil, "target": "**", "test": .dictionary(DQSupport.test(.exists).dictionary())])
        #expect(criterion.negate == false)
    }

    @Test("negated criteria: De Morgan in the dictionary too; a negate key is honoured")
    func negation() throws {
        let a = try DQ.Criterion(target: "a", test: DQSupport.test(.exists))
        let criteria = try DQ.Criteria(.and, negate: true, criterion: [a])
        let dictionary = criteria.dictionary()
        #expect(dictionary["operator"] == "OR")
        #expect(dictionary["negate"] == nil)
        #expect(dictionary["criterion"]?.listValue?.first?["negate"] == true)
        var withKey = criteria.dictionary()
        withKey["negate"] = true
        let read = try DQ.Criteria(dictionary: withKey)
        // NOT(OR(NOT a)): the key inverts what the pushed-down form says.
        #expect(read.negate)
        #expect(read.operator == .or)
        #expect(read.withNegationPushedDown.operator == .and)
        #expect(read.withNegationPushedDown.criterion == [a])
    }

    struct Refusal: Sendable, CustomStringConvertible {
        var name: String
        var edit: @Sendable (inout [String: TAXII.DictionaryValue]) -> Void
        var kind: TAXIIError.Kind
        var path: String
        var description: String { name }
    }

    /// Edits of the core query's dictionary, each making it invalid.
    static let refusals: [Refusal] = [
        .init(name: "no criteria", edit: { $0["criteria"] = nil }, kind: .missingKey, path: "criteria"),
        .init(name: "criteria not a dictionary", edit: { $0["criteria"] = "AND" }, kind: .wrongType, path: "criteria"),
        .init(name: "no targeting expression id", edit: { $0["targeting_expression_id"] = nil }, kind: .missingKey, path: "targeting_expression_id"),
        .init(name: "other format id", edit: { $0["format_id"] = "urn:example:query" }, kind: .invalidValue, path: "format_id"),
        .init(name: "bad operator", edit: { $0[path: "criteria", "operator"] = "XOR" }, kind: .invalidValue, path: "criteria.operator"),
        .init(name: "no operator", edit: { $0[path: "criteria", "operator"] = nil }, kind: .missingKey, path: "criteria.operator"),
        .init(name: "empty criteria", edit: { $0[path: "criteria"] = ["operator": "AND", "criteria": [], "criterion": []] },
              kind: .missingKey, path: "criteria.criterion"),
        .init(name: "criterion list not a list", edit: { $0[path: "criteria", "criterion"] = "x" }, kind: .wrongType, path: "criteria.criterion"),
        .init(name: "bad target", edit: { $0[criterion: 1, "target"] = "a//b" }, kind: .invalidValue, path: "criteria.criterion[1].target"),
        .init(name: "unknown module", edit: { $0[test: 1, "capability_id"] = "urn:example:cm" },
              kind: .unsupportedCapabilityModule, path: "criteria.criterion[1].test.capability_id"),
        .init(name: "unknown relationship", edit: { $0[test: 1, "relationship"] = "near" }, kind: .invalidValue, path: "criteria.criterion[1].test.relationship"),
        .init(name: "missing parameter", edit: { $0[test: 0, "parameters"] = ["value": "low"] },
              kind: .missingKey, path: "criteria.criterion[0].test.parameters.match_type"),
        .init(name: "extra parameter", edit: { $0[test: 1, "parameters"] = ["value": "x"] },
              kind: .unexpectedElement, path: "criteria.criterion[1].test.parameters.value"),
        .init(name: "boolean of the wrong type", edit: { $0[test: 2, "parameters"] = ["value": "ipv4", "case_sensitive": 1] },
              kind: .wrongType, path: "criteria.criterion[2].test.parameters.case_sensitive"),
        .init(name: "boolean text", edit: { $0[test: 2, "parameters"] = ["value": "ipv4", "case_sensitive": "maybe"] },
              kind: .invalidValue, path: "criteria.criterion[2].test.parameters.case_sensitive"),
        .init(name: "bad match type", edit: { $0[test: 0, "parameters"] = ["value": "low", "match_type": "fuzzy"] },
              kind: .invalidValue, path: "criteria.criterion[0].test.parameters.match_type"),
        .init(name: "value not a string", edit: { $0[test: 0, "parameters"] = ["value": 5, "match_type": "number"] },
              kind: .wrongType, path: "criteria.criterion[0].test.parameters.value"),
    ]

    @Test("a bad dictionary is refused with kind and key path", arguments: refusals)
    func refused(_ refusal: Refusal) throws {
        var dictionary = try Self.coreQuery().dictionary()
        refusal.edit(&dictionary)
        let error = #expect(throws: TAXIIError.self) { try DQ(dictionary: dictionary) }
        #expect(error?.kind == refusal.kind, "\(error?.description ?? "")")
        #expect(error?.path == refusal.path, "\(error?.description ?? "")")
    }

    @Test("in a message, errors carry the message's key path")
    func messagePath() throws {
        var dictionary = try Support.message("default_query_poll_request_core.xml").dictionary()
        dictionary[path: "poll_parameters", "query", "criteria", "operator"] = "NAND"
        let error = #expect(throws: TAXIIError.self) { try TAXII11.Message(dictionary: dictionary) }
        #expect(error?.path == "poll_parameters.query.criteria.operator")
        var info = try Support.message("default_query_discovery_response_info.xml").dictionary()
        let services = try #require(info["service_instances"]?.listValue)
        var first = try #require(services[0].dictionaryValue)
        var supported = try #require(first["supported_query"]?.listValue?[0].dictionaryValue)
        supported["capability_modules"] = []
        first["supported_query"] = [.dictionary(supported)]
        info["service_instances"] = .list([.dictionary(first)])
        let infoError = #expect(throws: TAXIIError.self) { try TAXII11.Message(dictionary: info) }
        #expect(infoError?.kind == .missingKey)
        #expect(infoError?.path == "service_instances[0].supported_query[0].capability_modules")
    }
}

extension Dictionary where Key == String, Value == TAXII.DictionaryValue {
    /// The value at a path of dictionary keys (setting creates nothing: every
    /// dictionary on the way must exist).
    subscript(path keys: String...) -> TAXII.DictionaryValue? {
        get {
            var value: TAXII.DictionaryValue? = .dictionary(self)
            for key in keys { value = value?[key] }
            return value
        }
        set { self = Self.setting(self, keys[...], newValue) }
    }

    private static func setting(_ dictionary: Self, _ keys: ArraySlice<String>, _ value: TAXII.DictionaryValue?) -> Self {
        var result = dictionary
        guard let key = keys.first else { return result }
        if keys.count == 1 {
            result[key] = value
        } else {
            result[key] = .dictionary(setting(result[key]?.dictionaryValue ?? [:], keys.dropFirst(), value))
        }
        return result
    }

    /// A key of the `index`th top-level criterion.
    subscript(criterion index: Int, key: String) -> TAXII.DictionaryValue? {
        get { nil }
        set {
            var list = self[path: "criteria", "criterion"]?.listValue ?? []
            var item = list[index].dictionaryValue ?? [:]
            item[key] = newValue
            list[index] = .dictionary(item)
            self[path: "criteria", "criterion"] = .list(list)
        }
    }

    /// A key of the `index`th top-level criterion's test.
    subscript(test index: Int, key: String) -> TAXII.DictionaryValue? {
        get { nil }
        set {
            var list = self[path: "criteria", "criterion"]?.listValue ?? []
            var item = list[index].dictionaryValue ?? [:]
            var test = item["test"]?.dictionaryValue ?? [:]
            test[key] = newValue
            item["test"] = .dictionary(test)
            list[index] = .dictionary(item)
            self[path: "criteria", "criterion"] = .list(list)
        }
    }
}

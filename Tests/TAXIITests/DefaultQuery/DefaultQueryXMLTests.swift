import Foundation
import BastionXML
import Testing
@testable import TAXII

@Suite("Default Query: XML")
struct DefaultQueryXMLTests {
    static let fixtures = [
        "default_query_poll_request_core.xml", "default_query_poll_request_regex_timestamp.xml",
        "default_query_poll_request_default_namespace.xml", "default_query_discovery_response_info.xml",
        "discovery_response.xml", "subscription_management_request.xml",
    ]

    /// The queries and query advertisements a message carries.
    static func queries(in message: TAXII11.Message) -> [TAXII11.Query] {
        switch message {
        case .pollRequest(let request): [request.pollParameters?.query].compactMap { $0 }
        case .manageCollectionSubscriptionRequest(let request): [request.subscriptionParameters?.query].compactMap { $0 }
        case .discoveryResponse(let response): response.serviceInstances.flatMap(\.supportedQueries)
        default: []
        }
    }

    @Test("fixture: message and each query, parse → write → parse is equal, compact and pretty", arguments: fixtures)
    func roundTrip(name: String) throws {
        let message = try Support.message(name)
        let queries = Self.queries(in: message)
        #expect(!queries.isEmpty)
        for pretty in [false, true] {
            for query in queries {
                switch query.body {
                case .defaultQuery(let body): #expect(try DQ(xml: body.xml(prettyPrinted: pretty)) == body)
                case .defaultQueryInfo(let body): #expect(try TAXII.DefaultQueryInfo(xml: Array(body.xml(prettyPrinted: pretty).utf8)) == body)
                case .xml: #expect(query.formatID != TAXII.QueryFormatID.defaultQuery10)
                }
            }
            let written = try message.xml(prettyPrinted: pretty)
            let reread = try TAXII11.Message(xml: written)
            #expect(reread == message, "\(name) pretty=\(pretty)\n\(written)")
            #expect(Self.queries(in: reread) == queries)
            #expect(try reread.xml(prettyPrinted: pretty) == written)
        }
    }

    @Test("the core fixture's query, field by field")
    func coreFields() throws {
        let query = try DQSupport.pollQuery("default_query_poll_request_core.xml")
        #expect(query.targetingExpressionID == DQ.TargetingExpressionID.stixXML111)
        #expect(query.criteria.operator == .and)
        #expect(query.criteria.negate == false)
        #expect(query.criteria.criteria.count == 1)
        #expect(query.criteria.criterion.count == 3)
        let or = query.criteria.criteria[0]
        #expect(or.operator == .or)
        #expect(or.criterion[0].target == "STIX_Package/Indicators/Indicator/Observable/**/Address_Value")
        #expect(or.criterion[0].test.capabilityID == DQ.CapabilityModule.core)
        #expect(or.criterion[0].test.relationship == .equals)
        #expect(or.criterion[0].test.parameters == ["value": "198.51.100.7", "match_type": "case_sensitive_string"])
        #expect(or.criterion[1].test.parameters == ["value": "malicious", "case_sensitive": false])
        let negated = query.criteria.criterion[0]
        #expect(negated.negate)
        #expect(negated.test.matchType == .caseInsensitiveString)
        #expect(query.criteria.criterion[1].test.relationship == .exists)
        #expect(query.criteria.criterion[1].test.parameters.isEmpty)
        #expect(query.criteria.criterion[1].targetingExpression.steps == [.anyDepth, .attribute("id")])
    }

    @Test("typed parameters: numbers, booleans and timestamps are read by the relationship's types")
    func typedParameters() throws {
        let query = try DQSupport.pollQuery("default_query_poll_request_regex_timestamp.xml")
        let tests = query.criteria.criterion.map(\.test)
        #expect(tests[0].parameters == ["value": "^[0-9a-f]{64}$", "case_sensitive": false])
        #expect(tests[1].value == .timestamp(TAXII.Timestamp("2016-02-11T17:42:09.123456Z")!))
        #expect(tests[2].value == .number(65536))
        // Written back as libtaxii writes them.
        let xml = try query.xml()
        #expect(xml.contains("<tdq:Parameter name=\"value\">65536.0</tdq:Parameter>"))
        #expect(xml.contains("<tdq:Parameter name=\"value\">2016-02-11T17:42:09.123456+00:00</tdq:Parameter>"))
        #expect(xml.contains("<tdq:Parameter name=\"case_sensitive\">false</tdq:Parameter>"))
    }

    @Test("a query in the default namespace, children in any order, xs:boolean 1 and 0")
    func defaultNamespace() throws {
        let query = try DQSupport.pollQuery("default_query_poll_request_default_namespace.xml")
        #expect(query.targetingExpressionID == DQ.TargetingExpressionID.stixXML11)
        #expect(query.criteria.criterion[0].target == "**/Address_Value")
        #expect(query.criteria.criterion[0].negate == false)
        #expect(query.criteria.criterion[0].test.isCaseSensitive == true)
        #expect(query.criteria.criteria[0].criterion[0].negate == true)
        #expect(query.criteria.criteria[0].criterion[1].test.matchType == .number)
        // Written with the tdq prefix, nested criteria first, negate explicit.
        let xml = try query.xml()
        #expect(xml.hasPrefix("<tdq:Default_Query xmlns:tdq=\"http://taxii.mitre.org/query/taxii_default_query-1\" targeting_expression_id=\"urn:stix.mitre.org:xml:1.1\"><tdq:Criteria operator=\"OR\"><tdq:Criteria operator=\"AND\">"))
        #expect(xml.contains("<tdq:Criterion negate=\"false\"><tdq:Target>**/Address_Value</tdq:Target>"))
    }

    @Test("written as libtaxii writes the specification's example")
    func libtaxiiLayout() throws {
        let query = DQ(
            targetingExpressionID: DQ.TargetingExpressionID.stixXML111,
            criteria: try DQ.Criteria(.and, criterion: [
                DQ.Criterion(target: "STIX_Package/Indicators/Indicator/Title",
                             test: DQSupport.test(.equals, ["match_type": "case_insensitive_string", "value": "Malicious IP"])),
                DQ.Criterion(target: "**/@id",
                             test: DQSupport.test(.matches, ["case_sensitive": false, "value": "^example:"], module: DQSupport.regex),
                             negate: true),
            ])
        )
        let expected = """
            <tdq:Default_Query xmlns:tdq="http://taxii.mitre.org/query/taxii_default_query-1" targeting_expression_id="urn:stix.mitre.org:xml:1.1.1">
              <tdq:Criteria operator="AND">
                <tdq:Criterion negate="false">
                  <tdq:Target>STIX_Package/Indicators/Indicator/Title</tdq:Target>
                  <tdq:Test capability_id="urn:taxii.mitre.org:query:capability:core-1" relationship="equals">
                    <tdq:Parameter name="value">Malicious IP</tdq:Parameter>
                    <tdq:Parameter name="match_type">case_insensitive_string</tdq:Parameter>
                  </tdq:Test>
                </tdq:Criterion>
                <tdq:Criterion negate="true">
                  <tdq:Target>**/@id</tdq:Target>
                  <tdq:Test capability_id="urn:taxii.mitre.org:query:capability:regex-1" relationship="matches">
                    <tdq:Parameter name="value">^example:</tdq:Parameter>
                    <tdq:Parameter name="case_sensitive">false</tdq:Parameter>
                  </tdq:Test>
                </tdq:Criterion>
              </tdq:Criteria>
            </tdq:Default_Query>
            """
        #expect(try query.xml(prettyPrinted: true) == expected)
        #expect(try DQ(xml: expected) == query)
    }

    @Test("Default Query Info: fields and standalone round trip")
    func info() throws {
        let response = try TAXII11.DiscoveryResponse(xml: Support.fixture("valid/default_query_discovery_response_info.xml"))
        let queries = response.serviceInstances[0].supportedQueries
        #expect(queries.count == 1)
        let info = try #require(queries[0].defaultQueryInfo)
        #expect(queries[0].defaultQuery == nil)
        #expect(info.capabilityModules == DQ.CapabilityModule.all)
        #expect(info.targetingExpressionInfos.count == 2)
        #expect(info.targetingExpressionInfos[0].targetingExpressionID == DQ.TargetingExpressionID.stixXML111)
        #expect(info.targetingExpressionInfos[0].preferredScope.map(\.description) == ["STIX_Package/Indicators/Indicator/**", "**/@id"])
        #expect(info.targetingExpressionInfos[0].allowedScope.map(\.description) == ["STIX_Package/*/Indicator/@timestamp"])
        #expect(info.targetingExpressionInfos[1].allowedScope.map(\.description) == ["**"])
        #expect(try TAXII.DefaultQueryInfo(xml: info.xml()) == info)
        #expect(try TAXII.DefaultQueryInfo(xml: info.xml(prettyPrinted: true)) == info)
    }

    @Test("another query format keeps its XML, in XML and (as libtaxii) only its format id in the dictionary")
    func otherFormat() throws {
        let xml = """
            <taxii_11:Poll_Request xmlns:taxii_11="http://taxii.mitre.org/messages/taxii_xml_binding-1.1" message_id="1" collection_name="c"><taxii_11:Poll_Parameters allow_asynch="false"><taxii_11:Response_Type>FULL</taxii_11:Response_Type><taxii_11:Query format_id="urn:example:query:other-1"><x:Other_Query xmlns:x="urn:example:query" level="2"><x:Term>evil</x:Term></x:Other_Query></taxii_11:Query></taxii_11:Poll_Parameters></taxii_11:Poll_Request>
            """
        let request = try TAXII11.PollRequest(xml: xml)
        let query = try #require(request.pollParameters?.query)
        #expect(query.formatID == "urn:example:query:other-1")
        guard case .xml(let body?) = query.body else {
            Issue.record("other format not kept as XML")
            return
        }
        #expect(body.isNamed("Other_Query", namespace: "urn:example:query"))
        #expect(body.attribute("level") == "2")
        #expect(try TAXII11.PollRequest(xml: request.xml()) == request)
        let written = try request.xml()
        #expect(written.contains("xmlns:x=\"urn:example:query\" level=\"2\"><x:Term>evil</x:Term></x:Other_Query></taxii_11:Query>"), "\(written)")
        let dictionary = TAXII11.Message.pollRequest(request).dictionary()
        #expect(dictionary["poll_parameters"]?["query"] == ["format_id": "urn:example:query:other-1"])
        // A Default Query format id with no Default Query body is refused.
        let empty = xml.replacingOccurrences(of: "urn:example:query:other-1", with: TAXII.QueryFormatID.defaultQuery10)
        let error = #expect(throws: TAXIIError.self) { try TAXII11.PollRequest(xml: empty) }
        #expect(error?.kind == .unexpectedElement)
        #expect(error?.path == "Poll_Request/Poll_Parameters/Query/Other_Query")
    }

    @Test("queries built in code travel in poll and subscription requests and Supported_Query")
    func builtInCode() throws {
        let query = try DQSupport.query("**/Address_Value", DQSupport.test(.contains, ["value": "10.0.0.1", "case_sensitive": true]))
        let poll = TAXII11.PollRequest(messageID: "9", collectionName: "c", scope: .parameters(.init(query: TAXII11.Query(query))))
        let parsedPoll = try TAXII11.PollRequest(xml: poll.xml())
        #expect(parsedPoll == poll)
        #expect(parsedPoll.pollParameters?.query?.formatID == TAXII.QueryFormatID.defaultQuery10)
        #expect(parsedPoll.pollParameters?.query?.defaultQuery == query)

        let info = try TAXII.DefaultQueryInfo(
            targetingExpressionInfos: [.init(targetingExpressionID: DQ.TargetingExpressionID.stixXML12, preferredScope: ["**/Address_Value"])],
            capabilityModules: [DQSupport.core]
        )
        let instance = TAXII11.ServiceInstance(
            serviceType: .poll, serviceVersion: TAXII.VersionID.services11,
            bindings: .init(protocolBinding: TAXII.VersionID.https10, address: "https://x/poll", messageBindings: [TAXII.VersionID.xml11]),
            supportedQueries: [TAXII11.Query(info)]
        )
        let discovery = TAXII11.DiscoveryResponse(messageID: "2", inResponseTo: "1", serviceInstances: [instance])
        let parsedDiscovery = try TAXII11.DiscoveryResponse(xml: discovery.xml(prettyPrinted: true))
        #expect(parsedDiscovery == discovery)
        #expect(parsedDiscovery.serviceInstances[0].supportedQueries[0].defaultQueryInfo == info)
    }

    @Test("negated criteria are written by De Morgan's laws and mean the same")
    func negatedCriteriaXML() throws {
        let a = try DQ.Criterion(target: "STIX_Package/TTPs", test: DQSupport.test(.exists))
        let b = try DQ.Criterion(target: "**/Address_Value", test: DQSupport.test(.exists))
        let query = DQ(targetingExpressionID: DQ.TargetingExpressionID.stixXML12, criteria: try DQ.Criteria(.or, negate: true, criterion: [a, b]))
        let xml = try query.xml()
        #expect(!xml.contains("<tdq:Criteria operator=\"OR\""))
        #expect(xml.contains("<tdq:Criteria operator=\"AND\">"))
        #expect(!xml.contains("negate=\"false\""))
        let parsed = try DQ(xml: xml)
        #expect(parsed.criteria == query.criteria.withNegationPushedDown)
        for package in [DQSupport.watchlist, DQSupport.hashes] {
            let root = try DQSupport.stix(package)
            #expect(try parsed.matches(root) == query.matches(root), "\(package)")
        }
        // A negate attribute on Criteria (not in the schema) is honoured when read.
        let extended = try DQ(xml: xml.replacingOccurrences(of: "operator=\"AND\">", with: "operator=\"AND\" negate=\"true\">"))
        #expect(extended.criteria.negate)
    }

    struct Invalid: Sendable, CustomStringConvertible {
        var file: String
        var kind: TAXIIError.Kind
        var path: String
        var description: String { file }
    }

    static let base = "Poll_Request/Poll_Parameters/Query/Default_Query/Criteria"
    static let test = base + "/Criterion[1]/Test"
    static let info = "Discovery_Response/Service_Instance[1]/Supported_Query[1]"

    static let invalid: [Invalid] = [
        .init(file: "unknown_capability_module", kind: .unsupportedCapabilityModule, path: test + "@capability_id"),
        .init(file: "relationship_not_in_module", kind: .invalidValue, path: test + "@relationship"),
        .init(file: "unknown_relationship", kind: .invalidValue, path: test + "@relationship"),
        .init(file: "missing_parameter", kind: .missingElement, path: test + "/Parameter[name=match_type]"),
        .init(file: "extra_parameter", kind: .unexpectedElement, path: test + "/Parameter[name=value]"),
        .init(file: "bad_match_type", kind: .invalidValue, path: test + "/Parameter[name=match_type]"),
        .init(file: "bad_case_sensitive", kind: .invalidValue, path: test + "/Parameter[2]"),
        .init(file: "bad_timestamp", kind: .invalidTimestamp, path: test + "/Parameter[1]"),
        .init(file: "bad_number", kind: .invalidValue, path: test + "/Parameter[1]"),
        .init(file: "number_match_type_not_numeric", kind: .invalidValue, path: test + "/Parameter[name=value]"),
        .init(file: "bad_regex", kind: .invalidValue, path: test + "/Parameter[name=value]"),
        .init(file: "duplicate_parameter", kind: .unexpectedElement, path: test + "/Parameter[3]"),
        .init(file: "bad_target", kind: .invalidValue, path: base + "/Criterion[1]/Target"),
        .init(file: "attribute_not_last", kind: .invalidValue, path: base + "/Criterion[1]/Target"),
        .init(file: "bad_operator", kind: .invalidValue, path: base + "@operator"),
        .init(file: "empty_criteria", kind: .missingElement, path: base + "/Criterion"),
        .init(file: "bad_negate", kind: .invalidValue, path: base + "/Criterion[1]@negate"),
        .init(file: "missing_target", kind: .missingElement, path: base + "/Criterion[1]/Target"),
        .init(file: "missing_body", kind: .missingElement, path: "Poll_Request/Poll_Parameters/Query/Default_Query"),
        .init(file: "wrong_body", kind: .unexpectedElement, path: "Poll_Request/Poll_Parameters/Query/Default_Query_Info"),
        .init(file: "info_missing_capability_module", kind: .missingElement, path: info + "/Default_Query_Info/Capability_Module"),
        .init(file: "info_bad_scope", kind: .invalidValue, path: info + "/Default_Query_Info/Targeting_Expression_Info[1]/Allowed_Scope[1]"),
        .init(file: "info_missing_targeting_expression_id", kind: .missingAttribute,
              path: info + "/Default_Query_Info/Targeting_Expression_Info[1]@targeting_expression_id"),
        .init(file: "info_wrong_body", kind: .unexpectedElement, path: info + "/Default_Query"),
    ]

    @Test("an invalid query in a message is refused with kind and path", arguments: invalid)
    func refused(_ invalid: Invalid) throws {
        let xml = try Support.fixture("invalid_default_query/\(invalid.file).xml")
        let error = #expect(throws: TAXIIError.self) { try TAXII.message(fromXML: xml) }
        #expect(error?.kind == invalid.kind, "\(error?.description ?? "")")
        #expect(error?.path == invalid.path, "\(error?.description ?? "")")
    }

    @Test("hostile and malformed query XML")
    func hostile() throws {
        let entities = """
            <!DOCTYPE tdq:Default_Query [<!ENTITY x "STIX_Package">]>
            <tdq:Default_Query xmlns:tdq="http://taxii.mitre.org/query/taxii_default_query-1" targeting_expression_id="urn:stix.mitre.org:xml:1.1.1"><tdq:Criteria operator="AND"><tdq:Criterion><tdq:Target>&x;</tdq:Target><tdq:Test capability_id="urn:taxii.mitre.org:query:capability:core-1" relationship="exists"/></tdq:Criterion></tdq:Criteria></tdq:Default_Query>
            """
        let refused = #expect(throws: TAXIIError.self) { try DQ(xml: entities) }
        #expect(refused?.kind == .malformedXML)
        let truncated = #expect(throws: TAXIIError.self) { try DQ(xml: "<tdq:Default_Query xmlns:tdq=\"http://taxii.mitre.org/query/taxii_default_query-1\">") }
        #expect(truncated?.kind == .malformedXML)
        #expect(truncated?.xmlError?.line != nil)
        let wrongRoot = #expect(throws: TAXIIError.self) { try DQ(xml: "<Default_Query targeting_expression_id=\"x\"/>") }
        #expect(wrongRoot?.kind == .unexpectedElement)
        #expect(wrongRoot?.path == "Default_Query")
        // Nesting deeper than the reader allows is refused before it reaches the model.
        let open = String(repeating: "<tdq:Criteria operator=\"AND\">", count: 300)
        let close = String(repeating: "</tdq:Criteria>", count: 300)
        let deep = "<tdq:Default_Query xmlns:tdq=\"http://taxii.mitre.org/query/taxii_default_query-1\" targeting_expression_id=\"x\">\(open)\(close)</tdq:Default_Query>"
        let tooDeep = #expect(throws: TAXIIError.self) { try DQ(xml: deep) }
        #expect(tooDeep?.kind == .malformedXML)
        // An unexpected element inside a criterion names itself.
        let stray = """
            <tdq:Default_Query xmlns:tdq="http://taxii.mitre.org/query/taxii_default_query-1" targeting_expression_id="x"><tdq:Criteria operator="AND"><tdq:Criterion><tdq:Target>a</tdq:Target><tdq:Test capability_id="urn:taxii.mitre.org:query:capability:core-1" relationship="exists"/><tdq:Extra/></tdq:Criterion></tdq:Criteria></tdq:Default_Query>
            """
        let strayError = #expect(throws: TAXIIError.self) { try DQ(xml: stray) }
        #expect(strayError?.kind == .unexpectedElement)
        #expect(strayError?.path == "Default_Query/Criteria/Criterion[1]/Extra")
    }
}

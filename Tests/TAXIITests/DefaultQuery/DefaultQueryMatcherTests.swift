import BastionXML
import Testing
@testable import TAXII

@Suite("Default Query: evaluation over STIX")
struct DefaultQueryMatcherTests {
    /// One criterion evaluated against one package, with the expected answer.
    struct Case: Sendable, CustomStringConvertible {
        var package: String
        var target: String
        var module: String = DQSupport.core
        var relationship: DQ.Relationship
        var parameters: [String: DQ.ParameterValue] = [:]
        var expected: Bool
        var description: String {
            "\(relationship.rawValue) \(parameters.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")) on \(target) in \(package) → \(expected)"
        }
    }

    static let ip = DQSupport.watchlist
    static let hashes = DQSupport.hashes
    static let address = "STIX_Package/Indicators/Indicator/Observable/**/Address_Value"
    static func ts(_ text: String) -> DQ.ParameterValue { .timestamp(TAXII.Timestamp(text)!) }
    static let cs = "case_sensitive_string", ci = "case_insensitive_string"

    static let cases: [Case] = [
        // equals, by match type
        .init(package: ip, target: address, relationship: .equals, parameters: ["value": "198.51.100.7", "match_type": .string(cs)], expected: true),
        .init(package: ip, target: address, relationship: .equals, parameters: ["value": "198.51.100.8", "match_type": .string(cs)], expected: false),
        .init(package: ip, target: "STIX_Package/Indicators/Indicator/Title", relationship: .equals,
              parameters: ["value": "malicious ip", "match_type": .string(ci)], expected: true),
        .init(package: ip, target: "STIX_Package/Indicators/Indicator/Title", relationship: .equals,
              parameters: ["value": "malicious ip", "match_type": .string(cs)], expected: false),
        .init(package: hashes, target: "**/Size_In_Bytes", relationship: .equals, parameters: ["value": "43008.0", "match_type": "number"], expected: true),
        .init(package: hashes, target: "**/Size_In_Bytes", relationship: .equals, parameters: ["value": "43009", "match_type": "number"], expected: false),
        // not_equals: true when some selected node differs
        .init(package: ip, target: "STIX_Package/Indicators/Indicator/Title", relationship: .notEquals,
              parameters: ["value": "Malicious IP", "match_type": .string(cs)], expected: true),
        .init(package: ip, target: "STIX_Package/STIX_Header/Title", relationship: .notEquals,
              parameters: ["value": "EXAMPLE WATCHLIST THAT CONTAINS IP INFORMATION.", "match_type": .string(ci)], expected: false),
        .init(package: hashes, target: "**/Size_In_Bytes", relationship: .notEquals, parameters: ["value": "1", "match_type": "number"], expected: true),
        .init(package: hashes, target: "**/Size_In_Bytes", relationship: .notEquals, parameters: ["value": "43008", "match_type": "number"], expected: false),
        // numeric comparisons
        .init(package: hashes, target: "**/Size_In_Bytes", relationship: .greaterThan, parameters: ["value": 43007], expected: true),
        .init(package: hashes, target: "**/Size_In_Bytes", relationship: .greaterThan, parameters: ["value": 43008], expected: false),
        .init(package: hashes, target: "**/Size_In_Bytes", relationship: .greaterThanOrEqual, parameters: ["value": 43008], expected: true),
        .init(package: hashes, target: "**/Size_In_Bytes", relationship: .greaterThanOrEqual, parameters: ["value": 43008.5], expected: false),
        .init(package: hashes, target: "**/Size_In_Bytes", relationship: .lessThan, parameters: ["value": 43009], expected: true),
        .init(package: hashes, target: "**/Size_In_Bytes", relationship: .lessThan, parameters: ["value": 43008], expected: false),
        .init(package: hashes, target: "**/Size_In_Bytes", relationship: .lessThanOrEqual, parameters: ["value": 43008], expected: true),
        .init(package: hashes, target: "**/Size_In_Bytes", relationship: .lessThanOrEqual, parameters: ["value": 43007], expected: false),
        .init(package: hashes, target: "**/Title", relationship: .greaterThan, parameters: ["value": -1e9], expected: false),
        // exists / does_not_exist
        .init(package: hashes, target: "STIX_Package/TTPs/TTP", relationship: .exists, expected: true),
        .init(package: ip, target: "STIX_Package/TTPs/TTP", relationship: .exists, expected: false),
        .init(package: ip, target: "STIX_Package/TTPs", relationship: .doesNotExist, expected: true),
        .init(package: hashes, target: "STIX_Package/TTPs", relationship: .doesNotExist, expected: false),
        // begins_with / ends_with / contains
        .init(package: hashes, target: "**/Title", relationship: .beginsWith, parameters: ["value": "ZeuS", "case_sensitive": true], expected: true),
        .init(package: hashes, target: "**/Title", relationship: .beginsWith, parameters: ["value": "zeus", "case_sensitive": true], expected: false),
        .init(package: hashes, target: "**/Title", relationship: .beginsWith, parameters: ["value": "zeus d", "case_sensitive": false], expected: true),
        .init(package: hashes, target: "**/File_Name", relationship: .endsWith, parameters: ["value": ".exe", "case_sensitive": false], expected: true),
        .init(package: hashes, target: "**/File_Name", relationship: .endsWith, parameters: ["value": ".exe", "case_sensitive": true], expected: false),
        .init(package: ip, target: address, relationship: .contains, parameters: ["value": "##comma##10.0.0.1##", "case_sensitive": true], expected: true),
        .init(package: ip, target: address, relationship: .contains, parameters: ["value": "10.0.0.9", "case_sensitive": true], expected: false),
        .init(package: hashes, target: "STIX_Package/STIX_Header/Description", relationship: .contains,
              parameters: ["value": "<IN THE WILD>", "case_sensitive": false], expected: true),
        .init(package: hashes, target: "STIX_Package/STIX_Header/Description", relationship: .contains,
              parameters: ["value": "<IN THE WILD>", "case_sensitive": true], expected: false),
        // regex
        .init(package: hashes, target: "**/Simple_Hash_Value", module: DQSupport.regex, relationship: .matches,
              parameters: ["value": "^[0-9a-f]{64}$", "case_sensitive": false], expected: true),
        .init(package: hashes, target: "**/Simple_Hash_Value", module: DQSupport.regex, relationship: .matches,
              parameters: ["value": "^[0-9a-f]{64}$", "case_sensitive": true], expected: false),
        .init(package: ip, target: "**/@id", module: DQSupport.regex, relationship: .matches,
              parameters: ["value": "Indicator-33fe", "case_sensitive": true], expected: true),
        .init(package: ip, target: "**/@id", module: DQSupport.regex, relationship: .matches,
              parameters: ["value": "^acme:", "case_sensitive": false], expected: false),
        // timestamps: instants across time zones, microseconds, naive values as UTC
        .init(package: ip, target: "STIX_Package/Indicators/Indicator/@timestamp", module: DQSupport.timestamp, relationship: .equals,
              parameters: ["value": ts("2014-06-30T10:15:00Z")], expected: true),
        .init(package: ip, target: "STIX_Package/Indicators/Indicator/@timestamp", module: DQSupport.timestamp, relationship: .equals,
              parameters: ["value": ts("2014-06-30T12:15:00Z")], expected: false),
        .init(package: hashes, target: "STIX_Package/@timestamp", module: DQSupport.timestamp, relationship: .greaterThan,
              parameters: ["value": ts("2016-02-11T17:42:09.123455Z")], expected: true),
        .init(package: hashes, target: "STIX_Package/@timestamp", module: DQSupport.timestamp, relationship: .greaterThan,
              parameters: ["value": ts("2016-02-11T18:42:09.123456+01:00")], expected: false),
        .init(package: hashes, target: "STIX_Package/@timestamp", module: DQSupport.timestamp, relationship: .greaterThanOrEqual,
              parameters: ["value": ts("2016-02-11T17:42:09.123456Z")], expected: true),
        .init(package: hashes, target: "STIX_Package/@timestamp", module: DQSupport.timestamp, relationship: .greaterThanOrEqual,
              parameters: ["value": ts("2016-02-11T17:42:09.123457Z")], expected: false),
        .init(package: hashes, target: "**/Start_Time", module: DQSupport.timestamp, relationship: .lessThan,
              parameters: ["value": ts("2016-02-01T00:00:01Z")], expected: true),
        .init(package: hashes, target: "**/Start_Time", module: DQSupport.timestamp, relationship: .lessThan,
              parameters: ["value": ts("2016-02-01T00:00:00Z")], expected: false),
        .init(package: hashes, target: "**/Start_Time", module: DQSupport.timestamp, relationship: .lessThanOrEqual,
              parameters: ["value": ts("2016-02-01T00:00:00Z")], expected: true),
        .init(package: hashes, target: "**/Start_Time", module: DQSupport.timestamp, relationship: .lessThanOrEqual,
              parameters: ["value": ts("2016-01-31T23:59:59.999999Z")], expected: false),
        .init(package: hashes, target: "**/Title", module: DQSupport.timestamp, relationship: .lessThan,
              parameters: ["value": ts("9999-01-01T00:00:00Z")], expected: false),
        // path forms: *, **, trailing **, @attr leaf, attributes by local name
        .init(package: ip, target: "STIX_Package/*/Indicator/Title", relationship: .equals,
              parameters: ["value": "C2 server", "match_type": .string(cs)], expected: true),
        .init(package: ip, target: "*/Indicator/Title", relationship: .exists, expected: false),
        .init(package: ip, target: "*/*/*/Title", relationship: .exists, expected: true),
        .init(package: ip, target: "**/@idref", relationship: .exists, expected: false),
        .init(package: hashes, target: "**/@idref", relationship: .exists, expected: true),
        .init(package: hashes, target: "**/@version", relationship: .equals, parameters: ["value": "1.2", "match_type": "number"], expected: true),
        .init(package: ip, target: "STIX_Package/Indicators/Indicator/**", relationship: .equals,
              parameters: ["value": "High", "match_type": .string(cs)], expected: true),
        .init(package: ip, target: "STIX_Package/STIX_Header/**", relationship: .equals,
              parameters: ["value": "Malicious IP", "match_type": .string(cs)], expected: false),
        .init(package: ip, target: "STIX_Package/**", relationship: .equals,
              parameters: ["value": "Malicious IP", "match_type": .string(cs)], expected: true),
        .init(package: ip, target: "**", relationship: .equals, parameters: ["value": "medium", "match_type": .string(ci)], expected: true),
        .init(package: ip, target: "**/Properties/@type", relationship: .equals,
              parameters: ["value": "AddressObj:AddressObjectType", "match_type": .string(cs)], expected: true),
        .init(package: ip, target: "STIX_Package/Indicators/Indicator/Observable/Object/Properties/@is_destination", relationship: .exists, expected: true),
        .init(package: ip, target: "STIX_Package/Indicators/Indicator/Observable/Properties/@category", relationship: .exists, expected: false),
        .init(package: ip, target: "STIX_Package/**/Indicators/**/Address_Value", relationship: .exists, expected: true),
        .init(package: ip, target: "STIX_Package/**/**/Indicator/**/**/Value", relationship: .exists, expected: true),
        .init(package: ip, target: "Indicators/Indicator", relationship: .exists, expected: false),
        // The first step names the root element: a bare @attr selects nothing.
        .init(package: ip, target: "@id", relationship: .beginsWith, parameters: ["value": "example:Package", "case_sensitive": true], expected: false),
        .init(package: ip, target: "STIX_Package/**/@timestamp", relationship: .exists, expected: true),
        .init(package: ip, target: "STIX_Package/STIX_Header/**/@timestamp", relationship: .exists, expected: false),
    ]

    @Test("one criterion", arguments: cases)
    func criterion(_ testCase: Case) throws {
        let test = try DQ.Test(capabilityID: testCase.module, relationship: testCase.relationship, parameters: testCase.parameters)
        let root = try DQSupport.stix(testCase.package)
        let query = try DQSupport.query(testCase.target, test)
        #expect(try query.matcher().matches(root) == testCase.expected)
        // Negating the criterion inverts the answer.
        let negated = try DQSupport.query(testCase.target, test, negate: true)
        #expect(try negated.matcher().matches(root) == !testCase.expected)
    }

    @Test("the fixtures' queries: one package matches, the other does not")
    func fixtureQueries() throws {
        let watchlist = try DQSupport.stix(DQSupport.watchlist)
        let hashes = try DQSupport.stix(DQSupport.hashes)
        let core = try DQSupport.pollQuery("default_query_poll_request_core.xml").matcher()
        #expect(core.matches(watchlist))
        #expect(!core.matches(hashes))
        let regexTimestamp = try DQSupport.pollQuery("default_query_poll_request_regex_timestamp.xml").matcher()
        #expect(regexTimestamp.matches(hashes))
        #expect(!regexTimestamp.matches(watchlist))
        // OR(ends_with .7, AND(NOT does_not_exist STIX_Header, Confidence/Value != 3 as numbers)): the
        // confidence values are words, so only the address decides.
        let defaultNamespace = try DQSupport.pollQuery("default_query_poll_request_default_namespace.xml").matcher()
        #expect(defaultNamespace.matches(watchlist))
        #expect(!defaultNamespace.matches(hashes))
    }

    @Test("AND, OR, nesting and negation at both levels")
    func logic() throws {
        let root = try DQSupport.stix(DQSupport.watchlist)
        let yes = try DQ.Criterion(target: "STIX_Package/Indicators", test: DQSupport.test(.exists))
        let no = try DQ.Criterion(target: "STIX_Package/TTPs", test: DQSupport.test(.exists))
        func evaluate(_ criteria: DQ.Criteria) throws -> Bool {
            try DQ(targetingExpressionID: DQ.TargetingExpressionID.stixXML12, criteria: criteria).matcher().matches(root)
        }
        var notYes = yes
        notYes.negate = true
        #expect(try evaluate(.init(.and, criterion: [yes, yes])))
        #expect(try !evaluate(.init(.and, criterion: [yes, no])))
        #expect(try evaluate(.init(.or, criterion: [no, yes])))
        #expect(try !evaluate(.init(.or, criterion: [no, notYes])))
        #expect(try !evaluate(.init(.and, negate: true, criterion: [yes, yes])))
        #expect(try evaluate(.init(.and, negate: true, criterion: [yes, no])))
        #expect(try evaluate(.init(.or, negate: true, criterion: [no, notYes])))
        // (no OR NOT(yes AND no)) AND yes
        let inner = try DQ.Criteria(.and, negate: true, criterion: [yes, no])
        #expect(try evaluate(.init(.and, criteria: [.init(.or, criteria: [inner], criterion: [no])], criterion: [yes])))
        // NOT((no OR NOT(yes AND no)) AND yes)
        #expect(try !evaluate(.init(.and, negate: true, criteria: [.init(.or, criteria: [inner], criterion: [no])], criterion: [yes])))
        // Only nested criteria, three levels.
        let deep = try DQ.Criteria(.or, criteria: [.init(.and, criteria: [.init(.or, criterion: [no, yes])])])
        #expect(try evaluate(deep))
    }

    @Test("strings, bytes and content blocks; text content selects nothing")
    func inputs() throws {
        let xml = try Support.fixture("stix/" + DQSupport.hashes)
        let matcher = try DQSupport.query("**/Simple_Hash_Value", DQSupport.test(.contains, ["value": "8f5d2ac8", "case_sensitive": true])).matcher()
        #expect(try matcher.matches(xml: xml))
        #expect(try matcher.matches(xml: Array(xml.utf8)))
        let xmlBlock = try TAXII11.ContentBlock(contentBinding: .init(TAXII.ContentBindingID.stixXML12), xml: xml.replacingXMLDeclaration())
        #expect(try matcher.matches(xmlBlock))
        let textBlock = TAXII11.ContentBlock(contentBinding: .init("urn:example:text"), content: .text("8f5d2ac8"))
        #expect(try !matcher.matches(textBlock))
        let absent = try DQSupport.query("**/Simple_Hash_Value", DQSupport.test(.doesNotExist)).matcher()
        #expect(try absent.matches(textBlock))
        // A content block from a Poll Response fixture.
        let response = try TAXII11.PollResponse(xml: Support.fixture("valid/poll_response_stix.xml"))
        let anything = try DQSupport.query("**", DQSupport.test(.exists)).matcher()
        #expect(try response.contentBlocks.filter { $0.content.isXML }.allSatisfy { try anything.matches($0) })
    }

    @Test("hostile content and unsupported vocabularies give typed errors")
    func hostile() throws {
        let matcher = try DQSupport.query("**", DQSupport.test(.exists)).matcher()
        let xxe = """
            <?xml version="1.0"?>
            <!DOCTYPE STIX_Package [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
            <STIX_Package>&xxe;</STIX_Package>
            """
        let refused = #expect(throws: TAXIIError.self) { try matcher.matches(xml: xxe) }
        #expect(refused?.kind == .malformedXML)
        let laughs = """
            <!DOCTYPE l [<!ENTITY a "aaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;">]>
            <STIX_Package>&c;</STIX_Package>
            """
        #expect(throws: TAXIIError.self) { try matcher.matches(xml: laughs) }
        let broken = #expect(throws: TAXIIError.self) { try matcher.matches(xml: "<STIX_Package><a></STIX_Package>") }
        #expect(broken?.kind == .malformedXML)

        let cybox = try DQSupport.query("**", DQSupport.test(.exists), id: "urn:cybox.mitre.org:xml:2.1")
        let unsupported = #expect(throws: TAXIIError.self) { try cybox.matcher() }
        #expect(unsupported?.kind == .unsupportedTargetingExpressionID)
        #expect(unsupported?.path == "Default_Query@targeting_expression_id")
        #expect(unsupported?.message.contains(DQ.TargetingExpressionID.stixXML12) == true)
    }

    @Test("a compiled matcher serves many documents and concurrent callers alike")
    func reuse() async throws {
        let query = try DQSupport.pollQuery("default_query_poll_request_core.xml")
        let matcher = try query.matcher()
        #expect(matcher.query == query)
        let watchlist = try DQSupport.stix(DQSupport.watchlist)
        let hashes = try DQSupport.stix(DQSupport.hashes)
        let results = await withTaskGroup(of: (Bool, Bool).self) { group in
            for _ in 0..<8 {
                group.addTask { (matcher.matches(watchlist), matcher.matches(hashes)) }
            }
            return await group.reduce(into: [(Bool, Bool)]()) { $0.append($1) }
        }
        #expect(results.count == 8)
        #expect(results.allSatisfy { $0 == (true, false) })
    }
}

extension String {
    /// The document without its XML declaration line.
    func replacingXMLDeclaration() -> String {
        guard hasPrefix("<?xml"), let end = firstIndex(of: ">") else { return self }
        return String(self[index(after: end)...]).trimmingXMLLeadingWhitespace()
    }

    private func trimmingXMLLeadingWhitespace() -> String {
        String(drop { $0 == "\n" || $0 == " " || $0 == "\r" || $0 == "\t" })
    }
}

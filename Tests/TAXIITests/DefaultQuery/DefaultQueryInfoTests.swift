import Testing
@testable import TAXII

@Suite("Default Query: scopes and support checks")
struct DefaultQueryInfoTests {
    struct Coverage: Sendable, CustomStringConvertible {
        var target: String
        var scope: String
        var covered: Bool
        var description: String { "\(target) within \(scope): \(covered)" }
    }

    static let coverage: [Coverage] = [
        .init(target: "STIX_Package/Indicators/Indicator/Title", scope: "**", covered: true),
        .init(target: "**/@id", scope: "**", covered: true),
        .init(target: "**", scope: "**", covered: true),
        .init(target: "STIX_Package/Indicators/Indicator/Title", scope: "STIX_Package/Indicators/Indicator/Title", covered: true),
        .init(target: "STIX_Package/Indicators/Indicator/Title", scope: "STIX_Package/Indicators/Indicator/**", covered: true),
        .init(target: "STIX_Package/Indicators/Indicator/Observable/**/Address_Value", scope: "STIX_Package/Indicators/Indicator/**", covered: true),
        .init(target: "STIX_Package/Indicators/Indicator/@id", scope: "STIX_Package/*/Indicator/@id", covered: true),
        .init(target: "STIX_Package/*/Indicator/@id", scope: "STIX_Package/*/Indicator/@id", covered: true),
        .init(target: "STIX_Package/Indicators/Indicator/@id", scope: "**/@id", covered: true),
        .init(target: "STIX_Package/Indicators/Indicator/@idref", scope: "**/@id", covered: false),
        .init(target: "STIX_Package/TTPs/TTP/Title", scope: "STIX_Package/Indicators/Indicator/**", covered: false),
        .init(target: "**/Title", scope: "STIX_Package/Indicators/Indicator/**", covered: false),
        .init(target: "STIX_Package/**/Title", scope: "STIX_Package/*/Title", covered: false),
        .init(target: "STIX_Package/Indicators/Indicator", scope: "STIX_Package/Indicators/Indicator/Title", covered: false),
        .init(target: "STIX_Package/Indicators/Indicator/Title", scope: "STIX_Package/Indicators/Indicator", covered: false),
        .init(target: "STIX_Package/*/Indicator/Title", scope: "STIX_Package/Indicators/Indicator/Title", covered: false),
        .init(target: "STIX_Package/@id", scope: "STIX_Package/*", covered: false),
    ]

    @Test("a target is covered by a scope that selects at least as much", arguments: coverage)
    func covered(_ coverage: Coverage) throws {
        let target = try DQ.TargetingExpression(coverage.target)
        let scope = try DQ.TargetingExpression(coverage.scope)
        #expect(target.isCovered(by: scope) == coverage.covered)
    }

    static func info() throws -> TAXII.DefaultQueryInfo {
        try TAXII.DefaultQueryInfo(
            targetingExpressionInfos: [
                .init(targetingExpressionID: DQ.TargetingExpressionID.stixXML111,
                      preferredScope: ["STIX_Package/Indicators/Indicator/**"], allowedScope: ["**/@id"]),
                .init(targetingExpressionID: DQ.TargetingExpressionID.stixXML12),
            ],
            capabilityModules: [DQSupport.core, DQSupport.regex]
        )
    }

    @Test("a query within the advertised support passes")
    func supported() throws {
        let info = try Self.info()
        try info.check(DQSupport.query("STIX_Package/Indicators/Indicator/Title", DQSupport.test(.exists)))
        try info.check(DQSupport.query("**/@id", DQSupport.test(.matches, ["value": "^x", "case_sensitive": true], module: DQSupport.regex)))
        // No scope listed: anything goes for that vocabulary.
        try info.check(DQSupport.query("**/Anything", DQSupport.test(.exists), id: DQ.TargetingExpressionID.stixXML12))
        // And the fixture's advertisement accepts the fixture's query (all in Indicator scope? no: **/@id is preferred there).
        let advertised = try #require(TAXII11.DiscoveryResponse(xml: Support.fixture("valid/default_query_discovery_response_info.xml"))
            .serviceInstances[0].supportedQueries[0].defaultQueryInfo)
        let regexTimestamp = try DQSupport.pollQuery("default_query_poll_request_regex_timestamp.xml")
        try advertised.check(regexTimestamp)
    }

    @Test("unsupported vocabulary, capability module or target: the status a server sends")
    func unsupported() throws {
        let info = try Self.info()
        let vocabulary = #expect(throws: TAXIIError.self) {
            try info.check(DQSupport.query("**", DQSupport.test(.exists), id: DQ.TargetingExpressionID.stixXML10))
        }
        #expect(vocabulary?.kind == .unsupportedTargetingExpressionID)
        #expect(vocabulary?.path == "Default_Query@targeting_expression_id")

        let module = #expect(throws: TAXIIError.self) {
            try info.check(DQSupport.query("STIX_Package/Indicators/Indicator/@timestamp",
                                           DQSupport.test(.greaterThan, ["value": .timestamp(TAXII.Timestamp("2015-01-01T00:00:00Z")!)],
                                                          module: DQSupport.timestamp)))
        }
        #expect(module?.kind == .unsupportedCapabilityModule)
        #expect(module?.path == "Default_Query/Criteria/Criterion[1]/Test@capability_id")

        let nested = DQ(
            targetingExpressionID: DQ.TargetingExpressionID.stixXML111,
            criteria: try DQ.Criteria(.or, criteria: [
                .init(.and, criterion: [
                    .init(target: "**/@id", test: DQSupport.test(.exists)),
                    .init(target: "STIX_Package/TTPs/TTP/Title", test: DQSupport.test(.exists)),
                ]),
            ])
        )
        let target = #expect(throws: TAXIIError.self) { try info.check(nested) }
        #expect(target?.kind == .unsupportedTargetingExpression)
        #expect(target?.path == "Default_Query/Criteria/Criteria[1]/Criterion[2]/Target")
        #expect(target?.message.contains("STIX_Package/Indicators/Indicator/**") == true)
    }
}

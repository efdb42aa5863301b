import ArgumentParser
import TAXII

/// `bastion taxii query` (libtaxii's query_client): a Poll Request carrying a TAXII Default Query.
struct TAXIIQueryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "query",
        abstract: "Poll a collection with a TAXII Default Query and write the matching content blocks to files.",
        discussion: """
        --ip A or --hash H ask for STIX indicators with that address or file hash (libtaxii 1.1.106's
        query_client). Otherwise one criterion is built from --tev (vocabulary, default STIX XML 1.1.1),
        --target (default **/@id), --cm (capability module, default core), --rel (default equals) and the
        parameters the relationship takes: --value, --match-type (default case_insensitive_string),
        --case-sensitive. TAXII 1.1 only.
        """
    )

    @OptionGroup var connection: TAXIIClientOptions
    @OptionGroup var selection: PollSelectionOptions

    @Option(help: ArgumentHelp("Match STIX indicators observing this IP address.", valueName: "address"))
    var ip: String?

    @Option(help: ArgumentHelp("Match STIX indicators observing a file with this hash.", valueName: "hash"))
    var hash: String?

    @Option(help: ArgumentHelp("The targeting expression vocabulary.", valueName: "id"))
    var tev: String = TAXII.DefaultQuery.TargetingExpressionID.stixXML111

    @Option(help: ArgumentHelp("The targeting expression.", valueName: "expression"))
    var target: String = "**/@id"

    @Option(help: ArgumentHelp("The relationship (equals, contains, greater_than, exists, matches, …).", valueName: "name"))
    var rel: String = "equals"

    @Option(help: ArgumentHelp("The capability module: core, regex, timestamp, or its URN.", valueName: "module"))
    var cm: String = "core"

    @Option(help: ArgumentHelp("The value to compare with.", valueName: "value"))
    var value: String?

    @Option(name: .customLong("match-type"), help: ArgumentHelp("case_sensitive_string, case_insensitive_string or number.", valueName: "type"))
    var matchType: String?

    @Option(name: .customLong("case-sensitive"), help: ArgumentHelp("true or false.", valueName: "bool"))
    var caseSensitive: Bool?

    @Flag(name: [.customLong("allow-asynch"), .customLong("allow_asynch")], help: "Let the service answer asynchronously.")
    var allowAsynch = false

    @OptionGroup var results: PollResultOptions

    func validate() throws {
        guard connection.version == .v11 else { throw ValidationError("queries exist in TAXII 1.1 only") }
        if ip != nil && hash != nil { throw ValidationError("give --ip or --hash, not both") }
        if selection.subscriptionID != nil { throw ValidationError("a query cannot be combined with --subscription-id") }
    }

    func run() async throws {
        let query: TAXII.DefaultQuery
        do {
            query = try makeQuery()
        } catch let error as TAXIIError {
            throw ValidationError("the query is not valid: \(error.message)")
        }
        let request = try selection.selection(
            parameters: TAXII11.PollParameters(allowAsynch: allowAsynch, query: TAXII11.Query(query)), defaultCollection: "default_queryable")
            .request(version: .v11)
        try await connection.withSession { session in
            try await results.poll(request, session: session)
        }
    }

    /// The capability module's URN.
    var capabilityModule: String {
        switch cm {
        case "core": TAXII.DefaultQuery.CapabilityModule.core
        case "regex": TAXII.DefaultQuery.CapabilityModule.regex
        case "timestamp": TAXII.DefaultQuery.CapabilityModule.timestamp
        default: cm
        }
    }

    /// The query the options describe.
    func makeQuery() throws -> TAXII.DefaultQuery {
        typealias DQ = TAXII.DefaultQuery
        let test: DQ.Test
        let targetExpression: String
        if let ip {
            targetExpression = "STIX_Package/Indicators/Indicator/Observable/Object/Properties/Address_Value"
            test = try DQ.Test(capabilityID: DQ.CapabilityModule.core, relationship: .equals, parameters: ["value": .string(ip), "match_type": "case_sensitive_string"])
        } else if let hash {
            targetExpression = "STIX_Package/Indicators/Indicator/Observable/Object/Properties/Hashes/Hash/Simple_Hash_Value"
            test = try DQ.Test(capabilityID: DQ.CapabilityModule.core, relationship: .equals, parameters: ["value": .string(hash), "match_type": "case_insensitive_string"])
        } else {
            targetExpression = target
            test = try generalTest()
        }
        let criterion = try DQ.Criterion(target: targetExpression, test: test)
        return DQ(targetingExpressionID: ip != nil || hash != nil ? DQ.TargetingExpressionID.stixXML111 : tev, criteria: try DQ.Criteria(.and, criterion: [criterion]))
    }

    /// The test of the general form: the parameters the relationship takes, typed.
    func generalTest() throws -> TAXII.DefaultQuery.Test {
        typealias DQ = TAXII.DefaultQuery
        guard let relationship = DQ.Relationship(rawValue: rel) else {
            throw ValidationError("unknown relationship '\(rel)' (one of \(DQ.Relationship.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        let module = capabilityModule
        guard let takes = DQ.CapabilityModule.relationships[module]?[relationship] else {
            throw ValidationError("capability module \(module) has no relationship \(rel)")
        }
        var parameters: [String: DQ.ParameterValue] = [:]
        let given: [(String, Bool)] = [(DQ.Parameter.value, value != nil), (DQ.Parameter.matchType, matchType != nil), (DQ.Parameter.caseSensitive, caseSensitive != nil)]
        for (name, isGiven) in given where isGiven && !takes.contains(name) {
            throw ValidationError("--\(name.replacingOccurrences(of: "_", with: "-")) is not taken by relationship \(rel)")
        }
        if takes.contains(DQ.Parameter.value) {
            guard let value else { throw ValidationError("relationship \(rel) needs --value") }
            parameters[DQ.Parameter.value] = try typedValue(value, module: module, relationship: relationship)
        }
        if takes.contains(DQ.Parameter.matchType) {
            parameters[DQ.Parameter.matchType] = .string(matchType ?? DQ.MatchType.caseInsensitiveString.rawValue)
        }
        if takes.contains(DQ.Parameter.caseSensitive) {
            guard let caseSensitive else { throw ValidationError("relationship \(rel) needs --case-sensitive true|false") }
            parameters[DQ.Parameter.caseSensitive] = .boolean(caseSensitive)
        }
        return try DQ.Test(capabilityID: module, relationship: relationship, parameters: parameters)
    }

    /// `--value` as the type the test takes: a timestamp, a number, or text.
    func typedValue(_ text: String, module: String, relationship: TAXII.DefaultQuery.Relationship) throws -> TAXII.DefaultQuery.ParameterValue {
        if module == TAXII.DefaultQuery.CapabilityModule.timestamp {
            guard let timestamp = TAXII.Timestamp(isoFormat: text) else { throw ValidationError("--value must be a date and time with a timezone") }
            return .timestamp(timestamp)
        }
        if module == TAXII.DefaultQuery.CapabilityModule.core, [.greaterThan, .greaterThanOrEqual, .lessThan, .lessThanOrEqual].contains(relationship) {
            guard let number = Double(text) else { throw ValidationError("--value must be a number for \(relationship.rawValue)") }
            return .number(number)
        }
        return .string(text)
    }
}

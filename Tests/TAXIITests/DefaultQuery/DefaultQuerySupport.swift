import BastionXML
@testable import TAXII

typealias DQ = TAXII.DefaultQuery

/// Builders for Default Query tests.
enum DQSupport {
    static let core = DQ.CapabilityModule.core
    static let regex = DQ.CapabilityModule.regex
    static let timestamp = DQ.CapabilityModule.timestamp

    /// A test of `module` (default: core).
    static func test(_ relationship: DQ.Relationship, _ parameters: [String: DQ.ParameterValue] = [:], module: String = core) throws -> DQ.Test {
        try DQ.Test(capabilityID: module, relationship: relationship, parameters: parameters)
    }

    /// A one-criterion query.
    static func query(_ target: String, _ test: DQ.Test, negate: Bool = false, id: String = DQ.TargetingExpressionID.stixXML111) throws -> DQ {
        DQ(targetingExpressionID: id, criteria: try DQ.Criteria(.and, criterion: [DQ.Criterion(target: target, test: test, negate: negate)]))
    }

    /// A STIX package from `Fixtures/stix/`.
    static func stix(_ name: String) throws -> XMLElement {
        try XMLElement(xml: Support.fixture("stix/" + name))
    }

    static let watchlist = "stix111_ip_watchlist.xml"
    static let hashes = "stix12_file_hashes.xml"

    /// The Default Query of a Poll Request fixture.
    static func pollQuery(_ name: String) throws -> DQ {
        let request = try TAXII11.PollRequest(xml: Support.fixture("valid/" + name))
        guard let query = request.pollParameters?.query?.defaultQuery else {
            throw TAXIIError(.missingElement, path: "Poll_Request", "no Default Query in \(name)")
        }
        return query
    }
}

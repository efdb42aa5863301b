import Foundation
@testable import TAXII

/// Test helpers: fixtures.
enum Support {
    /// The text of a file under `Fixtures/`.
    static func fixture(_ path: String) throws -> String {
        let url = Bundle.module.resourceURL!.appendingPathComponent("Fixtures").appendingPathComponent(path)
        return try String(contentsOf: url, encoding: .utf8)
    }

    /// The valid fixtures, by file name.
    static let validFixtures = [
        "status_success.xml", "status_pending.xml", "status_unsupported_content.xml", "status_custom_type.xml",
        "discovery_request.xml", "discovery_response.xml",
        "collection_information_request.xml", "collection_information_response.xml",
        "poll_request_parameters.xml", "poll_request_subscription.xml", "poll_response_stix.xml",
        "inbox_message.xml", "poll_fulfillment.xml",
        "subscription_management_request.xml", "subscription_management_response.xml",
    ]

    /// Parses a valid fixture as a TAXII 1.1 message.
    static func message(_ name: String) throws -> TAXII11.Message {
        guard case .taxii11(let message) = try TAXII.message(fromXML: fixture("valid/" + name)) else {
            throw TAXIIError(.unknownMessageType, path: "", "not 1.1")
        }
        return message
    }
}

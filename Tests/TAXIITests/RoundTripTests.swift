import BastionXML
import Testing
@testable import TAXII

@Suite("XML → model → XML → model")
struct RoundTripTests {
    @Test("round trip, compact and pretty", arguments: Support.validFixtures)
    func roundTrip(name: String) throws {
        let first = try Support.message(name)
        for pretty in [false, true] {
            let xml = try first.xml(prettyPrinted: pretty)
            let second = try TAXII11.Message(xml: xml)
            #expect(second == first, "\(name) pretty=\(pretty)\n\(xml)")
            // A second trip writes the same document.
            #expect(try second.xml(prettyPrinted: pretty) == xml)
        }
    }

    @Test("bytes and string parse alike", arguments: Support.validFixtures)
    func bytes(name: String) throws {
        let text = try Support.fixture("valid/" + name)
        let fromBytes = try TAXII11.Message(xml: Array(text.utf8))
        #expect(fromBytes == (try TAXII11.Message(xml: text)))
        #expect(TAXII.Message.taxii11(fromBytes) == (try TAXII.message(fromXML: Array(text.utf8))))
    }

    @Test("message type detected from the root element")
    func detection() throws {
        let expected: [String: TAXII.MessageType] = [
            "status_success.xml": .statusMessage, "discovery_request.xml": .discoveryRequest,
            "discovery_response.xml": .discoveryResponse,
            "collection_information_request.xml": .collectionInformationRequest,
            "collection_information_response.xml": .collectionInformationResponse,
            "poll_request_parameters.xml": .pollRequest, "poll_response_stix.xml": .pollResponse,
            "inbox_message.xml": .inboxMessage, "poll_fulfillment.xml": .pollFulfillmentRequest,
            "subscription_management_request.xml": .subscriptionManagementRequest,
            "subscription_management_response.xml": .subscriptionManagementResponse,
        ]
        for (name, type) in expected {
            #expect(try Support.message(name).messageType == type, "\(name)")
        }
    }

    @Test("built in code, written, parsed back")
    func builtInCode() throws {
        let response = TAXII11.PollResponse(
            inResponseTo: "42", collectionName: "c",
            recordCount: .init(1),
            contentBlocks: [try .init(contentBinding: .init(TAXII.ContentBindingID.stixXML12), xml: "<a xmlns=\"urn:x\"><b/></a>")]
        )
        let parsed = try TAXII11.PollResponse(xml: response.xml())
        #expect(parsed == response)
        #expect(parsed.contentBlocks[0].content == .xml("<a xmlns=\"urn:x\"><b/></a>"))
    }
}

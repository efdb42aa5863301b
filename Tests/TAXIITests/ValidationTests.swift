import Testing
@testable import TAXII

@Suite("validate(): every structural error")
struct ValidationTests {
    @Test("one document with many errors: all of them, in document order, with paths")
    func many() throws {
        let errors = TAXII.validate(xml: try Support.fixture("multiple/poll_response_many_errors.xml"))
        let found = errors.map { "\($0.kind.rawValue) \($0.path)" }
        #expect(found == [
            "missingAttribute Poll_Response@in_response_to",
            "invalidValue Poll_Response@more",
            "invalidValue Poll_Response@result_part_number",
            "invalidTimestamp Poll_Response/Exclusive_Begin_Timestamp",
            "invalidValue Poll_Response/Record_Count",
            "invalidValue Poll_Response/Record_Count@partial_count",
            "missingAttribute Poll_Response/Content_Block[1]/Content_Binding@binding_id",
            "missingElement Poll_Response/Content_Block[2]/Content",
            "unexpectedElement Poll_Response/Bogus",
        ])
        // Parsing still stops at the first.
        let first = #expect(throws: TAXIIError.self) { try TAXII.message(fromXML: try Support.fixture("multiple/poll_response_many_errors.xml")) }
        #expect(first == errors.first)
    }

    @Test("valid fixtures have no errors", arguments: Support.allValidFixtures)
    func valid(path: String) throws {
        #expect(TAXII.validate(xml: try Support.fixture(path)) == [])
    }

    @Test("a missing required element reports once, not once per missing child")
    func standIn() {
        let xml = """
            <t:Inbox_Message xmlns:t="http://taxii.mitre.org/messages/taxii_xml_binding-1.1" message_id="1"><t:Content_Block><t:Content>x</t:Content></t:Content_Block></t:Inbox_Message>
            """
        let errors = TAXII.validate(xml: xml)
        #expect(errors.map(\.path) == ["Inbox_Message/Content_Block[1]/Content_Binding"])
    }

    @Test("models built in code: empty values, 1.0 ids, required details")
    func models() {
        let pending = TAXII11.StatusMessage(messageID: "1", inResponseTo: "2", statusType: .pending, statusDetails: [.init(name: "RESULT_ID", value: "r")])
        #expect(pending.validate().map(\.kind) == [.missingStatusDetail, .missingStatusDetail])
        let poll = TAXII10.PollRequest(messageID: "x1", feedName: "")
        #expect(poll.validate().map(\.path) == ["Poll_Request@message_id", "Poll_Request@feed_name"])
        let more = TAXII11.PollResponse(messageID: "1", inResponseTo: "2", collectionName: "c", more: true)
        #expect(more.validate().map(\.path) == ["Poll_Response@result_id"])
        let good = TAXII10.StatusMessage(messageID: "5", inResponseTo: "4", statusType: .success)
        #expect(good.validate() == [])
    }

    @Test("malformed XML: a single error naming line and column")
    func malformed() {
        let errors = TAXII.validate(xml: "<a>\n  <b>\n</a>")
        #expect(errors.count == 1)
        #expect(errors.first?.kind == .malformedXML)
        #expect(errors.first?.xmlError?.line == 3)
        #expect(errors.first?.xmlError?.column != nil)
    }
}

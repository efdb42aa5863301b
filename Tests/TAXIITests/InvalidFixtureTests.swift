import Foundation
import Testing
@testable import TAXII

@Suite("Structural validation")
struct InvalidFixtureTests {
    struct Case: Sendable, CustomStringConvertible {
        var file: String
        var kind: TAXIIError.Kind
        var path: String
        /// A departure real services send and libtaxii reads: parsing accepts it, validate() reports it.
        var tolerated = false
        var description: String { file }
    }

    static let cases: [Case] = [
        .init(file: "status_missing_status_type.xml", kind: .missingAttribute, path: "Status_Message@status_type"),
        .init(file: "status_pending_missing_result_id.xml", kind: .missingStatusDetail, path: "Status_Message/Status_Detail"),
        .init(file: "status_bad_will_push.xml", kind: .invalidValue, path: "Status_Message/Status_Detail/Detail[3]"),
        .init(file: "discovery_request_missing_message_id.xml", kind: .missingAttribute, path: "Discovery_Request@message_id"),
        .init(file: "discovery_response_bad_service_type.xml", kind: .invalidValue, path: "Discovery_Response/Service_Instance[2]@service_type"),
        .init(file: "discovery_response_missing_message_binding.xml", kind: .missingElement, path: "Discovery_Response/Service_Instance[1]/Message_Binding"),
        .init(file: "collection_information_request_unexpected_child.xml", kind: .unexpectedElement, path: "Collection_Information_Request/Collection_Name"),
        .init(file: "collection_information_response_bad_collection_type.xml", kind: .invalidValue, path: "Collection_Information_Response/Collection[1]@collection_type"),
        .init(file: "collection_information_response_missing_description.xml", kind: .missingElement, path: "Collection_Information_Response/Collection[1]/Description"),
        .init(file: "poll_request_missing_collection_name.xml", kind: .missingAttribute, path: "Poll_Request@collection_name"),
        .init(file: "poll_request_bad_response_type.xml", kind: .invalidValue, path: "Poll_Request/Poll_Parameters/Response_Type"),
        .init(file: "poll_request_bad_timestamp.xml", kind: .invalidTimestamp, path: "Poll_Request/Exclusive_Begin_Timestamp"),
        .init(file: "poll_request_no_scope.xml", kind: .missingElement, path: "Poll_Request/Poll_Parameters"),
        .init(file: "poll_response_missing_binding_id.xml", kind: .missingAttribute, path: "Poll_Response/Content_Block[2]/Content_Binding@binding_id"),
        .init(file: "poll_response_bad_timestamp_label.xml", kind: .invalidTimestamp, path: "Poll_Response/Content_Block[1]/Timestamp_Label"),
        .init(file: "poll_response_bad_more.xml", kind: .invalidValue, path: "Poll_Response@more"),
        .init(file: "inbox_message_missing_content.xml", kind: .missingElement, path: "Inbox_Message/Content_Block[1]/Content"),
        .init(file: "inbox_message_bad_partial_count.xml", kind: .invalidValue, path: "Inbox_Message/Record_Count@partial_count"),
        .init(file: "inbox_message_two_subtypes.xml", kind: .unexpectedElement, path: "Inbox_Message/Content_Block[1]/Content_Binding/Subtype[2]"),
        .init(file: "poll_fulfillment_missing_result_id.xml", kind: .missingAttribute, path: "Poll_Fulfillment@result_id"),
        .init(file: "poll_fulfillment_bad_part_number.xml", kind: .invalidValue, path: "Poll_Fulfillment@result_part_number"),
        .init(file: "subscription_management_request_bad_action.xml", kind: .invalidValue, path: "Subscription_Management_Request@action"),
        .init(file: "subscription_management_request_unsubscribe_without_id.xml", kind: .missingElement, path: "Subscription_Management_Request/Subscription_ID"),
        .init(file: "subscription_management_response_bad_status.xml", kind: .invalidValue, path: "Subscription_Management_Response/Subscription[1]@status"),
        .init(file: "subscription_management_response_missing_collection_name.xml", kind: .missingAttribute, path: "Subscription_Management_Response@collection_name"),
        .init(file: "v10_message_id_not_digits.xml", kind: .invalidValue, path: "Discovery_Request@message_id"),
        .init(file: "v10_status_bad_type.xml", kind: .invalidValue, path: "Status_Message@status_type"),
        .init(file: "v10_poll_response_missing_end.xml", kind: .missingElement, path: "Poll_Response/Inclusive_End_Timestamp"),
        .init(file: "v10_feed_without_delivery.xml", kind: .missingElement, path: "Feed_Information_Response/Feed[1]/Polling_Service"),
        // OpenTAXII 0.9.3 sends this for a feed that takes any content.
        .init(file: "v10_feed_missing_content_binding.xml", kind: .missingElement, path: "Feed_Information_Response/Feed[1]/Content_Binding",
              tolerated: true),
        .init(file: "v10_subscription_pause.xml", kind: .invalidValue, path: "Subscription_Management_Request@action"),
        .init(file: "v10_service_collection_management.xml", kind: .invalidValue, path: "Discovery_Response/Service_Instance[1]@service_type"),
        .init(file: "v10_inbox_bad_timestamp_label.xml", kind: .invalidTimestamp, path: "Inbox_Message/Content_Block[1]/Timestamp_Label"),
        .init(file: "v10_push_parameters_two_message_bindings.xml", kind: .unexpectedElement, path: "Subscription_Management_Request/Push_Parameters/Message_Binding"),
    ]

    @Test("every invalid fixture is covered by a case")
    func coverage() {
        #expect(Set(Support.files(in: "invalid")) == Set(Self.cases.map(\.file)))
        #expect(Self.cases.count >= 25)
    }

    @Test("validate() reports the same first error, and the document's only error", arguments: cases)
    func validateAgrees(_ testCase: Case) throws {
        let errors = TAXII.validate(xml: try Support.fixture("invalid/" + testCase.file))
        #expect(errors.count == 1, "\(errors)")
        #expect(errors.first?.kind == testCase.kind)
        #expect(errors.first?.path == testCase.path)
    }

    @Test("invalid fixture is refused with kind and path (or, if tolerated, read with no content bindings)", arguments: cases)
    func refused(_ testCase: Case) throws {
        let xml = try Support.fixture("invalid/" + testCase.file)
        if testCase.tolerated {
            guard case .taxii10(.feedInformationResponse(let response)) = try TAXII.message(fromXML: xml) else {
                Issue.record("not read as a Feed Information Response")
                return
            }
            #expect(response.feedInformations.first?.supportedContents == [])
            return
        }
        let error = #expect(throws: TAXIIError.self) { try TAXII.message(fromXML: xml) }
        #expect(error?.kind == testCase.kind, "\(error?.description ?? "")")
        #expect(error?.path == testCase.path, "\(error?.description ?? "")")
        #expect(error?.description.contains(testCase.path) == true)
    }

    @Test("the concrete type refuses another message type")
    func wrongType() throws {
        let xml = try Support.fixture("valid/poll_fulfillment.xml")
        let error = #expect(throws: TAXIIError.self) { try TAXII11.PollRequest(xml: xml) }
        #expect(error?.kind == .unknownMessageType)
    }

    @Test("TAXII 1.0 is detected from the namespace")
    func taxii10() throws {
        let xml = """
            <taxii:Status_Message xmlns:taxii="http://taxii.mitre.org/messages/taxii_xml_binding-1" message_id="11" in_response_to="10" status_type="RETRY"><taxii:Status_Detail>30</taxii:Status_Detail></taxii:Status_Message>
            """
        guard case .taxii10(.statusMessage(let status)) = try TAXII.message(fromXML: xml) else {
            Issue.record("not parsed as a TAXII 1.0 Status_Message")
            return
        }
        #expect(status.statusType == .retry)
        #expect(status.statusDetail == "30")
        // The same document in the 1.1 namespace is a different message: 1.1 details are <Detail> elements.
        let as11 = xml.replacingOccurrences(of: "taxii_xml_binding-1\"", with: "taxii_xml_binding-1.1\"")
        let error = #expect(throws: TAXIIError.self) { try TAXII.message(fromXML: as11) }
        #expect(error?.path == "Status_Message/Status_Detail/Detail")
    }

    @Test("a root outside the TAXII namespaces, or an unknown 1.1 element, is no message")
    func unknownRoot() throws {
        let other = #expect(throws: TAXIIError.self) { try TAXII.message(fromXML: "<Poll_Request message_id=\"1\"/>") }
        #expect(other?.kind == .unknownMessageType)
        let unknown = #expect(throws: TAXIIError.self) {
            try TAXII.message(fromXML: "<t:Feed_Information_Request xmlns:t=\"http://taxii.mitre.org/messages/taxii_xml_binding-1.1\" message_id=\"1\"/>")
        }
        #expect(unknown?.kind == .unknownMessageType)
    }

    @Test("malformed and hostile XML surface as typed errors")
    func malformed() throws {
        let broken = #expect(throws: TAXIIError.self) { try TAXII.message(fromXML: "<t:Status_Message xmlns:t=\"x\">") }
        #expect(broken?.kind == .malformedXML)
        #expect(broken?.xmlError?.kind == .malformed)
        let entity = """
            <!DOCTYPE d [<!ENTITY e SYSTEM "file:///etc/passwd">]>
            <taxii_11:Discovery_Request xmlns:taxii_11="http://taxii.mitre.org/messages/taxii_xml_binding-1.1" message_id="&e;"/>
            """
        let hostile = #expect(throws: TAXIIError.self) { try TAXII11.DiscoveryRequest(xml: entity) }
        #expect(hostile?.kind == .malformedXML)
        #expect(hostile?.xmlError?.kind == .entityDeclaration)
    }

    @Test("element order is checked: Message before Record_Count is refused")
    func order() throws {
        let xml = """
            <t:Poll_Response xmlns:t="http://taxii.mitre.org/messages/taxii_xml_binding-1.1" message_id="1" in_response_to="2" collection_name="c"><t:Message>m</t:Message><t:Record_Count>3</t:Record_Count></t:Poll_Response>
            """
        let error = #expect(throws: TAXIIError.self) { try TAXII11.PollResponse(xml: xml) }
        #expect(error?.kind == .unexpectedElement)
        #expect(error?.path == "Poll_Response/Record_Count")
    }
}

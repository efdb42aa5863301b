import BastionXML
import Testing
@testable import TAXII

@Suite("Serialization")
struct SerializationTests {
    @Test("compact output has the binding's layout")
    func compactLayout() throws {
        let request = TAXII11.PollFulfillmentRequest(messageID: "9", collectionName: "default", resultID: "res-1", resultPartNumber: 2)
        #expect(try request.xml() == """
            <?xml version="1.0" encoding="UTF-8"?>
            <taxii_11:Poll_Fulfillment xmlns:taxii_11="http://taxii.mitre.org/messages/taxii_xml_binding-1.1" message_id="9" collection_name="default" result_id="res-1" result_part_number="2"/>
            """)
        let status = TAXII11.StatusMessage(
            messageID: "12", inResponseTo: "7", statusType: .pending,
            statusDetails: [.init(name: "ESTIMATED_WAIT", value: "60")], message: "wait"
        )
        #expect(try status.xml().hasSuffix("""
            <taxii_11:Status_Message xmlns:taxii_11="http://taxii.mitre.org/messages/taxii_xml_binding-1.1" message_id="12" in_response_to="7" status_type="PENDING"><taxii_11:Status_Detail><taxii_11:Detail name="ESTIMATED_WAIT">60</taxii_11:Detail></taxii_11:Status_Detail><taxii_11:Message>wait</taxii_11:Message></taxii_11:Status_Message>
            """))
    }

    @Test("signatures are kept as XML, last in the message and in content blocks")
    func signatures() throws {
        let xml = """
            <t:Inbox_Message xmlns:t="http://taxii.mitre.org/messages/taxii_xml_binding-1.1" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" message_id="1"><t:Content_Block><t:Content_Binding binding_id="urn:x"/><t:Content>c</t:Content><ds:Signature><ds:SignatureValue>AAAA</ds:SignatureValue></ds:Signature></t:Content_Block><ds:Signature><ds:SignatureValue>BBBB</ds:SignatureValue></ds:Signature></t:Inbox_Message>
            """
        let inbox = try TAXII11.InboxMessage(xml: xml)
        #expect(inbox.signature?.isNamed("Signature", namespace: TAXII.Namespace.xmlDSig) == true)
        #expect(inbox.signature?.textContent == "BBBB")
        #expect(inbox.contentBlocks[0].signature?.textContent == "AAAA")
        let again = try TAXII11.InboxMessage(xml: inbox.xml(prettyPrinted: true))
        #expect(again == inbox)
        // A signature that is not last is out of order.
        let misplaced = """
            <t:Discovery_Request xmlns:t="http://taxii.mitre.org/messages/taxii_xml_binding-1.1" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" message_id="1"><ds:Signature/><t:Extended_Headers><t:Extended_Header name="h">v</t:Extended_Header></t:Extended_Headers></t:Discovery_Request>
            """
        let error = #expect(throws: TAXIIError.self) { try TAXII11.DiscoveryRequest(xml: misplaced) }
        #expect(error?.kind == .unexpectedElement)
        #expect(error?.path == "Discovery_Request/Extended_Headers")
    }

    @Test("booleans accept 1/0 and are written as true/false")
    func booleans() throws {
        let xml = """
            <t:Poll_Response xmlns:t="http://taxii.mitre.org/messages/taxii_xml_binding-1.1" message_id="1" in_response_to="2" collection_name="c" more="1" result_id="r"><t:Record_Count partial_count="0">5</t:Record_Count></t:Poll_Response>
            """
        let response = try TAXII11.PollResponse(xml: xml)
        #expect(response.more)
        #expect(response.recordCount == .init(5, isPartial: false))
        let written = try response.xml()
        #expect(written.contains("more=\"true\""))
        #expect(written.contains("partial_count=\"false\""))
    }

    @Test("the enum over all messages writes and reads every type")
    func anyMessage() throws {
        for name in Support.validFixtures {
            let message = try Support.message(name)
            let reparsed = try TAXII.message(fromXML: message.xml())
            #expect(reparsed == .taxii11(message), "\(name)")
            #expect(reparsed.messageBindingID == TAXII.VersionID.xml11)
        }
    }
}

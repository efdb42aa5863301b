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

    @Test("messages with content blocks estimate their XML's size from their content (the writer reserves it once)")
    func sizeEstimate() throws {
        let xml = "<stix:STIX_Package xmlns:stix=\"http://stix.mitre.org/stix-1\">" + String(repeating: "<stix:Title>t</stix:Title>", count: 80) + "</stix:STIX_Package>"
        let text = String(repeating: "QUJD", count: 500)  // base64, about 2 KB
        for count in [0, 1, 10, 100] {
            let blocks = (0..<count).map { index in
                TAXII11.ContentBlock(
                    contentBinding: .init("urn:stix.mitre.org:xml:1.1.1"), content: index.isMultiple(of: 2) ? .xml(xml) : .text(text),
                    timestampLabel: TAXII.Timestamp(microsecondsSince1970: Int64(index)))
            }
            let poll = TAXII11.PollResponse(inResponseTo: "1", collectionName: "default", contentBlocks: blocks)
            let inbox = TAXII11.InboxMessage(contentBlocks: blocks)
            for (estimate, size) in [(poll.xmlSizeEstimate, try poll.xmlBytes().count), (inbox.xmlSizeEstimate, try inbox.xmlBytes().count)] {
                #expect(estimate >= size, "\(count) blocks: the estimate \(estimate) is below the \(size) bytes written")
                #expect(estimate <= 2 * size + 2048, "\(count) blocks: the estimate \(estimate) is far above the \(size) bytes written")
            }
        }
        #expect(TAXII11.DiscoveryRequest().xmlSizeEstimate == 2048)
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

import BastionXML
import Testing
@testable import TAXII

@Suite("Content blocks keep their content exactly")
struct ContentBlockTests {
    @Test("STIX content using prefixes declared on the message root survives the round trip")
    func ancestorPrefixes() throws {
        let response = try TAXII11.PollResponse(xml: Support.fixture("valid/poll_response_stix.xml"))
        guard case .xml(let fragment) = response.contentBlocks[0].content else {
            Issue.record("STIX content not kept as XML")
            return
        }
        // The fragment stands alone: the prefixes it uses (element names and the
        // xsi:type value) are declared on it.
        let element = try XMLElement.parseFragment(fragment)
        #expect(element.isNamed("STIX_Package", namespace: "http://stix.mitre.org/stix-1"))
        #expect(element.namespaceURI(forPrefix: "indicator") == "http://stix.mitre.org/Indicator-2")
        #expect(element.namespaceURI(forPrefix: "xsi") == XMLNamespace.xsiNamespaceURI)
        #expect(fragment.contains("<indicator:Title>Malicious IP &amp; friends</indicator:Title>"))
        #expect(fragment.contains("xsi:type=\"indicator:IndicatorType\""))

        for pretty in [false, true] {
            let written = try response.xml(prettyPrinted: pretty)
            let reparsed = try TAXII11.PollResponse(xml: written)
            #expect(reparsed.contentBlocks[0].content == .xml(fragment))
            // Parsed as a whole document, the indicator keeps its namespace.
            let root = try XMLElement(xml: written)
            let block = try #require(root.childElements(named: "Content_Block", namespace: TAXII11.namespace).first)
            let content = try #require(block.firstChildElement(named: "Content", namespace: TAXII11.namespace))
            let package = try #require(content.firstChildElement)
            let title = package.firstChildElement?.firstChildElement?.firstChildElement
            #expect(title?.isNamed("Title", namespace: "http://stix.mitre.org/Indicator-2") == true)
            #expect(title?.text == "Malicious IP & friends")
        }
    }

    @Test("the XML content is the exact text received, not re-serialized")
    func exactText() throws {
        let xml = """
            <t:Inbox_Message xmlns:t="http://taxii.mitre.org/messages/taxii_xml_binding-1.1" message_id="1"><t:Content_Block><t:Content_Binding binding_id="urn:stix.mitre.org:xml:1.2"/><t:Content><s:STIX_Package xmlns:s='http://stix.mitre.org/stix-1'   id='p'><!-- note --><s:Title>&#65;B</s:Title></s:STIX_Package></t:Content></t:Content_Block></t:Inbox_Message>
            """
        let inbox = try TAXII11.InboxMessage(xml: xml)
        #expect(inbox.contentBlocks[0].content == .xml("<s:STIX_Package xmlns:s='http://stix.mitre.org/stix-1'   id='p'><!-- note --><s:Title>&#65;B</s:Title></s:STIX_Package>"))
        let again = try TAXII11.InboxMessage(xml: inbox.xml())
        #expect(again == inbox)
        #expect(try inbox.xml().contains("<s:STIX_Package xmlns:s='http://stix.mitre.org/stix-1'   id='p'><!-- note --><s:Title>&#65;B</s:Title></s:STIX_Package>"))
    }

    @Test("text content stays text, escaped on output; CDATA content reads as text")
    func textContent() throws {
        let inbox = try TAXII11.InboxMessage(xml: Support.fixture("valid/inbox_message.xml"))
        #expect(inbox.contentBlocks[1].content == .text("MIAGCSqGSIb3DQEHA6CAMIACAQAx"))
        let block = TAXII11.ContentBlock(contentBinding: "urn:example:text", content: .text("<b>not markup</b> & more"))
        let message = TAXII11.InboxMessage(messageID: "5", contentBlocks: [block])
        let written = try message.xml()
        #expect(written.contains("&lt;b&gt;not markup&lt;/b&gt; &amp; more"))
        let parsed = try TAXII11.InboxMessage(xml: written)
        #expect(parsed.contentBlocks[0].content == .text("<b>not markup</b> & more"))
        #expect(parsed.contentBlocks[0].content.isXML == false)
    }

    @Test("STIX inbox content with a prefix from the root, compact form")
    func inboxStix() throws {
        let inbox = try TAXII11.InboxMessage(xml: Support.fixture("valid/inbox_message.xml"))
        let content = inbox.contentBlocks[0].content
        #expect(content.isXML)
        #expect(content.string.hasPrefix("<stix:STIX_Package"))
        #expect(content.string.contains("xmlns:stix=\"http://stix.mitre.org/stix-1\""))
        #expect(content.string.contains("<stix:Title>Inbox &lt;test&gt;</stix:Title>"))
        let reparsed = try TAXII11.InboxMessage(xml: inbox.xml(prettyPrinted: true))
        #expect(reparsed == inbox)
    }

    @Test("the message's own prefix is kept only when the content uses it")
    func taxiiPrefixInContent() throws {
        let xml = """
            <t:Inbox_Message xmlns:t="http://taxii.mitre.org/messages/taxii_xml_binding-1.1" message_id="1"><t:Content_Block><t:Content_Binding binding_id="urn:example:wrapped"/><t:Content><w:Wrapper xmlns:w="urn:w"><t:Message>inner</t:Message></w:Wrapper></t:Content></t:Content_Block></t:Inbox_Message>
            """
        let inbox = try TAXII11.InboxMessage(xml: xml)
        let fragment = inbox.contentBlocks[0].content.string
        #expect(fragment.contains("xmlns:t=\"http://taxii.mitre.org/messages/taxii_xml_binding-1.1\""))
        let element = try XMLElement.parseFragment(fragment)
        #expect(element.firstChildElement?.isNamed("Message", namespace: TAXII11.namespace) == true)
        let again = try TAXII11.InboxMessage(xml: inbox.xml())
        #expect(again == inbox)
    }

    @Test("content built from a malformed fragment is refused")
    func malformedFragment() {
        #expect(throws: TAXIIError.self) {
            try TAXII11.ContentBlock(contentBinding: "urn:x", xml: "<a><b></a>")
        }
    }
}

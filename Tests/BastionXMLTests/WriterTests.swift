import Foundation
import Testing
@testable import BastionXML

/// Writing documents: the call-by-call API, trees, escaping, pretty printing, raw fragments.
@Suite struct WriterTests {
    static let taxii = "http://taxii.mitre.org/messages/taxii_xml_binding-1.1"

    @Test func builderDeclaresWhatNamesNeed() throws {
        var writer = XMLWriter()
        writer.startElement("Poll_Response", namespace: Self.taxii, prefix: "taxii_11")
        writer.attribute("message_id", "42")
        writer.textElement("Record_Count", namespace: Self.taxii, prefix: "taxii_11", attributes: ["partial_count": "false"], text: "3")
        writer.element("Extra", namespace: "urn:extra") { writer in
            writer.attribute("flag", "on", namespace: "urn:flags")       // no prefix given: one is made up
            writer.attribute("lang", "en", namespace: XMLNamespace.xmlNamespaceURI)
            writer.text("x")
        }
        writer.endElement()
        let xml = try writer.finish()
        #expect(xml == """
            <taxii_11:Poll_Response xmlns:taxii_11="\(Self.taxii)" message_id="42">\
            <taxii_11:Record_Count partial_count="false">3</taxii_11:Record_Count>\
            <Extra xmlns="urn:extra" xmlns:ns1="urn:flags" ns1:flag="on" xml:lang="en">x</Extra>\
            </taxii_11:Poll_Response>
            """)
        let root = try XMLReader().parse(xml)
        let extra = try #require(root.firstChildElement(named: "Extra", namespace: "urn:extra"))
        #expect(extra.attribute("flag", namespace: "urn:flags") == "on")
    }

    @Test func treeWithoutDeclarationsIsWrittenWellFormed() throws {
        let tree = XMLElement(
            "root", namespaceURI: "urn:a", prefix: "a",
            attributes: [XMLAttribute("id", value: "1"), XMLAttribute("ref", value: "x", namespaceURI: "urn:b", prefix: "b")],
            children: [
                .element(XMLElement("child", namespaceURI: "urn:a", prefix: "a")),
                .element(XMLElement("plain")),
                .element(XMLElement("other", namespaceURI: "urn:c", children: [.element(XMLElement("inner"))])),
            ]
        )
        let xml = try tree.outerXML()
        #expect(xml == """
            <a:root xmlns:a="urn:a" xmlns:b="urn:b" id="1" b:ref="x"><a:child/><plain/>\
            <other xmlns="urn:c"><inner xmlns=""/></other></a:root>
            """)
        #expect(try XMLReader().parse(xml) == tree)
    }

    @Test func prefixConflictsAreResolved() throws {
        // The attribute wants prefix "p", which the element's own name binds to another namespace.
        let tree = XMLElement(
            "e", namespaceURI: "urn:one", prefix: "p",
            attributes: [XMLAttribute("at", value: "v", namespaceURI: "urn:two", prefix: "p")]
        )
        let xml = try tree.outerXML()
        let reparsed = try XMLReader().parse(xml)
        #expect(reparsed.namespaceURI == "urn:one")
        #expect(reparsed.prefix == "p")
        #expect(reparsed.attribute("at", namespace: "urn:two") == "v")
    }

    @Test func escapingRoundTrips() throws {
        let tricky = "a & b < c > d \"e\" 'f' ]]> g"
        let tree = XMLElement(
            "t", attributes: [XMLAttribute("v", value: tricky)],
            children: [.text(tricky), .cdata("inside ]]> cdata"), .comment(" a comment "),
                       .processingInstruction(target: "pi", data: "some data")]
        )
        let xml = try tree.outerXML()
        #expect(xml.contains("<![CDATA[inside ]]]]><![CDATA[> cdata]]>"))
        #expect(xml.contains("v=\"a &amp; b &lt; c &gt; d &quot;e&quot; 'f' ]]&gt; g\""))
        let reparsed = try XMLReader().parse(xml)
        #expect(reparsed == tree, "\(reparsed.children) vs \(tree.children)")
    }

    @Test func rawFragmentIsEmbeddedVerbatim() throws {
        let source = try XMLReader().parse(FragmentTests.document)
        let indicator = try #require(
            source.childElements.first?.childElements.first?.childElements.first,
            "the STIX indicator in the sample"
        )
        let fragment = try indicator.outerXML()

        var writer = XMLWriter(options: .init(xmlDeclaration: true))
        writer.startElement("Inbox_Message", namespace: Self.taxii, prefix: "taxii_11")
        writer.attribute("message_id", "7")
        writer.startElement("Content_Block", namespace: Self.taxii, prefix: "taxii_11")
        writer.startElement("Content", namespace: Self.taxii, prefix: "taxii_11")
        writer.rawXML(fragment)
        writer.endElement()
        writer.endElement()
        writer.endElement()
        let xml = try writer.finish()

        #expect(xml.hasPrefix("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<taxii_11:Inbox_Message"))
        #expect(xml.contains("<taxii_11:Content>" + fragment + "</taxii_11:Content>"))
        let message = try XMLReader().parse(xml)
        let content = try #require(message.firstChildElement?.firstChildElement)
        #expect(content.firstChildElement == indicator)
    }

    @Test func prettyPrintingIndentsElementOnlyContentAndLeavesTextAlone() throws {
        let compact = "<a><b><c>text <i>with</i> markup</c><d/></b><e>  spaced  </e></a>"
        let tree = try XMLReader().parse(compact)
        let pretty = try tree.outerXML(prettyPrinted: true)
        #expect(pretty == """
            <a>
              <b>
                <c>text <i>with</i> markup</c>
                <d/>
              </b>
              <e>  spaced  </e>
            </a>
            """)
        let reparsed = try XMLReader(options: .init(keepWhitespaceOnlyText: false)).parse(pretty)
        #expect(reparsed == tree)
    }

    @Test func prettyPrintingLeavesParsedWhitespaceAlone() throws {
        let xml = "<a>\n\t<b/>\n</a>"
        let tree = try XMLReader().parse(xml)
        // The whitespace is content here: it is written as it was.
        #expect(try tree.outerXML(prettyPrinted: true) == xml)
    }

    @Test func documentHelperWritesDeclarationAndRoot() throws {
        let xml = try XMLWriter.document(XMLElement("r", children: [.text("1")]))
        #expect(xml == "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<r>1</r>")
    }

    @Test func bytesOutputMatchesString() throws {
        var writer = XMLWriter()
        writer.textElement("a", text: "é")
        #expect(try writer.finishBytes() == Array("<a>é</a>".utf8))
    }

    @Test func invalidNamesAreErrors() throws {
        for name in ["", "1abc", "has space", "a:b", "x<y", "-dash"] {
            let error = #expect(throws: XMLError.self) { try XMLElement(name).outerXML() }
            #expect(error?.kind == .invalidName, "name \(name.debugDescription)")
        }
        var writer = XMLWriter()
        writer.startElement("a")
        writer.attribute("bad name", "v")
        writer.endElement()
        #expect(throws: XMLError.self) { try writer.finish() }
    }

    @Test func unrepresentableCharactersAreErrors() throws {
        for text in ["bell \u{07}", "nul \u{00}", "non-character \u{FFFE}"] {
            let error = #expect(throws: XMLError.self) { try XMLElement("a", children: [.text(text)]).outerXML() }
            #expect(error?.kind == .invalidCharacter)
            let inAttribute = #expect(throws: XMLError.self) {
                try XMLElement("a", attributes: [XMLAttribute("v", value: text)]).outerXML()
            }
            #expect(inAttribute?.kind == .invalidCharacter)
        }
        let comment = #expect(throws: XMLError.self) { try XMLElement("a", children: [.comment("a -- b")]).outerXML() }
        #expect(comment?.kind == .invalidCharacter)
        let instruction = #expect(throws: XMLError.self) {
            try XMLElement("a", children: [.processingInstruction(target: "p", data: "x ?> y")]).outerXML()
        }
        #expect(instruction?.kind == .invalidCharacter)
    }

    @Test func misuseIsReported() throws {
        var unclosed = XMLWriter()
        unclosed.startElement("a")
        let error = #expect(throws: XMLError.self) { try unclosed.finish() }
        #expect(error?.kind == .writerMisuse)

        var extraEnd = XMLWriter()
        extraEnd.startElement("a")
        extraEnd.endElement()
        extraEnd.endElement()
        #expect(throws: XMLError.self) { try extraEnd.finish() }

        var lateAttribute = XMLWriter()
        lateAttribute.startElement("a")
        lateAttribute.text("x")
        lateAttribute.attribute("late", "1")
        lateAttribute.endElement()
        #expect(throws: XMLError.self) { try lateAttribute.finish() }

        var twoRoots = XMLWriter(options: .init(xmlDeclaration: true))
        twoRoots.textElement("a", text: "1")
        twoRoots.textElement("b", text: "2")
        #expect(throws: XMLError.self) { try twoRoots.finish() }

        var duplicate = XMLWriter()
        duplicate.startElement("a")
        duplicate.attribute("x", "1")
        duplicate.attribute("x", "2")
        duplicate.endElement()
        #expect(throws: XMLError.self) { try duplicate.finish() }
    }
}

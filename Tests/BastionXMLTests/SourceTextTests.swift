import Foundation
import Testing
@testable import BastionXML

/// Parsed elements keep their exact text, and lose it when they change.
@Suite struct SourceTextTests {
    static let tricky = """
        <?xml version="1.0"?>
        <!DOCTYPE r>
        <r xmlns:q='urn:q'>
          <a  x = '1 > 0' y="&amp;&#x41;&lt;" ><!-- <not> a tag --><![CDATA[<not/> either]]>text&#10;<?pi <x>?></a >
          <q:b/><q:b></q:b>
          <c
            z="multi
        line"/>
        </r>
        """

    @Test func unchangedElementsAreCopiedExactly() throws {
        let root = try XMLReader().parse(Self.tricky)
        let a = try #require(root.firstChildElement(named: "a", namespace: nil))
        #expect(try a.outerXML() == """
            <a xmlns:q="urn:q"  x = '1 > 0' y="&amp;&#x41;&lt;" ><!-- <not> a tag --><![CDATA[<not/> either]]>text&#10;<?pi <x>?></a >
            """)
        let bs = root.childElements(named: "b", namespace: "urn:q")
        #expect(try bs.map { try $0.outerXML() } == ["<q:b xmlns:q=\"urn:q\"/>", "<q:b xmlns:q=\"urn:q\"></q:b>"])
        let c = try #require(root.firstChildElement(named: "c", namespace: nil))
        #expect(try c.outerXML() == "<c xmlns:q=\"urn:q\"\n    z=\"multi\nline\"/>")
        // The root: its own text from "<r" to "</r>", nothing added.
        let copied = try root.outerXML()
        #expect(Self.tricky.hasSuffix(copied))
        #expect(copied.hasPrefix("<r xmlns:q='urn:q'>"))
    }

    @Test func copiedAndWrittenFormsParseToTheSameTree() throws {
        let kept = try XMLReader().parse(Self.tricky)
        let notKept = try XMLReader(options: .init(keepsSourceText: false)).parse(Self.tricky)
        #expect(kept == notKept)
        let copied = try kept.outerXML()
        let written = try notKept.outerXML()
        #expect(copied != written, "the tricky sample is not canonical, so the two forms differ")
        #expect(try XMLReader().parse(copied) == kept)
        #expect(try XMLReader().parse(written) == kept)
    }

    @Test func changingAnElementDropsItsText() throws {
        var root = try XMLReader().parse("<r><a x='1'>old</a><b/></r>")
        #expect(try root.outerXML() == "<r><a x='1'>old</a><b/></r>")

        // A change deep inside reaches the root through `children`.
        guard case .element(var a) = root.children[0] else {
            Issue.record("expected an element")
            return
        }
        a.setAttribute("x", to: "2")
        root.children[0] = .element(a)
        #expect(try root.outerXML() == "<r><a x=\"2\">old</a><b/></r>")

        var renamed = try XMLReader().parse("<r><a/></r>")
        renamed.localName = "s"
        #expect(try renamed.outerXML() == "<s><a/></s>")

        var withText = try XMLReader().parse("<r>x</r>")
        withText.children.append(.text("y"))
        #expect(try withText.outerXML() == "<r>xy</r>")

        var redeclared = try XMLReader().parse("<r xmlns:p='urn:p'/>")
        redeclared.namespaceDeclarations = []
        #expect(try redeclared.outerXML() == "<r/>")
    }

    @Test func prettyPrintingWritesAnew() throws {
        let root = try XMLReader().parse("<r><a x='1'/></r>")
        #expect(try root.outerXML(prettyPrinted: true) == "<r>\n  <a x=\"1\"/>\n</r>")
    }

    @Test func convertedEncodingsAreWrittenAnew() throws {
        let bytes: [UInt8] = Array("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><a  v='x'>".utf8) + [0xE9] + Array("</a>".utf8)
        let root = try XMLReader().parse(bytes: bytes)
        // No source text (it was not UTF-8): written from the tree, as UTF-8.
        #expect(try root.outerXML() == "<a v=\"x\">é</a>")
    }

    @Test func copiedElementsInsideAWriterDocument() throws {
        let parsed = try XMLReader().parse("<s:p xmlns:s='urn:s'><s:q  a='1'/></s:p>")
        let q = try #require(parsed.firstChildElement)
        var writer = XMLWriter()
        writer.startElement("envelope", namespace: "urn:e")
        writer.write(q)
        writer.write(q)
        writer.endElement()
        let xml = try writer.finish()
        // q had no default namespace where it was parsed, so it says so here
        // (its text is copied as is, so anything unprefixed inside must stay unqualified).
        #expect(xml == "<envelope xmlns=\"urn:e\"><s:q xmlns:s=\"urn:s\" xmlns=\"\"  a='1'/><s:q xmlns:s=\"urn:s\" xmlns=\"\"  a='1'/></envelope>")
        let envelope = try XMLReader().parse(xml)
        #expect(envelope.childElements == [q, q])
    }

    @Test func byteOrderMarkAndLineEnds() throws {
        let xml = "\u{FEFF}<r>\r\n<a>1</a>\r\n</r>"
        let root = try XMLReader().parse(xml)
        let a = try #require(root.firstChildElement)
        #expect(try a.outerXML() == "<a>1</a>")
        #expect(try XMLReader().parse(root.outerXML()) == root)
    }
}

import Foundation
import Testing
@testable import BastionXML

/// `XMLReader.Options.shallowElements`: children of the named elements are read hollow.
@Suite struct ShallowElementsTests {
    static let reader = XMLReader(options: .init(shallowElements: [.init(namespaceURI: "urn:t", localName: "Content")]))
    static let document = """
        <t:Message xmlns:t="urn:t"><t:Content>
          <p:Package xmlns:p="urn:p" id="1"><p:Item a="x">one &amp; <![CDATA[<two>]]><!-- c --></p:Item><p:Item/></p:Package>
          <q>text</q>
        </t:Content><t:Other><deep><er/></deep></t:Other></t:Message>
        """

    @Test func childrenOfAShallowElementAreHollowAndExact() throws {
        let root = try Self.reader.parse(Self.document)
        let content = try #require(root.firstChildElement(named: "Content", namespace: "urn:t"))
        #expect(!content.isHollow)
        let items = content.childElements
        #expect(items.map(\.localName) == ["Package", "q"])
        #expect(items.allSatisfy { $0.isHollow })
        #expect(items[0].children.isEmpty)
        #expect(items[0].attribute("id") == "1")
        #expect(items[0].namespaceDeclarations == [XMLNamespace(prefix: "p", uri: "urn:p")])
        // The exact text of the whole subtree, with the inherited binding declared.
        #expect(try items[0].outerXML() == """
            <p:Package xmlns:t="urn:t" xmlns:p="urn:p" id="1"><p:Item a="x">one &amp; <![CDATA[<two>]]><!-- c --></p:Item><p:Item/></p:Package>
            """)
        // It re-parses to what a full read builds.
        let full = try XMLReader().parse(Self.document)
        let fullPackage = try #require(full.firstChildElement(named: "Content", namespace: "urn:t")?.firstChildElement)
        #expect(try XMLReader().parse(items[0].outerXML()) == fullPackage)
        #expect(!fullPackage.isHollow)
        // Elements elsewhere are built as usual.
        let other = try #require(root.firstChildElement(named: "Other", namespace: "urn:t"))
        #expect(other.firstChildElement?.firstChildElement?.localName == "er")
        #expect(other.firstChildElement?.isHollow == false)
    }

    @Test func changingAHollowElementsChildrenMakesItOrdinary() throws {
        let root = try Self.reader.parse(Self.document)
        var package = try #require(root.firstChildElement(named: "Content", namespace: "urn:t")?.firstChildElement)
        package.children = [.text("new")]
        #expect(!package.isHollow)
        #expect(try package.outerXML() == "<p:Package xmlns:t=\"urn:t\" xmlns:p=\"urn:p\" id=\"1\">new</p:Package>")
    }

    @Test func limitsStillApplyInsideHollowSubtrees() {
        let deep = "<t:M xmlns:t='urn:t'><t:Content><a>" + String(repeating: "<d>", count: 300) + String(repeating: "</d>", count: 300) + "</a></t:Content></t:M>"
        let error = #expect(throws: XMLError.self) { try Self.reader.parse(deep) }
        #expect(error?.kind == .tooDeep)
        let broken = #expect(throws: XMLError.self) { try Self.reader.parse("<t:M xmlns:t='urn:t'><t:Content><a><b></a></t:Content></t:M>") }
        #expect(broken?.kind == .malformed)
    }

    @Test func withoutSourceTextTheDocumentIsBuiltFully() throws {
        // ISO-8859-1 bytes: no source text can be kept, so nothing is read hollow.
        let bytes: [UInt8] = Array("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><t:M xmlns:t='urn:t'><t:Content><a>".utf8) + [0xE9] + Array("<b/></a></t:Content></t:M>".utf8)
        let root = try Self.reader.parse(bytes: bytes)
        let a = try #require(root.firstChildElement?.firstChildElement)
        #expect(!a.isHollow)
        #expect(a.childElements.map(\.localName) == ["b"])
        #expect(try a.outerXML() == "<a xmlns:t=\"urn:t\">é<b/></a>")
    }
}

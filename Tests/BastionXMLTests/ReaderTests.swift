import Foundation
import Testing
@testable import BastionXML

/// Parsing into the element tree, and parse → write → parse round trips.
@Suite struct ReaderTests {
    /// Parses `xml`, writes it compactly, parses that again: the trees must be
    /// equal. Done both with the elements' source text (written by copying it)
    /// and without (written anew from the tree); returns the tree and the
    /// text written anew.
    private func roundTrip(_ xml: String, options: XMLReader.Options = .init()) throws -> (XMLElement, String) {
        var fromTree = options
        fromTree.keepsSourceText = false
        let first = try XMLReader(options: fromTree).parse(xml)
        let written = try first.outerXML()
        let second = try XMLReader(options: fromTree).parse(written)
        #expect(first == second, "round trip changed the tree:\n\(xml)\n→\n\(written)")

        var fromSource = options
        fromSource.keepsSourceText = true
        let withSource = try XMLReader(options: fromSource).parse(xml)
        #expect(withSource == first)
        let copied = try withSource.outerXML()
        #expect(try XMLReader(options: fromTree).parse(copied) == first, "copied text re-parses differently:\n\(copied)")
        return (first, written)
    }

    @Test func namespacesPrefixesAndDefaultNamespace() throws {
        let xml = """
            <t:Poll_Response xmlns:t="urn:taxii" xmlns="urn:default" message_id="1"><t:Block>\
            <Item>one</Item><other xmlns="">none</other></t:Block></t:Poll_Response>
            """
        let (root, written) = try roundTrip(xml)
        #expect(root.localName == "Poll_Response")
        #expect(root.namespaceURI == "urn:taxii")
        #expect(root.prefix == "t")
        #expect(root.namespaceDeclarations == [
            XMLNamespace(prefix: "t", uri: "urn:taxii"), XMLNamespace(prefix: nil, uri: "urn:default"),
        ])
        let block = try #require(root.firstChildElement(named: "Block", namespace: "urn:taxii"))
        let item = try #require(block.firstChildElement(named: "Item", namespace: "urn:default"))
        #expect(item.prefix == nil)
        #expect(item.text == "one")
        let other = try #require(block.firstChildElement(named: "other", namespace: nil))
        #expect(other.namespaceURI == nil)
        #expect(other.namespaceDeclarations == [XMLNamespace(prefix: nil, uri: "")])
        // Already compact and canonical: written back byte for byte.
        #expect(written == xml)
    }

    @Test func attributesWithNamespaces() throws {
        let xml = """
            <r xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:a="urn:a" \
            plain="1" a:qualified="2" xsi:type="a:Type" xml:lang="en"/>
            """
        let (root, written) = try roundTrip(xml)
        #expect(root.attribute("plain") == "1")
        #expect(root.attribute("qualified") == nil, "an unqualified lookup must not find a namespaced attribute")
        #expect(root.attribute("qualified", namespace: "urn:a") == "2")
        #expect(root.attribute("type", namespace: XMLNamespace.xsiNamespaceURI) == "a:Type")
        #expect(root.attribute("lang", namespace: XMLNamespace.xmlNamespaceURI) == "en")
        let qualified = try #require(root.attributes.first { $0.localName == "qualified" })
        #expect(qualified.prefix == "a")
        #expect(qualified.qualifiedName == "a:qualified")
        // A QName inside a value resolves through the element's bindings.
        #expect(root.namespaceURI(forPrefix: "a") == "urn:a")
        #expect(written == xml)
    }

    @Test func mixedContentKeepsOrder() throws {
        let xml = "<p>Hello <b>bold</b>, <i>italic</i> and <b>more</b>!</p>"
        let (root, written) = try roundTrip(xml)
        #expect(root.children.count == 7)
        #expect(root.children.first == .text("Hello "))
        #expect(root.children.last == .text("!"))
        #expect(root.childElements(named: "b", namespace: nil).map(\.text) == ["bold", "more"])
        #expect(root.text == "Hello ,  and !")
        #expect(root.textContent == "Hello bold, italic and more!")
        #expect(written == xml)
    }

    @Test func cdataIsKeptAsCDATA() throws {
        let xml = "<a>before<![CDATA[<not> & markup]]>after</a>"
        let (root, written) = try roundTrip(xml)
        #expect(root.children == [.text("before"), .cdata("<not> & markup"), .text("after")])
        #expect(root.text == "before<not> & markupafter")
        #expect(written == xml)
    }

    @Test func adjacentCDATASectionsAreMerged() throws {
        let root = try XMLReader().parse("<a><![CDATA[one]]><![CDATA[two]]></a>")
        #expect(root.children == [.cdata("onetwo")])
    }

    @Test func commentsAndProcessingInstructions() throws {
        let xml = "<?xml-stylesheet href='x'?><!--before--><a>x<!-- note --><?app do this?>y<?empty?></a><!--after-->"
        let (root, written) = try roundTrip(xml)
        #expect(root.children == [
            .text("x"), .comment(" note "), .processingInstruction(target: "app", data: "do this"),
            .text("y"), .processingInstruction(target: "empty", data: ""),
        ])
        // Those outside the root element are not part of the tree.
        #expect(written == "<a>x<!-- note --><?app do this?>y<?empty?></a>")

        let stripped = try XMLReader(options: .init(keepComments: false, keepProcessingInstructions: false)).parse(xml)
        // Dropping them joins the text around them into one text child.
        #expect(stripped.children == [.text("xy")])
    }

    @Test func whitespaceOnlyTextIsKeptByDefault() throws {
        let xml = "<a>\n  <b> x </b>\n  <c/>\n</a>"
        let kept = try XMLReader().parse(xml)
        #expect(kept.children.count == 5)
        #expect(kept.children.first == .text("\n  "))
        #expect(try kept.outerXML() == xml)

        let dropped = try XMLReader(options: .init(keepWhitespaceOnlyText: false)).parse(xml)
        #expect(dropped.children.count == 2)
        // Text with something besides whitespace is kept whole.
        #expect(dropped.firstChildElement?.children == [.text(" x ")])
    }

    @Test func unicodeText() throws {
        let xml = "<a note=\"naïve – ✓\">Grüße, 中文, emoji 🎉, &#x1F600;, &lt;&amp;&gt;</a>"
        let (root, _) = try roundTrip(xml)
        #expect(root.text == "Grüße, 中文, emoji 🎉, 😀, <&>")
        #expect(root.attribute("note") == "naïve – ✓")
        // From bytes too, as UTF-8.
        let fromBytes = try XMLReader().parse(bytes: Array(xml.utf8))
        #expect(fromBytes == root)
    }

    @Test func declaredEncodingIsHonouredForBytes() throws {
        // "<a>é</a>" in ISO-8859-1: é is the single byte 0xE9.
        let bytes: [UInt8] = Array("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><a>".utf8) + [0xE9] + Array("</a>".utf8)
        let root = try XMLReader().parse(bytes: bytes)
        #expect(root.text == "é")
    }

    @Test func encodingDeclarationIsIgnoredForStrings() throws {
        let root = try XMLReader().parse("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><a>é</a>")
        #expect(root.text == "é")
    }

    @Test func lineEndsAndAttributeWhitespaceSurviveWriting() throws {
        var element = XMLElement("a", attributes: [XMLAttribute("v", value: "tab\there\nnew line\r\"quoted\"")])
        element.children = [.text("carriage\rreturn and\nnewline & <tags>")]
        let written = try element.outerXML()
        #expect(written == "<a v=\"tab&#9;here&#10;new line&#13;&quot;quoted&quot;\">carriage&#13;return and\nnewline &amp; &lt;tags&gt;</a>")
        #expect(try XMLReader().parse(written) == element)
    }

    @Test func crlfInInputIsNormalized() throws {
        let root = try XMLReader().parse("<a>one\r\ntwo</a>")
        #expect(root.text == "one\ntwo")
    }

    @Test func doctypeWithoutEntitiesIsAcceptedAndIgnored() throws {
        let root = try XMLReader().parse("""
            <!DOCTYPE r [<!ELEMENT r (#PCDATA)><!ATTLIST r defaulted CDATA "value">]><r>text</r>
            """)
        #expect(root.text == "text")
        // DTD attribute defaults are never applied.
        #expect(root.attributes.isEmpty)
    }

    @Test func namespaceNamesWithReferencesAndOddCharacters() throws {
        let root = try XMLReader().parse(#"<a xmlns="urn:x&amp;y" xmlns:p="urn:&#60;z&#62;" p:at="&amp;"><p:b/></a>"#)
        #expect(root.namespaceURI == "urn:x&y")
        #expect(root.attribute("at", namespace: "urn:<z>") == "&")
        #expect(root.firstChildElement?.namespaceURI == "urn:<z>")
        // Not a valid URI (a space): libxml2 complains, the Namespaces recommendation only deprecates it.
        let spaced = try XMLReader().parse(#"<a xmlns="urn:a b"/>"#)
        #expect(spaced.namespaceURI == "urn:a b")
        let (_, written) = try roundTrip(#"<a xmlns="urn:x&amp;y" xmlns:p="urn:&lt;z&gt;" p:at="&amp;"><p:b/></a>"#)
        #expect(written == #"<a xmlns="urn:x&amp;y" xmlns:p="urn:&lt;z&gt;" p:at="&amp;"><p:b/></a>"#)
    }

    @Test func accessors() throws {
        var root = try XMLReader(options: .init(keepWhitespaceOnlyText: false)).parse("""
            <r xmlns="urn:r" xmlns:o="urn:o">
              <item n="1"/><o:item n="2"/><item n="3"/>
            </r>
            """)
        #expect(root.childElements.count == 3)
        #expect(root.childElements(named: "item", namespace: "urn:r").map { $0.attribute("n") } == ["1", "3"])
        #expect(root.childElements(named: "item", namespace: "urn:o").count == 1)
        #expect(root.firstChildElement?.attribute("n") == "1")
        #expect(root.firstChildElement(named: "item", namespace: "urn:o")?.attribute("n") == "2")
        #expect(root.firstChildElement(named: "missing", namespace: "urn:r") == nil)
        #expect(root.qualifiedName == "r")
        root.setAttribute("added", to: "yes")
        #expect(root.attribute("added") == "yes")
        root.setAttribute("added", to: nil)
        #expect(root.attribute("added") == nil)
    }

    @Test func equalityIgnoresAttributeOrderButNotChildOrder() throws {
        let one = try XMLReader().parse("<a x=\"1\" y=\"2\"><b/><c/></a>")
        let two = try XMLReader().parse("<a y=\"2\" x=\"1\"><b/><c/></a>")
        let three = try XMLReader().parse("<a x=\"1\" y=\"2\"><c/><b/></a>")
        #expect(one == two)
        #expect(one != three)
        // Where a namespace is declared does not matter; the prefix does.
        let declaredHigh = try XMLReader().parse("<p:a xmlns:p=\"urn:p\"><p:b/></p:a>").firstChildElement
        let declaredLow = try XMLReader().parse("<x><p:b xmlns:p=\"urn:p\"/></x>").firstChildElement
        let otherPrefix = try XMLReader().parse("<x><q:b xmlns:q=\"urn:p\"/></x>").firstChildElement
        #expect(declaredHigh == declaredLow)
        #expect(declaredHigh != otherPrefix)
    }

    @Test func convenienceInitializers() throws {
        let fromString = try XMLElement(xml: "<a>1</a>")
        let fromBytes = try XMLElement(xml: Array("<a>1</a>".utf8))
        #expect(fromString == fromBytes)
        #expect(fromString == XMLElement("a", children: [.text("1")]))
    }
}

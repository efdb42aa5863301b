import Foundation
import Testing
@testable import BastionXML

/// `outerXML()` of a subtree: a standalone fragment with its inherited namespace bindings.
@Suite struct FragmentTests {
    static let document = """
        <taxii_11:Poll_Response xmlns:taxii_11="http://taxii.mitre.org/messages/taxii_xml_binding-1.1" \
        xmlns:stix="http://stix.mitre.org/stix-1" xmlns:indicator="http://stix.mitre.org/Indicator-2" \
        xmlns:cybox="http://cybox.mitre.org/cybox-2" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" \
        xmlns="urn:default" message_id="1">
          <taxii_11:Content_Block>
            <taxii_11:Content>
              <stix:Indicator id="i-1" xsi:type="indicator:IndicatorType">
                <indicator:Title>Bad &amp; worse</indicator:Title>
                <cybox:Object><Plain>default namespace</Plain></cybox:Object>
              </stix:Indicator>
            </taxii_11:Content>
          </taxii_11:Content_Block>
        </taxii_11:Poll_Response>
        """

    /// Every test runs with and without the elements' source text, so both
    /// the copying and the writing path of the writer are checked.
    static let modes = [true, false]

    private func reader(_ keepsSource: Bool) -> XMLReader {
        XMLReader(options: .init(keepsSourceText: keepsSource))
    }

    private func indicator(_ keepsSource: Bool) throws -> XMLElement {
        let root = try reader(keepsSource).parse(Self.document)
        let block = try #require(root.firstChildElement(named: "Content_Block", namespace: "http://taxii.mitre.org/messages/taxii_xml_binding-1.1"))
        let content = try #require(block.firstChildElement(named: "Content", namespace: "http://taxii.mitre.org/messages/taxii_xml_binding-1.1"))
        return try #require(content.firstChildElement(named: "Indicator", namespace: "http://stix.mitre.org/stix-1"))
    }

    @Test(arguments: FragmentTests.modes) func nestedSubtreeReparsesStandaloneAndEqualsTheOriginal(keepsSource: Bool) throws {
        let original = try indicator(keepsSource)
        let fragment = try original.outerXML()
        #expect(fragment.hasPrefix("<stix:Indicator "))
        for prefix in ["stix", "indicator", "cybox", "xsi"] {
            #expect(fragment.contains("xmlns:\(prefix)=\""), "binding for \(prefix) missing in \(fragment)")
        }
        #expect(fragment.contains("xmlns=\"urn:default\""))

        let reparsed = try XMLElement.parseFragment(fragment, options: .init(keepsSourceText: keepsSource))
        #expect(reparsed == original)
        // Prefixes survive, and so does the meaning of the QName in xsi:type.
        #expect(reparsed.prefix == "stix")
        #expect(reparsed.childElements.first?.prefix == "indicator")
        let type = try #require(reparsed.attribute("type", namespace: XMLNamespace.xsiNamespaceURI))
        #expect(type == "indicator:IndicatorType")
        #expect(reparsed.namespaceURI(forPrefix: "indicator") == "http://stix.mitre.org/Indicator-2")
        // Bindings the subtree does not use by name are carried too (attribute values may use them).
        #expect(fragment.contains("xmlns:taxii_11="))
    }

    @Test(arguments: FragmentTests.modes) func fragmentIsStableWhenWrittenAgain(keepsSource: Bool) throws {
        let fragment = try indicator(keepsSource).outerXML()
        let again = try XMLElement.parseFragment(fragment, options: .init(keepsSourceText: keepsSource)).outerXML()
        #expect(again == fragment)
    }

    @Test(arguments: FragmentTests.modes) func innerElementsDoNotRepeatDeclarations(keepsSource: Bool) throws {
        let fragment = try indicator(keepsSource).outerXML()
        // Declared once, on the fragment's root.
        #expect(fragment.components(separatedBy: "xmlns:cybox=").count == 2)
        #expect(fragment.contains("<cybox:Object><Plain>default namespace</Plain></cybox:Object>"))
    }

    @Test(arguments: FragmentTests.modes) func redeclaredPrefixesResolveToTheInnermostBinding(keepsSource: Bool) throws {
        let root = try reader(keepsSource).parse("""
            <p:a xmlns:p="urn:outer"><p:b xmlns:p="urn:inner"><p:c/></p:b></p:a>
            """)
        let c = try #require(root.firstChildElement?.firstChildElement)
        #expect(c.namespaceURI == "urn:inner")
        let fragment = try c.outerXML()
        #expect(fragment == "<p:c xmlns:p=\"urn:inner\"/>")
        #expect(try XMLElement.parseFragment(fragment, options: .init(keepsSourceText: keepsSource)) == c)
    }

    @Test(arguments: FragmentTests.modes) func undeclaredDefaultNamespaceNeedsNothingStandalone(keepsSource: Bool) throws {
        let root = try reader(keepsSource).parse("<r xmlns=\"urn:d\"><x xmlns=\"\"><y/></x></r>")
        let y = try #require(root.firstChildElement?.firstChildElement)
        #expect(y.namespaceURI == nil)
        #expect(try y.outerXML() == "<y/>")
        // Moved under a default namespace, it declares that it has none.
        var host = XMLElement("host", namespaceURI: "urn:h")
        host.children = [.element(y)]
        let written = try host.outerXML()
        #expect(written == "<host xmlns=\"urn:h\"><y xmlns=\"\"/></host>")
        #expect(try XMLElement.parseFragment(written, options: .init(keepsSourceText: keepsSource)) == host)
    }

    @Test(arguments: FragmentTests.modes) func subtreeFromNoDefaultNamespaceMovedUnderOne(keepsSource: Bool) throws {
        let root = try reader(keepsSource).parse("<p:a xmlns:p=\"urn:p\"><b><p:c/></b></p:a>")
        let b = try #require(root.firstChildElement)
        #expect(b.namespaceURI == nil)
        let host = XMLElement("host", namespaceURI: "urn:h", children: [.element(b)])
        let written = try host.outerXML()
        let reparsed = try XMLElement.parseFragment(written)
        #expect(reparsed == host)
        #expect(reparsed.firstChildElement?.namespaceURI == nil)
        #expect(reparsed.firstChildElement?.firstChildElement?.namespaceURI == "urn:p")
    }

    @Test(arguments: FragmentTests.modes) func changedAndUnchangedSiblingsUnderADefaultNamespace(keepsSource: Bool) throws {
        let parsed = try reader(keepsSource).parse("<p:a xmlns:p='urn:p'><b><c/></b><b><c/></b></p:a>")
        var changed = parsed.childElements[0]
        changed.setAttribute("x", to: "1")
        let unchanged = parsed.childElements[1]
        let host = XMLElement("host", namespaceURI: "urn:h", children: [.element(changed), .element(unchanged)])
        let reparsed = try XMLElement.parseFragment(host.outerXML())
        #expect(reparsed == host)
        #expect(reparsed.childElements.map { $0.firstChildElement?.namespaceURI } == [nil, nil])
    }

    @Test(arguments: FragmentTests.modes) func subtreeMovedIntoAnotherDocumentKeepsItsBindings(keepsSource: Bool) throws {
        let original = try indicator(keepsSource)
        // A TAXII message built in code, with the parsed subtree as a child.
        let message = XMLElement(
            "Content", namespaceURI: "urn:other", prefix: "stix",  // same prefix, different namespace
            children: [.element(original)]
        )
        let written = try message.outerXML()
        let reparsed = try XMLElement.parseFragment(written, options: .init(keepsSourceText: keepsSource))
        #expect(reparsed == message)
        #expect(reparsed.firstChildElement?.namespaceURI == "http://stix.mitre.org/stix-1")
    }

    @Test(arguments: FragmentTests.modes) func everyElementOfALargeDocumentRoundTripsAlone(keepsSource: Bool) throws {
        let root = try reader(keepsSource).parse(Support.fixtureText("poll_response.xml"))
        var checked = 0
        func visit(_ element: XMLElement) throws {
            let reparsed = try XMLElement.parseFragment(element.outerXML(), options: .init(keepsSourceText: keepsSource))
            #expect(reparsed == element)
            checked += 1
            for child in element.childElements { try visit(child) }
        }
        try visit(root)
        #expect(checked > 200)
    }
}

import BastionXML
import Testing
@testable import TAXII

/// Hostile XML at the TAXII level: every form is refused with a typed error,
/// by parsing, by validation and in content blocks.
@Suite("Hostile XML refused at the TAXII level")
struct TAXIIHostileInputTests {
    static let inbox = "<t:Inbox_Message xmlns:t=\"http://taxii.mitre.org/messages/taxii_xml_binding-1.1\" message_id=\"1\">"

    struct Case: Sendable, CustomStringConvertible {
        var description: String
        var xml: String
        var kind: XMLErrorKindName
    }

    enum XMLErrorKindName: String, Sendable { case entityDeclaration, externalDTD, tooDeep, documentTooLarge, malformed }

    static let cases: [Case] = [
        .init(description: "XXE (external entity)", xml: """
            <!DOCTYPE m [<!ENTITY x SYSTEM "file:///etc/passwd">]>\(inbox)<t:Message>&x;</t:Message></t:Inbox_Message>
            """, kind: .entityDeclaration),
        .init(description: "billion laughs", xml: """
            <!DOCTYPE m [<!ENTITY a "lol"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>\(inbox)<t:Message>&c;</t:Message></t:Inbox_Message>
            """, kind: .entityDeclaration),
        .init(description: "external DTD", xml: """
            <!DOCTYPE m SYSTEM "http://attacker.example/evil.dtd">\(inbox)</t:Inbox_Message>
            """, kind: .externalDTD),
        .init(description: "nesting deeper than the limit inside a content block", xml: """
            \(inbox)<t:Content_Block><t:Content_Binding binding_id="urn:x"/><t:Content>\(String(repeating: "<d>", count: 300))\(String(repeating: "</d>", count: 300))</t:Content></t:Content_Block></t:Inbox_Message>
            """, kind: .tooDeep),
        .init(description: "larger than the size limit", xml: inbox + "<t:Message>" + String(repeating: "A", count: 10 * 1024 * 1024 + 1) + "</t:Message></t:Inbox_Message>", kind: .documentTooLarge),
        .init(description: "malformed (mismatched tag)", xml: "\(inbox)\n<t:Message>x</t:Mesage>\n</t:Inbox_Message>", kind: .malformed),
    ]

    @Test("refused by parse and by validate with the XML error kind", arguments: cases)
    func refused(_ testCase: Case) {
        let error = #expect(throws: TAXIIError.self) { try TAXII.message(fromXML: testCase.xml) }
        #expect(error?.kind == .malformedXML)
        #expect(error?.xmlError?.kind.rawValue == testCase.kind.rawValue, "\(error?.description ?? "")")
        let errors = TAXII.validate(xml: testCase.xml)
        #expect(errors.count == 1)
        #expect(errors.first?.xmlError?.kind.rawValue == testCase.kind.rawValue)
    }

    @Test("malformed XML names line and column")
    func lineAndColumn() {
        let error = #expect(throws: TAXIIError.self) { try TAXII.message(fromXML: "\(Self.inbox)\n<t:Message>x</t:Mesage>\n</t:Inbox_Message>") }
        #expect(error?.xmlError?.line == 2)
        #expect((error?.xmlError?.column ?? 0) > 0)
        #expect(error?.description.contains("2") == true)
    }

    @Test("a TAXII 1.0 message with an entity is refused too")
    func taxii10() {
        let xml = """
            <!DOCTYPE m [<!ENTITY e "x">]><taxii:Discovery_Request xmlns:taxii="http://taxii.mitre.org/messages/taxii_xml_binding-1" message_id="&e;"/>
            """
        let error = #expect(throws: TAXIIError.self) { try TAXII10.DiscoveryRequest(xml: xml) }
        #expect(error?.xmlError?.kind == .entityDeclaration)
    }
}

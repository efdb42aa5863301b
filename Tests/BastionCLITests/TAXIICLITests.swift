import Foundation
import Testing

/// The TAXII fixtures of the TAXII tests, read from the source tree.
private func taxiiFixture(_ path: String) -> URL {
    CLI.repositoryRoot.appendingPathComponent("Tests/TAXIITests/Fixtures").appendingPathComponent(path)
}

@Suite("bastion taxii validate")
struct TAXIIValidateCLITests {
    @Test("valid messages of both versions: exit 0, version and type named")
    func valid() throws {
        let v11 = taxiiFixture("valid/poll_response_stix.xml").path
        let v10 = taxiiFixture("valid10/feed_information_response.xml").path
        let result = try CLI.run(["taxii", "validate", v11, v10])
        #expect(result.status == 0, "\(result.error)")
        #expect(result.output == "\(v11): valid TAXII 1.1 Poll_Response\n\(v10): valid TAXII 1.0 Feed_Information_Response\n")
    }

    @Test("an invalid message: exit 1, every error with its path")
    func invalid() throws {
        let bad = taxiiFixture("multiple/poll_response_many_errors.xml").path
        let result = try CLI.run(["taxii", "validate", bad])
        #expect(result.status == 1)
        #expect(result.output.hasPrefix("\(bad): invalid: 9 error(s)\n"))
        #expect(result.output.contains("  Poll_Response@in_response_to: required attribute \"in_response_to\" is missing (missingAttribute)\n"))
        #expect(result.output.contains("  Poll_Response/Bogus: "))
    }

    @Test("standard input with -, and --json")
    func standardInputJSON() throws {
        let xml = try Data(contentsOf: taxiiFixture("invalid/v10_status_bad_type.xml"))
        let result = try CLI.run(["taxii", "validate", "--json", "-"], input: xml)
        #expect(result.status == 1)
        let report = try #require(try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [[String: Any]])
        #expect(report.count == 1)
        #expect(report[0]["file"] as? String == "-")
        #expect(report[0]["valid"] as? Bool == false)
        let errors = try #require(report[0]["errors"] as? [[String: Any]])
        #expect(errors.first?["path"] as? String == "Status_Message@status_type")
    }

    @Test("--xsd: a schema importing XML-DSig by URL is answered locally; schema findings are reported")
    func xsd() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(UUID().uuidString)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let schema = directory.appendingPathComponent("status.xsd")
        try Data("""
            <xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:ds="http://www.w3.org/2000/09/xmldsig#"
                targetNamespace="http://taxii.mitre.org/messages/taxii_xml_binding-1" elementFormDefault="qualified">
              <xs:import namespace="http://www.w3.org/2000/09/xmldsig#" schemaLocation="http://www.w3.org/TR/xmldsig-core/xmldsig-core-schema.xsd"/>
              <xs:element name="Status_Message">
                <xs:complexType>
                  <xs:sequence>
                    <xs:any namespace="##targetNamespace" processContents="skip" minOccurs="0" maxOccurs="unbounded"/>
                    <xs:element ref="ds:Signature" minOccurs="0"/>
                  </xs:sequence>
                  <xs:attribute name="message_id" type="xs:positiveInteger" use="required"/>
                  <xs:anyAttribute processContents="skip"/>
                </xs:complexType>
              </xs:element>
            </xs:schema>
            """.utf8).write(to: schema)
        let signed = taxiiFixture("valid10/status_signed.xml").path
        let ok = try CLI.run(["taxii", "validate", "--xsd", schema.path, signed])
        #expect(ok.status == 0, "\(ok.output)\(ok.error)")
        let zero = try CLI.temporaryFile("""
            <taxii:Status_Message xmlns:taxii="http://taxii.mitre.org/messages/taxii_xml_binding-1" message_id="0" in_response_to="1" status_type="SUCCESS"/>
            """, name: UUID().uuidString + ".xml")
        let refused = try CLI.run(["taxii", "validate", "--xsd", schema.path, zero.path])
        #expect(refused.status == 1)
        #expect(refused.output.contains("xsd: "))
    }

    @Test("an unreadable file: exit 1")
    func unreadable() throws {
        let result = try CLI.run(["taxii", "validate", "/nonexistent/message.xml"])
        #expect(result.status == 1)
        #expect(result.output.hasPrefix("/nonexistent/message.xml: unreadable: "))
    }
}

@Suite("bastion taxii convert")
struct TAXIIConvertCLITests {
    @Test("XML → JSON → XML gives the same message")
    func jsonRoundTrip() throws {
        let fixture = taxiiFixture("valid10/poll_response.xml").path
        let json = try CLI.run(["taxii", "convert", fixture, "--to", "json"])
        #expect(json.status == 0, "\(json.error)")
        #expect(json.output.contains("\"feed_name\": \"default\""))
        #expect(json.output.contains("\"content_is_xml\": true"))
        let file = try CLI.temporaryFile(json.output)
        let back = try CLI.run(["taxii", "convert", file.path, "--version", "1.0", "--to", "xml"])
        #expect(back.status == 0, "\(back.error)")
        let original = try CLI.run(["taxii", "convert", fixture, "--to", "xml"])
        #expect(back.output == original.output)
    }

    @Test("--to text prints libtaxii's layout")
    func text() throws {
        let result = try CLI.run(["taxii", "convert", taxiiFixture("valid/status_pending.xml").path, "--to", "text"])
        #expect(result.status == 0)
        #expect(result.output == """
            Message Type: Status_Message
            Message ID: 12; In Response To: 7
            Status Type: PENDING
            Status Detail: ESTIMATED_WAIT = 60
            Status Detail: RESULT_ID = res-2
            Status Detail: WILL_PUSH = False

            """)
    }

    @Test("a message that does not parse: exit 1 and the error with its path")
    func refused() throws {
        let result = try CLI.run(["taxii", "convert", taxiiFixture("invalid/poll_request_bad_timestamp.xml").path, "--to", "json"])
        #expect(result.status != 0)
        #expect(result.error.contains("Poll_Request/Exclusive_Begin_Timestamp"))
    }
}

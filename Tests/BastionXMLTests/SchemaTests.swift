import Foundation
import Testing
@testable import BastionXML

/// XSD validation with libxml2's schemas, from local files only.
@Suite struct SchemaTests {
    @Test("file: URLs name local paths; other schemes and hosts do not", arguments: [
        ("file:///srv/xsd/a.xsd", "/srv/xsd/a.xsd"), ("file://localhost/srv/a.xsd", "/srv/a.xsd"), ("file:/srv/a.xsd", "/srv/a.xsd"),
        ("FILE:///srv/a.xsd#frag", "/srv/a.xsd"), ("schemas/a.xsd", "schemas/a.xsd"), ("/srv/a.xsd", "/srv/a.xsd"), (#"C:\x.xsd"#, #"C:\x.xsd"#),
        ("file://files.example.com/a.xsd", nil), ("http://127.0.0.1/a.xsd", nil), ("ftp://x/a.xsd", nil), ("file:relative.xsd", nil),
    ] as [(String, String?)])
    func localPaths(_ url: String, _ expected: String?) {
        #expect(ResourceLoader.localPath(url) == expected)
    }

    static let valid = """
        <?xml version="1.0" encoding="UTF-8"?>
        <Order xmlns="urn:bastion:test:order" id="o1">
          <Item sku="A-1">
            <Name>Widget</Name>
            <Quantity>2</Quantity>
          </Item>
        </Order>
        """

    static let invalid = """
        <?xml version="1.0" encoding="UTF-8"?>
        <Order xmlns="urn:bastion:test:order" id="o1">
          <Item sku="A-1">
            <Name>Widget</Name>
            <Quantity>2</Quantity>
          </Item>
          <Item>
            <Name>Gadget</Name>
            <Quantity>lots</Quantity>
          </Item>
        </Order>
        """

    @Test func validDocumentHasNoFindings() throws {
        let schema = try XMLSchema(contentsOfFile: Support.fixture("schema/order.xsd").path)
        #expect(try schema.validate(Self.valid).isEmpty)
        #expect(try schema.validate(bytes: Array(Self.valid.utf8)).isEmpty)
        #expect(try schema.validate(XMLReader().parse(Self.valid)).isEmpty)
    }

    @Test func invalidDocumentListsFindingsWithLines() throws {
        let schema = try XMLSchema(contentsOfFile: Support.fixture("schema/order.xsd").path)
        let findings = try schema.validate(Self.invalid)
        #expect(findings.count == 2)
        #expect(findings.allSatisfy { $0.kind == .invalid })
        let missingAttribute = try #require(findings.first)
        #expect(missingAttribute.line == 7)
        #expect(missingAttribute.message.contains("sku"))
        let badNumber = try #require(findings.last)
        #expect(badNumber.line == 9)
        #expect(badNumber.message.contains("lots"))
        #expect(badNumber.path == "/Order/Item[2]/Quantity")
        #expect(missingAttribute.path == "/Order/Item[2]")
    }

    @Test func malformedDocumentThrowsInsteadOfValidating() throws {
        let schema = try XMLSchema(contentsOfFile: Support.fixture("schema/order.xsd").path)
        let error = #expect(throws: XMLError.self) { try schema.validate("<Order><Item></Order>") }
        #expect(error?.kind == .malformed)
    }

    @Test func importByURLIsResolvedLocally() throws {
        let schema = try XMLSchema(
            contentsOfFile: Support.fixture("schema/envelope.xsd").path,
            localResources: ["http://schemas.example.com/parts.xsd": Support.fixture("schema/parts.xsd").path]
        )
        let valid = """
            <e:Envelope xmlns:e="urn:bastion:test:envelope" xmlns:p="urn:bastion:test:parts"><p:Part>x</p:Part></e:Envelope>
            """
        #expect(try schema.validate(valid).isEmpty)
        let invalid = """
            <e:Envelope xmlns:e="urn:bastion:test:envelope" xmlns:p="urn:bastion:test:parts">
            <p:Wrong/></e:Envelope>
            """
        let findings = try schema.validate(invalid)
        #expect(findings.first?.line == 2)
    }

    @Test func importByURLIsNeverFetched() throws {
        // Unmapped: refused, not fetched.
        let unmapped = #expect(throws: XMLError.self) {
            try XMLSchema(contentsOfFile: Support.fixture("schema/envelope.xsd").path)
        }
        #expect(unmapped?.kind == .networkAccessRefused)
        #expect(unmapped?.message.contains("http://schemas.example.com/parts.xsd") == true)

        // And nothing connects to a listener the import points at.
        let trap = try LoopbackTrap()
        let directory = try Support.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let main = directory.appendingPathComponent("main.xsd")
        try """
            <xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="urn:m">
              <xs:import namespace="urn:r" schemaLocation="http://127.0.0.1:\(trap.port)/r.xsd"/>
              <xs:include schemaLocation="http://127.0.0.1:\(trap.port)/i.xsd"/>
            </xs:schema>
            """.write(to: main, atomically: true, encoding: .utf8)
        let refused = #expect(throws: XMLError.self) { try XMLSchema(contentsOfFile: main.path) }
        #expect(refused?.kind == .networkAccessRefused)
        #expect(!trap.connectionAttempted)
    }

    @Test func schemaFilesAreReadWithTheSameHardening() throws {
        let directory = try Support.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let (path, secret) = try Support.secretFile(in: directory)
        let main = directory.appendingPathComponent("xxe.xsd")
        try """
            <!DOCTYPE xs:schema [<!ENTITY secret SYSTEM "file://\(path)">]>
            <xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">
              <xs:element name="a" fixed="&secret;"/>
            </xs:schema>
            """.write(to: main, atomically: true, encoding: .utf8)
        let error = #expect(throws: XMLError.self) { try XMLSchema(contentsOfFile: main.path) }
        #expect(error?.kind == .entityDeclaration)
        #expect(error?.description.contains(secret) == false)

        // A local include that declares entities is refused the same way.
        let included = directory.appendingPathComponent("included.xsd")
        try """
            <!DOCTYPE xs:schema [<!ENTITY secret SYSTEM "file://\(path)">]>
            <xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema"><xs:element name="b" fixed="&secret;"/></xs:schema>
            """.write(to: included, atomically: true, encoding: .utf8)
        let including = directory.appendingPathComponent("including.xsd")
        try """
            <xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema"><xs:include schemaLocation="included.xsd"/></xs:schema>
            """.write(to: including, atomically: true, encoding: .utf8)
        let viaInclude = #expect(throws: XMLError.self) { try XMLSchema(contentsOfFile: including.path) }
        #expect(viaInclude?.kind == .entityDeclaration)
        #expect(viaInclude?.description.contains(secret) == false)
    }

    @Test func relativeIncludesResolveInDirectoriesWithSpaces() throws {
        let parent = try Support.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: parent) }
        let directory = parent.appendingPathComponent("with space")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try #"<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema"><xs:include schemaLocation="part.xsd"/></xs:schema>"#
            .write(to: directory.appendingPathComponent("main.xsd"), atomically: true, encoding: .utf8)
        try #"<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema"><xs:element name="n" type="xs:int"/></xs:schema>"#
            .write(to: directory.appendingPathComponent("part.xsd"), atomically: true, encoding: .utf8)
        let schema = try XMLSchema(contentsOfFile: directory.appendingPathComponent("main.xsd").path)
        #expect(try schema.validate("<n>1</n>").isEmpty)
        #expect(try schema.validate("<n>one</n>").count == 1)
    }

    @Test func brokenSchemaIsAnError() throws {
        let directory = try Support.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let broken = directory.appendingPathComponent("broken.xsd")
        try """
            <xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">
              <xs:element name="a" type="xs:noSuchType"/>
            </xs:schema>
            """.write(to: broken, atomically: true, encoding: .utf8)
        let error = #expect(throws: XMLError.self) { try XMLSchema(contentsOfFile: broken.path) }
        #expect(error?.kind == .schema)
        #expect(error?.line == 2)

        let missing = #expect(throws: XMLError.self) {
            try XMLSchema(contentsOfFile: directory.appendingPathComponent("missing.xsd").path)
        }
        #expect(missing?.kind == .io)
    }

    @Test func schemaIsUsableFromManyTasks() async throws {
        let schema = try XMLSchema(contentsOfFile: Support.fixture("schema/order.xsd").path)
        let counts = await withTaskGroup(of: Int.self) { group in
            for index in 0..<16 {
                group.addTask {
                    let findings = (try? schema.validate(index.isMultiple(of: 2) ? Self.valid : Self.invalid)) ?? []
                    return findings.count
                }
            }
            var all: [Int] = []
            for await count in group { all.append(count) }
            return all
        }
        #expect(counts.sorted() == Array(repeating: 0, count: 8) + Array(repeating: 2, count: 8))
    }
}

import ArgumentParser
import BastionXML
import Foundation
import TAXII

/// `bastion taxii validate FILE… [--xsd FILE] [--json]`
struct TAXIIValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check TAXII messages (1.1 or 1.0, told by the root element's namespace) and report every structural error.",
        discussion: """
        Each FILE holds one TAXII message as XML. Validation is Bastion's own, written from the TAXII 1.1
        and 1.0 XML message bindings: missing elements and attributes, values outside an enumeration,
        timestamps without a timezone, wrong cardinality, elements out of order, status details a status
        type requires. Every error is printed with its element path:
          Poll_Response/Content_Block[2]/Content_Binding@binding_id: required attribute "binding_id" is missing (missingAttribute)
        The XML is read hardened: no network, no DTD loading, documents declaring entities are refused.

        --xsd FILE also validates against an XML Schema you supply (libxml2). Schemas are read from local
        files only. The TAXII schemas import XML-DSig (http://www.w3.org/TR/xmldsig-core/xmldsig-core-schema.xsd,
        or xmldsig-core-schema.xsd beside them); the W3C file declares entities, which the hardened reader
        refuses, so Bastion answers that import with a built-in stand-in declaring ds:Signature with any
        content (signatures are kept, not checked). Map an import to a file of your own with
        --xsd-import LOCATION=FILE, LOCATION exactly as the schema's schemaLocation resolves.

        Exit status: 0 when every message is valid, 1 when any is invalid or unreadable.
        """
    )

    @Argument(help: ArgumentHelp("The files to check; - reads standard input.", valueName: "file"))
    var files: [String]

    @Option(help: ArgumentHelp("Also validate against this XML Schema.", valueName: "file"))
    var xsd: String?

    @Option(name: .customLong("xsd-import"), help: ArgumentHelp("Answer a schema import with a local file.", valueName: "location=file"))
    var xsdImports: [String] = []

    @Flag(help: "Print the results as JSON, one object per file.")
    var json = false

    func run() throws {
        let schema = try xsd.map { try Self.loadSchema($0, imports: xsdImports) }
        var report: [TAXII.DictionaryValue] = []
        var allValid = true
        for file in files {
            let outcome = Self.check(file, schema: schema)
            if !outcome.isValid { allValid = false }
            if json { report.append(outcome.json) } else { print(outcome.text, terminator: "") }
        }
        if json { print(TAXII.DictionaryValue.list(report).json(prettyPrinted: true)) }
        if !allValid { throw ExitCode(1) }
    }

    struct Outcome {
        let file: String
        var kind: String?
        var errors: [TAXIIError] = []
        var schemaFindings: [XMLError] = []
        var unreadable: String?

        var isValid: Bool { unreadable == nil && errors.isEmpty && schemaFindings.isEmpty }

        var text: String {
            if let unreadable { return "\(file): unreadable: \(unreadable)\n" }
            if isValid { return "\(file): valid \(kind ?? "TAXII message")\n" }
            var result = "\(file): invalid: \(errors.count + schemaFindings.count) error(s)\n"
            for error in errors {
                result += "  \(error.path.isEmpty ? "" : error.path + ": ")\(error.message) (\(error.kind.rawValue))\n"
            }
            for finding in schemaFindings {
                result += "  xsd: \(finding.description)\n"
            }
            return result
        }

        var json: TAXII.DictionaryValue {
            var object: [String: TAXII.DictionaryValue] = ["file": .string(file), "valid": .bool(isValid)]
            if let kind { object["message"] = .string(kind) }
            if let unreadable { object["unreadable"] = .string(unreadable) }
            object["errors"] = .list(errors.map { error in
                ["kind": .string(error.kind.rawValue), "path": .string(error.path), "message": .string(error.message)]
            })
            object["xsd_errors"] = .list(schemaFindings.map { finding in
                ["line": finding.line.map { .integer($0) } ?? .null, "message": .string(finding.message)]
            })
            return .dictionary(object)
        }
    }

    static func check(_ file: String, schema: XMLSchema?) -> Outcome {
        var outcome = Outcome(file: file)
        let bytes: [UInt8]
        do {
            bytes = try TAXIIConvertCommand.read(file)
        } catch {
            outcome.unreadable = "\(error)"
            return outcome
        }
        outcome.errors = TAXII.validate(xml: bytes)
        if outcome.errors.isEmpty, let message = try? TAXII.message(fromXML: bytes) {
            outcome.kind = "TAXII \(message.version.rawValue) \(message.messageType.rawValue)"
        }
        if let schema {
            do {
                outcome.schemaFindings = try schema.validate(bytes: bytes)
            } catch {
                if outcome.errors.isEmpty { outcome.schemaFindings = [error] }
            }
        }
        return outcome
    }

    /// The XML-DSig schema location the TAXII schemas import.
    static let xmlDSigLocation = "http://www.w3.org/TR/xmldsig-core/xmldsig-core-schema.xsd"

    /// An entity-free stand-in for XML-DSig: `ds:Signature` with any content.
    static let xmlDSigStandIn = """
        <?xml version="1.0" encoding="UTF-8"?>
        <xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="http://www.w3.org/2000/09/xmldsig#" elementFormDefault="qualified">
          <xs:element name="Signature">
            <xs:complexType>
              <xs:sequence><xs:any processContents="skip" namespace="##any" minOccurs="0" maxOccurs="unbounded"/></xs:sequence>
              <xs:anyAttribute processContents="skip"/>
            </xs:complexType>
          </xs:element>
        </xs:schema>
        """

    static func loadSchema(_ path: String, imports: [String]) throws -> XMLSchema {
        let url = URL(fileURLWithPath: path)
        let standIn = FileManager.default.temporaryDirectory.appendingPathComponent("bastion-xmldsig-\(getpid()).xsd")
        try Data(xmlDSigStandIn.utf8).write(to: standIn)
        defer { try? FileManager.default.removeItem(at: standIn) }
        let sibling = url.deletingLastPathComponent().appendingPathComponent("xmldsig-core-schema.xsd")
        var resources = [xmlDSigLocation: standIn.path, sibling.path: standIn.path, sibling.absoluteString: standIn.path]
        for mapping in imports {
            guard let separator = mapping.lastIndex(of: "=") else {
                throw ValidationError("--xsd-import takes LOCATION=FILE, found \"\(mapping)\"")
            }
            resources[String(mapping[..<separator])] = String(mapping[mapping.index(after: separator)...])
        }
        do {
            return try XMLSchema(contentsOfFile: url.path, localResources: resources)
        } catch {
            throw CLIError("cannot use the schema \(path): \(error)")
        }
    }
}

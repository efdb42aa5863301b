import Foundation
import TAXII
import TAXIIClient
import TestSupport
import Testing

@Suite("ContentBlockFiles: libtaxii's file names, write modes")
struct ContentBlockFilesTests {
    let label = TAXII.Timestamp("2026-12-05T10:11:12.345678Z")!

    @Test("a STIX block: collection, format, t + label with _ for punctuation, .xml")
    func stixName() {
        let block = ContentBlockFiles.Block(bindingID: TAXII.ContentBindingID.stixXML111, content: "<x/>", timestampLabel: label)
        #expect(ContentBlockFiles.fileName(collection: "default", block: block) == "default_STIX111_t2026_12_05T10_11_12_345678_00_00.xml")
    }

    @Test("another binding: no format, no extension; a collection name cannot leave the directory")
    func otherBindingAndHostileName() {
        let block = ContentBlockFiles.Block(bindingID: "urn:example:text", content: "x", timestampLabel: label)
        let name = ContentBlockFiles.fileName(collection: "../../etc/passwd", block: block)
        #expect(!name.contains("/"))
        #expect(name.hasPrefix("_.._etc_passwd"))
        #expect(!name.hasSuffix(".xml"))
    }

    @Test("blocks with the same name in one run get -2, -3; clobber reports an overwrite; skip and none write nothing")
    func modes() throws {
        let directory = try TemporaryDirectory()
        let folder = directory.path + "/new/blocks"
        var lines: [String] = []
        var files = ContentBlockFiles(directory: folder, mode: .clobber, report: { lines.append($0) })
        let block = ContentBlockFiles.Block(bindingID: TAXII.ContentBindingID.stixXML12, content: "<a/>", timestampLabel: label)
        try files.write([block, block, block], collection: "c")
        let names = try FileManager.default.contentsOfDirectory(atPath: folder).sorted()
        #expect(names == ["c_STIX12_t2026_12_05T10_11_12_345678_00_00-2.xml", "c_STIX12_t2026_12_05T10_11_12_345678_00_00-3.xml", "c_STIX12_t2026_12_05T10_11_12_345678_00_00.xml"])
        #expect(lines.allSatisfy { $0.hasPrefix("File created: ") })

        var again = ContentBlockFiles(directory: folder, mode: .clobber, report: { lines.append($0) })
        try again.write([ContentBlockFiles.Block(bindingID: block.bindingID, content: "<b/>", timestampLabel: label)], collection: "c")
        #expect(lines.last?.hasPrefix("File overwritten: ") == true)
        #expect(try String(contentsOfFile: folder + "/" + names[2], encoding: .utf8) == "<b/>")

        var skipping = ContentBlockFiles(directory: folder, mode: .skip, report: { lines.append($0) })
        try skipping.write([ContentBlockFiles.Block(bindingID: block.bindingID, content: "<c/>", timestampLabel: label)], collection: "c")
        #expect(lines.last?.hasPrefix("File write skipped: ") == true)
        #expect(try String(contentsOfFile: folder + "/" + names[2], encoding: .utf8) == "<b/>")

        var none = ContentBlockFiles(directory: folder, mode: .none, report: { lines.append($0) })
        try none.write([ContentBlockFiles.Block(bindingID: block.bindingID, content: "<d/>", timestampLabel: TAXII.Timestamp("2027-01-01T00:00:00Z"))], collection: "c")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder).count == 3)
    }

    @Test("write(reply): the blocks of a Poll Response of either version; other messages write nothing")
    func fromReplies() throws {
        let directory = try TemporaryDirectory()
        var files = ContentBlockFiles(directory: directory.path)
        let poll11 = TAXII11.PollResponse(
            inResponseTo: "1", collectionName: "c11",
            contentBlocks: [TAXII11.ContentBlock(contentBinding: .init(TAXII.ContentBindingID.stixXML111), content: .text("one"), timestampLabel: label)]
        )
        try files.write(.taxii11(.pollResponse(poll11)))
        let poll10 = TAXII10.PollResponse(
            inResponseTo: "1", feedName: "f10", inclusiveEndTimestamp: label,
            contentBlocks: [TAXII10.ContentBlock(contentBinding: TAXII.ContentBindingID.stixXML10, content: .text("two"), timestampLabel: label)]
        )
        try files.write(.taxii10(.pollResponse(poll10)))
        try files.write(.taxii11(.statusMessage(TAXII11.StatusMessage(inResponseTo: "1", statusType: .success))))
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
        #expect(names.count == 2)
        #expect(names.first?.hasPrefix("c11_STIX111_t") == true)
        #expect(names.last?.hasPrefix("f10_STIX10_t") == true)
    }

    @Test("a directory that cannot be made: a WriteError naming the path")
    func unwritable() throws {
        let directory = try TemporaryDirectory()
        #expect(FileManager.default.createFile(atPath: directory.path + "/file", contents: Data()))
        var files = ContentBlockFiles(directory: directory.path + "/file/sub")
        #expect(throws: ContentBlockFiles.WriteError.self) {
            try files.write([ContentBlockFiles.Block(bindingID: "b", content: "x", timestampLabel: label)], collection: "c")
        }
    }
}

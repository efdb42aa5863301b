import Foundation
import OpenC2
import OpenC2SLPF
import Testing

/// Runs the built `bastion` executable.
struct CLI {
    static var executable: URL {
        // Test bundles and executables are built into the same products directory.
        var directory = Bundle.main.bundleURL
        if directory.pathExtension == "xctest" { directory.deleteLastPathComponent() }
        return directory.appendingPathComponent("bastion")
    }

    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    struct Result {
        let status: Int32
        let output: String
        let error: String
    }

    /// Runs `bastion arguments`, behind `prefix` when given (`nsenter … --` for a namespace).
    static func run(_ arguments: [String], input: Data? = nil, prefix: [String] = []) throws -> Result {
        let process = try process(arguments, prefix: prefix)
        let output = Pipe()
        let error = Pipe()
        let stdin = Pipe()
        process.standardOutput = output
        process.standardError = error
        process.standardInput = stdin
        try process.run()
        if let input { stdin.fileHandleForWriting.write(input) }
        try stdin.fileHandleForWriting.close()
        let outputData = output.fileHandleForReading.readDataToEndOfFile()
        let errorData = error.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, output: String(decoding: outputData, as: UTF8.self), error: String(decoding: errorData, as: UTF8.self))
    }

    /// A process that runs `bastion arguments` behind `prefix`, not started.
    static func process(_ arguments: [String], prefix: [String] = []) throws -> Foundation.Process {
        let process = Foundation.Process()
        guard let program = prefix.first else {
            process.executableURL = executable
            process.arguments = arguments
            return process
        }
        let path = ["/usr/bin", "/bin", "/usr/sbin", "/sbin"].map { "\($0)/\(program)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
        guard let path else { throw CLIToolMissing(description: "\(program) is required for this test") }
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = Array(prefix.dropFirst()) + [executable.path] + arguments
        return process
    }

    struct CLIToolMissing: Error, CustomStringConvertible { let description: String }

    static func temporaryFile(_ contents: String, name: String = UUID().uuidString + ".json") throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent(name)
        try Data(contents.utf8).write(to: url)
        return url
    }
}

@Suite("bastion openc2 validate")
struct ValidateCLITests {
    @Test("valid documents of each kind: exit 0 and the kind named")
    func valid() throws {
        let command = try CLI.temporaryFile(#"{"action":"deny","target":{"ipv4_net":"198.51.100.0/24"}}"#)
        let response = try CLI.temporaryFile(#"{"status":200,"results":{"slpf":{"rule_number":3}}}"#)
        let message = try CLI.temporaryFile(#"{"headers":{"request_id":"r1"},"body":{"openc2":{"response":{"status":102}}}}"#)
        let result = try CLI.run(["openc2", "validate", command.path, response.path, message.path])
        #expect(result.status == 0, "\(result.error)")
        #expect(result.output == "\(command.path): valid Command\n\(response.path): valid Response\n\(message.path): valid Message\n")
    }

    @Test("an invalid document: exit 1, the rule and the JSON path")
    func invalid() throws {
        let bad = try CLI.temporaryFile(#"{"action":"deny","target":{"ipv4_net":"10.0.0.0/33"}}"#)
        let good = try CLI.temporaryFile(#"{"status":200}"#)
        let result = try CLI.run(["openc2", "validate", good.path, bad.path])
        #expect(result.status == 1)
        #expect(result.output.contains("\(good.path): valid Response"))
        #expect(result.output.contains("\(bad.path): invalid: target.ipv4_net: prefix 33 is out of range 0…32 (out-of-range)"))
    }

    @Test("standard input with -")
    func standardInput() throws {
        let result = try CLI.run(["openc2", "validate", "-"], input: Data(#"{"action":"query","target":{"features":[]},"args":{}}"#.utf8))
        #expect(result.status == 1)
        #expect(result.output == "-: invalid: args: Args must contain at least one property (empty)\n")
    }

    @Test("--json reports each file as an object")
    func jsonOutput() throws {
        let bad = try CLI.temporaryFile(#"{"action":"deny","action":"allow","target":{"ipv4_net":"10.0.0.1"}}"#)
        let result = try CLI.run(["openc2", "validate", "--json", bad.path, "/nonexistent/file.json"])
        #expect(result.status == 1)
        guard case .array(let items) = try JSONParser().parse(result.output), items.count == 2,
              case .object(let first) = items[0], case .object(let second) = items[1],
              case .object(let error)? = first["error"]
        else {
            Issue.record("unexpected output: \(result.output)")
            return
        }
        #expect(first["valid"] == .bool(false))
        #expect(error["code"] == .string("duplicate-key"))
        #expect(error["path"] == .string("action"))
        #expect(second["file"] == .string("/nonexistent/file.json"))
        if case .object(let unreadable)? = second["error"] {
            #expect(unreadable["code"] == .string("unreadable"))
        } else {
            Issue.record("no error for a missing file")
        }
    }

    @Test("no file named: a usage error")
    func noFiles() throws {
        let result = try CLI.run(["openc2", "validate"])
        #expect(result.status != 0)
        #expect(result.error.contains("Missing expected argument"))
    }
}

@Suite("bastion openc2 example")
struct ExampleCLITests {
    @Test("each example prints a document that validates", arguments: ExampleCatalog.all.map(\.name))
    func printsValidExample(name: String) throws {
        let result = try CLI.run(["openc2", "example", name])
        #expect(result.status == 0)
        let document = try OpenC2Decoder(profiles: [SLPFProfile()]).decode(OpenC2Document.self, from: result.output)
        #expect(document == ExampleCatalog.named(name)?.document)
    }

    @Test("--list names every example")
    func list() throws {
        let result = try CLI.run(["openc2", "example", "--list"])
        #expect(result.status == 0)
        for example in ExampleCatalog.all {
            #expect(result.output.contains(example.name))
        }
    }

    @Test("an unknown name is refused with the list of names")
    func unknown() throws {
        let result = try CLI.run(["openc2", "example", "deny-everything"])
        #expect(result.status != 0)
        #expect(result.error.contains("No example named 'deny-everything'"))
        #expect(result.error.contains("deny-ipv4-net"))
    }

    @Test("the examples shipped in Examples/openc2 are what the catalog prints")
    func shippedExamplesMatch() throws {
        let folder = CLI.repositoryRoot.appendingPathComponent("Examples/openc2")
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".json") }
        #expect(files.count >= 3)
        for file in files {
            let name = String(file.dropLast(5))
            let example = try #require(ExampleCatalog.named(name), "\(file) is not a catalog example")
            let shipped = try String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8)
            #expect(shipped == OpenC2Encoder(prettyPrinted: true).string(example.document) + "\n", "\(file) is out of date: regenerate with bastion openc2 example \(name)")
        }
    }
}

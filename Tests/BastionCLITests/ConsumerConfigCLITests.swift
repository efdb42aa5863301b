import Foundation
import Testing

@Suite("bastion openc2 consumer --config")
struct ConsumerConfigCLITests {
    func write(_ text: String) throws -> URL {
        try CLI.temporaryFile(text, name: UUID().uuidString + ".yaml")
    }

    @Test("settings come from the YAML file and the command line wins")
    func fileAndOverride() throws {
        // The file asks for a port that is taken by nothing in particular; the command line moves it.
        let port = 20_000 + Int.random(in: 0..<20_000)
        let config = try write("""
        host: 127.0.0.1
        port: 1
        testing_http: true
        max_body: 2000
        identity: consumer.example
        """)
        let process = Process()
        process.executableURL = CLI.executable
        process.arguments = ["openc2", "consumer", "--config", config.path, "--port", String(port)]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer { if process.isRunning { process.terminate() } }

        var features: CLI.Result?
        for _ in 0..<50 {
            let attempt = try CLI.run(["openc2", "features", "--to", "http://127.0.0.1:\(port)", "--json", "--timeout", "2"])
            if attempt.status == 0 { features = attempt; break }
            Thread.sleep(forTimeInterval: 0.2)
        }
        let result = try #require(features, "the consumer did not answer on the overriding port")
        #expect(result.output.contains(#""profiles":["slpf"]"#))

        // max_body from the file applies: a body over 2000 bytes is refused.
        let names = (0..<400).map { "\"property-\($0)\"" }.joined(separator: ",")
        let big = try CLI.temporaryFile(#"{"action":"query","target":{"properties":["# + names + "]}}")
        let refused = try CLI.run(["openc2", "send", "--to", "http://127.0.0.1:\(port)", "--file", big.path, "--json"])
        #expect(refused.status == 4)
        #expect(refused.output.contains("2000-byte limit"))

        process.terminate()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
    }

    @Test("an unknown key, a wrong type or broken YAML is refused with the file name", arguments: [
        ("prot: 1\n", "unknown setting 'prot'"),
        ("port: abc\n", "'port' has the wrong type"),
        ("port: [1\n", "is not valid YAML"),
        ("- port\n", "must be a mapping"),
    ])
    func badFiles(text: String, expected: String) throws {
        let file = try write(text)
        let result = try CLI.run(["openc2", "consumer", "--config", file.path])
        #expect(result.status != 0)
        #expect(result.error.contains(file.path))
        #expect(result.error.contains(expected), "\(result.error)")
    }

    @Test("testing HTTP cannot be combined with TLS settings; HTTPS needs a client CA unless told otherwise")
    func combinations() throws {
        let mixed = try write("testing_http: true\ncert: server.pem\n")
        let result = try CLI.run(["openc2", "consumer", "--config", mixed.path])
        #expect(result.status != 0)
        #expect(result.error.contains("cannot be combined"))
        let noCA = try CLI.run(["openc2", "consumer", "--cert", "a.pem", "--key", "b.pem"])
        #expect(noCA.status != 0)
        #expect(noCA.error.contains("Mutual TLS needs --client-ca"))
    }
}

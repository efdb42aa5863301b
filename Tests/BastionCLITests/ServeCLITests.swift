import Foundation
import Testing

@Suite("bastion serve and the Producer commands against it")
struct ServeCLITests {
    /// Starts `bastion serve` on a free port in a fresh directory and returns the process, the
    /// URL it listens on and the lines it printed.
    func startServe(in directory: URL) throws -> (process: Process, url: String, banner: String) {
        let process = Process()
        process.executableURL = CLI.executable
        process.arguments = ["serve", "--dir", directory.appendingPathComponent("pki").path, "--port", "0"]
        process.currentDirectoryURL = directory
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        var banner = ""
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline, !banner.contains("curl ") {
            let data = output.fileHandleForReading.availableData
            if data.isEmpty { break }
            banner += String(decoding: data, as: UTF8.self)
        }
        guard let range = banner.range(of: #"https://127\.0\.0\.1:\d+"#, options: .regularExpression) else {
            process.terminate()
            throw CLIFailure(message: "serve printed no URL: \(banner)")
        }
        return (process, String(banner[range]), banner)
    }

    struct CLIFailure: Error { let message: String }

    @Test("serve makes a PKI with private keys 0600, serves mTLS, and the printed commands work; SIGTERM stops it cleanly")
    func serveEndToEnd() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("bastion-serve-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let (process, url, banner) = try startServe(in: directory)
        defer { if process.isRunning { process.terminate() } }
        let pki = directory.appendingPathComponent("pki").path
        let keyMode = try FileManager.default.attributesOfItem(atPath: pki + "/client-key.pem")[.posixPermissions] as? Int
        #expect(keyMode == 0o600)
        #expect(banner.contains("openc2 features --to \(url)"))

        let tls = ["--ca", pki + "/ca.pem", "--cert", pki + "/client.pem", "--key", pki + "/client-key.pem"]
        let features = try CLI.run(["openc2", "features", "--to", url, "--json"] + tls)
        #expect(features.status == 0, "\(features.error)")
        #expect(features.output.contains(#""versions":["1.0"]"#))
        #expect(features.output.contains(#""pairs":{"query":["features"]}"#))

        let v10 = try CLI.run(["openc2", "features", "--to", url, "--wire", "v1.0", "--json"] + tls)
        #expect(v10.status == 0)

        let deny = try CLI.run(["openc2", "send", "--to", url] + tls + ["deny", "ipv4_net", "198.51.100.0/24"])
        #expect(deny.status == 5, "a Consumer without a firewall answers 501: \(deny.output)")
        #expect(deny.output.contains("Target type not supported"))

        let invalid = try CLI.run(["openc2", "send", "--to", url] + tls + ["deny", "ipv4_net", "198.51.100.0/33"])
        #expect(invalid.status != 0)
        #expect(invalid.error.contains("target.ipv4_net: prefix 33 is out of range 0…32"))

        // Argument options apply to a --file Command too; --actuator addresses a profile.
        let file = directory.appendingPathComponent("query.json")
        try Data(#"{"action":"query","target":{"features":["versions"]}}"#.utf8).write(to: file)
        let silent = try CLI.run(["openc2", "send", "--to", url] + tls + ["--file", file.path, "--response-requested", "none"])
        #expect(silent.status == 0)
        #expect(silent.output.contains("no response body"), "\(silent.output)")
        let addressed = try CLI.run(["openc2", "features", "--to", url, "--actuator", "slpf", "--json"] + tls)
        #expect(addressed.status == 0)

        let noCertificate = try CLI.run(["openc2", "features", "--to", url, "--ca", pki + "/ca.pem", "--timeout", "2"])
        #expect(noCertificate.status == 3, "without a client certificate there is no reply: \(noCertificate.output)")

        process.terminate()  // SIGTERM
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
    }

    @Test("serve refuses a partial PKI directory, naming what is missing")
    func partialPKI() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("bastion-serve-\(UUID().uuidString)")
        let pki = directory.appendingPathComponent("pki")
        try FileManager.default.createDirectory(at: pki, withIntermediateDirectories: true)
        try Data("x".utf8).write(to: pki.appendingPathComponent("ca.pem"))
        let result = try CLI.run(["serve", "--dir", pki.path, "--port", "0"])
        #expect(result.status != 0)
        #expect(result.error.contains("partial PKI"))
    }
}

import BastionPKI
import Foundation
import Testing

@Suite("bastion certs init")
struct CertsCLITests {
    private func temporaryDirectory() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("bastion-certs-cli-\(UUID().uuidString)").path
    }

    @Test("creates the six files and says which is for what")
    func createsPKI() throws {
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let result = try CLI.run(["certs", "init", directory])
        #expect(result.status == 0, "\(result.error)")
        for file in DevelopmentPKI.File.allCases {
            let path = file.path(inDirectory: directory)
            #expect(result.output.contains(path), "\(file) not mentioned")
            let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
            #expect(mode == (file.isPrivateKey ? 0o600 : 0o644), "\(file)")
        }
        #expect(result.output.contains("--client-ca \(directory)/ca.pem"))
        #expect(result.output.contains("--cert \(directory)/client.pem --key \(directory)/client-key.pem --ca \(directory)/ca.pem"))
        #expect(result.output.contains("--cert \(directory)/server.pem --key \(directory)/server-key.pem"))

        let pki = try DevelopmentPKI.load(fromDirectory: directory)
        #expect(PeerIdentity.subjectAlternativeNames(of: pki.server.certificate) == ["localhost", "127.0.0.1"])
        #expect(PeerIdentity.identity(of: pki.client.certificate) == "bastion-producer")
    }

    @Test("refuses to overwrite without --force (exit 1, files unchanged), replaces with --force")
    func force() throws {
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        #expect(try CLI.run(["certs", "init", directory]).status == 0)
        let before = try String(contentsOfFile: "\(directory)/ca.pem", encoding: .utf8)

        let refused = try CLI.run(["certs", "init", directory])
        #expect(refused.status == 1)
        #expect(refused.error.contains("ca.pem"))
        #expect(refused.error.contains("--force"))
        #expect(try String(contentsOfFile: "\(directory)/ca.pem", encoding: .utf8) == before)

        let forced = try CLI.run(["certs", "init", directory, "--force"])
        #expect(forced.status == 0, "\(forced.error)")
        #expect(try String(contentsOfFile: "\(directory)/ca.pem", encoding: .utf8) != before)
    }

    @Test("--server-host and --client-name")
    func customNames() throws {
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let result = try CLI.run(["certs", "init", directory, "--server-host", "consumer.test", "--server-host", "::1", "--client-name", "soc-producer"])
        #expect(result.status == 0, "\(result.error)")
        let pki = try DevelopmentPKI.load(fromDirectory: directory)
        #expect(PeerIdentity.subjectAlternativeNames(of: pki.server.certificate) == ["consumer.test", "::1"])
        #expect(PeerIdentity.identity(of: pki.client.certificate) == "soc-producer")
    }

    @Test("an invalid host is an error naming it, and nothing is written")
    func invalidHost() throws {
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let result = try CLI.run(["certs", "init", directory, "--server-host", "not a host"])
        #expect(result.status == 1)
        #expect(result.error.contains("'not a host'"))
        #expect(!FileManager.default.fileExists(atPath: directory))
    }
}

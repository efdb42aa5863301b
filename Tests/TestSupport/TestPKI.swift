import BastionPKI
import BastionTLS
import Foundation
import NIOSSL

/// Two development PKIs in temporary directories, made once per test process: ours (a CA, a
/// server certificate for 127.0.0.1 and localhost, a client certificate `bastion-producer`),
/// and another one, for tests that must be refused.
public struct TestPKI: Sendable {
    /// Our PKI's directory.
    public let directory: String
    /// The other PKI's directory.
    public let otherDirectory: String

    /// The PKIs every test of the process shares.
    public static let shared: TestPKI = {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("bastion-test-pki-\(UUID().uuidString)").path
        let pki = TestPKI(directory: base + "/pki", otherDirectory: base + "/other")
        do {
            try DevelopmentPKI.generate().write(toDirectory: pki.directory)
            try DevelopmentPKI.generate().write(toDirectory: pki.otherDirectory)
        } catch {
            fatalError("cannot create the test PKI: \(error)")
        }
        return pki
    }()

    /// A file of our PKI (or of the other one).
    public func path(_ file: DevelopmentPKI.File, other: Bool = false) -> String {
        file.path(inDirectory: other ? otherDirectory : directory)
    }

    /// A server presenting our server certificate and requiring a client certificate from our CA.
    public func serverTLS() throws -> TLSConfiguration {
        try TLSPolicy.server(certificatePath: path(.serverCertificate), keyPath: path(.serverPrivateKey), clientCAPath: path(.caCertificate))
    }

    /// A client trusting our CA, presenting the client certificate of our CA (or the other one's).
    public func clientTLS(certificate: Bool = true, otherCA: Bool = false) throws -> TLSConfiguration {
        try TLSPolicy.client(
            caPath: path(.caCertificate),
            certificatePath: certificate ? path(.clientCertificate, other: otherCA) : nil,
            keyPath: certificate ? path(.clientPrivateKey, other: otherCA) : nil
        )
    }
}

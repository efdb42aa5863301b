import BastionPKI
import NIOSSL

/// The TLS rules Bastion applies at both ends (OpenC2 over HTTPS, and the TAXII client): TLS 1.2 at least (1.3 preferred), TLS 1.2 suites
/// limited to ECDHE with AES-GCM or ChaCha20-Poly1305, no 0-RTT (NIOSSL never enables early
/// data), mutual TLS by default.
public enum TLSPolicy {
    /// The TLS 1.2 suites allowed: forward secret and AEAD only. TLS 1.3 suites are fixed by BoringSSL
    /// and are all AEAD.
    public static let cipherSuites: [NIOTLSCipher] = [
        .TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
        .TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
        .TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
        .TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
        .TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
        .TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
    ]

    /// A PEM file that could not be used, and why.
    public struct LoadError: Error, CustomStringConvertible, Sendable {
        /// The file.
        public let path: String
        /// A sentence naming the file and the problem.
        public let description: String

        init(path: String, reason: String) {
            self.path = path
            description = "cannot use \(path): \(reason)"
        }

        init(_ error: PEMFileError) {
            path = error.path
            description = error.description
        }
    }

    /// The certificates in a PEM file (a chain: leaf first).
    public static func certificates(fromPEMFile path: String) throws(LoadError) -> [NIOSSLCertificate] {
        do { _ = try PEMFile.certificates(atPath: path) } catch { throw LoadError(error) }
        let certificates: [NIOSSLCertificate]
        do {
            certificates = try NIOSSLCertificate.fromPEMFile(path)
        } catch {
            throw LoadError(path: path, reason: "not a readable PEM certificate file (\(error))")
        }
        guard !certificates.isEmpty else { throw LoadError(path: path, reason: "holds no certificate") }
        return certificates
    }

    /// The private key in a PEM file.
    public static func privateKey(fromPEMFile path: String) throws(LoadError) -> NIOSSLPrivateKey {
        do { _ = try PEMFile.privateKey(atPath: path) } catch { throw LoadError(error) }
        do {
            return try NIOSSLPrivateKey(file: path, format: .pem)
        } catch {
            throw LoadError(path: path, reason: "not a readable PEM private key (\(error))")
        }
    }

    /// A Consumer's server configuration: its certificate and key, and — unless `clientCAPath`
    /// is `nil`, which turns mutual TLS off — the CA that client certificates must chain to.
    /// With a CA, a client that presents no certificate, or one from another CA, fails the handshake.
    public static func server(certificatePath: String, keyPath: String, clientCAPath: String?) throws(LoadError) -> TLSConfiguration {
        let chain = try certificates(fromPEMFile: certificatePath)
        let key = try privateKey(fromPEMFile: keyPath)
        var configuration = TLSConfiguration.makeServerConfiguration(certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
        configuration.minimumTLSVersion = .tlsv12
        configuration.cipherSuiteValues = cipherSuites
        if let clientCAPath {
            configuration.trustRoots = .certificates(try certificates(fromPEMFile: clientCAPath))
            configuration.certificateVerification = .noHostnameVerification
        } else {
            configuration.certificateVerification = .none
        }
        return configuration
    }

    /// A Producer's client configuration: the CA that the Consumer's certificate must chain to
    /// (the system roots when `nil`), the client certificate and key for mutual TLS, and — for
    /// testing only — no verification of the server at all.
    public static func client(caPath: String?, certificatePath: String?, keyPath: String?, verifyServer: Bool = true) throws(LoadError) -> TLSConfiguration {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.minimumTLSVersion = .tlsv12
        configuration.cipherSuiteValues = cipherSuites
        if let caPath { configuration.trustRoots = .certificates(try certificates(fromPEMFile: caPath)) }
        if let certificatePath {
            configuration.certificateChain = try certificates(fromPEMFile: certificatePath).map { .certificate($0) }
            guard let keyPath else { throw LoadError(path: certificatePath, reason: "a client certificate needs its private key (--key)") }
            configuration.privateKey = .privateKey(try privateKey(fromPEMFile: keyPath))
        }
        configuration.certificateVerification = verifyServer ? .fullVerification : .none
        return configuration
    }
}

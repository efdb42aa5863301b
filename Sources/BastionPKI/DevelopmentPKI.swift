import Foundation
import X509

/// A development PKI made in-process: a CA, a server certificate for an OpenC2 Consumer and a client
/// certificate for an OpenC2 Producer, both signed by the CA. All keys are ECDSA P-256.
///
/// ```swift
/// let pki = try DevelopmentPKI.generate()
/// try pki.write(toDirectory: "pki")          // ca.pem, ca-key.pem, server.pem, …
/// ```
///
/// The files are meant for development and tests: the keys are unencrypted, and anyone with
/// `ca-key.pem` can issue certificates that the Consumer and Producer will trust.
public struct DevelopmentPKI: Sendable, Hashable {
    /// The server hosts used when none are given: the DNS name `localhost` and the IP address `127.0.0.1`.
    public static let defaultServerHosts = ["localhost", "127.0.0.1"]
    /// The client certificate's common name when none is given.
    public static let defaultClientCommonName = "bastion-producer"

    /// What to put in a new development PKI.
    public struct Options: Sendable, Hashable {
        /// The server certificate's names: DNS names and IPv4/IPv6 addresses; the first is also its CN.
        public var serverHosts: [String]
        /// The client certificate's common name.
        public var clientCommonName: String
        /// The CA's common name; nil for ``CertificateAuthority/defaultCommonNamePrefix`` and a random suffix.
        public var caCommonName: String?
        /// How long the CA is valid, in days.
        public var caValidityDays: Int
        /// How long the server and client certificates are valid, in days.
        public var leafValidityDays: Int

        /// Options with the defaults: `localhost` and `127.0.0.1`, client `bastion-producer`, a CA
        /// valid 10 years and leaf certificates valid 825 days.
        public init(
            serverHosts: [String] = DevelopmentPKI.defaultServerHosts,
            clientCommonName: String = DevelopmentPKI.defaultClientCommonName,
            caCommonName: String? = nil,
            caValidityDays: Int = CertificateAuthority.defaultValidityDays,
            leafValidityDays: Int = CertificateAuthority.defaultLeafValidityDays
        ) {
            self.serverHosts = serverHosts
            self.clientCommonName = clientCommonName
            self.caCommonName = caCommonName
            self.caValidityDays = caValidityDays
            self.leafValidityDays = leafValidityDays
        }
    }

    /// The files of a development PKI directory.
    public enum File: String, CaseIterable, Sendable, Hashable, CustomStringConvertible {
        /// `ca.pem`: the CA certificate, the trust anchor on both sides.
        case caCertificate = "ca.pem"
        /// `ca-key.pem`: the CA's private key, needed only to issue more certificates.
        case caPrivateKey = "ca-key.pem"
        /// `server.pem`: the Consumer's server certificate.
        case serverCertificate = "server.pem"
        /// `server-key.pem`: the Consumer's private key.
        case serverPrivateKey = "server-key.pem"
        /// `client.pem`: the Producer's client certificate.
        case clientCertificate = "client.pem"
        /// `client-key.pem`: the Producer's private key.
        case clientPrivateKey = "client-key.pem"

        /// The file name.
        public var name: String { rawValue }

        /// The file name.
        public var description: String { rawValue }

        /// Whether the file holds a private key.
        public var isPrivateKey: Bool {
            switch self {
            case .caPrivateKey, .serverPrivateKey, .clientPrivateKey: true
            case .caCertificate, .serverCertificate, .clientCertificate: false
            }
        }

        /// The permission bits the file is written with: 0600 for private keys, 0644 for certificates.
        public var permissions: UInt16 { isPrivateKey ? 0o600 : 0o644 }

        /// What the file is for, in a few words.
        public var purpose: String {
            switch self {
            case .caCertificate: "CA certificate: trust anchor for the Consumer (--client-ca) and the Producer (--ca)"
            case .caPrivateKey: "CA private key: keep it secret; needed only to issue more certificates"
            case .serverCertificate: "Consumer (server) certificate: --cert of the Consumer"
            case .serverPrivateKey: "Consumer (server) private key: --key of the Consumer"
            case .clientCertificate: "Producer (client) certificate: --cert of the Producer"
            case .clientPrivateKey: "Producer (client) private key: --key of the Producer"
            }
        }

        /// The file's path in `directory`.
        public func path(inDirectory directory: String) -> String {
            FileSystem.join(directory, rawValue)
        }
    }

    /// The certificate authority that signed ``server`` and ``client``.
    public let authority: CertificateAuthority
    /// The Consumer's server certificate and key.
    public let server: IssuedCertificate
    /// The Producer's client certificate and key.
    public let client: IssuedCertificate

    /// Puts together a PKI from its parts (for example loaded from files).
    public init(authority: CertificateAuthority, server: IssuedCertificate, client: IssuedCertificate) {
        self.authority = authority
        self.server = server
        self.client = client
    }

    /// Makes a new development PKI: a new CA, then a server and a client certificate signed by it.
    /// - Parameters:
    ///   - options: hosts, names and validity periods.
    ///   - now: the time of issue; `notValidBefore` is ``CertificateAuthority/backdating`` earlier.
    /// - Throws: ``PKIError`` for an invalid host or name, or when a certificate cannot be made.
    public static func generate(_ options: Options = Options(), now: Date = Date()) throws(PKIError) -> DevelopmentPKI {
        // Check the inputs before spending time on keys.
        guard !options.serverHosts.isEmpty else { throw .noServerHosts }
        for host in options.serverHosts { _ = try HostName.generalName(for: host) }
        try CertificateAuthority.checkCommonName(options.clientCommonName)

        let authority = try CertificateAuthority.generate(commonName: options.caCommonName, validityDays: options.caValidityDays, now: now)
        let server = try authority.issueServerCertificate(hosts: options.serverHosts, validityDays: options.leafValidityDays, now: now)
        let client = try authority.issueClientCertificate(commonName: options.clientCommonName, validityDays: options.leafValidityDays, now: now)
        return DevelopmentPKI(authority: authority, server: server, client: client)
    }

    /// Loads a development PKI written by ``write(toDirectory:overwrite:)``: all six files, each key checked
    /// against its certificate.
    /// - Throws: ``PEMFileError`` for a missing or wrong file, ``PKIError`` when a key does not match.
    public static func load(fromDirectory directory: String) throws -> DevelopmentPKI {
        func pair(_ certificateFile: File, _ keyFile: File) throws -> IssuedCertificate {
            let certificatePath = certificateFile.path(inDirectory: directory)
            let keyPath = keyFile.path(inDirectory: directory)
            let certificate = try PEMFile.certificate(atPath: certificatePath)
            let key = try PEMFile.privateKey(atPath: keyPath)
            guard key.publicKey == certificate.publicKey else {
                throw PKIError.keyDoesNotMatchCertificate(certificatePath: certificatePath, keyPath: keyPath)
            }
            return try IssuedCertificate(certificate: certificate, privateKey: key)
        }
        let authority = try CertificateAuthority.load(fromDirectory: directory)
        return DevelopmentPKI(
            authority: authority,
            server: try pair(.serverCertificate, .serverPrivateKey),
            client: try pair(.clientCertificate, .clientPrivateKey)
        )
    }

    /// The files of a development PKI that already exist in `directory`.
    public static func existingFiles(inDirectory directory: String) -> [File] {
        File.allCases.filter { FileSystem.exists($0.path(inDirectory: directory)) }
    }

    /// The PEM text of a file of this PKI.
    /// - Throws: ``PKIError/certificateCreationFailed(reason:)`` if a certificate cannot be encoded.
    public func contents(of file: File) throws(PKIError) -> String {
        switch file {
        case .caCertificate: try authority.certificatePEM
        case .caPrivateKey: try authority.identity.privateKeyPEM
        case .serverCertificate: server.certificatePEM
        case .serverPrivateKey: server.privateKeyPEM
        case .clientCertificate: client.certificatePEM
        case .clientPrivateKey: client.privateKeyPEM
        }
    }

    /// Writes the six PEM files into `directory`: `ca.pem`, `ca-key.pem`, `server.pem`, `server-key.pem`,
    /// `client.pem`, `client-key.pem`.
    ///
    /// A missing directory is created with mode 0700 (its missing parents with default permissions).
    /// Private keys are created with mode 0600 and are never readable by others, even while being
    /// written; certificates get mode 0644. The umask does not change these modes.
    /// - Parameters:
    ///   - directory: the directory to write into.
    ///   - overwrite: replace existing files (each atomically, by rename). When false and any of the six
    ///     files exists, nothing is written and the error names the first one found.
    /// - Returns: the paths written, in ``File/allCases`` order.
    /// - Throws: ``PKIError/fileExists(path:)``, ``PKIError/cannotCreateDirectory(path:reason:)``,
    ///   ``PKIError/cannotWrite(path:reason:)``.
    @discardableResult
    public func write(toDirectory directory: String, overwrite: Bool = false) throws(PKIError) -> [String] {
        if !overwrite, let existing = Self.existingFiles(inDirectory: directory).first {
            throw .fileExists(path: existing.path(inDirectory: directory))
        }
        var contents: [(File, String)] = []
        for file in File.allCases {
            contents.append((file, try self.contents(of: file)))
        }
        try FileSystem.createDirectory(directory)
        var written: [String] = []
        for (file, text) in contents {
            let path = file.path(inDirectory: directory)
            try FileSystem.write(Array(text.utf8), to: path, mode: mode_t(file.permissions), overwrite: overwrite)
            written.append(path)
        }
        return written
    }
}

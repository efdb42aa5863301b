import Crypto
import Foundation
import SwiftASN1
import X509

/// A certificate authority that can issue server and client certificates: its certificate and private key.
///
/// Make a fresh one with ``generate(commonName:validityDays:now:)``, or load one written earlier with
/// ``load(fromDirectory:)`` to issue more certificates from it.
public struct CertificateAuthority: Sendable, Hashable {
    /// The CA's self-signed certificate: the trust anchor for Producers and Consumers.
    public let certificate: Certificate
    /// The CA's signing key.
    public let privateKey: Certificate.PrivateKey

    /// The default common name prefix; ``generate(commonName:validityDays:now:)`` appends a random suffix.
    public static let defaultCommonNamePrefix = "Bastion Development CA"
    /// The default validity of a new CA: ten years.
    public static let defaultValidityDays = 3650
    /// The default validity of a leaf certificate: 825 days, the longest that Apple platforms accept for TLS servers.
    public static let defaultLeafValidityDays = 825
    /// How far in the past `notValidBefore` is set, so that a peer whose clock is a little behind accepts the certificate.
    public static let backdating: TimeInterval = 5 * 60

    /// Wraps an existing CA certificate and its key.
    /// - Throws: ``PKIError/notACertificateAuthority(path:reason:)`` when the certificate is not a CA
    ///   (no critical-or-not basicConstraints CA:TRUE, or a keyUsage without keyCertSign), and
    ///   ``PKIError/keyDoesNotMatchCertificate(certificatePath:keyPath:)`` when the key is not the certificate's.
    ///   The paths in those errors are `certificatePath` and `privateKeyPath`.
    public init(
        certificate: Certificate,
        privateKey: Certificate.PrivateKey,
        certificatePath: String = "CA certificate",
        privateKeyPath: String = "CA private key"
    ) throws(PKIError) {
        let extensions = certificate.extensions
        let basicConstraints: BasicConstraints?
        let keyUsage: KeyUsage?
        do {
            basicConstraints = try extensions.basicConstraints
            keyUsage = try extensions.keyUsage
        } catch {
            throw .notACertificateAuthority(path: certificatePath, reason: "cannot read its extensions: \(error)")
        }
        guard case .isCertificateAuthority = basicConstraints else {
            throw .notACertificateAuthority(path: certificatePath, reason: "basicConstraints does not say CA:TRUE")
        }
        if let keyUsage, !keyUsage.keyCertSign {
            throw .notACertificateAuthority(path: certificatePath, reason: "keyUsage does not allow keyCertSign")
        }
        guard privateKey.publicKey == certificate.publicKey else {
            throw .keyDoesNotMatchCertificate(certificatePath: certificatePath, keyPath: privateKeyPath)
        }
        self.certificate = certificate
        self.privateKey = privateKey
    }

    /// Makes a new CA: an ECDSA P-256 key and a self-signed certificate with basicConstraints CA:TRUE
    /// (critical, path length 0), keyUsage keyCertSign and cRLSign (critical), and a subject key identifier.
    /// - Parameters:
    ///   - commonName: the subject CN; by default ``defaultCommonNamePrefix`` and a random 8-hex-digit
    ///     suffix, so two CAs never share a name.
    ///   - validityDays: how long the CA is valid.
    ///   - now: the time of issue (`notValidBefore` is ``backdating`` earlier).
    /// - Throws: ``PKIError``.
    public static func generate(
        commonName: String? = nil,
        validityDays: Int = defaultValidityDays,
        now: Date = Date()
    ) throws(PKIError) -> CertificateAuthority {
        let name = commonName ?? "\(defaultCommonNamePrefix) \(randomSuffix())"
        try checkCommonName(name)
        guard validityDays > 0 else { throw .invalidValidity(days: validityDays) }
        let key = Certificate.PrivateKey(P256.Signing.PrivateKey())
        let certificate = try makeCertificate {
            let subject = try DistinguishedName { CommonName(name) }
            let extensions = try Certificate.Extensions([
                Certificate.Extension(BasicConstraints.isCertificateAuthority(maxPathLength: 0), critical: true),
                Certificate.Extension(KeyUsage(keyCertSign: true, cRLSign: true), critical: true),
                Certificate.Extension(SubjectKeyIdentifier(hash: key.publicKey), critical: false),
            ])
            return try Certificate(
                version: .v3,
                serialNumber: Certificate.SerialNumber(),
                publicKey: key.publicKey,
                notValidBefore: now - backdating,
                notValidAfter: now + TimeInterval(validityDays) * 86_400,
                issuer: subject,
                subject: subject,
                signatureAlgorithm: .ecdsaWithSHA256,
                extensions: extensions,
                issuerPrivateKey: key
            )
        }
        return try CertificateAuthority(certificate: certificate, privateKey: key)
    }

    /// Loads a CA from `ca.pem` and `ca-key.pem` in `directory` (as ``DevelopmentPKI/write(toDirectory:overwrite:)`` writes them).
    /// - Throws: ``PEMFileError`` when a file is missing or wrong, ``PKIError`` when the certificate is
    ///   not a CA or the key does not match it.
    public static func load(fromDirectory directory: String) throws -> CertificateAuthority {
        try load(
            certificatePath: DevelopmentPKI.File.caCertificate.path(inDirectory: directory),
            privateKeyPath: DevelopmentPKI.File.caPrivateKey.path(inDirectory: directory)
        )
    }

    /// Loads a CA from a certificate file (the first certificate in it) and a private key file.
    /// - Throws: ``PEMFileError`` when a file is missing or wrong, ``PKIError`` when the certificate is
    ///   not a CA or the key does not match it.
    public static func load(certificatePath: String, privateKeyPath: String) throws -> CertificateAuthority {
        let certificate = try PEMFile.certificate(atPath: certificatePath)
        let key = try PEMFile.privateKey(atPath: privateKeyPath)
        return try CertificateAuthority(certificate: certificate, privateKey: key, certificatePath: certificatePath, privateKeyPath: privateKeyPath)
    }

    /// The CA certificate as a PEM `CERTIFICATE` block, ending with a newline.
    public var certificatePEM: String {
        get throws(PKIError) {
            do {
                return try certificate.serializeAsPEM().pemString + "\n"
            } catch {
                throw .certificateCreationFailed(reason: "cannot encode as PEM: \(error)")
            }
        }
    }

    /// The CA's certificate and key as an ``IssuedCertificate``, for writing them out.
    public var identity: IssuedCertificate {
        get throws(PKIError) {
            try IssuedCertificate(certificate: certificate, privateKey: privateKey)
        }
    }

    /// Issues a TLS server certificate (for an OpenC2 Consumer) with a new ECDSA P-256 key.
    ///
    /// Each host becomes a subjectAltName entry: an iPAddress for an IPv4 or IPv6 address (brackets
    /// around IPv6 are allowed), a dNSName otherwise. The subject CN is the first host. Extensions:
    /// basicConstraints CA:FALSE and keyUsage digitalSignature (both critical), extendedKeyUsage
    /// serverAuth, subject and authority key identifiers.
    /// - Parameters:
    ///   - hosts: the names and addresses clients will connect to; at least one.
    ///   - validityDays: how long the certificate is valid; never past the CA's own expiry.
    ///   - now: the time of issue (`notValidBefore` is ``backdating`` earlier).
    /// - Throws: ``PKIError/noServerHosts``, ``PKIError/invalidHost(_:reason:)``,
    ///   ``PKIError/authorityNotValid(notValidBefore:notValidAfter:)`` and others of ``PKIError``.
    public func issueServerCertificate(
        hosts: [String] = DevelopmentPKI.defaultServerHosts,
        validityDays: Int = defaultLeafValidityDays,
        now: Date = Date()
    ) throws(PKIError) -> IssuedCertificate {
        guard let first = hosts.first else { throw .noServerHosts }
        var names: [GeneralName] = []
        for host in hosts {
            let name = try HostName.generalName(for: host)
            if !names.contains(name) { names.append(name) }
        }
        var commonName = first
        if commonName.hasPrefix("["), commonName.hasSuffix("]") { commonName = String(commonName.dropFirst().dropLast()) }
        if commonName.hasSuffix(".") { commonName = String(commonName.dropLast()) }
        let subjectAlternativeNames: Certificate.Extension
        do {
            subjectAlternativeNames = try Certificate.Extension(SubjectAlternativeNames(names), critical: false)
        } catch {
            throw .certificateCreationFailed(reason: "cannot encode subjectAltName: \(error)")
        }
        return try issue(commonName: commonName, usage: .serverAuth, validityDays: validityDays, now: now, additionalExtensions: [subjectAlternativeNames])
    }

    /// Issues a TLS client certificate (for an OpenC2 Producer) with a new ECDSA P-256 key.
    ///
    /// The subject is `CN=commonName`; a Consumer takes it as the Producer's identity. Extensions:
    /// basicConstraints CA:FALSE and keyUsage digitalSignature (both critical), extendedKeyUsage
    /// clientAuth, subject and authority key identifiers.
    /// - Parameters:
    ///   - commonName: the client's name, 1 to 64 characters without control characters.
    ///   - validityDays: how long the certificate is valid; never past the CA's own expiry.
    ///   - now: the time of issue (`notValidBefore` is ``backdating`` earlier).
    /// - Throws: ``PKIError/invalidCommonName(_:reason:)``,
    ///   ``PKIError/authorityNotValid(notValidBefore:notValidAfter:)`` and others of ``PKIError``.
    public func issueClientCertificate(
        commonName: String = DevelopmentPKI.defaultClientCommonName,
        validityDays: Int = defaultLeafValidityDays,
        now: Date = Date()
    ) throws(PKIError) -> IssuedCertificate {
        try issue(commonName: commonName, usage: .clientAuth, validityDays: validityDays, now: now, additionalExtensions: [])
    }

    private func issue(
        commonName: String,
        usage: ExtendedKeyUsage.Usage,
        validityDays: Int,
        now: Date,
        additionalExtensions: [Certificate.Extension]
    ) throws(PKIError) -> IssuedCertificate {
        try Self.checkCommonName(commonName)
        guard validityDays > 0 else { throw .invalidValidity(days: validityDays) }
        guard now >= certificate.notValidBefore, now <= certificate.notValidAfter else {
            throw .authorityNotValid(
                notValidBefore: certificate.notValidBefore.formatted(.iso8601),
                notValidAfter: certificate.notValidAfter.formatted(.iso8601)
            )
        }
        let issuerKeyIdentifier: ArraySlice<UInt8>
        do {
            issuerKeyIdentifier = try certificate.extensions.subjectKeyIdentifier?.keyIdentifier
                ?? SubjectKeyIdentifier(hash: certificate.publicKey).keyIdentifier
        } catch {
            throw .certificateCreationFailed(reason: "cannot read the CA's subject key identifier: \(error)")
        }
        let signatureAlgorithm = try Self.signatureAlgorithm(for: privateKey)
        let key = Certificate.PrivateKey(P256.Signing.PrivateKey())
        let notValidBefore = max(now - Self.backdating, certificate.notValidBefore)
        let notValidAfter = min(now + TimeInterval(validityDays) * 86_400, certificate.notValidAfter)
        let issuer = certificate.subject
        let authorityKey = privateKey
        let leaf = try Self.makeCertificate {
            let extensions = [
                try Certificate.Extension(BasicConstraints.notCertificateAuthority, critical: true),
                try Certificate.Extension(KeyUsage(digitalSignature: true), critical: true),
                try Certificate.Extension(ExtendedKeyUsage([usage]), critical: false),
                try Certificate.Extension(SubjectKeyIdentifier(hash: key.publicKey), critical: false),
                try Certificate.Extension(AuthorityKeyIdentifier(keyIdentifier: issuerKeyIdentifier), critical: false),
            ] + additionalExtensions
            return try Certificate(
                version: .v3,
                serialNumber: Certificate.SerialNumber(),
                publicKey: key.publicKey,
                notValidBefore: notValidBefore,
                notValidAfter: notValidAfter,
                issuer: issuer,
                subject: try DistinguishedName { CommonName(commonName) },
                signatureAlgorithm: signatureAlgorithm,
                extensions: try Certificate.Extensions(extensions),
                issuerPrivateKey: authorityKey
            )
        }
        return try IssuedCertificate(certificate: leaf, privateKey: key)
    }

    /// Runs swift-certificates' builders, turning their errors into ``PKIError/certificateCreationFailed(reason:)``.
    private static func makeCertificate(_ body: () throws -> Certificate) throws(PKIError) -> Certificate {
        do {
            return try body()
        } catch {
            throw .certificateCreationFailed(reason: String(describing: error))
        }
    }

    /// The signature algorithm to sign with: ECDSA with SHA-256/384/512 for P-256/384/521, RSA with
    /// SHA-256, or Ed25519, as the CA key allows.
    private static func signatureAlgorithm(for key: Certificate.PrivateKey) throws(PKIError) -> Certificate.SignatureAlgorithm {
        let supported = key.supportedSignatureAlgorithms
        let preferred: [Certificate.SignatureAlgorithm] = [.ecdsaWithSHA256, .ecdsaWithSHA384, .ecdsaWithSHA512, .sha256WithRSAEncryption, .ed25519]
        guard let algorithm = preferred.first(where: supported.contains) ?? supported.first else {
            throw .certificateCreationFailed(reason: "the CA key (\(key)) supports no signature algorithm")
        }
        return algorithm
    }

    /// Checks a common name: 1 to 64 characters (the X.520 upper bound), no control characters.
    static func checkCommonName(_ name: String) throws(PKIError) {
        guard !name.isEmpty else { throw .invalidCommonName(name, reason: "empty") }
        guard name.count <= 64 else { throw .invalidCommonName(name, reason: "longer than 64 characters") }
        guard !name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw .invalidCommonName(name, reason: "contains control characters")
        }
        guard name.trimmingCharacters(in: .whitespaces) == name else {
            throw .invalidCommonName(name, reason: "starts or ends with whitespace")
        }
    }

    /// Eight random hexadecimal digits.
    static func randomSuffix() -> String {
        var generator = SystemRandomNumberGenerator()
        let value = UInt32.random(in: .min ... .max, using: &generator)
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 8 - digits.count) + digits
    }
}

/// An error making, writing or loading development PKI material.
///
/// ``kind`` says what class of problem it is, ``subject`` names the file, host or name at
/// fault, and ``description`` says what was wrong in words a user of `bastion certs` can act
/// on. New kinds can be added without breaking callers that switch over ``Kind`` with a default.
public struct PKIError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The class of problem.
    public enum Kind: String, Sendable, Equatable, CaseIterable {
        /// A file the PKI would write already exists and overwriting was not asked for.
        case fileExists
        /// The output directory could not be created, or the path exists and is not a directory.
        case cannotCreateDirectory
        /// A file could not be written.
        case cannotWrite
        /// A server host is neither a usable DNS name nor an IPv4/IPv6 address.
        case invalidHost
        /// No server host was given: a server certificate needs at least one name.
        case noServerHosts
        /// A common name is empty or otherwise unusable.
        case invalidCommonName
        /// A validity period is not positive.
        case invalidValidity
        /// The certificate loaded as a CA is not one (no basicConstraints CA:TRUE, or no keyCertSign).
        case notACertificateAuthority
        /// A private key does not belong to the certificate it was loaded with.
        case keyDoesNotMatchCertificate
        /// The CA certificate has expired (or is not yet valid) at the time a certificate was to be issued.
        case authorityNotValid
        /// swift-certificates refused to build or sign a certificate.
        case certificateCreationFailed
    }

    /// The class of problem.
    public var kind: Kind
    /// The file, host or name at fault, when there is one.
    public var subject: String?
    /// A sentence saying what went wrong and where.
    public var description: String

    /// Creates an error.
    public init(_ kind: Kind, subject: String? = nil, _ description: String) {
        self.kind = kind
        self.subject = subject
        self.description = description
    }

    public static func fileExists(path: String) -> PKIError {
        PKIError(.fileExists, subject: path, "\(path) already exists; refusing to overwrite it")
    }

    public static func cannotCreateDirectory(path: String, reason: String) -> PKIError {
        PKIError(.cannotCreateDirectory, subject: path, "cannot create directory \(path): \(reason)")
    }

    public static func cannotWrite(path: String, reason: String) -> PKIError {
        PKIError(.cannotWrite, subject: path, "cannot write \(path): \(reason)")
    }

    public static func invalidHost(_ host: String, reason: String) -> PKIError {
        PKIError(.invalidHost, subject: host, "invalid server host '\(host)': \(reason)")
    }

    public static var noServerHosts: PKIError {
        PKIError(.noServerHosts, "at least one server host (DNS name or IP address) is needed for a server certificate")
    }

    public static func invalidCommonName(_ name: String, reason: String) -> PKIError {
        PKIError(.invalidCommonName, subject: name, "invalid common name '\(name)': \(reason)")
    }

    public static func invalidValidity(days: Int) -> PKIError {
        PKIError(.invalidValidity, subject: String(days), "invalid validity of \(days) days: it must be at least 1 day")
    }

    public static func notACertificateAuthority(path: String, reason: String) -> PKIError {
        PKIError(.notACertificateAuthority, subject: path, "\(path) is not a CA certificate: \(reason)")
    }

    public static func keyDoesNotMatchCertificate(certificatePath: String, keyPath: String) -> PKIError {
        PKIError(.keyDoesNotMatchCertificate, subject: keyPath, "the private key in \(keyPath) does not match the public key of the certificate in \(certificatePath)")
    }

    public static func authorityNotValid(notValidBefore: String, notValidAfter: String) -> PKIError {
        PKIError(.authorityNotValid, "the CA certificate is not valid now (valid from \(notValidBefore) to \(notValidAfter))")
    }

    public static func certificateCreationFailed(reason: String) -> PKIError {
        PKIError(.certificateCreationFailed, "cannot create certificate: \(reason)")
    }
}

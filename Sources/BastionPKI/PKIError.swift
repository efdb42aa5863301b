/// An error making, writing or loading development PKI material.
///
/// Each case names the file or value at fault, and ``description`` says what was wrong in words a
/// user of `bastion certs` can act on.
public enum PKIError: Error, CustomStringConvertible, Sendable, Equatable {
    /// A file the PKI would write already exists and overwriting was not asked for.
    case fileExists(path: String)
    /// The output directory could not be created, or the path exists and is not a directory.
    case cannotCreateDirectory(path: String, reason: String)
    /// A file could not be written.
    case cannotWrite(path: String, reason: String)
    /// A server host is neither a usable DNS name nor an IPv4/IPv6 address.
    case invalidHost(String, reason: String)
    /// No server host was given: a server certificate needs at least one name.
    case noServerHosts
    /// A common name is empty or otherwise unusable.
    case invalidCommonName(String, reason: String)
    /// A validity period is not positive.
    case invalidValidity(days: Int)
    /// The certificate loaded as a CA is not one (no basicConstraints CA:TRUE, or no keyCertSign).
    case notACertificateAuthority(path: String, reason: String)
    /// A private key does not belong to the certificate it was loaded with.
    case keyDoesNotMatchCertificate(certificatePath: String, keyPath: String)
    /// The CA certificate has expired (or is not yet valid) at the time a certificate was to be issued.
    case authorityNotValid(notValidBefore: String, notValidAfter: String)
    /// swift-certificates refused to build or sign a certificate.
    case certificateCreationFailed(reason: String)

    /// A sentence saying what went wrong and where.
    public var description: String {
        switch self {
        case .fileExists(let path):
            "\(path) already exists; refusing to overwrite it"
        case .cannotCreateDirectory(let path, let reason):
            "cannot create directory \(path): \(reason)"
        case .cannotWrite(let path, let reason):
            "cannot write \(path): \(reason)"
        case .invalidHost(let host, let reason):
            "invalid server host '\(host)': \(reason)"
        case .noServerHosts:
            "at least one server host (DNS name or IP address) is needed for a server certificate"
        case .invalidCommonName(let name, let reason):
            "invalid common name '\(name)': \(reason)"
        case .invalidValidity(let days):
            "invalid validity of \(days) days: it must be at least 1 day"
        case .notACertificateAuthority(let path, let reason):
            "\(path) is not a CA certificate: \(reason)"
        case .keyDoesNotMatchCertificate(let certificatePath, let keyPath):
            "the private key in \(keyPath) does not match the public key of the certificate in \(certificatePath)"
        case .authorityNotValid(let notValidBefore, let notValidAfter):
            "the CA certificate is not valid now (valid from \(notValidBefore) to \(notValidAfter))"
        case .certificateCreationFailed(let reason):
            "cannot create certificate: \(reason)"
        }
    }
}

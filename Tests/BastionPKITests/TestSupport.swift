import BastionPKI
import Foundation
import TestSupport
import Testing
import X509

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The permission bits of a file (no symbolic link followed), or nil when it does not exist.
func permissions(_ path: String) -> UInt16? {
    var status = stat()
    guard lstat(path, &status) == 0 else { return nil }
    return UInt16(status.st_mode & 0o7777)
}

/// Validates `leaf` against `roots` with swift-certificates' RFC 5280 policy at the current time
/// (and a server identity, if given).
func validate(
    _ leaf: Certificate,
    roots: [Certificate],
    hostname: String? = nil,
    ip: String? = nil
) async -> CertificateValidationResult {
    if hostname != nil || ip != nil {
        var verifier = Verifier(rootCertificates: CertificateStore(roots)) {
            RFC5280Policy()
            ServerIdentityPolicy(serverHostname: hostname, serverIP: ip)
        }
        return await verifier.validate(leaf: leaf, intermediates: CertificateStore())
    }
    var verifier = Verifier(rootCertificates: CertificateStore(roots)) {
        RFC5280Policy()
    }
    return await verifier.validate(leaf: leaf, intermediates: CertificateStore())
}

extension CertificateValidationResult {
    var isValid: Bool {
        if case .validCertificate = self { return true }
        return false
    }
}

/// One development PKI for the tests that only read it (making keys is cheap, but this keeps tests focused).
let sharedPKI: DevelopmentPKI = {
    do {
        return try DevelopmentPKI.generate()
    } catch {
        fatalError("cannot make the shared development PKI: \(error)")
    }
}()

import Crypto
import SwiftASN1
import X509

/// Fingerprints of certificates, to show a user which certificate is which (as `openssl x509 -fingerprint -sha256` does).
public enum CertificateFingerprint {
    /// The SHA-256 digest of the certificate's DER encoding, as uppercase hex pairs joined by colons
    /// (`3A:F0:…`, 95 characters).
    /// - Throws: when the certificate cannot be DER-encoded.
    public static func sha256(of certificate: Certificate) throws -> String {
        var serializer = DER.Serializer()
        try serializer.serialize(certificate)
        return sha256(ofDER: serializer.serializedBytes)
    }

    /// The SHA-256 digest of DER bytes, as uppercase hex pairs joined by colons.
    public static func sha256(ofDER derBytes: [UInt8]) -> String {
        SHA256.hash(data: derBytes).map { byte in
            let digits = String(byte, radix: 16, uppercase: true)
            return byte < 0x10 ? "0" + digits : digits
        }.joined(separator: ":")
    }
}

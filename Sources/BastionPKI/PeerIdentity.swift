import SwiftASN1
import X509

/// The identity of a TLS peer as Bastion names it, taken from the peer's certificate.
///
/// The OpenC2 HTTPS transfer uses it as a message's `from` and to match client allow-lists:
/// the subject's common name if it has a non-empty one, else the first subjectAltName entry, else the
/// whole subject in RFC 4514 form (`O=Example,C=DE`).
public enum PeerIdentity {
    /// The identity of the certificate's subject: its CN, else its first SAN, else its full subject.
    public static func identity(of certificate: Certificate) -> String {
        if let commonName = commonName(of: certificate.subject), !commonName.isEmpty {
            return commonName
        }
        if let first = subjectAlternativeNames(of: certificate).first {
            return first
        }
        return certificate.subject.description
    }

    /// The identity of a DER-encoded certificate, as a TLS library hands the peer certificate over
    /// (with NIOSSL: `PeerIdentity.identity(fromDER: try peerCertificate.toDERBytes())`), or nil when
    /// the bytes are not a certificate.
    public static func identity(fromDER derBytes: [UInt8]) -> String? {
        guard let certificate = try? Certificate(derEncoded: derBytes) else { return nil }
        return identity(of: certificate)
    }

    /// The common name of a distinguished name: the last CN attribute (the most specific one, in the
    /// order of the encoding) whose value is a string, or nil.
    public static func commonName(of name: DistinguishedName) -> String? {
        var found: String?
        for relativeName in name {
            for attribute in relativeName where attribute.type == .RDNAttributeType.commonName {
                if let value = String(attribute.value) { found = value }
            }
        }
        return found
    }

    /// The certificate's subjectAltName entries as text, in order: DNS names, IP addresses (IPv4
    /// dotted, IPv6 in RFC 5952 form), e-mail addresses and URIs as they are; other kinds as
    /// swift-certificates describes them. Empty when the extension is absent or unreadable.
    public static func subjectAlternativeNames(of certificate: Certificate) -> [String] {
        guard let names = try? certificate.extensions.subjectAlternativeNames else { return [] }
        return names.map(text(of:))
    }

    /// The text of one subjectAltName entry.
    static func text(of name: GeneralName) -> String {
        switch name {
        case .dnsName(let dnsName): dnsName
        case .ipAddress(let octets): HostName.text(ofIPAddress: octets.bytes) ?? String(describing: name)
        case .rfc822Name(let address): address
        case .uniformResourceIdentifier(let uri): uri
        case .directoryName(let directoryName): directoryName.description
        default: String(describing: name)
        }
    }
}

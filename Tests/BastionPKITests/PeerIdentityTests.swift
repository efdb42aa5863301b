import BastionPKI
import Crypto
import Foundation
import SwiftASN1
import Testing
import X509

@Suite("Peer identity from a certificate")
struct PeerIdentityTests {
    /// A certificate with the given subject and SANs, self-signed.
    private func certificate(subject: DistinguishedName, names: [GeneralName]) throws -> Certificate {
        let key = Certificate.PrivateKey(P256.Signing.PrivateKey())
        let extensions = names.isEmpty
            ? Certificate.Extensions()
            : try Certificate.Extensions([Certificate.Extension(SubjectAlternativeNames(names), critical: false)])
        return try Certificate(
            version: .v3, serialNumber: .init(), publicKey: key.publicKey,
            notValidBefore: Date(), notValidAfter: Date() + 3600,
            issuer: subject, subject: subject, signatureAlgorithm: .ecdsaWithSHA256,
            extensions: extensions, issuerPrivateKey: key
        )
    }

    @Test("the subject CN when there is one")
    func commonName() throws {
        #expect(PeerIdentity.identity(of: sharedPKI.client.certificate) == "bastion-producer")
        #expect(PeerIdentity.identity(of: sharedPKI.server.certificate) == "localhost")
        let named = try certificate(subject: DistinguishedName { OrganizationName("Acme"); CommonName("acme-producer") }, names: [.dnsName("ignored.example")])
        #expect(PeerIdentity.identity(of: named) == "acme-producer")
    }

    @Test("the first SAN when there is no CN")
    func firstSubjectAlternativeName() throws {
        let byDNS = try certificate(subject: DistinguishedName { OrganizationName("Acme") }, names: [.dnsName("producer.acme.example"), .dnsName("other.example")])
        #expect(PeerIdentity.identity(of: byDNS) == "producer.acme.example")
        let byIP = try certificate(subject: DistinguishedName(), names: [.ipAddress(ASN1OctetString(contentBytes: [192, 0, 2, 1]))])
        #expect(PeerIdentity.identity(of: byIP) == "192.0.2.1")
        let byEmail = try certificate(subject: DistinguishedName(), names: [.rfc822Name("soc@acme.example")])
        #expect(PeerIdentity.identity(of: byEmail) == "soc@acme.example")
    }

    @Test("the full subject when there is neither")
    func fullSubject() throws {
        let anonymous = try certificate(subject: DistinguishedName { CountryName("DE"); OrganizationName("Acme") }, names: [])
        #expect(PeerIdentity.identity(of: anonymous) == "O=Acme,C=DE")
    }

    @Test("from DER bytes, as a TLS library gives them; nil for bytes that are not a certificate")
    func fromDER() throws {
        var serializer = DER.Serializer()
        try serializer.serialize(sharedPKI.client.certificate)
        #expect(PeerIdentity.identity(fromDER: serializer.serializedBytes) == "bastion-producer")
        #expect(PeerIdentity.identity(fromDER: [0x30, 0x00]) == nil)
        #expect(PeerIdentity.identity(fromDER: []) == nil)
    }

    @Test("SHA-256 fingerprints: 32 colon-separated hex pairs, distinct per certificate")
    func fingerprints() throws {
        let ca = try CertificateFingerprint.sha256(of: sharedPKI.authority.certificate)
        #expect(ca.count == 95)
        #expect(ca.split(separator: ":").allSatisfy { $0.count == 2 && $0.allSatisfy(\.isHexDigit) && $0.uppercased() == $0 })
        #expect(ca != (try CertificateFingerprint.sha256(of: sharedPKI.client.certificate)))
        #expect(CertificateFingerprint.sha256(ofDER: []) == "E3:B0:C4:42:98:FC:1C:14:9A:FB:F4:C8:99:6F:B9:24:27:AE:41:E4:64:9B:93:4C:A4:95:99:1B:78:52:B8:55")
    }
}

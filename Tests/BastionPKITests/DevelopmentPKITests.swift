import BastionPKI
import Crypto
import Foundation
import SwiftASN1
import Testing
import TestSupport
import X509

@Suite("Writing a development PKI")
struct WritingTests {
    @Test("the six files exist with 0600 keys and 0644 certificates, in a 0700 directory")
    func filesAndModes() throws {
        let temporary = try TemporaryDirectory()
        defer { temporary.remove() }
        let directory = temporary.path("nested/pki")
        let written = try sharedPKI.write(toDirectory: directory)

        #expect(written.map { ($0 as NSString).lastPathComponent } == ["ca.pem", "ca-key.pem", "server.pem", "server-key.pem", "client.pem", "client-key.pem"])
        #expect(permissions(directory) == 0o700)
        for name in ["ca-key.pem", "server-key.pem", "client-key.pem"] {
            #expect(permissions((directory as NSString).appendingPathComponent(name)) == 0o600, "\(name)")
        }
        for name in ["ca.pem", "server.pem", "client.pem"] {
            #expect(permissions((directory as NSString).appendingPathComponent(name)) == 0o644, "\(name)")
        }
        #expect(DevelopmentPKI.existingFiles(inDirectory: directory) == DevelopmentPKI.File.allCases)
        // No temporary files are left behind.
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory).sorted() == written.map { ($0 as NSString).lastPathComponent }.sorted())
    }

    @Test("keys are unencrypted PKCS#8 PEM, certificates PEM CERTIFICATE blocks")
    func pemForms() throws {
        let temporary = try TemporaryDirectory()
        defer { temporary.remove() }
        try sharedPKI.write(toDirectory: temporary.path)
        for file in DevelopmentPKI.File.allCases {
            let text = try String(contentsOfFile: file.path(inDirectory: temporary.path), encoding: .utf8)
            let label = file.isPrivateKey ? "PRIVATE KEY" : "CERTIFICATE"
            #expect(text.hasPrefix("-----BEGIN \(label)-----\n"), "\(file)")
            #expect(text.hasSuffix("-----END \(label)-----\n"), "\(file)")
        }
    }

    @Test("the written files load back as the same PKI")
    func roundTrip() throws {
        let temporary = try TemporaryDirectory()
        defer { temporary.remove() }
        try sharedPKI.write(toDirectory: temporary.path)
        let loaded = try DevelopmentPKI.load(fromDirectory: temporary.path)
        #expect(loaded == sharedPKI)
        #expect(try PEMFile.certificates(atPath: temporary.path("server.pem")) == [sharedPKI.server.certificate])
    }

    @Test("existing files are not overwritten: the error names the file, and nothing is written")
    func refusesToOverwrite() throws {
        let temporary = try TemporaryDirectory()
        defer { temporary.remove() }
        let existing = try temporary.write("mine\n", to: "client.pem")

        #expect(throws: PKIError.fileExists(path: existing)) {
            try sharedPKI.write(toDirectory: temporary.path)
        }
        #expect(try String(contentsOfFile: existing, encoding: .utf8) == "mine\n")
        #expect(DevelopmentPKI.existingFiles(inDirectory: temporary.path) == [.clientCertificate])

        let error = PKIError.fileExists(path: existing)
        #expect(error.description.contains(existing))
        #expect(error.description.contains("refusing to overwrite"))
    }

    @Test("a second PKI into the same directory is refused, and replaces the first with overwrite")
    func overwrite() throws {
        let temporary = try TemporaryDirectory()
        defer { temporary.remove() }
        try sharedPKI.write(toDirectory: temporary.path)
        let second = try DevelopmentPKI.generate()
        #expect(throws: PKIError.fileExists(path: temporary.path("ca.pem"))) {
            try second.write(toDirectory: temporary.path)
        }
        #expect(try DevelopmentPKI.load(fromDirectory: temporary.path) == sharedPKI)

        // A key file someone loosened is put back to 0600 when replaced.
        #expect(chmod(temporary.path("client-key.pem"), 0o644) == 0)
        try second.write(toDirectory: temporary.path, overwrite: true)
        #expect(try DevelopmentPKI.load(fromDirectory: temporary.path) == second)
        #expect(permissions(temporary.path("client-key.pem")) == 0o600)
        #expect(permissions(temporary.path("ca.pem")) == 0o644)
        #expect(try FileManager.default.contentsOfDirectory(atPath: temporary.path).count == 6)
    }

    @Test("a file where the directory should be is a clear error")
    func directoryBlocked() throws {
        let temporary = try TemporaryDirectory()
        defer { temporary.remove() }
        let blocker = try temporary.write("x", to: "pki")
        do {
            try sharedPKI.write(toDirectory: blocker)
            Issue.record("writing into a regular file succeeded")
        } catch {
            guard error.kind == .cannotCreateDirectory else {
                Issue.record("unexpected error \(error)")
                return
            }
            #expect(error.subject == blocker)
        }
    }
}

@Suite("The certificates of a development PKI")
struct CertificateContentTests {
    @Test("the CA: basicConstraints CA critical, keyUsage keyCertSign+cRLSign critical, self-signed, named with a random suffix")
    func authority() throws {
        let ca = sharedPKI.authority.certificate
        let basicConstraints = try #require(ca.extensions[oid: .X509ExtensionID.basicConstraints])
        #expect(basicConstraints.critical)
        guard case .isCertificateAuthority = try BasicConstraints(basicConstraints) else {
            Issue.record("the CA is not a CA: \(basicConstraints)")
            return
        }
        let keyUsageExtension = try #require(ca.extensions[oid: .X509ExtensionID.keyUsage])
        #expect(keyUsageExtension.critical)
        let keyUsage = try KeyUsage(keyUsageExtension)
        #expect(keyUsage.keyCertSign && keyUsage.cRLSign)
        #expect(!keyUsage.digitalSignature)
        #expect(ca.issuer == ca.subject)
        #expect(ca.publicKey.isValidSignature(ca.signature, for: ca))
        #expect(try ca.extensions.subjectKeyIdentifier != nil)

        let name = try #require(PeerIdentity.commonName(of: ca.subject))
        #expect(name.hasPrefix("Bastion Development CA "))
        let other = try CertificateAuthority.generate()
        #expect(PeerIdentity.commonName(of: other.certificate.subject) != name)
        #expect(other.certificate.serialNumber != ca.serialNumber)
    }

    @Test("all keys are ECDSA P-256 and signatures ECDSA with SHA-256")
    func algorithms() {
        for certificate in [sharedPKI.authority.certificate, sharedPKI.server.certificate, sharedPKI.client.certificate] {
            #expect(P256.Signing.PublicKey(certificate.publicKey) != nil)
            #expect(certificate.signatureAlgorithm == .ecdsaWithSHA256)
            #expect(certificate.version == .v3)
        }
    }

    @Test("the server certificate: SANs localhost and 127.0.0.1, CN localhost, EKU serverAuth, not a CA")
    func server() throws {
        let server = sharedPKI.server.certificate
        let names = try #require(try server.extensions.subjectAlternativeNames)
        #expect(Array(names) == [.dnsName("localhost"), .ipAddress(ASN1OctetString(contentBytes: [127, 0, 0, 1]))])
        #expect(PeerIdentity.commonName(of: server.subject) == "localhost")
        #expect(Array(try #require(try server.extensions.extendedKeyUsage)) == [.serverAuth])
        #expect(try server.extensions.basicConstraints == .notCertificateAuthority)
        #expect(try server.extensions.keyUsage?.digitalSignature == true)
        #expect(try server.extensions.keyUsage?.keyCertSign == false)
        #expect(server.issuer == sharedPKI.authority.certificate.subject)
    }

    @Test("the client certificate: CN bastion-producer, EKU clientAuth, not a CA")
    func client() throws {
        let client = sharedPKI.client.certificate
        #expect(PeerIdentity.commonName(of: client.subject) == "bastion-producer")
        #expect(Array(try #require(try client.extensions.extendedKeyUsage)) == [.clientAuth])
        #expect(try client.extensions.basicConstraints == .notCertificateAuthority)
        #expect(client.issuer == sharedPKI.authority.certificate.subject)
    }

    @Test("custom hosts: DNS names, IPv4 and IPv6 (bracketed too) become SANs; the first is the CN")
    func customHosts() throws {
        let pki = try DevelopmentPKI.generate(.init(serverHosts: ["consumer.example.org", "10.1.2.3", "::1", "[2001:db8::5]", "localhost."], clientCommonName: "acme-producer"))
        let server = pki.server.certificate
        let names = Array(try #require(try server.extensions.subjectAlternativeNames))
        let loopback6 = [UInt8](repeating: 0, count: 15) + [1]
        let documentation6: [UInt8] = [0x20, 0x01, 0x0d, 0xb8] + [UInt8](repeating: 0, count: 11) + [5]
        #expect(names == [
            .dnsName("consumer.example.org"),
            .ipAddress(ASN1OctetString(contentBytes: [10, 1, 2, 3])),
            .ipAddress(ASN1OctetString(contentBytes: loopback6[...])),
            .ipAddress(ASN1OctetString(contentBytes: documentation6[...])),
            .dnsName("localhost"),
        ])
        #expect(PeerIdentity.subjectAlternativeNames(of: server) == ["consumer.example.org", "10.1.2.3", "::1", "2001:db8::5", "localhost"])
        #expect(PeerIdentity.commonName(of: server.subject) == "consumer.example.org")
        #expect(PeerIdentity.commonName(of: pki.client.certificate.subject) == "acme-producer")
    }

    @Test("invalid hosts and names are refused before any key is made", arguments: [
        "", "bad host", "-leading.example", "a..b", "exa_mple.com", "[not-an-address]", "fe80::1%eth0", "ünïcode.example",
    ])
    func invalidHosts(host: String) {
        #expect {
            try DevelopmentPKI.generate(.init(serverHosts: ["localhost", host]))
        } throws: { error in
            guard let error = error as? PKIError, error.kind == .invalidHost else { return false }
            return error.subject == host
        }
    }

    @Test("no host, an empty client name or a non-positive validity is refused")
    func otherInvalidOptions() {
        #expect(throws: PKIError.noServerHosts) { try DevelopmentPKI.generate(.init(serverHosts: [])) }
        #expect(throws: PKIError.self) { try DevelopmentPKI.generate(.init(clientCommonName: "")) }
        #expect(throws: PKIError.self) { try DevelopmentPKI.generate(.init(clientCommonName: String(repeating: "x", count: 65))) }
        #expect(throws: PKIError.invalidValidity(days: 0)) { try DevelopmentPKI.generate(.init(leafValidityDays: 0)) }
    }

    @Test("validity: not-before a few minutes back, leaves valid 825 days, the CA longer")
    func validity() throws {
        let now = Date()
        let pki = try DevelopmentPKI.generate(now: now)
        for certificate in [pki.authority.certificate, pki.server.certificate, pki.client.certificate] {
            let backdate = now.timeIntervalSince(certificate.notValidBefore)
            #expect(backdate >= 60 && backdate <= 10 * 60, "not-before \(certificate.notValidBefore) for now \(now)")
        }
        for certificate in [pki.server.certificate, pki.client.certificate] {
            let days = certificate.notValidAfter.timeIntervalSince(now) / 86_400
            #expect(abs(days - 825) < 0.01)
            #expect(certificate.notValidAfter <= pki.authority.certificate.notValidAfter)
        }
        #expect(pki.authority.certificate.notValidAfter.timeIntervalSince(now) / 86_400 > 3000)
    }

    @Test("serial numbers are random and distinct")
    func serials() throws {
        let other = try DevelopmentPKI.generate()
        let serials = Set([sharedPKI.authority, other.authority].map(\.certificate.serialNumber)
            + [sharedPKI.server, sharedPKI.client, other.server, other.client].map(\.certificate.serialNumber))
        #expect(serials.count == 6)
        for serial in serials {
            #expect(serial.bytes.count >= 8)
        }
    }

    @Test("subject and authority key identifiers link each leaf to the CA")
    func keyIdentifiers() throws {
        let caIdentifier = try #require(try sharedPKI.authority.certificate.extensions.subjectKeyIdentifier).keyIdentifier
        #expect(caIdentifier == SubjectKeyIdentifier(hash: sharedPKI.authority.certificate.publicKey).keyIdentifier)
        for leaf in [sharedPKI.server.certificate, sharedPKI.client.certificate] {
            #expect(try leaf.extensions.authorityKeyIdentifier?.keyIdentifier == caIdentifier)
            let own = try #require(try leaf.extensions.subjectKeyIdentifier).keyIdentifier
            #expect(own == SubjectKeyIdentifier(hash: leaf.publicKey).keyIdentifier)
            #expect(own != caIdentifier)
        }
    }

    @Test("each private key file matches its certificate's public key, and signs for it")
    func keysMatch() throws {
        let temporary = try TemporaryDirectory()
        defer { temporary.remove() }
        try sharedPKI.write(toDirectory: temporary.path)
        let pairs: [(DevelopmentPKI.File, DevelopmentPKI.File)] = [(.caCertificate, .caPrivateKey), (.serverCertificate, .serverPrivateKey), (.clientCertificate, .clientPrivateKey)]
        for (certificateFile, keyFile) in pairs {
            let certificate = try PEMFile.certificate(atPath: certificateFile.path(inDirectory: temporary.path))
            let key = try PEMFile.privateKey(atPath: keyFile.path(inDirectory: temporary.path))
            #expect(key.publicKey == certificate.publicKey)
            // Sign a throwaway certificate with the loaded key; the certificate's public key must verify it.
            let probe = try Certificate(
                version: .v3, serialNumber: .init(), publicKey: key.publicKey,
                notValidBefore: Date(), notValidAfter: Date() + 60,
                issuer: DistinguishedName { CommonName("probe") }, subject: DistinguishedName { CommonName("probe") },
                signatureAlgorithm: .ecdsaWithSHA256, extensions: Certificate.Extensions(), issuerPrivateKey: key
            )
            #expect(certificate.publicKey.isValidSignature(probe.signature, for: probe))
        }
        let serverKey = try PEMFile.privateKey(atPath: temporary.path("server-key.pem"))
        #expect(serverKey.publicKey != sharedPKI.client.certificate.publicKey)
    }

    @Test("a key that is not the certificate's is refused when pairing them")
    func mismatchedPair() {
        #expect(throws: PKIError.keyDoesNotMatchCertificate(certificatePath: "certificate", keyPath: "private key")) {
            try IssuedCertificate(certificate: sharedPKI.server.certificate, privateKey: sharedPKI.client.privateKey)
        }
    }
}

@Suite("Verifying against the CA (swift-certificates Verifier)")
struct VerificationTests {
    @Test("the server and client certificates chain to their CA")
    func validChains() async throws {
        let roots = [sharedPKI.authority.certificate]
        let server = await validate(sharedPKI.server.certificate, roots: roots)
        guard case .validCertificate(let chain) = server else {
            Issue.record("server certificate did not validate: \(server)")
            return
        }
        #expect(Array(chain) == [sharedPKI.server.certificate, sharedPKI.authority.certificate])
        #expect(await validate(sharedPKI.client.certificate, roots: roots).isValid)
    }

    @Test("the server certificate matches localhost and 127.0.0.1, not another name")
    func serverIdentity() async {
        let roots = [sharedPKI.authority.certificate]
        #expect(await validate(sharedPKI.server.certificate, roots: roots, hostname: "localhost").isValid)
        #expect(await validate(sharedPKI.server.certificate, roots: roots, ip: "127.0.0.1").isValid)
        #expect(await !validate(sharedPKI.server.certificate, roots: roots, hostname: "consumer.example.org").isValid)
        #expect(await !validate(sharedPKI.server.certificate, roots: roots, ip: "127.0.0.2").isValid)
    }

    @Test("an IPv6 host verifies by address")
    func ipv6Identity() async throws {
        let pki = try DevelopmentPKI.generate(.init(serverHosts: ["::1"]))
        #expect(await validate(pki.server.certificate, roots: [pki.authority.certificate], ip: "::1").isValid)
        #expect(PeerIdentity.commonName(of: pki.server.certificate.subject) == "::1")
    }

    @Test("a certificate from a second CA does not verify against the first")
    func otherAuthority() async throws {
        let other = try DevelopmentPKI.generate()
        #expect(await !validate(other.client.certificate, roots: [sharedPKI.authority.certificate]).isValid)
        #expect(await !validate(other.server.certificate, roots: [sharedPKI.authority.certificate]).isValid)
        #expect(await !validate(sharedPKI.client.certificate, roots: [other.authority.certificate]).isValid)
        #expect(await validate(other.client.certificate, roots: [other.authority.certificate]).isValid)
    }

    @Test("a leaf certificate is not a trust anchor for another leaf")
    func leafIsNotCA() async {
        #expect(await !validate(sharedPKI.client.certificate, roots: [sharedPKI.server.certificate]).isValid)
    }
}

@Suite("Issuing more certificates from an existing CA directory")
struct IssuingTests {
    @Test("an extra client certificate from ca.pem + ca-key.pem verifies against ca.pem")
    func extraClient() async throws {
        let temporary = try TemporaryDirectory()
        defer { temporary.remove() }
        try sharedPKI.write(toDirectory: temporary.path)

        let authority = try CertificateAuthority.load(fromDirectory: temporary.path)
        #expect(authority == sharedPKI.authority)
        let extra = try authority.issueClientCertificate(commonName: "second-producer")
        let paths = try extra.write(toDirectory: temporary.path, name: "client2")
        #expect(paths.certificate == temporary.path("client2.pem"))
        #expect(permissions(paths.privateKey) == 0o600)
        #expect(permissions(paths.certificate) == 0o644)

        let loaded = try PEMFile.certificate(atPath: paths.certificate)
        #expect(PeerIdentity.identity(of: loaded) == "second-producer")
        let ca = try PEMFile.certificate(atPath: temporary.path("ca.pem"))
        #expect(await validate(loaded, roots: [ca]).isValid)
        #expect(try PEMFile.privateKey(atPath: paths.privateKey).publicKey == loaded.publicKey)

        #expect(throws: PKIError.fileExists(path: paths.privateKey)) {
            try extra.write(certificateTo: temporary.path("client3.pem"), privateKeyTo: paths.privateKey)
        }
        #expect(!FileManager.default.fileExists(atPath: temporary.path("client3.pem")))
    }

    @Test("an extra server certificate for other hosts")
    func extraServer() async throws {
        let extra = try sharedPKI.authority.issueServerCertificate(hosts: ["bastion.test", "192.0.2.7"])
        #expect(await validate(extra.certificate, roots: [sharedPKI.authority.certificate], hostname: "bastion.test").isValid)
        #expect(await validate(extra.certificate, roots: [sharedPKI.authority.certificate], ip: "192.0.2.7").isValid)
        #expect(await !validate(extra.certificate, roots: [sharedPKI.authority.certificate], hostname: "localhost").isValid)
    }

    @Test("loading a CA: a missing key file, a leaf given as CA, a key of another certificate")
    func loadingErrors() throws {
        let temporary = try TemporaryDirectory()
        defer { temporary.remove() }
        try sharedPKI.write(toDirectory: temporary.path)
        let keyPath = temporary.path("ca-key.pem")

        #expect(throws: PKIError.notACertificateAuthority(path: temporary.path("server.pem"), reason: "basicConstraints does not say CA:TRUE")) {
            try CertificateAuthority.load(certificatePath: temporary.path("server.pem"), privateKeyPath: temporary.path("server-key.pem"))
        }
        #expect(throws: PKIError.keyDoesNotMatchCertificate(certificatePath: temporary.path("ca.pem"), keyPath: temporary.path("client-key.pem"))) {
            try CertificateAuthority.load(certificatePath: temporary.path("ca.pem"), privateKeyPath: temporary.path("client-key.pem"))
        }
        try FileManager.default.removeItem(atPath: keyPath)
        #expect(throws: PEMFileError(path: keyPath, reason: .missing)) {
            try CertificateAuthority.load(fromDirectory: temporary.path)
        }
    }

    @Test("a CA that has expired issues nothing; leaves never outlive their CA")
    func authorityLifetime() throws {
        let longAgo = Date() - 400 * 86_400
        let expired = try CertificateAuthority.generate(validityDays: 30, now: longAgo)
        #expect {
            try expired.issueClientCertificate()
        } throws: { error in
            (error as? PKIError)?.kind == .authorityNotValid
        }
        let shortLived = try CertificateAuthority.generate(validityDays: 10)
        let leaf = try shortLived.issueServerCertificate()
        #expect(leaf.certificate.notValidAfter == shortLived.certificate.notValidAfter)
    }
}

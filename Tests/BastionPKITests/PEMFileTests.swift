import BastionPKI
import Crypto
import Foundation
import SwiftASN1
import Testing
import TestSupport
import X509

@Suite("Loading PEM files")
struct PEMFileTests {
    @Test("a chain of several certificates loads in file order, other blocks skipped")
    func chain() throws {
        let temporary = try TemporaryDirectory()
        defer { temporary.remove() }
        let text = sharedPKI.server.certificatePEM + sharedPKI.server.privateKeyPEM + "\n" + (try sharedPKI.authority.certificatePEM)
        let path = try temporary.write(text, to: "chain.pem")
        #expect(try PEMFile.certificates(atPath: path) == [sharedPKI.server.certificate, sharedPKI.authority.certificate])
        #expect(try PEMFile.certificate(atPath: path) == sharedPKI.server.certificate)
        // The key in the combined file loads too.
        #expect(try PEMFile.privateKey(atPath: path) == sharedPKI.server.privateKey)
    }

    @Test("a missing file")
    func missing() throws {
        let temporary = try TemporaryDirectory()
        defer { temporary.remove() }
        let path = temporary.path("nothing-here.pem")
        #expect(throws: PEMFileError(path: path, reason: .missing)) { try PEMFile.certificates(atPath: path) }
        #expect(throws: PEMFileError(path: path, reason: .missing)) { try PEMFile.privateKey(atPath: path) }
        #expect(PEMFileError(path: path, reason: .missing).description == "\(path): no such file")
    }

    @Test("garbage is not PEM")
    func garbage() throws {
        let temporary = try TemporaryDirectory()
        defer { temporary.remove() }
        let path = try temporary.write("this is not a certificate\n", to: "garbage.pem")
        #expect(throws: PEMFileError(path: path, reason: .notPEM(looksLikeDER: false))) { try PEMFile.certificates(atPath: path) }
        #expect(throws: PEMFileError(path: path, reason: .notPEM(looksLikeDER: false))) { try PEMFile.privateKey(atPath: path) }
        #expect(PEMFileError(path: path, reason: .notPEM(looksLikeDER: false)).description.contains("not a PEM file"))
    }

    @Test("binary DER is not PEM, and the message says it looks like DER")
    func der() throws {
        let temporary = try TemporaryDirectory()
        defer { temporary.remove() }
        var serializer = DER.Serializer()
        try serializer.serialize(sharedPKI.client.certificate)
        let path = temporary.path("client.der")
        try Data(serializer.serializedBytes).write(to: URL(fileURLWithPath: path))
        #expect {
            try PEMFile.certificates(atPath: path)
        } throws: { error in
            guard let error = error as? PEMFileError, error.path == path, case .notPEM(looksLikeDER: true) = error.reason else { return false }
            return error.description.contains("DER")
        }
    }

    @Test("a certificate where a key is expected, and a key where a certificate is expected")
    func wrongType() throws {
        let temporary = try TemporaryDirectory()
        defer { temporary.remove() }
        try sharedPKI.write(toDirectory: temporary.path)
        let certificatePath = temporary.path("client.pem")
        let keyPath = temporary.path("client-key.pem")

        #expect {
            try PEMFile.privateKey(atPath: certificatePath)
        } throws: { error in
            guard let error = error as? PEMFileError, error.path == certificatePath,
                  case .wrongType(_, let found) = error.reason else { return false }
            return found == ["CERTIFICATE"] && error.description.contains("expected a private key") && error.description.contains("\"CERTIFICATE\"")
        }
        #expect {
            try PEMFile.certificates(atPath: keyPath)
        } throws: { error in
            guard let error = error as? PEMFileError, error.path == keyPath,
                  case .wrongType(_, let found) = error.reason else { return false }
            return found == ["PRIVATE KEY"] && error.description.contains("expected a certificate")
        }
    }

    @Test("malformed PEM: bad base64, and a BEGIN without an END")
    func malformed() throws {
        let temporary = try TemporaryDirectory()
        defer { temporary.remove() }
        let badBase64 = try temporary.write("-----BEGIN CERTIFICATE-----\n!!!not base64!!!\n-----END CERTIFICATE-----\n", to: "bad.pem")
        let unterminated = try temporary.write("-----BEGIN CERTIFICATE-----\nMIIB\n", to: "cut.pem")
        for path in [badBase64, unterminated] {
            #expect {
                try PEMFile.certificates(atPath: path)
            } throws: { error in
                guard let error = error as? PEMFileError, error.path == path, case .malformedPEM = error.reason else { return false }
                return true
            }
        }
    }

    @Test("a CERTIFICATE block that is not a certificate")
    func invalidContent() throws {
        let temporary = try TemporaryDirectory()
        defer { temporary.remove() }
        let path = try temporary.write(PEMDocument(type: "CERTIFICATE", derBytes: [0x30, 0x03, 0x02, 0x01, 0x01]).pemString + "\n", to: "fake.pem")
        #expect {
            try PEMFile.certificates(atPath: path)
        } throws: { error in
            guard let error = error as? PEMFileError, error.path == path, case .invalidContent = error.reason else { return false }
            return true
        }
    }

    @Test("a directory is unreadable, not missing")
    func directory() throws {
        let temporary = try TemporaryDirectory()
        defer { temporary.remove() }
        #expect {
            try PEMFile.certificates(atPath: temporary.path)
        } throws: { error in
            guard let error = error as? PEMFileError, case .unreadable(let reason) = error.reason else { return false }
            return reason.contains("directory")
        }
    }

    @Test("SEC1 EC PRIVATE KEY files load too; encrypted and duplicate keys are refused")
    func otherKeyForms() throws {
        let temporary = try TemporaryDirectory()
        defer { temporary.remove() }
        let key = P256.Signing.PrivateKey()
        let sec1 = try temporary.write(PEMDocument(type: "EC PRIVATE KEY", derBytes: try sec1DER(key)).pemString + "\n", to: "sec1.pem")
        #expect(try PEMFile.privateKey(atPath: sec1).publicKey == Certificate.PrivateKey(key).publicKey)

        let encrypted = try temporary.write(PEMDocument(type: "ENCRYPTED PRIVATE KEY", derBytes: [0x30, 0x00]).pemString + "\n", to: "encrypted.pem")
        #expect {
            try PEMFile.privateKey(atPath: encrypted)
        } throws: { error in
            guard let error = error as? PEMFileError, case .invalidContent(let reason) = error.reason else { return false }
            return reason.contains("encrypted")
        }

        let two = try temporary.write(sharedPKI.server.privateKeyPEM + sharedPKI.client.privateKeyPEM, to: "two.pem")
        #expect(throws: PEMFileError(path: two, reason: .multiplePrivateKeys(2))) { try PEMFile.privateKey(atPath: two) }
    }

    /// The SEC1 (RFC 5915) DER of a P-256 key, as `openssl ec` writes it.
    private func sec1DER(_ key: P256.Signing.PrivateKey) throws -> [UInt8] {
        // ECPrivateKey ::= SEQUENCE { version 1, privateKey OCTET STRING, [0] curve OID, [1] public key BIT STRING }
        var serializer = DER.Serializer()
        try serializer.appendConstructedNode(identifier: .sequence) { coder in
            try coder.serialize(1)
            try coder.serialize(ASN1OctetString(contentBytes: ArraySlice(key.rawRepresentation)))
            try coder.serialize(explicitlyTaggedWithTagNumber: 0, tagClass: .contextSpecific) { coder in
                let prime256v1: ASN1ObjectIdentifier = [1, 2, 840, 10045, 3, 1, 7]
                try coder.serialize(prime256v1)
            }
            try coder.serialize(explicitlyTaggedWithTagNumber: 1, tagClass: .contextSpecific) { coder in
                try coder.serialize(ASN1BitString(bytes: ArraySlice(key.publicKey.x963Representation)))
            }
        }
        return serializer.serializedBytes
    }
}

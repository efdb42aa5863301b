import Foundation
import SwiftASN1
import X509

/// Loading certificates and private keys from PEM files, with errors that name the file and the problem.
///
/// ```swift
/// let chain = try PEMFile.certificates(atPath: "pki/server.pem")
/// let key = try PEMFile.privateKey(atPath: "pki/server-key.pem")
/// ```
public enum PEMFile {
    /// The PEM label of a certificate block.
    public static let certificateLabel = "CERTIFICATE"
    /// The PEM labels of the private key encodings that can be loaded: PKCS#8, SEC1 (EC) and PKCS#1 (RSA).
    public static let privateKeyLabels: Set<String> = ["PRIVATE KEY", "EC PRIVATE KEY", "RSA PRIVATE KEY"]
    /// Files larger than this are refused unread.
    public static let maximumSize = 16 << 20

    /// Loads every certificate in a PEM file, in file order (a chain: leaf first, then intermediates;
    /// or a bundle of trust anchors).
    ///
    /// Blocks of other kinds (a private key in a combined file, for example) are skipped; a file
    /// without any `CERTIFICATE` block is an error.
    /// - Parameter path: the file to read.
    /// - Returns: at least one certificate.
    /// - Throws: ``PEMFileError`` naming `path`: missing, unreadable, not PEM, malformed PEM,
    ///   no certificate in it (``PEMFileError/Reason/wrongType(expected:found:)``), or a certificate that does not parse.
    public static func certificates(atPath path: String) throws(PEMFileError) -> [Certificate] {
        let documents = try documents(atPath: path)
        let blocks = documents.filter { $0.discriminator == certificateLabel }
        guard !blocks.isEmpty else {
            throw PEMFileError(path: path, reason: .wrongType(expected: "a certificate (\"\(certificateLabel)\")", found: documents.map(\.discriminator)))
        }
        var certificates: [Certificate] = []
        certificates.reserveCapacity(blocks.count)
        for (index, block) in blocks.enumerated() {
            do {
                certificates.append(try Certificate(derEncoded: block.derBytes))
            } catch {
                let position = blocks.count > 1 ? "certificate \(index + 1) of \(blocks.count): " : ""
                throw PEMFileError(path: path, reason: .invalidContent("\(position)\(error)"))
            }
        }
        return certificates
    }

    /// Loads the first certificate of a PEM file (for a chain, the leaf).
    /// - Throws: ``PEMFileError`` as ``certificates(atPath:)`` does.
    public static func certificate(atPath path: String) throws(PEMFileError) -> Certificate {
        // `certificates(atPath:)` never returns an empty array.
        try certificates(atPath: path)[0]
    }

    /// Loads the one private key in a PEM file: PKCS#8 (`PRIVATE KEY`), SEC1 (`EC PRIVATE KEY`) or
    /// PKCS#1 (`RSA PRIVATE KEY`). Other blocks, such as `EC PARAMETERS`, are skipped.
    /// - Parameter path: the file to read.
    /// - Throws: ``PEMFileError`` naming `path`: missing, unreadable, not PEM, malformed PEM, no private key in it
    ///   (for example a certificate given where a key is expected), an encrypted key, several keys,
    ///   or a key that does not parse.
    public static func privateKey(atPath path: String) throws(PEMFileError) -> Certificate.PrivateKey {
        let documents = try documents(atPath: path)
        let keys = documents.filter { privateKeyLabels.contains($0.discriminator) }
        guard let key = keys.first else {
            if documents.contains(where: { $0.discriminator == "ENCRYPTED PRIVATE KEY" }) {
                throw PEMFileError(path: path, reason: .invalidContent("the private key is encrypted; Bastion needs an unencrypted key (decrypt it with openssl pkcs8 -in FILE -out FILE.key)"))
            }
            throw PEMFileError(path: path, reason: .wrongType(expected: "a private key (\"PRIVATE KEY\", \"EC PRIVATE KEY\" or \"RSA PRIVATE KEY\")", found: documents.map(\.discriminator)))
        }
        guard keys.count == 1 else {
            throw PEMFileError(path: path, reason: .multiplePrivateKeys(keys.count))
        }
        do {
            return try Certificate.PrivateKey(pemDocument: key)
        } catch {
            throw PEMFileError(path: path, reason: .invalidContent("\(key.discriminator): \(error)"))
        }
    }

    /// Reads a file and splits it into PEM documents (at least one).
    static func documents(atPath path: String) throws(PEMFileError) -> [PEMDocument] {
        let bytes: [UInt8]
        do {
            bytes = try FileSystem.read(path, maximumSize: maximumSize)
        } catch {
            switch error {
            case .noSuchFile: throw PEMFileError(path: path, reason: .missing)
            case .failed(let reason): throw PEMFileError(path: path, reason: .unreadable(reason))
            }
        }
        let looksLikeDER = bytes.first == 0x30
        guard let text = String(bytes: bytes, encoding: .utf8) else {
            throw PEMFileError(path: path, reason: .notPEM(looksLikeDER: looksLikeDER))
        }
        guard text.contains("-----BEGIN ") else {
            throw PEMFileError(path: path, reason: .notPEM(looksLikeDER: false))
        }
        let documents: [PEMDocument]
        do {
            documents = try PEMDocument.parseMultiple(pemString: text)
        } catch {
            throw PEMFileError(path: path, reason: .malformedPEM(String(describing: error)))
        }
        guard !documents.isEmpty else {
            throw PEMFileError(path: path, reason: .malformedPEM("a -----BEGIN …----- line without a matching -----END …----- line"))
        }
        return documents
    }
}

/// An error loading a certificate or private key from a PEM file: which file, and what is wrong with it.
public struct PEMFileError: Error, CustomStringConvertible, Sendable, Equatable {
    /// What is wrong with the file.
    public enum Reason: Sendable, Equatable {
        /// No file at the path.
        case missing
        /// The file exists but could not be read (permissions, a directory, an I/O error).
        case unreadable(String)
        /// The file holds no PEM block (`-----BEGIN …-----`). `looksLikeDER` is set when its bytes start like DER.
        case notPEM(looksLikeDER: Bool)
        /// A PEM block is malformed (bad base64, missing END line, empty body).
        case malformedPEM(String)
        /// The file holds PEM blocks, but none of the expected kind; `found` lists the labels it has.
        case wrongType(expected: String, found: [String])
        /// A block of the right kind whose content does not parse (bad DER, unsupported algorithm).
        case invalidContent(String)
        /// The file holds more than one private key, so which one to use is ambiguous.
        case multiplePrivateKeys(Int)
    }

    /// The path of the file, as given.
    public var path: String
    /// What is wrong with it.
    public var reason: Reason

    /// Creates an error for `path`.
    public init(path: String, reason: Reason) {
        self.path = path
        self.reason = reason
    }

    /// A sentence naming the file and the problem.
    public var description: String {
        switch reason {
        case .missing:
            return "\(path): no such file"
        case .unreadable(let detail):
            return "\(path): cannot read the file: \(detail)"
        case .notPEM(let looksLikeDER):
            let hint = looksLikeDER ? " (it looks like binary DER; convert it to PEM, e.g. openssl x509 -inform der -in FILE -out FILE.pem)" : ""
            return "\(path): not a PEM file: no -----BEGIN …----- block found\(hint)"
        case .malformedPEM(let detail):
            return "\(path): malformed PEM: \(detail)"
        case .wrongType(let expected, let found):
            let labels = found.map { "\"\($0)\"" }.joined(separator: ", ")
            return "\(path): expected \(expected), but the file holds \(labels)"
        case .invalidContent(let detail):
            return "\(path): invalid content: \(detail)"
        case .multiplePrivateKeys(let count):
            return "\(path): holds \(count) private keys; put exactly one private key in the file"
        }
    }
}

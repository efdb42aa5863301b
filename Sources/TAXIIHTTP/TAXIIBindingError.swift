/// Why HTTP headers or a body do not make a TAXII message exchange under the HTTP binding.
///
/// ``description`` is one line, ready to print; a client adds the URL, a server answers with it.
public struct TAXIIBindingError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The class of problem.
    public enum Kind: String, Sendable, Equatable, CaseIterable {
        /// An HTTP error status and no TAXII message.
        case httpStatus
        /// A required binding header is missing.
        case missingHeader
        /// The headers name a message binding (or services version) that is not read here.
        case unsupportedBinding
        /// The body is not a TAXII message of the binding the headers name.
        case malformedMessage
        /// The message is a TAXII message, but not one that answers the request.
        case unexpectedMessage
    }

    /// The class of problem.
    public var kind: Kind
    /// What is wrong, in one line.
    public var message: String
    /// The HTTP status of the reply, when reading one.
    public var httpStatus: Int?

    /// Creates an error.
    public init(_ kind: Kind, _ message: String, httpStatus: Int? = nil) {
        self.kind = kind
        self.message = message
        self.httpStatus = httpStatus
    }

    public var description: String { message }
}

extension StringProtocol {
    /// The text without leading and trailing spaces and tabs.
    package var trimmingWhitespace: String {
        let text = String(self)
        let bytes = text.utf8
        guard let first = bytes.firstIndex(where: { $0 != 0x20 && $0 != 0x09 }),
              let last = bytes.lastIndex(where: { $0 != 0x20 && $0 != 0x09 })
        else { return "" }
        if first == bytes.startIndex, bytes.index(after: last) == bytes.endIndex { return text }
        return String(decoding: bytes[first...last], as: UTF8.self)
    }

}

extension String {
    /// Whether the text equals `other` when ASCII letters are compared without case (as HTTP
    /// header names are), without making lowercased copies. (Concrete on `String`, and inlinable,
    /// so that it compiles to a byte loop in the caller: the generic form cost a TAXII poll 8 % of
    /// the server's time in `IndexingIterator` calls.)
    @inlinable
    package func equalsIgnoringASCIICase(_ other: String) -> Bool {
        guard utf8.count == other.utf8.count else { return false }
        let compared = utf8.withContiguousStorageIfAvailable { left in
            other.utf8.withContiguousStorageIfAvailable { right in Self.equalIgnoringASCIICase(left, right) }
        }
        if let compared, let compared { return compared }
        return Self.equalIgnoringASCIICase(Array(utf8), Array(other.utf8))
    }

    /// Whether two byte sequences of the same length are equal but for the case of ASCII letters.
    @inlinable
    package static func equalIgnoringASCIICase(_ left: some Collection<UInt8>, _ right: some Collection<UInt8>) -> Bool {
        for (a, b) in zip(left, right) where a != b {
            guard a | 0x20 == b | 0x20, (0x61...0x7A).contains(a | 0x20) else { return false }
        }
        return true
    }
}

/// Where in a JSON document something is: `target.ipv4_net`, `args.slpf.direction`,
/// `target.features[2]`. The document root is the empty path.
public struct JSONPath: Hashable, Sendable, CustomStringConvertible, ExpressibleByStringLiteral {
    /// One step into a document.
    public enum Component: Hashable, Sendable {
        case key(String)
        case index(Int)
    }

    /// The steps from the root, outermost first.
    public var components: [Component]

    /// The root path, or a path made of these steps.
    public init(_ components: [Component] = []) { self.components = components }

    /// Parses the dotted form (`target.features[2]`); used by tests and fixtures.
    public init(stringLiteral value: String) {
        var components: [Component] = []
        for part in value.split(separator: ".", omittingEmptySubsequences: true) {
            var rest = Substring(part)
            if let bracket = rest.firstIndex(of: "[") {
                if bracket > rest.startIndex { components.append(.key(String(rest[..<bracket]))) }
                rest = rest[bracket...]
                while rest.first == "[", let close = rest.firstIndex(of: "]") {
                    components.append(.index(Int(rest[rest.index(after: rest.startIndex)..<close]) ?? 0))
                    rest = rest[rest.index(after: close)...]
                }
            } else {
                components.append(.key(String(rest)))
            }
        }
        self.components = components
    }

    /// Whether this is the document root.
    public var isRoot: Bool { components.isEmpty }

    public var description: String {
        var text = ""
        for component in components {
            switch component {
            case .key(let key):
                if !text.isEmpty { text += "." }
                text += key
            case .index(let index):
                text += "[\(index)]"
            }
        }
        return text
    }
}

/// Why an OpenC2 message (or a part of one) was refused, and where.
///
/// Every validation rule has its own ``Code``; ``path`` says where the offending value is and
/// ``message`` says what is wrong with it. The description reads
/// `target.ipv4_net: prefix 33 is out of range 0…32`.
public struct OpenC2Error: Error, Hashable, Sendable, CustomStringConvertible {
    /// The rule that was broken. Raw values are stable identifiers (`"unknown-field"`).
    public enum Code: String, Hashable, Sendable, CaseIterable {
        /// The bytes are not JSON (RFC 8259), or not UTF-8.
        case malformedJSON = "malformed-json"
        /// An object has two members with the same name (RFC 7493 §2.3).
        case duplicateKey = "duplicate-key"
        /// The document nests deeper than the decoder allows.
        case tooDeep = "too-deep"
        /// A number cannot be represented exactly (RFC 7493 §2.2).
        case unsafeNumber = "unsafe-number"
        /// A value has the wrong JSON type.
        case wrongType = "wrong-type"
        /// A required field is absent.
        case missingField = "missing-field"
        /// A field the type does not define.
        case unknownField = "unknown-field"
        /// A key meant as a namespace identifier breaks the NSID syntax.
        case invalidNamespace = "invalid-namespace"
        /// A well-formed NSID that is neither a known profile nor `x-` prefixed.
        case unknownNamespace = "unknown-namespace"
        /// The name after `nsid:` breaks the field-name rule.
        case invalidExtensionName = "invalid-extension-name"
        /// A value outside an enumeration.
        case invalidEnum = "invalid-enum"
        /// A Choice without exactly one member.
        case choiceCardinality = "choice-cardinality"
        /// A structure that must have at least one member has none.
        case empty
        /// A number outside its range.
        case outOfRange = "out-of-range"
        case invalidIPv4 = "invalid-ipv4"
        case invalidIPv6 = "invalid-ipv6"
        case invalidMAC = "invalid-mac"
        /// A hash that is not hex of the right length.
        case invalidHash = "invalid-hash"
        /// Binary data that is not base64url.
        case invalidBinary = "invalid-binary"
        case invalidHostname = "invalid-hostname"
        case invalidEmail = "invalid-email"
        case invalidIDNHostname = "invalid-idn-hostname"
        case invalidIDNEmail = "invalid-idn-email"
        case invalidURI = "invalid-uri"
        case invalidIRI = "invalid-iri"
        case invalidMediaType = "invalid-media-type"
        case invalidCommandID = "invalid-command-id"
        /// `start_time`, `stop_time` and `duration` all given (Language §3.3.1.4).
        case temporalOverdetermined = "temporal-overdetermined"
        /// `stop_time` earlier than `start_time`.
        case temporalOrder = "temporal-order"
        /// An item repeated in a list that must be unique.
        case duplicateItem = "duplicate-item"
        /// A list longer than its type allows.
        case tooManyItems = "too-many-items"
        /// A document that is neither a Command, a Response nor a message envelope.
        case unknownMessage = "unknown-message"
    }

    /// The rule that was broken.
    public var code: Code
    /// Where the offending value is.
    public var path: JSONPath
    /// What is wrong, in words.
    public var message: String

    /// An error at `path` (relative to the value being decoded; callers prefix their own steps).
    public init(_ code: Code, _ message: String, at path: JSONPath = JSONPath()) {
        self.code = code
        self.message = message
        self.path = path
    }

    public var description: String {
        path.isRoot ? message : "\(path): \(message)"
    }

    /// This error seen from one level up: `component` is put in front of the path.
    /// Syntax errors keep their (root) path: they carry a line and column instead.
    public func prefixed(with component: JSONPath.Component) -> OpenC2Error {
        guard code != .malformedJSON, code != .tooDeep else { return self }
        var copy = self
        copy.path.components.insert(component, at: 0)
        return copy
    }
}

/// Runs `body`, putting `key` in front of the path of any error it throws.
@inlinable
public func within<T>(_ key: String, _ body: () throws(OpenC2Error) -> T) throws(OpenC2Error) -> T {
    do { return try body() } catch { throw error.prefixed(with: .key(key)) }
}

/// Runs `body`, putting `[index]` in front of the path of any error it throws.
@inlinable
public func within<T>(index: Int, _ body: () throws(OpenC2Error) -> T) throws(OpenC2Error) -> T {
    do { return try body() } catch { throw error.prefixed(with: .index(index)) }
}

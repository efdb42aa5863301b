/// A namespace identifier (Language §3.4.2.12): the short name of an actuator
/// profile, such as `slpf`, or of a non-standard extension, such as `x-acme`.
///
/// Syntax: a non-standard NSID is `x-` followed by lowercase letters, digits and `_`, starting
/// with a letter or digit; any other NSID is a lowercase letter followed by lowercase letters,
/// digits, `-` and `_`. At most 16 characters in all.
public struct Nsid: Hashable, Comparable, Sendable, CustomStringConvertible, OpenC2Codable {
    /// The identifier.
    public let rawValue: String

    /// The Stateless Packet Filtering profile.
    public static let slpf = Nsid(unchecked: "slpf")

    /// NSIDs of the OASIS actuator profiles Bastion knows by name. Their content is validated
    /// when a profile implementation is registered with the decoder and kept opaque otherwise.
    public static let standardProfiles: Set<Nsid> = [.slpf]

    /// Checks the syntax of `rawValue`.
    public init(_ rawValue: String) throws(OpenC2Error) {
        guard Nsid.isWellFormed(rawValue) else {
            throw OpenC2Error(.invalidNamespace, "'\(rawValue)' is not a valid namespace identifier (x-name or a profile name, lowercase, at most 16 characters)")
        }
        self.rawValue = rawValue
    }

    init(unchecked rawValue: String) { self.rawValue = rawValue }

    /// Whether this is a non-standard (`x-`) namespace.
    public var isNonStandard: Bool { rawValue.hasPrefix("x-") }

    public var description: String { rawValue }

    public static func < (lhs: Nsid, rhs: Nsid) -> Bool { lhs.rawValue < rhs.rawValue }

    public init(json: JSONValue, decoder: OpenC2Decoder) throws(OpenC2Error) {
        try self.init(json.string())
    }

    public var json: JSONValue { .string(rawValue) }

    static func isWellFormed(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard (1...16).contains(bytes.count) else { return false }
        func isLowerOrDigit(_ byte: UInt8) -> Bool {
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
        }
        if bytes.starts(with: Array("x-".utf8)) {
            guard bytes.count > 2, isLowerOrDigit(bytes[2]) else { return false }
            return bytes[3...].allSatisfy { isLowerOrDigit($0) || $0 == UInt8(ascii: "_") }
        }
        guard (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(bytes[0]) else { return false }
        return bytes.allSatisfy { isLowerOrDigit($0) || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: "-") }
    }
}

/// An extended name `nsid:name`, such as the target `slpf:rule_number` or `x-acme:container`.
public struct ExtensionName: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The namespace that defines the name.
    public let nsid: Nsid
    /// The name within the namespace; matches `^[a-z][_a-z0-9]{0,31}$`.
    public let name: String

    /// Checks the name against the field-name rule.
    public init(nsid: Nsid, name: String) throws(OpenC2Error) {
        guard ExtensionName.isFieldName(name) else {
            throw OpenC2Error(.invalidExtensionName, "'\(name)' in '\(nsid):\(name)' is not a valid extension name (a lowercase letter, then up to 31 lowercase letters, digits or '_')")
        }
        self.nsid = nsid
        self.name = name
    }

    /// Parses `nsid:name`. The NSID must be well formed; whether it is known is the caller's concern.
    public init(parsing text: String) throws(OpenC2Error) {
        guard let colon = text.firstIndex(of: ":") else {
            throw OpenC2Error(.invalidExtensionName, "'\(text)' is not an extended name (nsid:name)")
        }
        try self.init(nsid: Nsid(String(text[..<colon])), name: String(text[text.index(after: colon)...]))
    }

    public var description: String { "\(nsid):\(name)" }

    public static func < (lhs: ExtensionName, rhs: ExtensionName) -> Bool { lhs.description < rhs.description }

    /// Whether `text` is a field name of an extension: `^[a-z][_a-z0-9]{0,31}$`.
    static func isFieldName(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard (1...32).contains(bytes.count), (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(bytes[0]) else { return false }
        return bytes.allSatisfy {
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains($0) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) || $0 == UInt8(ascii: "_")
        }
    }
}

/// Extension content kept per namespace: `"args": {"slpf": {…}, "x-acme": {…}}`.
public typealias ExtensionMap = [Nsid: JSONObject]

extension OpenC2Decoder {
    /// Reads a key that stands where a namespace may stand (in Args, Actuator, Results):
    /// the NSID, or `nil` when the key is simply not a field (an unknown field). An `x-`/`X-`
    /// key that breaks the NSID syntax throws an invalid-namespace error located at the key's value.
    func namespaceKey(_ key: String) throws(OpenC2Error) -> Nsid? {
        if Nsid.isWellFormed(key) {
            let nsid = Nsid(unchecked: key)
            if nsid.isNonStandard || isKnown(nsid) { return nsid }
        } else if key.lowercased().hasPrefix("x-") {
            throw OpenC2Error(.invalidNamespace, "'\(key)' is not a valid namespace identifier (x- then lowercase letters, digits or '_', at most 16 characters)")
        }
        return nil
    }

    /// Reads an extended name in a key (a Target) and checks that its namespace is known.
    func extensionKey(_ key: String) throws(OpenC2Error) -> ExtensionName {
        do throws(OpenC2Error) {
            let name = try ExtensionName(parsing: key)
            guard name.nsid.isNonStandard || isKnown(name.nsid) else {
                throw OpenC2Error(.unknownNamespace, "namespace '\(name.nsid)' in '\(key)' is neither a known profile nor a non-standard x- namespace")
            }
            return name
        } catch {
            throw error.prefixed(with: .key(key))
        }
    }

    /// Decodes one namespace's content: an object, validated by its profile when one is
    /// registered, opaque otherwise. (Encoding writes it in canonical, sorted member order.)
    func extensionContent(
        _ value: JSONValue,
        of nsid: Nsid,
        validate: (any OpenC2Profile, JSONObject) throws(OpenC2Error) -> Void
    ) throws(OpenC2Error) -> JSONObject {
        let object = try value.object("\(nsid) extension")
        if let profile = profiles[nsid] {
            try validate(profile, object)
        }
        return object
    }
}

extension Dictionary where Key == Nsid, Value == JSONObject {
    /// The extension members in canonical order: namespaces sorted, their content too.
    var sortedMembers: [JSONObject.Member] {
        keys.sorted().map { (key: $0.rawValue, value: JSONValue.object(self[$0]!.canonicalized)) }
    }
}

/// A string with a semantic value constraint (Language §3.1.2): it can only be made from
/// text that satisfies the constraint, so a value of the type is always valid.
public protocol ValidatedString: Hashable, Sendable, CustomStringConvertible, OpenC2Codable {
    /// The text.
    var rawValue: String { get }
    /// Checks `rawValue` against the constraint.
    init(_ rawValue: String) throws(OpenC2Error)
}

extension ValidatedString {
    public var description: String { rawValue }

    public init(json: JSONValue, decoder: OpenC2Decoder) throws(OpenC2Error) {
        try self.init(json.string())
    }

    public var json: JSONValue { .string(rawValue) }
}

/// Declares a ValidatedString whose check is `isValid`; the error has `code` and says `what`.
private func check(_ valid: Bool, _ text: String, _ code: OpenC2Error.Code, _ what: String) throws(OpenC2Error) {
    guard valid else { throw OpenC2Error(code, "'\(text)' is not \(what)") }
}

/// A hostname (RFC 1034 §3.1, RFC 1123 §2.1): dot-separated labels of letters, digits and
/// hyphens, 1–63 characters each, not starting or ending with a hyphen; 253 characters at most.
public struct Hostname: ValidatedString {
    public let rawValue: String
    public init(_ rawValue: String) throws(OpenC2Error) {
        try check(TextRules.isHostname(rawValue), rawValue, .invalidHostname, "a valid hostname (RFC 1123)")
        self.rawValue = rawValue
    }
}

/// An internationalized hostname (RFC 5890 §2.3.2.3): like ``Hostname``, with Unicode letters,
/// marks and digits allowed in labels.
public struct IDNHostname: ValidatedString {
    public let rawValue: String
    public init(_ rawValue: String) throws(OpenC2Error) {
        try check(TextRules.isIDNHostname(rawValue), rawValue, .invalidIDNHostname, "a valid internationalized hostname (RFC 5890)")
        self.rawValue = rawValue
    }
}

/// An email address (RFC 5322 §3.4.1 addr-spec, dot-atom local part).
public struct EmailAddress: ValidatedString {
    public let rawValue: String
    public init(_ rawValue: String) throws(OpenC2Error) {
        try check(TextRules.isEmail(rawValue, international: false), rawValue, .invalidEmail, "a valid email address (RFC 5322)")
        self.rawValue = rawValue
    }
}

/// An internationalized email address (RFC 6531): UTF-8 allowed in the local part and domain.
public struct IDNEmailAddress: ValidatedString {
    public let rawValue: String
    public init(_ rawValue: String) throws(OpenC2Error) {
        try check(TextRules.isEmail(rawValue, international: true), rawValue, .invalidIDNEmail, "a valid internationalized email address (RFC 6531)")
        self.rawValue = rawValue
    }
}

/// A URI (RFC 3986): a scheme, a colon, then only ASCII characters URIs allow, with valid
/// percent-encoding.
public struct URI: ValidatedString {
    public let rawValue: String
    public init(_ rawValue: String) throws(OpenC2Error) {
        try check(TextRules.isURI(rawValue, international: false), rawValue, .invalidURI, "a valid URI (RFC 3986)")
        self.rawValue = rawValue
    }
}

/// An IRI (RFC 3987): a URI that may also contain non-ASCII characters.
public struct IRI: ValidatedString {
    public let rawValue: String
    public init(_ rawValue: String) throws(OpenC2Error) {
        try check(TextRules.isURI(rawValue, international: true), rawValue, .invalidIRI, "a valid IRI (RFC 3987)")
        self.rawValue = rawValue
    }
}

/// A media type (RFC 6838 §4.2): `type/subtype`, optionally followed by `;parameter=value`s.
public struct MediaType: ValidatedString {
    public let rawValue: String
    public init(_ rawValue: String) throws(OpenC2Error) {
        try check(TextRules.isMediaType(rawValue), rawValue, .invalidMediaType, "a valid media type (type/subtype, RFC 6838)")
        self.rawValue = rawValue
    }
}

/// A Command identifier (Language §3.4.2.16): up to 36 characters, none of them whitespace.
public struct CommandID: ValidatedString {
    public let rawValue: String
    public init(_ rawValue: String) throws(OpenC2Error) {
        let valid = rawValue.count <= 36 && !rawValue.unicodeScalars.contains { $0.properties.isWhitespace }
        try check(valid, rawValue, .invalidCommandID, "a valid command id (up to 36 characters, no whitespace)")
        self.rawValue = rawValue
    }
}

/// A Language version (Language §3.4.2.17): a String. The Language describes it as a
/// "Major.Minor version number" but sets no pattern, and Consumers in the field report versions
/// such as `1.0-draft-2019-02`, so any text is accepted; ``isMajorMinor`` tells whether it has
/// the `major.minor` form, for a Consumer that wants to check its own.
public struct Version: ValidatedString {
    public let rawValue: String
    /// Any text is a version; this initializer never throws.
    public init(_ rawValue: String) {
        self.rawValue = rawValue
    }

    /// Whether the text is two runs of decimal digits joined by a dot (`1.0`, `2.13`).
    public var isMajorMinor: Bool {
        let parts = rawValue.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 2 && parts.allSatisfy { !$0.isEmpty && $0.utf8.allSatisfy { (0x30...0x39).contains($0) } }
    }

    /// Language version 1.0, the one Bastion implements.
    public static let v1_0 = Version("1.0")
}

/// The syntax checks behind the validated strings.
enum TextRules {
    static func isHostname(_ text: String) -> Bool {
        var labels = text.split(separator: ".", omittingEmptySubsequences: false)
        if labels.count > 1, labels.last == "" { labels.removeLast() }  // fully qualified, trailing dot
        guard !text.isEmpty, text.utf8.count <= 254 else { return false }
        return labels.allSatisfy { label in
            let bytes = Array(label.utf8)
            guard (1...63).contains(bytes.count), bytes.first != UInt8(ascii: "-"), bytes.last != UInt8(ascii: "-") else { return false }
            return bytes.allSatisfy { isASCIIAlphanumeric($0) || $0 == UInt8(ascii: "-") }
        }
    }

    static func isIDNHostname(_ text: String) -> Bool {
        var labels = text.split(separator: ".", omittingEmptySubsequences: false)
        if labels.count > 1, labels.last == "" { labels.removeLast() }
        guard !text.isEmpty, text.utf8.count <= 254 else { return false }
        return labels.allSatisfy { label in
            guard (1...63).contains(label.unicodeScalars.count), label.first != "-", label.last != "-" else { return false }
            return label.unicodeScalars.allSatisfy { scalar in
                if scalar.isASCII { return isASCIIAlphanumeric(UInt8(scalar.value)) || scalar == "-" }
                switch scalar.properties.generalCategory {
                case .lowercaseLetter, .uppercaseLetter, .otherLetter, .modifierLetter, .titlecaseLetter,
                     .nonspacingMark, .spacingMark, .enclosingMark, .decimalNumber:
                    return true
                default:
                    return false
                }
            }
        }
    }

    /// RFC 5322 `atext` plus, for RFC 6531, any non-ASCII non-control scalar.
    static func isEmail(_ text: String, international: Bool) -> Bool {
        guard let at = text.lastIndex(of: "@") else { return false }
        let local = text[..<at]
        let domain = String(text[text.index(after: at)...])
        guard !local.isEmpty, local.utf8.count <= 64 else { return false }
        let atoms = local.split(separator: ".", omittingEmptySubsequences: false)
        let localValid = atoms.allSatisfy { atom in
            !atom.isEmpty && atom.unicodeScalars.allSatisfy { scalar in
                if scalar.isASCII { return isAtext(UInt8(scalar.value)) }
                return international && !scalar.properties.isWhitespace && scalar.properties.generalCategory != .control
            }
        }
        guard localValid else { return false }
        if domain.hasPrefix("["), domain.hasSuffix("]") {  // domain literal, e.g. [192.0.2.1]
            return domain.utf8.count > 2 && !domain.dropFirst().dropLast().contains { $0 == "[" || $0 == "]" || $0 == "\\" || $0 == " " }
        }
        return international ? isIDNHostname(domain) : isHostname(domain)
    }

    static func isAtext(_ byte: UInt8) -> Bool {
        isASCIIAlphanumeric(byte) || "!#$%&'*+-/=?^_`{|}~".utf8.contains(byte)
    }

    /// A scheme (RFC 3986 §3.1), a colon and a non-empty rest made of URI characters
    /// (unreserved, reserved, valid percent-encodings), plus non-ASCII ucschar for an IRI.
    static func isURI(_ text: String, international: Bool) -> Bool {
        guard let colon = text.firstIndex(of: ":") else { return false }
        let scheme = text[..<colon].utf8
        guard let first = scheme.first, isASCIILetter(first),
              scheme.allSatisfy({ isASCIIAlphanumeric($0) || $0 == UInt8(ascii: "+") || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: ".") })
        else { return false }
        let rest = Array(text[text.index(after: colon)...].unicodeScalars)
        guard !rest.isEmpty else { return false }
        var index = 0
        while index < rest.count {
            let scalar = rest[index]
            if scalar == "%" {
                guard index + 2 < rest.count, rest[index + 1].isASCII, rest[index + 2].isASCII,
                      hexDigitValue(UInt8(rest[index + 1].value)) != nil, hexDigitValue(UInt8(rest[index + 2].value)) != nil
                else { return false }
                index += 3
                continue
            }
            if scalar.isASCII {
                let byte = UInt8(scalar.value)
                guard isASCIIAlphanumeric(byte) || "-._~:/?#[]@!$&'()*+,;=".utf8.contains(byte) else { return false }
            } else {
                guard international, !scalar.properties.isWhitespace, scalar.properties.generalCategory != .control,
                      scalar.properties.generalCategory != .privateUse || scalar.value >= 0xE000
                else { return false }
            }
            index += 1
        }
        return true
    }

    static func isMediaType(_ text: String) -> Bool {
        let parts = text.split(separator: ";", omittingEmptySubsequences: false)
        let typeAndSubtype = parts[0].split(separator: "/", omittingEmptySubsequences: false)
        func isRestrictedName(_ name: Substring) -> Bool {
            let bytes = Array(name.utf8)
            guard (1...127).contains(bytes.count), isASCIIAlphanumeric(bytes[0]) else { return false }
            return bytes.allSatisfy { isASCIIAlphanumeric($0) || "!#$&^_.+-".utf8.contains($0) }
        }
        guard typeAndSubtype.count == 2, typeAndSubtype.allSatisfy(isRestrictedName) else { return false }
        return parts.dropFirst().allSatisfy { parameter in
            let pair = parameter.trimmingSpaces.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            return pair.count == 2 && isRestrictedName(pair[0]) && !pair[1].isEmpty
        }
    }

    static func isASCIILetter(_ byte: UInt8) -> Bool { (byte | 0x20) &- UInt8(ascii: "a") < 26 }
    static func isASCIIAlphanumeric(_ byte: UInt8) -> Bool { isASCIILetter(byte) || byte &- UInt8(ascii: "0") < 10 }
}

extension Substring {
    var trimmingSpaces: Substring {
        var text = self
        while text.first == " " || text.first == "\t" { text.removeFirst() }
        while text.last == " " || text.last == "\t" { text.removeLast() }
        return text
    }
}

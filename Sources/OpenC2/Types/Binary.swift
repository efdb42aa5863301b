/// Base64url (RFC 4648 §5) and Base16 (§8) forms of binary values (Language §3.1.5).
public enum BinaryCoding {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    /// Base64url without padding.
    public static func base64URL(_ bytes: [UInt8]) -> String {
        var output: [UInt8] = []
        output.reserveCapacity((bytes.count + 2) / 3 * 4)
        var index = 0
        while index + 3 <= bytes.count {
            let chunk = UInt32(bytes[index]) << 16 | UInt32(bytes[index + 1]) << 8 | UInt32(bytes[index + 2])
            for shift in [18, 12, 6, 0] { output.append(alphabet[Int(chunk >> UInt32(shift) & 63)]) }
            index += 3
        }
        let remaining = bytes.count - index
        if remaining > 0 {
            var chunk = UInt32(bytes[index]) << 16
            if remaining == 2 { chunk |= UInt32(bytes[index + 1]) << 8 }
            let shifts = remaining == 1 ? [18, 12] : [18, 12, 6]
            for shift in shifts { output.append(alphabet[Int(chunk >> UInt32(shift) & 63)]) }
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// Decodes base64url, with or without `=` padding; `nil` for anything else
    /// (standard base64's `+` and `/`, an impossible length, stray bits).
    public static func decodeBase64URL(_ text: String) -> [UInt8]? {
        var symbols = Array(text.utf8)
        if symbols.count % 4 == 0 {
            while symbols.last == UInt8(ascii: "=") { symbols.removeLast() }
            if text.utf8.count - symbols.count > 2 { return nil }
        }
        guard symbols.count % 4 != 1 else { return nil }
        var output: [UInt8] = []
        output.reserveCapacity(symbols.count * 3 / 4)
        var buffer: UInt32 = 0
        var bits = 0
        for symbol in symbols {
            let value: UInt8
            switch symbol {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): value = symbol - UInt8(ascii: "A")
            case UInt8(ascii: "a")...UInt8(ascii: "z"): value = symbol - UInt8(ascii: "a") + 26
            case UInt8(ascii: "0")...UInt8(ascii: "9"): value = symbol - UInt8(ascii: "0") + 52
            case UInt8(ascii: "-"): value = 62
            case UInt8(ascii: "_"): value = 63
            default: return nil
            }
            buffer = buffer << 6 | UInt32(value)
            bits += 6
            if bits >= 8 {
                bits -= 8
                output.append(UInt8(truncatingIfNeeded: buffer >> UInt32(bits)))
                buffer &= (1 << UInt32(bits)) - 1
            }
        }
        guard buffer == 0 else { return nil }  // non-canonical trailing bits
        return output
    }

    /// Uppercase Base16.
    public static func hex(_ bytes: [UInt8]) -> String {
        bytes.map { String($0, radix: 16, uppercase: true).leftPadded(2) }.joined()
    }

    /// Decodes Base16 in either case; `nil` for odd lengths or non-hex characters.
    public static func decodeHex(_ text: String) -> [UInt8]? {
        let digits = Array(text.utf8)
        guard digits.count % 2 == 0 else { return nil }
        var output: [UInt8] = []
        output.reserveCapacity(digits.count / 2)
        var index = 0
        while index < digits.count {
            guard let high = hexDigitValue(digits[index]), let low = hexDigitValue(digits[index + 1]) else { return nil }
            output.append(high << 4 | low)
            index += 2
        }
        return output
    }
}

/// Cryptographic hashes of content (Language §3.4.2.5), serialized as hex.
/// At least one is present, each of its algorithm's length.
public struct Hashes: Hashable, Sendable, OpenC2Codable {
    /// MD5, 16 bytes.
    public var md5: [UInt8]?
    /// SHA-1, 20 bytes.
    public var sha1: [UInt8]?
    /// SHA-256, 32 bytes.
    public var sha256: [UInt8]?

    /// Hashes; lengths are checked when validated or decoded.
    public init(md5: [UInt8]? = nil, sha1: [UInt8]? = nil, sha256: [UInt8]? = nil) {
        self.md5 = md5
        self.sha1 = sha1
        self.sha256 = sha256
    }

    private static func digest(_ value: JSONValue, _ algorithm: String, length: Int) throws(OpenC2Error) -> [UInt8] {
        let text = try value.string()
        guard let bytes = BinaryCoding.decodeHex(text), bytes.count == length else {
            throw OpenC2Error(.invalidHash, "'\(text)' is not a \(algorithm) hash (\(length * 2) hex digits)")
        }
        return bytes
    }

    public init(json: JSONValue, decoder: OpenC2Decoder) throws(OpenC2Error) {
        try json.object("Hashes").forEachMember(of: "Hashes") { (key, value) throws(OpenC2Error) in
            switch key {
            case "md5": md5 = try Self.digest(value, "MD5", length: 16)
            case "sha1": sha1 = try Self.digest(value, "SHA-1", length: 20)
            case "sha256": sha256 = try Self.digest(value, "SHA-256", length: 32)
            default: return false
            }
            return true
        }
        if md5 == nil, sha1 == nil, sha256 == nil { throw .empty("Hashes") }
    }

    public var json: JSONValue {
        var members: [JSONObject.Member] = []
        if let md5 { members.append(("md5", .string(BinaryCoding.hex(md5)))) }
        if let sha1 { members.append(("sha1", .string(BinaryCoding.hex(sha1)))) }
        if let sha256 { members.append(("sha256", .string(BinaryCoding.hex(sha256)))) }
        return .object(JSONObject(uniqueMembers: members))
    }
}

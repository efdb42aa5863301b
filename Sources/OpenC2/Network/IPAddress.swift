/// An IP address family usable in ``IPNetwork`` and ``IPConnection``.
public protocol IPAddress: Hashable, Sendable, CustomStringConvertible {
    /// The number of bits in an address (32 or 128).
    static var bitWidth: Int { get }
    /// The family's name in messages ("IPv4").
    static var familyName: String { get }
    /// The error code for text that is not an address of this family.
    static var invalidCode: OpenC2Error.Code { get }
    /// Parses the textual form; `nil` when `text` is not an address of this family.
    init?(parsing text: Substring)
}

extension IPAddress {
    /// Parses the textual form, or throws naming the family.
    public init(_ text: String) throws(OpenC2Error) {
        guard let address = Self(parsing: Substring(text)) else {
            throw OpenC2Error(Self.invalidCode, "'\(text)' is not a valid \(Self.familyName) address")
        }
        self = address
    }
}

/// An IPv4 address, written in dotted-quad form (RFC 2673 §3.2).
///
/// Parsing is strict: four decimal octets, no leading zeros (`01.2.3.4` is refused, since
/// some software reads it as octal).
public struct IPv4Address: IPAddress, Comparable {
    /// The address, most significant octet first.
    public let value: UInt32

    public static var bitWidth: Int { 32 }
    public static var familyName: String { "IPv4" }
    public static var invalidCode: OpenC2Error.Code { .invalidIPv4 }

    /// The address with this 32-bit value.
    public init(_ value: UInt32) { self.value = value }

    /// The address `a.b.c.d`.
    public init(_ a: UInt8, _ b: UInt8, _ c: UInt8, _ d: UInt8) {
        value = UInt32(a) << 24 | UInt32(b) << 16 | UInt32(c) << 8 | UInt32(d)
    }

    public init?(parsing text: Substring) {
        var result: UInt32 = 0
        var octets = 0
        for part in text.utf8.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false) {
            guard (1...3).contains(part.count), part.allSatisfy({ $0 &- UInt8(ascii: "0") < 10 }) else { return nil }
            if part.count > 1, part.first == UInt8(ascii: "0") { return nil }
            let octet = part.reduce(0) { $0 * 10 + UInt32($1 - UInt8(ascii: "0")) }
            guard octet <= 255 else { return nil }
            result = result << 8 | octet
            octets += 1
        }
        guard octets == 4 else { return nil }
        value = result
    }

    /// The four octets.
    public var octets: [UInt8] { [UInt8(value >> 24), UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)] }

    public var description: String { octets.map(String.init).joined(separator: ".") }

    public static func < (lhs: IPv4Address, rhs: IPv4Address) -> Bool { lhs.value < rhs.value }
}

/// An IPv6 address, read in any RFC 4291 §2.2 text form and written as RFC 5952 §4
/// recommends: lowercase, no leading zeros, the longest run of two or more zero groups
/// compressed to `::` (the first such run on a tie), IPv4-mapped addresses as `::ffff:a.b.c.d`.
/// Zone identifiers (`%eth0`) are refused.
public struct IPv6Address: IPAddress, Comparable {
    /// The address, most significant half first.
    public let high: UInt64
    public let low: UInt64

    public static var bitWidth: Int { 128 }
    public static var familyName: String { "IPv6" }
    public static var invalidCode: OpenC2Error.Code { .invalidIPv6 }

    /// The address with these 64-bit halves.
    public init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    /// The address made of these eight 16-bit groups.
    public init(groups: [UInt16]) {
        precondition(groups.count == 8, "an IPv6 address has eight groups")
        high = groups[0..<4].reduce(0) { $0 << 16 | UInt64($1) }
        low = groups[4..<8].reduce(0) { $0 << 16 | UInt64($1) }
    }

    public init?(parsing text: Substring) {
        guard !text.isEmpty, !text.contains("%") else { return nil }
        var head: [UInt16] = []
        var tail: [UInt16] = []
        var sawDoubleColon = false
        let halves = text.splitAtDoubleColon()
        guard halves.count <= 2 else { return nil }
        func parseGroups(_ part: Substring, allowIPv4: Bool) -> [UInt16]? {
            if part.isEmpty { return [] }
            var groups: [UInt16] = []
            let pieces = part.split(separator: ":", omittingEmptySubsequences: false)
            for (index, piece) in pieces.enumerated() {
                if index == pieces.count - 1, allowIPv4, piece.contains(".") {
                    guard let v4 = IPv4Address(parsing: piece) else { return nil }
                    groups.append(UInt16(v4.value >> 16))
                    groups.append(UInt16(v4.value & 0xFFFF))
                    continue
                }
                guard (1...4).contains(piece.utf8.count) else { return nil }
                var value: UInt16 = 0
                for byte in piece.utf8 {
                    guard let digit = hexDigitValue(byte) else { return nil }
                    value = value << 4 | UInt16(digit)
                }
                groups.append(value)
            }
            return groups
        }
        if halves.count == 2 {
            sawDoubleColon = true
            guard let first = parseGroups(halves[0], allowIPv4: false), let second = parseGroups(halves[1], allowIPv4: true) else { return nil }
            head = first
            tail = second
            guard head.count + tail.count <= 7 else { return nil }
        } else {
            guard let groups = parseGroups(halves[0], allowIPv4: true), groups.count == 8 else { return nil }
            head = groups
        }
        let zeros = sawDoubleColon ? 8 - head.count - tail.count : 0
        self.init(groups: head + Array(repeating: 0, count: zeros) + tail)
    }

    /// The eight 16-bit groups.
    public var groups: [UInt16] {
        (0..<4).map { UInt16(truncatingIfNeeded: high >> (48 - 16 * UInt64($0))) }
            + (0..<4).map { UInt16(truncatingIfNeeded: low >> (48 - 16 * UInt64($0))) }
    }

    /// Whether this is an IPv4-mapped address (`::ffff:0:0/96`).
    public var isIPv4Mapped: Bool { high == 0 && low >> 32 == 0xFFFF }

    public var description: String {
        if isIPv4Mapped { return "::ffff:" + IPv4Address(UInt32(truncatingIfNeeded: low)).description }
        let groups = self.groups
        var bestStart = -1
        var bestLength = 1  // a single zero group is not compressed (RFC 5952 §4.2.2)
        var index = 0
        while index < 8 {
            if groups[index] == 0 {
                var end = index
                while end < 8, groups[end] == 0 { end += 1 }
                if end - index > bestLength {
                    bestStart = index
                    bestLength = end - index
                }
                index = end
            } else {
                index += 1
            }
        }
        func hex(_ range: Range<Int>) -> String { groups[range].map { String($0, radix: 16) }.joined(separator: ":") }
        guard bestStart >= 0 else { return hex(0..<8) }
        return hex(0..<bestStart) + "::" + hex((bestStart + bestLength)..<8)
    }

    public static func < (lhs: IPv6Address, rhs: IPv6Address) -> Bool { (lhs.high, lhs.low) < (rhs.high, rhs.low) }
}

extension Substring {
    /// Splits at every `::` (an IPv6 text form has at most one).
    func splitAtDoubleColon() -> [Substring] {
        var parts: [Substring] = []
        var start = startIndex
        var index = startIndex
        while index < endIndex {
            let next = self.index(after: index)
            if self[index] == ":", next < endIndex, self[next] == ":" {
                parts.append(self[start..<index])
                start = self.index(after: next)
                index = start
            } else {
                index = next
            }
        }
        parts.append(self[start..<endIndex])
        return parts
    }
}

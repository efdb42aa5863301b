import Foundation
import OpenC2

/// An IPv4 or IPv6 address range, as a deny names it: a single address is a /32 or /128.
public enum NetworkAddress: Hashable, Sendable, CustomStringConvertible, Comparable {
    case ipv4(IPv4Net)
    case ipv6(IPv6Net)

    /// Reads `text` (`addr` or `addr/prefix`, either family); `nil` when it is neither. A
    /// single address gets its full prefix, so `198.51.100.7` and `198.51.100.7/32` are one range.
    public init?(_ text: String) {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if let net = try? IPv4Net(trimmed), let full = try? IPv4Net(net.address, prefixLength: net.effectivePrefixLength) {
            self = .ipv4(full)
        } else if let net = try? IPv6Net(trimmed), let full = try? IPv6Net(net.address, prefixLength: net.effectivePrefixLength) {
            self = .ipv6(full)
        } else {
            return nil
        }
    }

    /// The range with its prefix written out (`198.51.100.7/32`), host bits kept.
    public var description: String {
        switch self {
        case .ipv4(let net): "\(net.address)/\(net.effectivePrefixLength)"
        case .ipv6(let net): "\(net.address)/\(net.effectivePrefixLength)"
        }
    }

    /// The OpenC2 target that names it.
    public var target: Target {
        switch self {
        case .ipv4(let net): .ipv4Net(net)
        case .ipv6(let net): .ipv6Net(net)
        }
    }

    /// Whether the two ranges share an address (one holds the other's first address).
    public func overlaps(_ other: NetworkAddress) -> Bool {
        let (a, b) = (bits, other.bits)
        guard a.family == b.family else { return false }
        let prefix = min(a.prefix, b.prefix)
        return Self.masked(a.high, a.low, prefix) == Self.masked(b.high, b.low, prefix)
    }

    /// Whether it is loopback (127.0.0.0/8, ::1) or overlaps it.
    public var touchesLoopback: Bool {
        Self.loopback.contains { overlaps($0) }
    }

    static let loopback: [NetworkAddress] = [NetworkAddress("127.0.0.0/8")!, NetworkAddress("::1/128")!]

    public static func < (lhs: NetworkAddress, rhs: NetworkAddress) -> Bool {
        let (a, b) = (lhs.bits, rhs.bits)
        return (a.family, a.high, a.low, a.prefix) < (b.family, b.high, b.low, b.prefix)
    }

    /// The address as 128 bits (IPv4 in the high bits of `high`) and the prefix length.
    private var bits: (family: Int, high: UInt64, low: UInt64, prefix: Int) {
        switch self {
        case .ipv4(let net): (4, UInt64(net.address.value) << 32, 0, net.effectivePrefixLength)
        case .ipv6(let net): (6, net.address.high, net.address.low, net.effectivePrefixLength)
        }
    }

    private static func masked(_ high: UInt64, _ low: UInt64, _ prefix: Int) -> (UInt64, UInt64) {
        let highMask: UInt64 = prefix >= 64 ? .max : (prefix <= 0 ? 0 : ~(UInt64.max >> prefix))
        let lowMask: UInt64 = prefix >= 128 ? .max : (prefix <= 64 ? 0 : ~(UInt64.max >> (prefix - 64)))
        return (high & highMask, low & lowMask)
    }
}

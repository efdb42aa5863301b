import OpenC2

/// A CIDR block of either family, host bits cleared: what an address-only rule matches.
struct AddressBlock: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// 4 or 6.
    let family: Int
    /// The address bits, left-aligned: IPv4 in the top 32 bits of `high`.
    let high: UInt64
    let low: UInt64
    /// 0…32 or 0…128.
    let length: Int

    init(_ net: IPv4Net) {
        let length = net.effectivePrefixLength
        let mask: UInt32 = length == 0 ? 0 : ~UInt32(0) << (32 - length)
        family = 4
        high = UInt64(net.address.value & mask) << 32
        low = 0
        self.length = length
    }

    init(_ net: IPv6Net) {
        let length = net.effectivePrefixLength
        family = 6
        high = net.address.high & Self.mask(length)
        low = net.address.low & Self.mask(length - 64)
        self.length = length
    }

    /// A 64-bit mask with the top `bits` bits set (clamped to 0…64).
    private static func mask(_ bits: Int) -> UInt64 {
        bits <= 0 ? 0 : bits >= 64 ? ~0 : ~UInt64(0) << (64 - bits)
    }

    private var bitWidth: Int { family == 4 ? 32 : 128 }

    /// Whether `other` lies inside this block (or is it).
    func contains(_ other: AddressBlock) -> Bool {
        guard family == other.family, length <= other.length else { return false }
        return other.high & Self.mask(length) == high && other.low & Self.mask(length - 64) == low
    }

    static func < (lhs: AddressBlock, rhs: AddressBlock) -> Bool {
        (lhs.family, lhs.high, lhs.low, lhs.length) < (rhs.family, rhs.high, rhs.low, rhs.length)
    }

    /// The network address alone (`10.0.0.0`): the element of a per-prefix-length set.
    var networkAddress: String {
        family == 4
            ? IPv4Address(UInt32(truncatingIfNeeded: high >> 32)).description
            : IPv6Address(high: high, low: low).description
    }

    /// The block as CIDR text (`10.0.0.0/8`), or the bare address for a single host.
    var description: String {
        length == bitWidth ? networkAddress : "\(networkAddress)/\(length)"
    }

    /// The netmask of a prefix length as an address (`255.255.255.0`, `ffff:ffff::`).
    static func mask(family: Int, length: Int) -> String {
        family == 4
            ? IPv4Address(UInt32(truncatingIfNeeded: mask(length) >> 32)).description
            : IPv6Address(high: mask(length), low: mask(length - 64)).description
    }
}

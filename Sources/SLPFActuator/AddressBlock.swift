import OpenC2

/// A CIDR block of either family, host bits cleared: what an nftables interval set holds.
///
/// Two blocks are either nested or disjoint, which is what lets ``maximal(_:)`` turn a list of
/// rules' blocks into the non-overlapping elements an interval set accepts.
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

    /// The nft element: `10.0.0.0/8`, or the bare address for a single host.
    var description: String {
        let address: String
        if family == 4 {
            address = IPv4Address(UInt32(truncatingIfNeeded: high >> 32)).description
        } else {
            address = IPv6Address(high: high, low: low).description
        }
        return length == bitWidth ? address : "\(address)/\(length)"
    }

    /// The blocks of `blocks` that no other block contains, sorted, duplicates removed: the
    /// non-overlapping cover an interval set holds.
    static func maximal(_ blocks: some Sequence<AddressBlock>) -> [AddressBlock] {
        var kept: [AddressBlock] = []
        for block in blocks.sorted() {
            if let last = kept.last, last.contains(block) { continue }
            kept.append(block)
        }
        return kept
    }
}

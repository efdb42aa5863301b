/// An address range: an address and an optional prefix length (Language §3.4.1.9, §3.4.1.11),
/// serialized as `"addr"` or `"addr/prefix"`. Without a prefix it is a single host.
///
/// The address is kept as given, host bits included, so a value round-trips unchanged.
public struct IPNetwork<Address: IPAddress>: Hashable, Sendable, CustomStringConvertible, OpenC2Codable {
    /// The address.
    public let address: Address
    /// The prefix length, 0…bit width; `nil` for a single host.
    public let prefixLength: Int?

    /// A range; throws when `prefixLength` exceeds the family's bit width or is negative.
    public init(_ address: Address, prefixLength: Int? = nil) throws(OpenC2Error) {
        if let prefixLength, !(0...Address.bitWidth).contains(prefixLength) {
            throw OpenC2Error(.outOfRange, "prefix \(prefixLength) is out of range 0…\(Address.bitWidth)")
        }
        self.address = address
        self.prefixLength = prefixLength
    }

    /// Parses `addr` or `addr/prefix`.
    public init(_ text: String) throws(OpenC2Error) {
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard let address = Address(parsing: parts[0]) else {
            throw OpenC2Error(Address.invalidCode, "'\(text)' is not a valid \(Address.familyName) address range (address or address/prefix)")
        }
        var prefix: Int? = nil
        if parts.count == 2 {
            let digits = parts[1]
            let isNumber = !digits.isEmpty && digits.utf8.count <= 4
                && digits.utf8.enumerated().allSatisfy { $0.element &- UInt8(ascii: "0") < 10 || ($0.offset == 0 && $0.element == UInt8(ascii: "-")) }
            guard isNumber, let value = Int(digits) else {
                throw OpenC2Error(Address.invalidCode, "'\(text)' has an invalid prefix length '\(digits)'")
            }
            prefix = value
        }
        try self.init(address, prefixLength: prefix)
    }

    /// The number of leading bits that select the range (the bit width for a single host).
    public var effectivePrefixLength: Int { prefixLength ?? Address.bitWidth }

    public var description: String {
        prefixLength.map { "\(address)/\($0)" } ?? address.description
    }

    public init(json: JSONValue, decoder: OpenC2Decoder) throws(OpenC2Error) {
        try self.init(json.string())
    }

    public var json: JSONValue { .string(description) }
}

/// An IPv4 address range (`ipv4_net`).
public typealias IPv4Net = IPNetwork<IPv4Address>
/// An IPv6 address range (`ipv6_net`).
public typealias IPv6Net = IPNetwork<IPv6Address>

/// A transport port number, 0…65535 (Language §3.4.2.14).
public typealias Port = UInt16

/// A layer-4 protocol (Language §3.4.2.10).
public enum L4Protocol: String, OpenC2Enumeration {
    case icmp, tcp, udp, sctp
    public static var typeName: String { "L4-Protocol" }

    /// The IANA protocol number.
    public var number: UInt8 {
        switch self {
        case .icmp: 1
        case .tcp: 6
        case .udp: 17
        case .sctp: 132
        }
    }
}

/// A connection 5-tuple (Language §3.4.1.10, §3.4.1.12): source and destination address
/// ranges and ports, and the protocol. At least one property is present; an absent one
/// means "any".
public struct IPConnection<Address: IPAddress>: Hashable, Sendable, OpenC2Codable {
    public var sourceAddress: IPNetwork<Address>?
    public var sourcePort: Port?
    public var destinationAddress: IPNetwork<Address>?
    public var destinationPort: Port?
    public var `protocol`: L4Protocol?

    /// A connection; leave out what should match anything.
    public init(
        sourceAddress: IPNetwork<Address>? = nil,
        sourcePort: Port? = nil,
        destinationAddress: IPNetwork<Address>? = nil,
        destinationPort: Port? = nil,
        protocol: L4Protocol? = nil
    ) {
        self.sourceAddress = sourceAddress
        self.sourcePort = sourcePort
        self.destinationAddress = destinationAddress
        self.destinationPort = destinationPort
        self.protocol = `protocol`
    }

    static var typeName: String { "\(Address.familyName)-Connection" }

    /// Whether no property is set (which is not a valid connection).
    public var isEmpty: Bool {
        sourceAddress == nil && sourcePort == nil && destinationAddress == nil && destinationPort == nil && `protocol` == nil
    }

    public init(json: JSONValue, decoder: OpenC2Decoder) throws(OpenC2Error) {
        let object = try json.object(Self.typeName)
        try object.forEachMember(of: Self.typeName) { (key, value) throws(OpenC2Error) in
            switch key {
            case "src_addr": sourceAddress = try IPNetwork(json: value, decoder: decoder)
            case "src_port": sourcePort = try Port(json: value)
            case "dst_addr": destinationAddress = try IPNetwork(json: value, decoder: decoder)
            case "dst_port": destinationPort = try Port(json: value)
            case "protocol": `protocol` = try L4Protocol(json: value, decoder: decoder)
            default: return false
            }
            return true
        }
        if isEmpty { throw .empty(Self.typeName) }
    }

    public var json: JSONValue {
        var members: [JSONObject.Member] = []
        if let sourceAddress { members.append(("src_addr", sourceAddress.json)) }
        if let sourcePort { members.append(("src_port", .integer(Int64(sourcePort)))) }
        if let destinationAddress { members.append(("dst_addr", destinationAddress.json)) }
        if let destinationPort { members.append(("dst_port", .integer(Int64(destinationPort)))) }
        if let `protocol` { members.append(("protocol", `protocol`.json)) }
        return .object(JSONObject(uniqueMembers: members))
    }
}

/// An IPv4 5-tuple (`ipv4_connection`).
public typealias IPv4Connection = IPConnection<IPv4Address>
/// An IPv6 5-tuple (`ipv6_connection`).
public typealias IPv6Connection = IPConnection<IPv6Address>

extension Port {
    init(json: JSONValue) throws(OpenC2Error) {
        self = Port(try json.integer(in: 0...65535, "port"))
    }
}

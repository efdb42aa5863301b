import Foundation

/// Address ranges the bridge never denies: the allow-list file's, loopback, and the addresses of
/// its own Consumers and TAXII server.
public struct AllowList: Sendable, Equatable {
    /// The ranges, each with where it came from (for the log).
    public var entries: [(range: NetworkAddress, source: String)]

    public static func == (lhs: AllowList, rhs: AllowList) -> Bool {
        lhs.entries.map(\.range) == rhs.entries.map(\.range) && lhs.entries.map(\.source) == rhs.entries.map(\.source)
    }

    /// Loopback only.
    public init() {
        entries = NetworkAddress.loopback.map { ($0, "loopback") }
    }

    /// Reads an allow-list file: one address or CIDR range per line, `#` starts a comment, blank
    /// lines are ignored. A line that is no address stops with its line number.
    public init(contentsOf text: String, file: String) throws(BridgeError) {
        self.init()
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? ""
            let value = line.trimmingCharacters(in: .whitespaces)
            guard !value.isEmpty else { continue }
            guard let range = NetworkAddress(value) else {
                throw BridgeError(.configuration, "\(file):\(index + 1): '\(value)' is not an IPv4 or IPv6 address or CIDR range")
            }
            entries.append((range, "\(file):\(index + 1)"))
        }
    }

    /// Adds the address `host` names when it is an IP literal (a name's addresses are not
    /// looked up here: a Consumer named `localhost` is loopback already).
    public mutating func protect(host: String, source: String) {
        let literal = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        if let range = NetworkAddress(literal) { entries.append((range, source)) }
    }

    /// Why `range` may not be denied, if it may not: the first protected range it overlaps.
    public func protection(of range: NetworkAddress) -> String? {
        entries.first { range.overlaps($0.range) }.map { "overlaps \($0.range) (\($0.source))" }
    }
}

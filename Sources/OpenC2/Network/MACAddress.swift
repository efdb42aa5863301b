/// A MAC address, EUI-48 or EUI-64 (Language §3.4.1.14), in colon hexadecimal form:
/// `00:1a:2b:3c:4d:5e`. Either case is read; lowercase is written.
public struct MACAddress: Hashable, Sendable, CustomStringConvertible, OpenC2Codable {
    /// The 6 or 8 octets.
    public let octets: [UInt8]

    /// An address from 6 (EUI-48) or 8 (EUI-64) octets.
    public init(octets: [UInt8]) throws(OpenC2Error) {
        guard octets.count == 6 || octets.count == 8 else {
            throw OpenC2Error(.invalidMAC, "a MAC address has 6 (EUI-48) or 8 (EUI-64) octets, not \(octets.count)")
        }
        self.octets = octets
    }

    /// Parses colon hexadecimal form.
    public init(_ text: String) throws(OpenC2Error) {
        var octets: [UInt8] = []
        for part in text.utf8.split(separator: UInt8(ascii: ":"), omittingEmptySubsequences: false) {
            guard part.count == 2, let high = hexDigitValue(part[part.startIndex]), let low = hexDigitValue(part[part.index(after: part.startIndex)]) else {
                throw OpenC2Error(.invalidMAC, "'\(text)' is not a MAC address in colon hexadecimal form (e.g. 00:1a:2b:3c:4d:5e)")
            }
            octets.append(high << 4 | low)
        }
        do { try self.init(octets: octets) } catch { throw OpenC2Error(.invalidMAC, "'\(text)': \(error.message)") }
    }

    public var description: String {
        octets.map { String($0, radix: 16).leftPadded(2) }.joined(separator: ":")
    }

    public init(json: JSONValue, decoder: OpenC2Decoder) throws(OpenC2Error) {
        try self.init(json.string())
    }

    public var json: JSONValue { .string(description) }
}

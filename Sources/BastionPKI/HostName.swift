#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import SwiftASN1
import X509

/// Turning a server host given by a user into a subjectAltName entry, and IP address bytes back into text.
enum HostName {
    /// The SAN entry for `host`: an `iPAddress` for an IPv4 or IPv6 address (brackets around IPv6 allowed),
    /// else a `dNSName` after checking it is a valid (optionally wildcard) DNS name.
    static func generalName(for host: String) throws(PKIError) -> GeneralName {
        var candidate = host
        if candidate.hasPrefix("["), candidate.hasSuffix("]"), candidate.count > 2 {
            candidate = String(candidate.dropFirst().dropLast())
        }
        if let bytes = ipAddressBytes(candidate) {
            return .ipAddress(ASN1OctetString(contentBytes: bytes[...]))
        }
        if candidate != host || candidate.contains(":") {
            throw .invalidHost(host, reason: "not a valid IPv6 address (zone indices such as %eth0 are not allowed in certificates)")
        }
        try checkDNSName(host)
        return .dnsName(host.hasSuffix(".") ? String(host.dropLast()) : host)
    }

    /// The 4 or 16 bytes of an IPv4 or IPv6 address in text form, or nil.
    static func ipAddressBytes(_ text: String) -> [UInt8]? {
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 {
            return withUnsafeBytes(of: &v4) { Array($0) }
        }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, text, &v6) == 1 {
            return withUnsafeBytes(of: &v6) { Array($0) }
        }
        return nil
    }

    /// The text form of a 4- or 16-byte IP address (RFC 5952 for IPv6), or nil for another length.
    static func text(ofIPAddress bytes: some Collection<UInt8>) -> String? {
        let family: Int32
        switch bytes.count {
        case 4: family = AF_INET
        case 16: family = AF_INET6
        default: return nil
        }
        let address = Array(bytes)
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN) + 1)
        let result = address.withUnsafeBytes { source in
            buffer.withUnsafeMutableBufferPointer { target in
                inet_ntop(family, source.baseAddress, target.baseAddress, socklen_t(target.count))
            }
        }
        guard result != nil else { return nil }
        return buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    }

    /// Checks a DNS name: ASCII letters, digits and hyphens in labels of 1–63 characters, at most 253
    /// characters, a leading `*.` wildcard label allowed, one trailing dot allowed.
    static func checkDNSName(_ host: String) throws(PKIError) {
        guard !host.isEmpty else { throw .invalidHost(host, reason: "empty") }
        var name = Substring(host)
        if name.hasSuffix(".") { name = name.dropLast() }
        guard name.utf8.count <= 253 else { throw .invalidHost(host, reason: "longer than 253 characters") }
        guard name.unicodeScalars.allSatisfy(\.isASCII) else {
            throw .invalidHost(host, reason: "not ASCII; give an internationalized name in its xn-- (punycode) form")
        }
        let labels = name.split(separator: ".", omittingEmptySubsequences: false)
        for (index, label) in labels.enumerated() {
            if index == 0, label == "*", labels.count > 2 { continue }
            guard !label.isEmpty else { throw .invalidHost(host, reason: "empty label (two dots in a row, or a leading dot)") }
            guard label.utf8.count <= 63 else { throw .invalidHost(host, reason: "label '\(label)' is longer than 63 characters") }
            guard label.utf8.allSatisfy({ isLetterOrDigit($0) || $0 == UInt8(ascii: "-") }) else {
                throw .invalidHost(host, reason: "label '\(label)' may hold only letters, digits and '-'")
            }
            guard label.first != "-", label.last != "-" else {
                throw .invalidHost(host, reason: "label '\(label)' starts or ends with '-'")
            }
        }
    }

    private static func isLetterOrDigit(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
            || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
            || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
    }
}

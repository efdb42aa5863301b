/// A listening address written `HOST:PORT` (an IPv6 host in brackets: `[::1]:9464`).
public struct HostAndPort: Sendable, Equatable {
    public var host: String
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// Reads `text`; `key` names the setting or option in the error.
    public init(parsing text: String, key: String) throws(SettingsError) {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]), (0...65_535).contains(port) else {
            throw SettingsError(key: key, "must be HOST:PORT with a port of 0…65535, got '\(text)'")
        }
        var host = String(text[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty else { throw SettingsError(key: key, "must be HOST:PORT, got '\(text)' (no host)") }
        self.init(host: host, port: port)
    }
}

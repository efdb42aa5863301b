import AsyncHTTPClient

extension TAXIIClient {
    /// Which proxy requests go through (libtaxii's `set_proxy`).
    public enum Proxy: Sendable, Equatable {
        /// The proxy named by the environment (`https_proxy`, `http_proxy`, `all_proxy` in either
        /// case), except for hosts listed in `no_proxy`; none when those are unset.
        case system
        /// No proxy (libtaxii's `noproxy`).
        case none
        /// This proxy: `http://[user:password@]host[:port]` (an HTTP proxy: `CONNECT` for `https`
        /// URLs, forwarding for `http` ones) or `socks5://host[:port]`.
        case url(String)
    }
}

/// A proxy setting resolved to what async-http-client needs: the proxy, if any, and the hosts that bypass it.
struct ResolvedProxy: Sendable, Equatable {
    /// The proxy's address as given.
    var address: String
    /// The proxy for async-http-client.
    var proxy: HTTPClient.Configuration.Proxy
    /// `no_proxy` entries: host names, domain suffixes (`.example.com` or `example.com`), addresses, or `*`.
    var bypass: [String]

    /// Resolves `setting`; `nil` when requests go direct. `environment` is the process environment for `.system`.
    static func resolve(_ setting: TAXIIClient.Proxy, environment: [String: String]) throws(TAXIIClientError) -> ResolvedProxy? {
        switch setting {
        case .none:
            return nil
        case .url(let address):
            return try ResolvedProxy(address: address, bypass: [])
        case .system:
            func variable(_ name: String) -> String? {
                (environment[name] ?? environment[name.uppercased()]).flatMap { $0.isEmpty ? nil : $0 }
            }
            guard let address = variable("https_proxy") ?? variable("http_proxy") ?? variable("all_proxy") else { return nil }
            let bypass = (variable("no_proxy") ?? "").split(separator: ",").map { $0.trimmingWhitespace.lowercased() }.filter { !$0.isEmpty }
            return try ResolvedProxy(address: address, bypass: bypass)
        }
    }

    /// Parses `address` (`scheme://[user:password@]host[:port][/]`, the scheme defaulting to `http`).
    init(address: String, bypass: [String]) throws(TAXIIClientError) {
        func invalid(_ why: String) -> TAXIIClientError {
            TAXIIClientError(.configuration, url: "", "invalid proxy '\(address)': \(why)")
        }
        var rest = Substring(address)
        var scheme = "http"
        if let range = rest.range(of: "://") {
            scheme = rest[..<range.lowerBound].lowercased()
            rest = rest[range.upperBound...]
        }
        if let slash = rest.firstIndex(of: "/") {
            guard rest[slash...].allSatisfy({ $0 == "/" }) else { throw invalid("a proxy URL has no path") }
            rest = rest[..<slash]
        }
        var authorization: HTTPClient.Authorization?
        if let at = rest.lastIndex(of: "@") {
            let credentials = rest[..<at]
            rest = rest[rest.index(after: at)...]
            let parts = credentials.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
            authorization = .basic(username: String(parts[0]).removingPercentEncoding, password: parts.count > 1 ? String(parts[1]).removingPercentEncoding : "")
        }
        let defaultPort = scheme.hasPrefix("socks") ? 1080 : 80
        guard let endpoint = HostPort(rest, defaultPort: defaultPort) else { throw invalid("expected host[:port]") }
        switch scheme {
        case "http":
            proxy = .server(host: endpoint.host, port: endpoint.port, authorization: authorization)
        case "socks5", "socks5h", "socks":
            proxy = .socksServer(host: endpoint.host, port: endpoint.port)
        default:
            throw invalid("unsupported proxy scheme '\(scheme)' (http or socks5)")
        }
        self.address = address
        self.bypass = bypass
    }

    /// Whether requests to `host` skip the proxy (`no_proxy`).
    func bypasses(_ host: String) -> Bool {
        let host = host.lowercased()
        return bypass.contains { entry in
            let name = entry.split(separator: ":").first.map(String.init) ?? entry
            if name == "*" { return true }
            let domain = name.hasPrefix(".") ? String(name.dropFirst()) : name
            return host == domain || host.hasSuffix("." + domain)
        }
    }
}

/// A `host[:port]` pair; IPv6 addresses in brackets.
struct HostPort: Sendable, Equatable {
    /// The host name or address (without brackets).
    var host: String
    /// The port.
    var port: Int

    /// Parses `text`, using `defaultPort` when it names none; `nil` if malformed.
    init?(_ text: Substring, defaultPort: Int) {
        var hostPart = text
        var portPart: Substring?
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { return nil }
            hostPart = text[text.index(after: text.startIndex)..<close]
            let after = text[text.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { return nil }
                portPart = after.dropFirst()
            }
        } else if let colon = text.lastIndex(of: ":") {
            hostPart = text[..<colon]
            portPart = text[text.index(after: colon)...]
        }
        guard !hostPart.isEmpty else { return nil }
        host = String(hostPart)
        if let portPart {
            guard let value = Int(portPart), (1...65535).contains(value) else { return nil }
            port = value
        } else {
            port = defaultPort
        }
    }
}

extension StringProtocol {
    /// The text with `%XX` escapes decoded (invalid escapes kept as they are).
    var removingPercentEncoding: String {
        var bytes: [UInt8] = []
        var utf8 = Array(self.utf8)[...]
        while let byte = utf8.popFirst() {
            if byte == UInt8(ascii: "%"), utf8.count >= 2,
               let value = UInt8(String(decoding: utf8.prefix(2), as: UTF8.self), radix: 16) {
                bytes.append(value)
                utf8 = utf8.dropFirst(2)
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

import AsyncHTTPClient
import NIOCore
import NIOSSL

/// Turns what async-http-client and NIO throw into a ``TAXIIClientError`` with a readable cause.
enum TransportFailure {
    static func classify(_ error: any Error, url: String, proxy: String?, timeout: Duration, maximumReplySize: Int) -> TAXIIClientError {
        let via = proxy.map { " (through proxy \($0))" } ?? ""
        if let error = error as? HTTPClientError {
            switch error {
            case .connectTimeout, .readTimeout, .writeTimeout, .deadlineExceeded, .tlsHandshakeTimeout:
                return TAXIIClientError(.timeout, url: url, "no reply within \(timeout.secondsText)\(via)")
            case .httpProxyHandshakeTimeout, .socksHandshakeTimeout:
                return TAXIIClientError(.proxy, url: url, "the proxy \(proxy ?? "") did not answer in time")
            case .proxyAuthenticationRequired:
                return TAXIIClientError(.proxy, url: url, "the proxy \(proxy ?? "") requires authentication (407)")
            case .invalidProxyResponse:
                return TAXIIClientError(.proxy, url: url, "the proxy \(proxy ?? "") refused the connection")
            case .remoteConnectionClosed:
                return TAXIIClientError(.transport, url: url, "the server closed the connection without a reply\(via)")
            default:
                break
            }
        }
        if error is NIOTooManyBytesError {
            return TAXIIClientError(.replyTooLarge, url: url, "the reply is larger than \(maximumReplySize) bytes")
        }
        if error is NIOSSLError || error is BoringSSLError {
            return TAXIIClientError(.tls, url: url, "TLS handshake failed\(via): \(error)")
        }
        let text = String(describing: error)
        if text.localizedCaseInsensitiveContains("connection refused") || text.contains("ECONNREFUSED") || text.contains("errno: 111") {
            return TAXIIClientError(.connectionRefused, url: url, proxy.map { "connection refused by proxy \($0)" } ?? "connection refused: nothing listens there")
        }
        if text.localizedCaseInsensitiveContains("handshake") || text.localizedCaseInsensitiveContains("certificate") {
            return TAXIIClientError(.tls, url: url, "TLS handshake failed\(via): \(text)")
        }
        return TAXIIClientError(.transport, url: url, "\(text)\(via)")
    }
}

extension Duration {
    /// `"30 s"`, `"0.5 s"`.
    var secondsText: String {
        let (seconds, attoseconds) = components
        if attoseconds == 0 { return "\(seconds) s" }
        return "\(Double(seconds) + Double(attoseconds) / 1e18) s"
    }
}

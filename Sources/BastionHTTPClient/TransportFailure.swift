import AsyncHTTPClient
import NIOCore
import NIOPosix
import NIOSSL

/// Why an HTTP exchange ended before a reply could be read, sorted into a kind and told in one
/// line: what async-http-client, NIO and BoringSSL throw, made readable for an operator.
public struct TransportFailure: Error, Sendable, Equatable, CustomStringConvertible {
    /// The class of failure.
    public enum Kind: String, Sendable, Equatable, CaseIterable {
        /// No connection within the connect timeout (packets dropped on the way, a host that is down).
        case connectTimeout
        /// Connected, but the whole exchange took longer than its timeout.
        case timeout
        /// Nothing listens at the address (or at the proxy's).
        case connectionRefused
        /// The host name does not resolve.
        case unknownHost
        /// The TLS handshake failed (untrusted or mismatched certificate, client certificate refused, …).
        case tls
        /// The proxy refused, did not answer, or wants credentials.
        case proxy
        /// The server closed the connection without a reply.
        case closedWithoutReply
        /// The reply body is larger than the caller accepts.
        case replyTooLarge
        /// Another network failure (connection reset, network unreachable, …).
        case other
    }

    /// The class of failure.
    public var kind: Kind
    /// What went wrong, in one line, without the URL.
    public var message: String

    /// Creates a failure.
    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }

    /// Sorts `error`, thrown by an exchange with a client set up by
    /// ``AsyncHTTPClient/HTTPClient/Configuration/failingFast(connectTimeout:readTimeout:)``.
    ///
    /// - Parameters:
    ///   - timeout: the exchange's whole timeout, named in the message when it ran out.
    ///   - connectTimeout: the client's connect timeout, named when connecting ran out (if known).
    ///   - proxy: the proxy the request went through, if any.
    ///   - maximumReplySize: the limit named when the reply was too large.
    public init(classifying error: any Error, timeout: Duration, connectTimeout: Duration?, proxy: String? = nil, maximumReplySize: Int) {
        let via = proxy.map { " (through proxy \($0))" } ?? ""
        if let error = error as? TransportFailure {
            self = error
            return
        }
        if let error = error as? HTTPClientError {
            switch error {
            case .connectTimeout:
                let limit = connectTimeout.map { "within \($0.secondsText)" } ?? "before the connect timeout"
                self.init(.connectTimeout, "no connection \(limit)\(via): the host does not answer")
                return
            case .readTimeout, .writeTimeout, .deadlineExceeded, .tlsHandshakeTimeout:
                self.init(.timeout, "no reply within \(timeout.secondsText)\(via)")
                return
            case .httpProxyHandshakeTimeout, .socksHandshakeTimeout:
                self.init(.proxy, "the proxy \(proxy ?? "") did not answer in time")
                return
            case .proxyAuthenticationRequired:
                self.init(.proxy, "the proxy \(proxy ?? "") requires authentication (407)")
                return
            case .invalidProxyResponse:
                self.init(.proxy, "the proxy \(proxy ?? "") refused the connection")
                return
            case .remoteConnectionClosed:
                self.init(.closedWithoutReply, "the server closed the connection without a reply\(via)")
                return
            default:
                break
            }
        }
        if error is NIOTooManyBytesError {
            self.init(.replyTooLarge, "the reply is larger than \(maximumReplySize) bytes")
            return
        }
        if error is NIOSSLError || error is BoringSSLError {
            self.init(.tls, "TLS handshake failed\(via): \(error)")
            return
        }
        if let error = error as? SocketAddressError, case .unknown(let host, _) = error {
            self.init(.unknownHost, "unknown host \(host)\(via): the name does not resolve")
            return
        }
        if let error = error as? NIOConnectionError, error.connectionErrors.isEmpty, error.dnsAError != nil || error.dnsAAAAError != nil {
            self.init(.unknownHost, "unknown host \(error.host)\(via): the name does not resolve")
            return
        }
        let text = String(describing: error)
        let lowercased = text.lowercased()
        if lowercased.contains("connection refused") || text.contains("ECONNREFUSED") || text.contains("errno: 111") {
            self.init(.connectionRefused, proxy.map { "connection refused by proxy \($0)" } ?? "connection refused: nothing listens there")
            return
        }
        if lowercased.contains("handshake") || lowercased.contains("certificate") {
            self.init(.tls, "TLS handshake failed\(via): \(text)")
            return
        }
        self.init(.other, "\(text)\(via)")
    }
}

extension Duration {
    /// `"30 s"`, `"0.5 s"`.
    public var secondsText: String {
        let (seconds, attoseconds) = components
        if attoseconds == 0 { return "\(seconds) s" }
        return "\(Double(seconds) + Double(attoseconds) / 1e18) s"
    }
}

import TAXIIHTTP

/// Why a TAXII exchange produced no usable message.
///
/// ``description`` is one line naming the URL and the cause, ready to print.
public struct TAXIIClientError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The class of failure.
    public enum Kind: String, Sendable, Equatable, CaseIterable {
        /// The URL is not an absolute `http://` or `https://` URL.
        case invalidURL
        /// The client could not be set up: a certificate, key or CA file is unusable, or a proxy URL is malformed.
        case configuration
        /// Connecting, or waiting for the reply, took longer than the client's timeout.
        case timeout
        /// Nothing listens at the server's address (or the proxy's).
        case connectionRefused
        /// The TLS handshake failed (untrusted or mismatched certificate, client certificate refused, …).
        case tls
        /// The proxy refused or could not make the connection.
        case proxy
        /// Another network failure (name resolution, connection reset, …).
        case transport
        /// The server answered with an HTTP error status and no TAXII message.
        case httpStatus
        /// The reply's `X-TAXII-Content-Type` names a message binding this client does not read.
        case unsupportedBinding
        /// The reply body is not a TAXII message of the binding its headers name (not XML, not TAXII, invalid).
        case malformedReply
        /// The reply is a TAXII message, but not one that answers the request.
        case unexpectedMessage
        /// The reply body is larger than the client accepts.
        case replyTooLarge
    }

    /// The class of failure.
    public var kind: Kind
    /// The URL called.
    public var url: String
    /// What went wrong, in one line.
    public var message: String
    /// The HTTP status, when the server answered at all.
    public var httpStatus: Int?

    /// Creates an error.
    public init(_ kind: Kind, url: String, _ message: String, httpStatus: Int? = nil) {
        self.kind = kind
        self.url = url
        self.message = message
        self.httpStatus = httpStatus
    }

    /// `"<url>: <message>"`.
    public var description: String {
        url.isEmpty ? message : "\(url): \(message)"
    }
}

extension TAXIIClientError {
    /// The client error for a reply from `url` that the HTTP binding refuses.
    init(_ error: TAXIIBindingError, url: String) {
        let kind: Kind = switch error.kind {
        case .httpStatus: .httpStatus
        case .missingHeader, .unsupportedBinding: .unsupportedBinding
        case .malformedMessage: .malformedReply
        case .unexpectedMessage: .unexpectedMessage
        }
        self.init(kind, url: url, error.message, httpStatus: error.httpStatus)
    }
}

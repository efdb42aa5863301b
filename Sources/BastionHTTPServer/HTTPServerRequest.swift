import NIOHTTP1

/// A complete HTTP request as a ``HTTPServer`` hands it to its ``HTTPResponder``.
public struct HTTPServerRequest: Sendable {
    /// The method (`POST`, `GET`, …).
    public var method: String
    /// The request target as sent (path and query).
    public var uri: String
    /// The headers.
    public var headers: HTTPHeaders
    /// The body, or `nil` when it was larger than the server's limit and was not read (the
    /// connection closes after the reply).
    public var body: [UInt8]?
    /// The identity in the client's verified certificate (its CN, else its first SAN), or `nil`
    /// without one or without TLS.
    public var peerIdentity: String?
    /// The client's IP address.
    public var peerAddress: String?

    public init(method: String, uri: String, headers: HTTPHeaders = [:], body: [UInt8]?, peerIdentity: String? = nil, peerAddress: String? = nil) {
        self.method = method
        self.uri = uri
        self.headers = headers
        self.body = body
        self.peerIdentity = peerIdentity
        self.peerAddress = peerAddress
    }

    /// The path: the URI without its query.
    public var path: String {
        guard let query = uri.utf8.firstIndex(of: UInt8(ascii: "?")) else { return uri }
        return String(uri[..<query])
    }
}

/// What a ``HTTPResponder`` answers. The server adds `Content-Length` and, when the connection
/// closes after it, `Connection: close`.
public struct HTTPServerResponse: Sendable {
    /// The status code.
    public var status: Int
    /// Headers to send, in order.
    public var headers: HTTPHeaders
    /// The body.
    public var body: [UInt8]

    public init(status: Int, headers: HTTPHeaders = [:], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }
}

/// Answers the requests a ``HTTPServer`` receives: the one thing a Bastion server defines.
/// Called once per request, concurrently across connections; requests on one connection are
/// answered in order.
public protocol HTTPResponder: Sendable {
    func respond(to request: HTTPServerRequest) async -> HTTPServerResponse

    /// Whether `respond(to:)` runs on the connection's event loop (a task whose executor
    /// preference is that loop) instead of Swift's cooperative pool. Worth it for a responder
    /// whose work is short and synchronous between its awaits, such as reads of a local SQLite
    /// file: it spares a hand-off to another thread and back per request (measured: a TAXII
    /// poll 20 % faster). A responder with more CPU work than the event loops should carry
    /// (an OpenC2 Consumer under TLS load: 17 % slower there) keeps the default, `false`.
    var respondsOnEventLoop: Bool { get }
}

extension HTTPResponder {
    public var respondsOnEventLoop: Bool { false }
}

import NIOSSL

/// Everything a ``HTTPServer`` needs besides its responder. The defaults suit a server facing
/// untrusted networks.
public struct HTTPServerConfiguration: Sendable {
    /// How clients connect.
    public enum Transport: Sendable {
        /// HTTPS with this configuration (see `TLSPolicy.server(certificatePath:keyPath:clientCAPath:)`).
        case https(TLSConfiguration)
        /// Plain HTTP, for testing only.
        case plainHTTP
    }

    /// A name for logs (`server` metadata), e.g. `openc2-consumer`.
    public var name: String
    /// The address to listen on.
    public var host: String
    /// The port to listen on; 0 picks a free one (the server reports it when listening).
    public var port: Int
    public var transport: Transport
    /// The largest request body read; a larger one is handed over as `nil` and the connection
    /// closes after the reply.
    public var maximumBodySize: Int
    /// A new connection must finish its TLS handshake within this time.
    public var handshakeTimeout: Duration
    /// A new connection must have sent a complete request head (TLS handshake included) within
    /// this time, and a request its whole body within this time after the head.
    public var requestTimeout: Duration
    /// A connection with no traffic for this long is closed; a kept-alive connection must also
    /// start its next request within this time.
    public var idleTimeout: Duration
    /// Connections held open at once; further ones wait in the listen backlog.
    public var maximumConnections: Int
    /// Connections held open at once from one IP address; further ones from it are closed at
    /// once, so that one source cannot fill the server.
    public var maximumConnectionsPerAddress: Int
    /// Whether each request is logged at `info` (peer, method, path, status, duration).
    public var accessLog: Bool

    /// A configuration; by default 127.0.0.1, 64 KiB bodies, 5 s for the handshake, 10 s for a
    /// request, 60 s idle, 1024 connections and 64 per address.
    public init(
        name: String,
        host: String = "127.0.0.1",
        port: Int,
        transport: Transport,
        maximumBodySize: Int = 64 * 1024,
        handshakeTimeout: Duration = .seconds(5),
        requestTimeout: Duration = .seconds(10),
        idleTimeout: Duration = .seconds(60),
        maximumConnections: Int = 1024,
        maximumConnectionsPerAddress: Int = 64,
        accessLog: Bool = false
    ) {
        self.name = name
        self.host = host
        self.port = port
        self.transport = transport
        self.maximumBodySize = maximumBodySize
        self.handshakeTimeout = handshakeTimeout
        self.requestTimeout = requestTimeout
        self.idleTimeout = idleTimeout
        self.maximumConnections = maximumConnections
        self.maximumConnectionsPerAddress = maximumConnectionsPerAddress
        self.accessLog = accessLog
    }
}

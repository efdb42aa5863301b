import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import NIOConcurrencyHelpers

/// A request as a ``ScriptedHTTPServer`` received it.
public struct ReceivedRequest: Sendable {
    public var method: String
    public var uri: String
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]

    /// The first value of header `name` (any case).
    public func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    /// The body as text.
    public var text: String { String(decoding: body, as: UTF8.self) }
}

/// What a ``ScriptedHTTPServer`` answers to one request.
public struct CannedReply: Sendable {
    public var status: HTTPResponseStatus
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]
    /// Wait this long before answering.
    public var delay: TimeAmount?

    public init(status: HTTPResponseStatus = .ok, headers: [(name: String, value: String)] = [], body: [UInt8] = [], delay: TimeAmount? = nil) {
        self.status = status
        self.headers = headers
        self.body = body
        self.delay = delay
    }

    /// Text with a status and a content type.
    public static func plain(_ status: HTTPResponseStatus, _ text: String, contentType: String = "text/html") -> CannedReply {
        CannedReply(status: status, headers: [("Content-Type", contentType)], body: Array(text.utf8))
    }
}

/// A small HTTP(S) server on 127.0.0.1 (a free port) that records every request and answers
/// what `respond` makes of it: the other side of a client under test.
public final class ScriptedHTTPServer: Sendable {
    public let channel: any Channel
    public let port: Int
    public let https: Bool
    private let log: RequestLog

    /// The requests received so far, in order (each recorded before it is answered).
    public var requests: [ReceivedRequest] { log.requests.withLockedValue { $0 } }

    /// The URL of `path` on this server.
    public func url(_ path: String) -> String { "\(https ? "https" : "http")://127.0.0.1:\(port)\(path)" }

    private init(channel: any Channel, https: Bool, log: RequestLog) {
        self.channel = channel
        self.port = channel.localAddress?.port ?? 0
        self.https = https
        self.log = log
    }

    /// Starts a server; with `tls` it speaks HTTPS.
    public static func start(tls: TLSConfiguration? = nil, respond: @escaping @Sendable (ReceivedRequest) -> CannedReply) async throws -> ScriptedHTTPServer {
        let sslContext = try tls.map { try NIOSSLContext(configuration: $0) }
        let log = RequestLog()
        let channel = try await bindLoopback { channel in
            if let sslContext {
                try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: sslContext))
            }
            try channel.pipeline.syncOperations.configureHTTPServerPipeline()
            try channel.pipeline.syncOperations.addHandler(ScriptedHandler(respond: respond) { request in
                log.requests.withLockedValue { $0.append(request) }
            })
        }
        return ScriptedHTTPServer(channel: channel, https: tls != nil, log: log)
    }

    /// Stops listening.
    public func stop() async throws {
        try await channel.close()
    }

    /// Runs `body` with a started server, then stops it.
    public static func with<T>(
        tls: TLSConfiguration? = nil, respond: @escaping @Sendable (ReceivedRequest) -> CannedReply, _ body: (ScriptedHTTPServer) async throws -> T
    ) async throws -> T {
        let server = try await start(tls: tls, respond: respond)
        return try await closing(server.channel) { try await body(server) }
    }
}

/// The requests a server received.
private final class RequestLog: Sendable {
    let requests = NIOLockedValueBox<[ReceivedRequest]>([])
}

/// Runs `body`, then closes `channel`, whether `body` succeeds or throws.
public func closing<T>(_ channel: any Channel, _ body: () async throws -> T) async throws -> T {
    do {
        let result = try await body()
        try await channel.close()
        return result
    } catch {
        try? await channel.close()
        throw error
    }
}

/// A TCP server on a free 127.0.0.1 port whose connections `configure` sets up.
public func bindLoopback(_ configure: @escaping @Sendable (any Channel) throws -> Void) async throws -> any Channel {
    try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
        .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
        .childChannelInitializer { channel in channel.eventLoop.makeCompletedFuture { try configure(channel) } }
        .bind(host: "127.0.0.1", port: 0).get()
}

private final class ScriptedHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    let respond: @Sendable (ReceivedRequest) -> CannedReply
    let record: @Sendable (ReceivedRequest) -> Void
    var head: HTTPRequestHead?
    var body: [UInt8] = []

    init(respond: @escaping @Sendable (ReceivedRequest) -> CannedReply, record: @escaping @Sendable (ReceivedRequest) -> Void) {
        self.respond = respond
        self.record = record
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
            body = []
        case .body(var buffer):
            body += buffer.readBytes(length: buffer.readableBytes) ?? []
        case .end:
            guard let head else { return }
            let request = ReceivedRequest(method: head.method.rawValue, uri: head.uri, headers: head.headers.map { ($0.name, $0.value) }, body: body)
            record(request)
            let reply = respond(request)
            if let delay = reply.delay {
                let loop = context.eventLoop.assumeIsolated()
                let pending = loop.scheduleTask(in: delay) { self.write(reply, context: context) }
                context.channel.closeFuture.whenComplete { _ in pending.cancel() }
            } else {
                write(reply, context: context)
            }
        }
    }

    func write(_ reply: CannedReply, context: ChannelHandlerContext) {
        var headers = HTTPHeaders(reply.headers.map { ($0.name, $0.value) })
        headers.replaceOrAdd(name: "Content-Length", value: String(reply.body.count))
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: reply.status, headers: headers))), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(bytes: reply.body)))), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
    }
}

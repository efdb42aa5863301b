import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import Synchronization
import TAXII
@testable import TAXIIClient

/// A request as the test server received it.
struct ReceivedRequest: Sendable {
    var method: String
    var uri: String
    var headers: [(name: String, value: String)]
    var body: [UInt8]

    func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }
}

/// What the test server answers.
struct CannedReply: Sendable {
    var status: HTTPResponseStatus = .ok
    var headers: [(name: String, value: String)] = []
    var body: [UInt8] = []
    /// Wait this long before answering.
    var delay: TimeAmount?

    /// A TAXII message with the binding's response headers.
    static func taxii(_ message: TAXII.Message, https: Bool = false) -> CannedReply {
        CannedReply(
            headers: [
                ("Content-Type", "application/xml"),
                ("X-TAXII-Content-Type", message.messageBindingID),
                ("X-TAXII-Services", message.version.servicesVersionID),
                ("X-TAXII-Protocol", https ? TAXII.VersionID.https10 : TAXII.VersionID.http10),
            ],
            body: Array(((try? message.xml()) ?? "").utf8)
        )
    }

    /// Plain text with a status and no TAXII headers.
    static func plain(_ status: HTTPResponseStatus, _ text: String, contentType: String = "text/html") -> CannedReply {
        CannedReply(status: status, headers: [("Content-Type", contentType)], body: Array(text.utf8))
    }
}

/// A small HTTP(S) server on 127.0.0.1 (a free port) that records requests and answers with `respond`.
final class TestServer: Sendable {
    let channel: any Channel
    let port: Int
    let https: Bool
    private let log: RequestLog

    var requests: [ReceivedRequest] { log.requests.withLock { $0 } }
    var url: String { "\(https ? "https" : "http")://127.0.0.1:\(port)/services/test" }

    private init(channel: any Channel, https: Bool, log: RequestLog) {
        self.channel = channel
        self.port = channel.localAddress?.port ?? 0
        self.https = https
        self.log = log
    }

    static func start(tls: TLSConfiguration? = nil, respond: @escaping @Sendable (ReceivedRequest) -> CannedReply) async throws -> TestServer {
        let sslContext = try tls.map { try NIOSSLContext(configuration: $0) }
        let log = RequestLog()
        let channel = try await bindLoopback { channel in
            if let sslContext {
                try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: sslContext))
            }
            try channel.pipeline.syncOperations.configureHTTPServerPipeline()
            try channel.pipeline.syncOperations.addHandler(ServerHandler(respond: respond) { request in
                log.requests.withLock { $0.append(request) }
            })
        }
        return TestServer(channel: channel, https: tls != nil, log: log)
    }

    func stop() async throws {
        try await channel.close()
    }

    /// Runs `body` with a started server, then stops it.
    static func with<T>(tls: TLSConfiguration? = nil, respond: @escaping @Sendable (ReceivedRequest) -> CannedReply, _ body: (TestServer) async throws -> T) async throws -> T {
        let server = try await start(tls: tls, respond: respond)
        return try await closing(server.channel) { try await body(server) }
    }
}

/// Runs `body`, then closes `channel`, whether `body` succeeds or throws.
func closing<T>(_ channel: any Channel, _ body: () async throws -> T) async throws -> T {
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
func bindLoopback(_ configure: @escaping @Sendable (any Channel) throws -> Void) async throws -> any Channel {
    try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
        .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
        .childChannelInitializer { channel in channel.eventLoop.makeCompletedFuture { try configure(channel) } }
        .bind(host: "127.0.0.1", port: 0).get()
}

/// The requests a server received.
final class RequestLog: Sendable {
    let requests = Mutex<[ReceivedRequest]>([])
}

private final class ServerHandler: ChannelInboundHandler {
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

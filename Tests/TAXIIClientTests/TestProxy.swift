import NIOCore
import TestSupport
import NIOPosix
import NIOConcurrencyHelpers

/// A small HTTP proxy on 127.0.0.1: `CONNECT host:port` opens a tunnel (async-http-client tunnels
/// `http` URLs too, rather than forwarding absolute URIs). It records each request line.
final class TestProxy: Sendable {
    let channel: any Channel
    let port: Int
    private let log: LineLog

    var requestLines: [String] { log.lines.withLockedValue { $0 } }
    var url: String { "http://127.0.0.1:\(port)" }

    private init(channel: any Channel, log: LineLog) {
        self.channel = channel
        self.port = channel.localAddress?.port ?? 0
        self.log = log
    }

    /// Runs `body` with a started proxy; with `requiredAuthorization`, a `CONNECT` without that
    /// `Proxy-Authorization` value is answered 407.
    static func with<T>(requiredAuthorization: String? = nil, _ body: (TestProxy) async throws -> T) async throws -> T {
        let lines = LineLog()
        let channel = try await bindLoopback { channel in
            try channel.pipeline.syncOperations.addHandler(ProxyFrontHandler(log: lines, requiredAuthorization: requiredAuthorization))
        }
        let proxy = TestProxy(channel: channel, log: lines)
        return try await closing(channel) { try await body(proxy) }
    }
}

/// The request lines a proxy saw.
final class LineLog: Sendable {
    let lines = NIOLockedValueBox<[String]>([])
}

/// Reads the request head, connects to the target, then relays bytes both ways.
private final class ProxyFrontHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    let log: LineLog
    let requiredAuthorization: String?
    var pending = ByteBuffer()
    var connecting = false
    var partner: (any Channel)?

    init(log: LineLog, requiredAuthorization: String?) {
        self.log = log
        self.requiredAuthorization = requiredAuthorization
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var buffer = unwrapInboundIn(data)
        if let partner {
            partner.writeAndFlush(buffer, promise: nil)
            return
        }
        pending.writeBuffer(&buffer)
        guard !connecting else { return }
        let bytes = pending.readableBytesView
        guard let end = bytes.firstRange(of: Array("\r\n\r\n".utf8)) else { return }
        let head = String(decoding: bytes[..<end.lowerBound], as: UTF8.self)
        let requestLine = head.split(separator: "\r\n", omittingEmptySubsequences: false).first.map(String.init) ?? ""
        log.lines.withLockedValue { $0.append(requestLine) }
        let parts = requestLine.split(separator: " ")
        guard parts.count == 3 else { context.close(promise: nil); return }
        guard parts[0] == "CONNECT" else {
            context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: "HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\n\r\n")), promise: nil)
            context.close(promise: nil)
            return
        }
        if let requiredAuthorization, !head.lowercased().contains("\r\nproxy-authorization: \(requiredAuthorization.lowercased())") {
            context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: "HTTP/1.1 407 Proxy Authentication Required\r\nContent-Length: 0\r\n\r\n")), promise: nil)
            context.close(promise: nil)
            return
        }
        let hostPort = parts[1]
        pending.moveReaderIndex(forwardBy: end.upperBound - bytes.startIndex)
        let toSend = pending
        guard let colon = hostPort.lastIndex(of: ":"), let port = Int(hostPort[hostPort.index(after: colon)...]) else {
            context.close(promise: nil)
            return
        }
        let host = String(hostPort[..<colon])
        connecting = true
        let front = context.channel
        ClientBootstrap(group: context.eventLoop)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(RelayHandler(partner: front)) }
            }
            .connect(host: host, port: port)
            .assumeIsolated()
            .whenComplete { result in
                switch result {
                case .success(let backend):
                    self.partner = backend
                    context.writeAndFlush(self.wrapOutboundOut(ByteBuffer(string: "HTTP/1.1 200 Connection established\r\n\r\n")), promise: nil)
                    if toSend.readableBytes > 0 { backend.writeAndFlush(toSend, promise: nil) }
                case .failure:
                    context.writeAndFlush(self.wrapOutboundOut(ByteBuffer(string: "HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n")), promise: nil)
                    context.close(promise: nil)
                }
            }
    }

    func channelInactive(context: ChannelHandlerContext) {
        partner?.close(promise: nil)
    }
}

/// Writes what one side reads to its partner.
private final class RelayHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    let partner: any Channel

    init(partner: any Channel) { self.partner = partner }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        partner.writeAndFlush(unwrapInboundIn(data), promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        partner.close(promise: nil)
    }
}

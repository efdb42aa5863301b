import Logging
import NIOCore
import NIOHTTP1

/// Closes a connection whose client is too slow to send a request, so that slow or
/// half-open clients cannot hold connections (and so starve others) indefinitely.
///
/// Deadlines, all absolute:
/// - a new connection must deliver a complete request head within `headerTimeout`
///   (this covers the TLS handshake and a slowloris trickle of header bytes);
/// - once the head is in, the body must be complete within `bodyTimeout`;
/// - after a response, the next request head must be complete within `keepAliveTimeout`.
///
/// It sits after the HTTP decoder; a request being answered has no deadline (the handler's
/// own time is not the client's fault).
final class RequestDeadlineHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    private let headerTimeout: TimeAmount
    private let bodyTimeout: TimeAmount
    private let keepAliveTimeout: TimeAmount
    private let logger: Logger
    private var deadline: Scheduled<Void>?

    init(headerTimeout: TimeAmount, bodyTimeout: TimeAmount, keepAliveTimeout: TimeAmount, logger: Logger) {
        self.headerTimeout = headerTimeout
        self.bodyTimeout = bodyTimeout
        self.keepAliveTimeout = keepAliveTimeout
        self.logger = logger
    }

    func handlerAdded(context: ChannelHandlerContext) {
        arm(headerTimeout, context: context, reason: "no complete request head")
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        disarm()
    }

    func channelInactive(context: ChannelHandlerContext) {
        disarm()
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head: arm(bodyTimeout, context: context, reason: "request body incomplete")
        case .body: break
        case .end: disarm()
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data) {
            arm(keepAliveTimeout, context: context, reason: "idle after a response")
        }
        context.write(data, promise: promise)
    }

    private func arm(_ timeout: TimeAmount, context: ChannelHandlerContext, reason: String) {
        disarm()
        let channel = context.channel
        let logger = self.logger
        deadline = context.eventLoop.scheduleTask(in: timeout) {
            logger.debug("closing a slow connection", metadata: ["reason": "\(reason)", "peer_address": "\(channel.remoteAddress?.description ?? "unknown")"])
            channel.close(promise: nil)
        }
    }

    private func disarm() {
        deadline?.cancel()
        deadline = nil
    }
}

import NIOCore
import NIOHTTP1
import NIOTLS

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
    private let events: ServerEvents
    private var deadline: Scheduled<Void>?

    init(headerTimeout: TimeAmount, bodyTimeout: TimeAmount, keepAliveTimeout: TimeAmount, events: ServerEvents) {
        self.headerTimeout = headerTimeout
        self.bodyTimeout = bodyTimeout
        self.keepAliveTimeout = keepAliveTimeout
        self.events = events
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
        let events = self.events
        deadline = context.eventLoop.scheduleTask(in: timeout) {
            events.slowConnectionClosed(reason: reason, channel: channel)
            channel.close(promise: nil)
        }
    }

    private func disarm() {
        deadline?.cancel()
        deadline = nil
    }
}

/// Closes a connection whose TLS handshake is not done within `timeout`: a client that connects
/// and never authenticates holds a connection for seconds, not for the whole request deadline.
/// It sits right after the TLS handler and removes itself once the handshake completes.
final class HandshakeDeadlineHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = NIOAny

    private let timeout: TimeAmount
    private let events: ServerEvents
    private var deadline: Scheduled<Void>?

    init(timeout: TimeAmount, events: ServerEvents) {
        self.timeout = timeout
        self.events = events
    }

    func handlerAdded(context: ChannelHandlerContext) {
        let channel = context.channel
        let events = self.events
        deadline = context.eventLoop.scheduleTask(in: timeout) {
            events.refused(reason: "handshake_deadline", address: channel.remoteAddress?.ipAddress)
            channel.close(promise: nil)
        }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        deadline?.cancel()
        deadline = nil
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case .handshakeCompleted = event as? TLSUserEvent {
            deadline?.cancel()
            deadline = nil
            context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
        }
        context.fireUserInboundEventTriggered(event)
    }
}

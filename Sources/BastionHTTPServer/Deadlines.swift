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
///
/// A busy connection moves its deadline two or three times per request, so moving it only
/// records the new time: one timer per connection checks the deadline when it fires and, if
/// the deadline has moved on, waits again until then. A timer is scheduled anew only when none
/// is pending or the new deadline comes before it.
final class RequestDeadlineHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    private let headerTimeout: TimeAmount
    private let bodyTimeout: TimeAmount
    private let keepAliveTimeout: TimeAmount
    private let events: ServerEvents
    /// When the connection is closed unless the client gets on, and why; `nil` while a request is answered.
    private var deadline: (time: NIODeadline, reason: String)?
    /// The pending timer and when it fires (at or before `deadline`).
    private var timer: (task: Scheduled<Void>, firesAt: NIODeadline)?

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
        stopTimer()
    }

    func channelInactive(context: ChannelHandlerContext) {
        stopTimer()
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head: arm(bodyTimeout, context: context, reason: "request body incomplete")
        case .body: break
        case .end: deadline = nil
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
        let time = context.eventLoop.now + timeout
        deadline = (time, reason)
        if let timer {
            guard time < timer.firesAt else { return }  // the pending timer looks again when it fires
            timer.task.cancel()
        }
        schedule(at: time, context: context)
    }

    private func schedule(at time: NIODeadline, context: ChannelHandlerContext) {
        let task = context.eventLoop.assumeIsolated().scheduleTask(deadline: time) { [self] in
            timer = nil
            check(context: context)
        }
        timer = (task, time)
    }

    /// Closes the connection if its deadline has passed, else waits until it.
    private func check(context: ChannelHandlerContext) {
        guard let deadline else { return }  // answering: the next `arm` schedules again
        if deadline.time > context.eventLoop.now {
            schedule(at: deadline.time, context: context)
            return
        }
        events.slowConnectionClosed(reason: deadline.reason, channel: context.channel)
        context.close(promise: nil)
    }

    private func stopTimer() {
        timer?.task.cancel()
        timer = nil
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

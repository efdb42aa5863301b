import NIOCore
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
/// The connection's handler tells it where the request stands; a request being answered has
/// no deadline (the server's own time is not the client's fault). It lives on the connection's
/// event loop.
///
/// A busy connection moves its deadline two or three times per request, so moving it only
/// records the new time: one timer per connection checks the deadline when it fires and, if
/// the deadline has moved on, waits again until then. A timer is scheduled anew only when none
/// is pending or the new deadline comes before it.
final class RequestDeadlines {
    /// How long a client may take for each part of a request.
    struct Timeouts: Sendable {
        var header: TimeAmount
        var body: TimeAmount
        var keepAlive: TimeAmount
    }

    private let timeouts: Timeouts
    private let eventLoop: any EventLoop
    /// Called on the event loop when a deadline passes, with why (`no complete request head`, …).
    private let expired: (String) -> Void
    /// When the connection is closed unless the client gets on, and why; `nil` while a request is answered.
    private var deadline: (time: NIODeadline, reason: String)?
    /// The pending timer and when it fires (at or before `deadline`).
    private var timer: (task: Scheduled<Void>, firesAt: NIODeadline)?

    /// Starts the header deadline of a new connection.
    init(_ timeouts: Timeouts, eventLoop: any EventLoop, expired: @escaping (String) -> Void) {
        self.timeouts = timeouts
        self.eventLoop = eventLoop
        self.expired = expired
        arm(timeouts.header, reason: "no complete request head")
    }

    /// A request head is in: the body has its own deadline.
    func headReceived() {
        arm(timeouts.body, reason: "request body incomplete")
    }

    /// The request is complete and being answered: no deadline.
    func requestComplete() {
        deadline = nil
    }

    /// A reply was written and the connection stays open: the next request head has its deadline.
    func responseWritten() {
        arm(timeouts.keepAlive, reason: "idle after a response")
    }

    /// The connection closed: no more timers.
    func stop() {
        timer?.task.cancel()
        timer = nil
        deadline = nil
    }

    private func arm(_ timeout: TimeAmount, reason: String) {
        let time = eventLoop.now + timeout
        deadline = (time, reason)
        if let timer {
            guard time < timer.firesAt else { return }  // the pending timer looks again when it fires
            timer.task.cancel()
        }
        schedule(at: time)
    }

    private func schedule(at time: NIODeadline) {
        let task = eventLoop.assumeIsolated().scheduleTask(deadline: time) { [self] in
            timer = nil
            check()
        }
        timer = (task, time)
    }

    /// Reports the deadline if it has passed, else waits until it.
    private func check() {
        guard let deadline else { return }  // answering: the next `arm` schedules again
        if deadline.time > eventLoop.now {
            schedule(at: deadline.time)
            return
        }
        self.deadline = nil
        expired(deadline.reason)
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

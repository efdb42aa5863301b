import BastionPKI
import Logging
import NIOCore
import NIOHTTP1
import NIOSSL

/// One connection's HTTP requests, handed to the responder and answered: everything the server
/// does with a connection after NIO's request decoder, in one handler.
///
/// Request parts arrive on the connection's event loop; the body is gathered up to the limit,
/// then the responder runs as a task (on the event loop itself, started at once, when the
/// responder asks for it) and its reply is written back on the event loop, encoded in one
/// buffer (``HTTPResponseEncoding``). Pipelined requests are answered in order: parts that
/// arrive while a request is answered wait, and the socket is not read further until the reply
/// is written. It also keeps the request deadlines (``RequestDeadlines``), answers a request
/// that cannot be parsed with `400 Bad Request`, and closes the connection when the server
/// quiesces: at once if idle, else after the reply in progress.
final class HTTPConnectionHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    /// Nothing is written through this handler: it only holds back `read`.
    typealias OutboundIn = Never
    typealias OutboundOut = ByteBuffer

    private enum State {
        /// Waiting for a request head.
        case idle
        /// Gathering the body of the request with this head.
        case reading(HTTPRequestHead, body: ByteBuffer)
        /// The body went over the limit: the request was answered and the rest of it is dropped.
        case discarding
        /// The responder is working on the request.
        case answering
        /// The connection closes after what is being written; nothing more is read.
        case closing
    }

    private let responder: any HTTPResponder
    private let maximumBodySize: Int
    private let timeouts: RequestDeadlines.Timeouts
    private let events: ServerEvents
    private var state = State.idle
    /// Parts of pipelined requests that came while a request was answered, in order.
    private var waiting = CircularBuffer<HTTPServerRequestPart>()
    /// A `read` held back while a request is answered.
    private var readHeld = false
    /// The connection closes after the reply in progress: the server is shutting down, or the
    /// client sent bytes that are not HTTP after the request being answered.
    private var closeAfterReply = false
    /// `drainWaiting` is running (a reply written synchronously within it must not start it again).
    private var draining = false
    private var deadlines: RequestDeadlines?
    /// The client certificate's identity, worked out at the connection's first request.
    private var peer: String??
    /// The client's IP address as text, worked out at the connection's first request.
    private var peerAddress: String??
    /// Runs the responder's tasks on this connection's event loop (created at the first request).
    private var executor: EventLoopTaskExecutor?

    init(responder: any HTTPResponder, maximumBodySize: Int, timeouts: RequestDeadlines.Timeouts, events: ServerEvents) {
        self.responder = responder
        self.maximumBodySize = maximumBodySize
        self.timeouts = timeouts
        self.events = events
    }

    func handlerAdded(context: ChannelHandlerContext) {
        let (channel, events) = (context.channel, self.events)
        deadlines = RequestDeadlines(timeouts, eventLoop: context.eventLoop) { reason in
            events.slowConnectionClosed(reason: reason, channel: channel)
            channel.close(promise: nil)
        }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        deadlines?.stop()
    }

    func channelInactive(context: ChannelHandlerContext) {
        deadlines?.stop()
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let part = unwrapInboundIn(data)
        if case .answering = state {
            waiting.append(part)
        } else if !waiting.isEmpty {
            waiting.append(part)
            drainWaiting(context: context)
        } else {
            handle(part, context: context)
        }
    }

    func read(context: ChannelHandlerContext) {
        switch state {
        case .answering, .discarding, .closing: readHeld = true
        case .idle, .reading: context.read()
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        guard event is ChannelShouldQuiesceEvent else {
            context.fireUserInboundEventTriggered(event)
            return
        }
        closeAfterReply = true
        if case .idle = state, waiting.isEmpty {
            state = .closing
            context.close(promise: nil)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        events.connectionError(error, channel: context.channel)
        switch state {
        case .idle, .reading:
            state = .closing
            guard error is HTTPParserError else {
                context.close(promise: nil)
                return
            }
            // Bytes that are not HTTP: say so, then close.
            var buffer = context.channel.allocator.buffer(capacity: 128)
            try? HTTPResponseEncoding.write(HTTPServerResponse(status: 400), version: .http1_1, keepAlive: false, includeBody: true, into: &buffer)
            context.writeAndFlush(wrapOutboundOut(buffer)).assumeIsolated().whenComplete { _ in context.close(promise: nil) }
        case .answering, .discarding:
            // The reply in progress is still written; the connection closes after it.
            closeAfterReply = true
            waiting.removeAll()
        case .closing:
            context.close(promise: nil)
        }
    }

    private func handle(_ part: HTTPServerRequestPart, context: ChannelHandlerContext) {
        switch (part, state) {
        case (.head(let head), .idle):
            deadlines?.headReceived()
            if let length = head.headers.first(name: "content-length").flatMap(Int.init), length > maximumBodySize {
                answer(head, body: nil, context: context)
            } else {
                state = .reading(head, body: context.channel.allocator.buffer(capacity: 0))
                if head.headers[canonicalForm: "expect"].contains(where: { $0.lowercased() == "100-continue" }) {
                    // curl, for one, waits a second for this before sending a body over 1 KiB.
                    var buffer = context.channel.allocator.buffer(capacity: 32)
                    HTTPResponseEncoding.writeInterim(100, version: head.version, into: &buffer)
                    context.writeAndFlush(wrapOutboundOut(buffer), promise: nil)
                }
            }
        case (.body(var part), .reading(let head, var body)):
            guard body.readableBytes + part.readableBytes <= maximumBodySize else {
                answer(head, body: nil, context: context)
                return
            }
            state = .idle  // lets `body` be changed in place
            // A body that comes in one piece (most do) is kept as it came, not copied.
            if body.readableBytes == 0 { body = part } else { body.writeBuffer(&part) }
            state = .reading(head, body: body)
        case (.end, .reading(let head, var body)):
            deadlines?.requestComplete()
            answer(head, body: body.readBytes(length: body.readableBytes), context: context)
        case (.end, .discarding):
            state = .answering
        case (.body, .discarding), (_, .closing):
            break
        case (.head, _), (.body, _), (.end, _):
            // The decoder delivers head, body, end in turn and requests wait while one is
            // answered; anything else is a bug: never answer two requests at once.
            state = .closing
            context.close(promise: nil)
        }
    }

    /// Hands on the parts that waited while a request was answered, until one is answered again
    /// (its reply hands on the rest); then lets the socket be read again.
    private func drainWaiting(context: ChannelHandlerContext) {
        guard !draining else { return }
        draining = true
        defer { draining = false }
        while !waiting.isEmpty {
            if case .answering = state { return }
            handle(waiting.removeFirst(), context: context)
        }
        switch state {
        case .idle, .reading:
            if readHeld {
                readHeld = false
                context.read()
            }
        case .answering, .discarding, .closing:
            break
        }
    }

    /// Passes the request to the responder and writes its reply; `body` is `nil` when the
    /// request's body is over the limit (the connection closes rather than read the rest).
    private func answer(_ head: HTTPRequestHead, body: [UInt8]?, context: ChannelHandlerContext) {
        let started = NIODeadline.now()
        let overLimit = body == nil
        state = overLimit ? .discarding : .answering
        let request = HTTPServerRequest(
            method: head.method.rawValue, uri: head.uri, headers: head.headers, body: body,
            peerIdentity: peerIdentity(context: context), peerAddress: peerAddress(context: context)
        )
        let responder = self.responder
        let keepAlive = head.isKeepAlive && !overLimit
        if #available(macOS 26, *), responder.respondsOnEventLoop {
            let executor = self.executor ?? EventLoopTaskExecutor(context.eventLoop)
            self.executor = executor
            // Starts at once, here on the event loop, rather than being queued for its next tick;
            // after an `await` that suspends it goes on on the same loop, so the task writes the
            // reply itself (no promise between them).
            let connection = NIOLoopBound((handler: self, context: context), eventLoop: context.eventLoop)
            Task.immediate(executorPreference: executor) {
                let response = await responder.respond(to: request)
                let (handler, context) = connection.value
                handler.write(response, to: head, keepAlive: keepAlive, context: context)
                handler.events.request(request, status: response.status, started: started)
            }
        } else {
            let reply = context.eventLoop.makePromise(of: HTTPServerResponse.self)
            reply.completeWithTask { await responder.respond(to: request) }
            reply.futureResult.assumeIsolated().whenSuccess { response in
                self.write(response, to: head, keepAlive: keepAlive, context: context)
                self.events.request(request, status: response.status, started: started)
            }
        }
    }

    private func write(_ response: HTTPServerResponse, to request: HTTPRequestHead, keepAlive requested: Bool, context: ChannelHandlerContext) {
        let keepAlive = requested && !closeAfterReply
        var buffer = context.channel.allocator.buffer(capacity: 0)
        do {
            try HTTPResponseEncoding.write(response, version: request.version, keepAlive: keepAlive, includeBody: request.method != .HEAD, into: &buffer)
        } catch {
            events.replyRefused(error, channel: context.channel)
            try? HTTPResponseEncoding.write(HTTPServerResponse(status: 500), version: request.version, keepAlive: keepAlive, includeBody: true, into: &buffer)
        }
        if keepAlive {
            state = .idle
            deadlines?.responseWritten()
            context.writeAndFlush(wrapOutboundOut(buffer), promise: nil)
            drainWaiting(context: context)
        } else {
            state = .closing
            waiting.removeAll()
            context.writeAndFlush(wrapOutboundOut(buffer)).assumeIsolated().whenComplete { _ in context.close(promise: nil) }
        }
    }

    /// The client's IP address (`nil` if the socket has none).
    private func peerAddress(context: ChannelHandlerContext) -> String? {
        if let peerAddress { return peerAddress }
        let address = context.channel.remoteAddress?.ipAddress
        peerAddress = .some(address)
        return address
    }

    /// The identity in the connection's verified client certificate; `nil` without one (or without TLS).
    private func peerIdentity(context: ChannelHandlerContext) -> String? {
        if let peer { return peer }
        var identity: String? = nil
        if let certificate = try? context.pipeline.syncOperations.nioSSL_peerCertificate(), let der = try? certificate.toDERBytes() {
            identity = PeerIdentity.identity(fromDER: der)
        }
        peer = .some(identity)
        return identity
    }
}

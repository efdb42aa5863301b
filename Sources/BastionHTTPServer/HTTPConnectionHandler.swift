import BastionPKI
import Logging
import NIOCore
import NIOHTTP1
import NIOSSL

/// One connection's HTTP requests, handed to the responder and answered.
///
/// Request parts arrive on the connection's event loop; the body is gathered up to the limit,
/// then the responder runs as a task (on the event loop itself, started at once, when the
/// responder asks for it) and its reply is written back on the event loop. Requests
/// on one connection are answered in order (NIO's `HTTPServerPipelineHandler`, before this
/// handler, holds pipelined requests back).
final class HTTPConnectionHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private enum State {
        /// Waiting for a request head.
        case idle
        /// Gathering the body of the request with this head.
        case reading(HTTPRequestHead, body: ByteBuffer)
        /// The body went over the limit: the request was answered and the rest of it is dropped.
        case discarding
        /// The responder is working on the request.
        case answering
    }

    private let responder: any HTTPResponder
    private let maximumBodySize: Int
    private let events: ServerEvents
    private var state = State.idle
    /// The client certificate's identity, worked out at the connection's first request.
    private var peer: String??
    /// The client's IP address as text, worked out at the connection's first request.
    private var peerAddress: String??
    /// Runs the responder's tasks on this connection's event loop (created at the first request).
    private var executor: EventLoopTaskExecutor?

    init(responder: any HTTPResponder, maximumBodySize: Int, events: ServerEvents) {
        self.responder = responder
        self.maximumBodySize = maximumBodySize
        self.events = events
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch (unwrapInboundIn(data), state) {
        case (.head(let head), .idle):
            if let length = head.headers.first(name: "content-length").flatMap(Int.init), length > maximumBodySize {
                answer(head, body: nil, context: context)
            } else {
                state = .reading(head, body: context.channel.allocator.buffer(capacity: 0))
                if head.headers[canonicalForm: "expect"].contains(where: { $0.lowercased() == "100-continue" }) {
                    // curl, for one, waits a second for this before sending a body over 1 KiB.
                    context.writeAndFlush(wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: .continue))), promise: nil)
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
            answer(head, body: body.readBytes(length: body.readableBytes), context: context)
        case (.end, .discarding):
            state = .answering
        case (.body, .discarding), (.body, .answering), (.end, .answering):
            break
        case (.head, _), (.body, .idle), (.end, .idle):
            // Not possible behind HTTPServerPipelineHandler, which holds a request back until
            // the previous one is answered; never answer two requests at once.
            context.close(promise: nil)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        events.connectionError(error, channel: context.channel)
        context.close(promise: nil)
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

    private func write(_ response: HTTPServerResponse, to request: HTTPRequestHead, keepAlive: Bool, context: ChannelHandlerContext) {
        let version = request.version
        var headers = response.headers
        headers.replaceOrAdd(name: "Content-Length", value: String(response.body.count))
        if !keepAlive {
            headers.replaceOrAdd(name: "Connection", value: "close")
        } else if version.major == 1, version.minor == 0 {
            headers.replaceOrAdd(name: "Connection", value: "keep-alive")
        }
        let head = HTTPResponseHead(version: version, status: HTTPResponseStatus(statusCode: response.status), headers: headers)
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        if !response.body.isEmpty {
            context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: response.body)))), promise: nil)
        }
        if keepAlive {
            // Writing the end releases the next pipelined request, which may arrive at once.
            state = .idle
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        } else {
            context.writeAndFlush(wrapOutboundOut(.end(nil))).assumeIsolated().whenComplete { _ in context.close(promise: nil) }
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

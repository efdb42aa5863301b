import Logging
import NIOCore
import NIOEmbedded
import NIOHTTP1
import NIOTLS
import Testing
import TestSupport
@testable import BastionHTTPServer

/// The server's channel handlers on `EmbeddedChannel`s, with the event loop's clock moved by hand.
@Suite("BastionHTTPServer channel handlers")
struct HandlerTests {
    let events = ServerEvents(logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }, server: "test", accessLog: false)

    func head(_ uri: String = "/") -> HTTPServerRequestPart {
        .head(HTTPRequestHead(version: .http1_1, method: .POST, uri: uri))
    }

    /// Deadlines on a hand-driven event loop, with the reasons they expired for.
    func deadlines(header: Int64 = 10, body: Int64 = 5, keepAlive: Int64 = 60) -> (RequestDeadlines, EmbeddedEventLoop, ExpiryLog) {
        let loop = EmbeddedEventLoop()
        let log = ExpiryLog()
        let deadlines = RequestDeadlines(.init(header: .seconds(header), body: .seconds(body), keepAlive: .seconds(keepAlive)), eventLoop: loop) { log.reasons.append($0) }
        return (deadlines, loop, log)
    }

    final class ExpiryLog { var reasons: [String] = [] }

    @Test("RequestDeadlines: the head deadline, then the body deadline, none while answering, then the idle deadline")
    func requestDeadlines() throws {
        let (deadlines, loop, expired) = self.deadlines()
        loop.advanceTime(by: .seconds(9))
        #expect(expired.reasons.isEmpty)
        deadlines.headReceived()  // the head in time: now 5 s for the body
        loop.advanceTime(by: .seconds(4))
        #expect(expired.reasons.isEmpty)
        deadlines.requestComplete()
        loop.advanceTime(by: .seconds(3_600))  // answering: no deadline
        #expect(expired.reasons.isEmpty, "a request being answered has no deadline")
        deadlines.responseWritten()
        loop.advanceTime(by: .seconds(59))
        #expect(expired.reasons.isEmpty)
        loop.advanceTime(by: .seconds(1))
        #expect(expired.reasons == ["idle after a response"])
        loop.advanceTime(by: .seconds(3_600))
        #expect(expired.reasons.count == 1, "a deadline expires once")
    }

    @Test("RequestDeadlines: a deadline earlier than the pending timer still expires on time; a busy connection's never does")
    func earlierDeadline() throws {
        let (deadlines, loop, expired) = self.deadlines(keepAlive: 2)
        for _ in 0..<1_000 {  // a busy connection: the deadline moves on, it never expires
            deadlines.headReceived()
            deadlines.requestComplete()
            deadlines.responseWritten()
            loop.advanceTime(by: .milliseconds(10))
        }
        #expect(expired.reasons.isEmpty)
        loop.advanceTime(by: .seconds(1))
        deadlines.headReceived()  // body deadline: now + 5 s
        loop.advanceTime(by: .seconds(1))
        deadlines.requestComplete()
        deadlines.responseWritten()  // idle deadline: now + 2 s, before the pending timer
        loop.advanceTime(by: .milliseconds(1_999))
        #expect(expired.reasons.isEmpty)
        loop.advanceTime(by: .milliseconds(1))
        #expect(expired.reasons == ["idle after a response"], "idle for the keep-alive timeout, though a timer was set for the later body deadline")
    }

    @Test("RequestDeadlines: a head that never completes, and a body that stops, expire; stop() ends them")
    func slowClients() throws {
        let (_, silentLoop, silent) = deadlines()
        silentLoop.advanceTime(by: .seconds(10))
        #expect(silent.reasons == ["no complete request head"])

        let (stalled, stalledLoop, stalledLog) = deadlines()
        stalled.headReceived()
        stalledLoop.advanceTime(by: .seconds(5))
        #expect(stalledLog.reasons == ["request body incomplete"])

        let (stopped, stoppedLoop, stoppedLog) = deadlines()
        stopped.stop()
        stoppedLoop.advanceTime(by: .seconds(3_600))
        #expect(stoppedLog.reasons.isEmpty)
    }

    @Test("HandshakeDeadlineHandler: closes an unfinished handshake; a completed one removes the deadline")
    func handshakeDeadline() throws {
        let never = EmbeddedChannel(handler: HandshakeDeadlineHandler(timeout: .seconds(3), events: events))
        try never.connect(to: .init(ipAddress: "127.0.0.1", port: 1)).wait()
        never.embeddedEventLoop.advanceTime(by: .seconds(3))
        #expect(!never.isActive)

        let done = EmbeddedChannel(handler: HandshakeDeadlineHandler(timeout: .seconds(3), events: events))
        try done.connect(to: .init(ipAddress: "127.0.0.1", port: 1)).wait()
        done.pipeline.fireUserInboundEventTriggered(TLSUserEvent.handshakeCompleted(negotiatedProtocol: nil))
        done.embeddedEventLoop.advanceTime(by: .seconds(60))
        #expect(done.isActive)
        #expect(throws: ChannelPipelineError.notFound) { try done.pipeline.syncOperations.handler(type: HandshakeDeadlineHandler.self) }
    }

    @Test("ConnectionLimiter: over the per-address limit a connection is closed at once; at the global limit accepting stops until one closes")
    func connectionLimits() throws {
        let server = EmbeddedChannel(handler: ConnectionLimiter(maximum: 3, maximumPerAddress: 2, events: events))
        func accept(from address: String) throws -> EmbeddedChannel {
            let connection = EmbeddedChannel(loop: server.embeddedEventLoop)
            try connection.connect(to: .init(ipAddress: address, port: 40_000)).wait()
            try server.writeInbound(connection as any Channel)
            return connection
        }
        // EmbeddedChannel records the options set on it; autoRead is on until the limiter sets it.
        func accepting() -> Bool {
            server.options.last { $0.option is ChannelOptions.Types.AutoReadOption }.map { $0.value as? Bool ?? true } ?? true
        }
        let first = try accept(from: "192.0.2.1")
        _ = try accept(from: "192.0.2.1")
        let third = try accept(from: "192.0.2.1")
        #expect(!third.isActive, "a third connection from one address is over its limit of 2")
        #expect(accepting())

        let other = try accept(from: "192.0.2.2")
        #expect(other.isActive)
        #expect(!accepting(), "3 open: the global limit stops accepting")

        try first.close().wait()
        server.embeddedEventLoop.run()
        #expect(accepting(), "one closed: accepting again")
        #expect(try accept(from: "192.0.2.1").isActive, "192.0.2.1 is below its limit again")
    }
}

@Suite("HTTPConnectionHandler on a testing channel")
struct ConnectionHandlerTests {
    var events = ServerEvents(logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }, server: "test", accessLog: false)

    /// A connected testing channel with a connection handler for `responder` (and, before it, `reads`).
    func channel(_ responder: some HTTPResponder = EchoResponder(), maximumBodySize: Int = 8, reads: ReadCounter = ReadCounter()) async throws -> NIOAsyncTestingChannel {
        let channel = NIOAsyncTestingChannel()
        let events = self.events
        try await channel.testingEventLoop.executeInContext {
            let timeouts = RequestDeadlines.Timeouts(header: .seconds(10), body: .seconds(10), keepAlive: .seconds(60))
            try channel.pipeline.syncOperations.addHandlers(
                reads, HTTPConnectionHandler(responder: responder, maximumBodySize: maximumBodySize, timeouts: timeouts, events: events))
        }
        try await channel.connect(to: .init(ipAddress: "192.0.2.9", port: 5000))
        return channel
    }

    /// One reply as written: status line, headers, body.
    func reply(from channel: NIOAsyncTestingChannel) async throws -> (status: String, headers: [String], body: String) {
        let bytes = String(buffer: try await channel.waitForOutboundWrite(as: ByteBuffer.self))
        let parts = bytes.components(separatedBy: "\r\n\r\n")
        let lines = parts[0].components(separatedBy: "\r\n")
        return (lines[0], Array(lines.dropFirst()), parts.dropFirst().joined(separator: "\r\n\r\n"))
    }

    func request(_ uri: String, body: String? = nil, headers: HTTPHeaders = [:]) -> [HTTPServerRequestPart] {
        [.head(HTTPRequestHead(version: .http1_1, method: .POST, uri: uri, headers: headers))] + (body.map { [.body(ByteBuffer(string: $0))] } ?? []) + [.end(nil)]
    }

    @Test("a whole request reaches the responder; the reply gets Content-Length; over the limit the responder gets no body and the connection closes")
    func requestAndLimit() async throws {
        let channel = try await channel()
        try await channel.writeInbound(HTTPServerRequestPart.head(HTTPRequestHead(version: .http1_1, method: .POST, uri: "/a?b")))
        try await channel.writeInbound(HTTPServerRequestPart.body(ByteBuffer(string: "hel")))
        try await channel.writeInbound(HTTPServerRequestPart.body(ByteBuffer(string: "lo")))
        try await channel.writeInbound(HTTPServerRequestPart.end(nil))
        let (status, headers, body) = try await reply(from: channel)
        #expect(status == "HTTP/1.1 200 OK" && headers == ["Content-Type: text/plain", "Content-Length: \(body.utf8.count)"])
        #expect(body == "POST /a hello from 192.0.2.9")
        #expect(channel.isActive)

        try await channel.writeInbound(request("/big", headers: ["Content-Length": "9"])[0])
        let refusal = try await reply(from: channel)
        #expect(refusal.status == "HTTP/1.1 413 Payload Too Large" && refusal.headers.contains("Connection: close"))
        #expect(refusal.body.hasSuffix("<over the limit> from 192.0.2.9"))
        try await channel.closeFuture.get()
    }

    @Test("a request that comes while one is answered waits for its reply, and the socket is not read meanwhile")
    func pipelinedWaits() async throws {
        let (gate, reads) = (Gate(), ReadCounter())
        let channel = try await channel(GatedResponder(gate: gate), maximumBodySize: 100, reads: reads)
        // The second request has come in part (its end is still on the way) while the first is answered.
        for part in request("/first", body: "1") + request("/second", body: "2").dropLast() { try await channel.writeInbound(part) }
        await gate.waitForWaiters(1)
        channel.read()
        #expect(try await channel.readOutbound(as: ByteBuffer.self) == nil, "nothing written while the first is answered")
        #expect(await gate.waiterCount == 1, "the second request waits rather than reaching the responder")
        #expect(try await channel.testingEventLoop.submit { reads.count }.get() == 0, "the socket is not read while a request is answered")
        await gate.open()
        #expect(try await reply(from: channel).body == "/first")
        #expect(try await channel.testingEventLoop.submit { reads.count }.get() == 1, "the held read goes on once the first is answered, for the rest of the second")
        try await channel.writeInbound(HTTPServerRequestPart.end(nil))
        #expect(try await reply(from: channel).body == "/second")
        #expect(channel.isActive)
    }

    @Test("quiescing closes an idle connection at once, and a busy one after its reply, which says Connection: close")
    func quiescing() async throws {
        let idle = try await channel()
        idle.pipeline.fireUserInboundEventTriggered(ChannelShouldQuiesceEvent())
        try await idle.closeFuture.get()

        let gate = Gate()
        let busy = try await channel(GatedResponder(gate: gate), maximumBodySize: 100)
        for part in request("/slow", body: "x") { try await busy.writeInbound(part) }
        await gate.waitForWaiters(1)
        busy.pipeline.fireUserInboundEventTriggered(ChannelShouldQuiesceEvent())
        #expect(busy.isActive, "the request in progress is answered first")
        await gate.open()
        let reply = try await reply(from: busy)
        #expect(reply.body == "/slow" && reply.headers.contains("Connection: close"))
        try await busy.closeFuture.get()
    }

    @Test("bytes the decoder cannot read get 400 Bad Request and the connection closes")
    func parserError() async throws {
        let channel = try await channel()
        channel.pipeline.fireErrorCaught(HTTPParserError.invalidMethod)
        let (status, headers, body) = try await reply(from: channel)
        #expect(status == "HTTP/1.1 400 Bad Request" && headers == ["Content-Length: 0", "Connection: close"] && body.isEmpty)
        try await channel.closeFuture.get()
    }
}

extension ConnectionHandlerTests {
    struct SplittingResponder: HTTPResponder {
        func respond(to request: HTTPServerRequest) async -> HTTPServerResponse {
            HTTPServerResponse(status: 200, headers: ["X-Echo": "a\r\nSet-Cookie: session=stolen"], body: Array("secret".utf8))
        }
    }

    @Test("a responder's header that would split the reply is not written: the client gets a 500, an error is logged, the connection goes on")
    func splittingHeader() async throws {
        let log = RecordingLogHandler()
        let events = ServerEvents(logger: log.logger, server: "test", accessLog: false)
        let channel = try await ConnectionHandlerTests(events: events).channel(SplittingResponder())
        for part in request("/echo") { try await channel.writeInbound(part) }
        let (status, headers, body) = try await reply(from: channel)
        #expect(status == "HTTP/1.1 500 Internal Server Error" && headers == ["Content-Length: 0"] && body.isEmpty)
        #expect(channel.isActive)
        let errors = log.entries.withLockedValue { $0.filter { $0.level == .error } }
        #expect(errors.map(\.message) == ["reply refused, 500 sent instead"] && errors.first?.metadata["error"]?.contains("X-Echo") == true)
    }
}

@Suite("HTTPResponseEncoding")
struct ResponseEncodingTests {
    func encoded(_ response: HTTPServerResponse, version: HTTPVersion = .http1_1, keepAlive: Bool = true, includeBody: Bool = true) throws -> String {
        var buffer = ByteBuffer()
        try HTTPResponseEncoding.write(response, version: version, keepAlive: keepAlive, includeBody: includeBody, into: &buffer)
        return String(buffer: buffer)
    }

    @Test("status line, the responder's headers in order, then the framing the server owns, then the body")
    func layout() throws {
        let response = HTTPServerResponse(
            status: 201, headers: ["X-TAXII-Content-Type": "urn:taxii.mitre.org:message:xml:1.1", "content-length": "999", "Connection": "keep-alive", "Transfer-Encoding": "chunked", "Vary": "a"],
            body: Array("hello".utf8))
        #expect(try encoded(response) == "HTTP/1.1 201 Created\r\nX-TAXII-Content-Type: urn:taxii.mitre.org:message:xml:1.1\r\nVary: a\r\nContent-Length: 5\r\n\r\nhello")
        #expect(try encoded(response, keepAlive: false, includeBody: false) == "HTTP/1.1 201 Created\r\nX-TAXII-Content-Type: urn:taxii.mitre.org:message:xml:1.1\r\nVary: a\r\nContent-Length: 5\r\nConnection: close\r\n\r\n")
        #expect(try encoded(HTTPServerResponse(status: 204), version: .http1_0) == "HTTP/1.0 204 No Content\r\nContent-Length: 0\r\nConnection: keep-alive\r\n\r\n")
    }

    @Test("a header that could split the reply is refused and nothing is written", arguments: [
        ("X-Bad", "a\r\nSet-Cookie: x=1"), ("X-Bad", "nul\u{0}"), ("X Bad", "space in the name"), ("", "empty name"), ("X-Bad:", "colon"),
    ])
    func invalidHeader(name: String, value: String) {
        var buffer = ByteBuffer()
        #expect(throws: HTTPResponseEncoding.InvalidHeader(name: name)) {
            try HTTPResponseEncoding.write(HTTPServerResponse(status: 200, headers: [name: value]), version: .http1_1, keepAlive: true, includeBody: true, into: &buffer)
        }
        #expect(buffer.readableBytes == 0)
    }
}

/// Counts the `read` calls that pass it towards the socket.
final class ReadCounter: ChannelOutboundHandler, @unchecked Sendable {
    typealias OutboundIn = NIOAny
    var count = 0

    func read(context: ChannelHandlerContext) {
        count += 1
        context.read()
    }
}

/// Holds responders until opened.
actor Gate {
    private var isOpen = false
    private var waiters: [CheckedContinuation<Void, Never>] = []
    private var arrivals: [CheckedContinuation<Void, Never>] = []

    var waiterCount: Int { waiters.count }

    func pass() async {
        if isOpen { return }
        await withCheckedContinuation { waiters.append($0); arrivals.forEach { $0.resume() }; arrivals.removeAll() }
    }

    func waitForWaiters(_ count: Int) async {
        while waiters.count < count { await withCheckedContinuation { arrivals.append($0) } }
    }

    func open() {
        isOpen = true
        waiters.forEach { $0.resume() }
        waiters.removeAll()
    }
}

/// Answers with the request's path once its gate is open.
struct GatedResponder: HTTPResponder {
    let gate: Gate
    func respond(to request: HTTPServerRequest) async -> HTTPServerResponse {
        await gate.pass()
        return HTTPServerResponse(status: 200, body: Array(request.path.utf8))
    }
}

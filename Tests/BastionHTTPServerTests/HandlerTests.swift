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

    @Test("RequestDeadlineHandler: the head deadline, then the body deadline, none while answering, then the idle deadline")
    func requestDeadlines() throws {
        let deadlines = RequestDeadlineHandler(headerTimeout: .seconds(10), bodyTimeout: .seconds(5), keepAliveTimeout: .seconds(60), events: events)
        let channel = EmbeddedChannel(handler: deadlines)
        try channel.connect(to: .init(ipAddress: "127.0.0.1", port: 1)).wait()

        channel.embeddedEventLoop.advanceTime(by: .seconds(9))
        #expect(channel.isActive)
        try channel.writeInbound(head())  // the head in time: now 5 s for the body
        channel.embeddedEventLoop.advanceTime(by: .seconds(4))
        #expect(channel.isActive)
        try channel.writeInbound(HTTPServerRequestPart.end(nil))
        channel.embeddedEventLoop.advanceTime(by: .seconds(3_600))  // answering: no deadline
        #expect(channel.isActive, "a request being answered has no deadline")
        try channel.writeOutbound(HTTPServerResponsePart.end(nil))
        channel.embeddedEventLoop.advanceTime(by: .seconds(59))
        #expect(channel.isActive)
        channel.embeddedEventLoop.advanceTime(by: .seconds(1))
        #expect(!channel.isActive, "idle after a response for the keep-alive timeout")
    }

    @Test("RequestDeadlineHandler: a deadline earlier than the pending timer still closes on time; a busy connection stays open")
    func earlierDeadline() throws {
        let deadlines = RequestDeadlineHandler(headerTimeout: .seconds(10), bodyTimeout: .seconds(5), keepAliveTimeout: .seconds(2), events: events)
        let channel = EmbeddedChannel(handler: deadlines)
        try channel.connect(to: .init(ipAddress: "127.0.0.1", port: 1)).wait()
        for _ in 0..<1_000 {  // a busy connection: the deadline moves on, the connection stays
            try channel.writeInbound(head())
            try channel.writeInbound(HTTPServerRequestPart.end(nil))
            try channel.writeOutbound(HTTPServerResponsePart.end(nil))
            channel.embeddedEventLoop.advanceTime(by: .milliseconds(10))
        }
        #expect(channel.isActive)
        channel.embeddedEventLoop.advanceTime(by: .seconds(1))
        try channel.writeInbound(head())  // body deadline: now + 5 s
        channel.embeddedEventLoop.advanceTime(by: .seconds(1))
        try channel.writeInbound(HTTPServerRequestPart.end(nil))
        try channel.writeOutbound(HTTPServerResponsePart.end(nil))  // idle deadline: now + 2 s, before the pending timer
        channel.embeddedEventLoop.advanceTime(by: .milliseconds(1_999))
        #expect(channel.isActive)
        channel.embeddedEventLoop.advanceTime(by: .milliseconds(1))
        #expect(!channel.isActive, "idle for the keep-alive timeout, though a timer was set for the later body deadline")
    }

    @Test("RequestDeadlineHandler: a head that never completes, and a body that stops, close the connection")
    func slowClients() throws {
        let silent = EmbeddedChannel(handler: RequestDeadlineHandler(headerTimeout: .seconds(10), bodyTimeout: .seconds(5), keepAliveTimeout: .seconds(60), events: events))
        try silent.connect(to: .init(ipAddress: "127.0.0.1", port: 1)).wait()
        silent.embeddedEventLoop.advanceTime(by: .seconds(10))
        #expect(!silent.isActive)

        let stalled = EmbeddedChannel(handler: RequestDeadlineHandler(headerTimeout: .seconds(10), bodyTimeout: .seconds(5), keepAliveTimeout: .seconds(60), events: events))
        try stalled.connect(to: .init(ipAddress: "127.0.0.1", port: 1)).wait()
        try stalled.writeInbound(head())
        try stalled.writeInbound(HTTPServerRequestPart.body(ByteBuffer(string: "{")))
        stalled.embeddedEventLoop.advanceTime(by: .seconds(5))
        #expect(!stalled.isActive)
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
    let events = ServerEvents(logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }, server: "test", accessLog: false)

    /// The response parts written for one request, until its end.
    func response(from channel: NIOAsyncTestingChannel) async throws -> (head: HTTPResponseHead, body: String) {
        guard case .head(let head) = try await channel.waitForOutboundWrite(as: HTTPServerResponsePart.self) else {
            throw LoopbackError("no response head")
        }
        var body = ""
        while true {
            switch try await channel.waitForOutboundWrite(as: HTTPServerResponsePart.self) {
            case .body(.byteBuffer(let buffer)): body += String(buffer: buffer)
            case .end: return (head, body)
            default: throw LoopbackError("unexpected part")
            }
        }
    }

    @Test("a whole request reaches the responder; the reply gets Content-Length; over the limit the responder gets no body and the connection closes")
    func requestAndLimit() async throws {
        let channel = NIOAsyncTestingChannel()
        let events = self.events
        try await channel.testingEventLoop.executeInContext {
            try channel.pipeline.syncOperations.addHandler(HTTPConnectionHandler(responder: EchoResponder(), maximumBodySize: 8, events: events))
        }
        try await channel.connect(to: .init(ipAddress: "192.0.2.9", port: 5000))

        try await channel.writeInbound(HTTPServerRequestPart.head(HTTPRequestHead(version: .http1_1, method: .POST, uri: "/a?b")))
        try await channel.writeInbound(HTTPServerRequestPart.body(ByteBuffer(string: "hel")))
        try await channel.writeInbound(HTTPServerRequestPart.body(ByteBuffer(string: "lo")))
        try await channel.writeInbound(HTTPServerRequestPart.end(nil))
        let (head, body) = try await response(from: channel)
        #expect(head.status == .ok && head.headers["Content-Length"] == ["\(body.utf8.count)"])
        #expect(body == "POST /a hello from 192.0.2.9")
        #expect(channel.isActive)

        var big = HTTPRequestHead(version: .http1_1, method: .POST, uri: "/big")
        big.headers.add(name: "Content-Length", value: "9")
        try await channel.writeInbound(HTTPServerRequestPart.head(big))
        let (refusal, refusalBody) = try await response(from: channel)
        #expect(refusal.status == .payloadTooLarge && refusal.headers["Connection"] == ["close"])
        #expect(refusalBody.hasSuffix("<over the limit> from 192.0.2.9"))
        try await channel.closeFuture.get()
    }
}

import AsyncHTTPClient
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import ServiceLifecycle
import NIOConcurrencyHelpers
import Testing
@testable import BastionHTTPServer

/// A log handler that keeps what is logged, for assertions.
final class RecordingLogHandler: LogHandler, Sendable {
    struct Entry: Sendable {
        var level: Logger.Level
        var message: String
        var metadata: [String: String]
    }

    let entries = NIOLockedValueBox<[Entry]>([])
    /// The logger's own metadata (one handler serves every logger made from it).
    private let loggerMetadata = NIOLockedValueBox<Logger.Metadata>([:])
    var metadata: Logger.Metadata {
        get { loggerMetadata.withLockedValue { $0 } }
        set { loggerMetadata.withLockedValue { $0 = newValue } }
    }
    var logLevel: Logger.Level {
        get { .trace }
        set {}
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { loggerMetadata.withLockedValue { $0[key] = newValue } }
    }

    func log(event: LogEvent) {
        let values = metadata.merging(event.metadata ?? [:]) { $1 }.mapValues { "\($0)" }
        entries.withLockedValue { $0.append(Entry(level: event.level, message: "\(event.message)", metadata: values)) }
    }

    var logger: Logger { Logger(label: "test") { _ in self } }

    /// Waits (up to 10 s) until an entry matching `predicate` is logged; whether one was.
    func waitForEntry(_ predicate: (Entry) -> Bool) async -> Bool {
        let deadline = ContinuousClock.now + .seconds(10)
        while ContinuousClock.now < deadline {
            if entries.withLockedValue({ $0.contains(where: predicate) }) { return true }
            try? await Task.sleep(for: .milliseconds(5))
        }
        return false
    }
}

/// Answers with where it ran: on an event loop or not, before and after an await.
struct WhereResponder: HTTPResponder {
    let respondsOnEventLoop: Bool

    func respond(to request: HTTPServerRequest) async -> HTTPServerResponse {
        let before = MultiThreadedEventLoopGroup.currentEventLoop != nil
        try? await Task.sleep(for: .milliseconds(1))
        let after = MultiThreadedEventLoopGroup.currentEventLoop != nil
        return HTTPServerResponse(status: 200, body: Array("\(before) \(after)".utf8))
    }
}

/// Answers every request with its method, path, body and peer address.
struct EchoResponder: HTTPResponder {
    func respond(to request: HTTPServerRequest) async -> HTTPServerResponse {
        let text = "\(request.method) \(request.path) \(request.body.map { String(decoding: $0, as: UTF8.self) } ?? "<over the limit>") from \(request.peerAddress ?? "?")"
        return HTTPServerResponse(status: request.body == nil ? 413 : 200, headers: ["Content-Type": "text/plain"], body: Array(text.utf8))
    }
}

@Suite("BastionHTTPServer with a responder of its own")
struct HTTPServerTests {
    func withServer(
        accessLog: Bool, log: RecordingLogHandler, responder: some HTTPResponder = EchoResponder(), _ body: @Sendable (Int) async throws -> Void
    ) async throws {
        let (ports, sink) = AsyncStream.makeStream(of: Int.self)
        let server = HTTPServer(
            configuration: HTTPServerConfiguration(name: "echo", port: 0, transport: .plainHTTP, maximumBodySize: 16, accessLog: accessLog),
            responder: responder, logger: log.logger, onListening: { sink.yield($0) })
        let group = ServiceGroup(services: [server], gracefulShutdownSignals: [], logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() })
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            var iterator = ports.makeAsyncIterator()
            let port = try #require(await iterator.next())
            try await body(port)
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
    }

    func post(_ url: String, _ body: String) async throws -> (Int, String) {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.body = .bytes(ByteBuffer(string: body))
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
        return (Int(response.status.code), String(buffer: try await response.body.collect(upTo: 1 << 16)))
    }

    @Test("each request reaches the responder whole, with its peer address; the access log has one line per request")
    func responderAndAccessLog() async throws {
        let log = RecordingLogHandler()
        try await withServer(accessLog: true, log: log) { port in
            let (status, text) = try await post("http://127.0.0.1:\(port)/things?x=1", "hello")
            #expect(status == 200)
            #expect(text == "POST /things hello from 127.0.0.1")
            let (overStatus, overText) = try await post("http://127.0.0.1:\(port)/big", String(repeating: "x", count: 17))
            #expect(overStatus == 413 && overText.hasSuffix("<over the limit> from 127.0.0.1"))
        }
        let lines = log.entries.withLockedValue { $0 }.filter { $0.message == "request" }
        #expect(lines.count == 2)
        #expect(lines.first?.level == .info)
        #expect(lines.first?.metadata["path"] == "/things" && lines.first?.metadata["status"] == "200")
        #expect(lines.first?.metadata["server"] == "echo" && lines.first?.metadata["peer_address"] == "127.0.0.1")
        #expect(lines.first?.metadata["duration_ms"] != nil)
    }

    @Test("a responder that asks for it runs on the connection's event loop, also after an await; others on the cooperative pool", arguments: [true, false])
    func respondsOnEventLoop(_ onLoop: Bool) async throws {
        try await withServer(accessLog: false, log: RecordingLogHandler(), responder: WhereResponder(respondsOnEventLoop: onLoop)) { port in
            for _ in 0..<3 {
                let (status, text) = try await post("http://127.0.0.1:\(port)/", "")
                #expect(status == 200 && text == "\(onLoop) \(onLoop)")
            }
        }
    }

    @Test("without --access-log no request is logged")
    func noAccessLog() async throws {
        let log = RecordingLogHandler()
        try await withServer(accessLog: false, log: log) { port in
            let (status, _) = try await post("http://127.0.0.1:\(port)/", "a")
            #expect(status == 200)
        }
        #expect(log.entries.withLockedValue { $0 }.allSatisfy { $0.message != "request" })
    }

    @Test("refused connections: one warning per interval, with the counts by reason")
    func refusalWarnings() {
        let log = RecordingLogHandler()
        let events = ServerEvents(logger: log.logger, server: "echo", accessLog: false)
        for _ in 0..<500 { events.refused(reason: "per_address_limit", address: "127.0.0.2") }
        events.refused(reason: "handshake_deadline", address: "127.0.0.3")
        let warnings = log.entries.withLockedValue { $0 }.filter { $0.level == .warning }
        // The first refusal is reported at once; the 500 after it wait for the next interval.
        #expect(warnings.count == 1)
        #expect(warnings.first?.metadata["counts"] == "per_address_limit=1")
        #expect(warnings.first?.metadata["server"] == "echo")
    }

    @Test("a port already in use is a clear error")
    func portInUse() async throws {
        let log = RecordingLogHandler()
        try await withServer(accessLog: false, log: log) { port in
            let second = HTTPServer(
                configuration: HTTPServerConfiguration(name: "echo", port: port, transport: .plainHTTP), responder: EchoResponder(), logger: log.logger)
            let error = await #expect(throws: HTTPServerError.self) { try await second.run() }
            #expect(error?.message.contains("cannot listen on 127.0.0.1:\(port)") == true)
        }
    }
}

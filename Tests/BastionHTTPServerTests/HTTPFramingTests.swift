import AsyncHTTPClient
import Logging
import NIOCore
import ServiceLifecycle
import Testing
import TestSupport
@testable import BastionHTTPServer

/// The HTTP/1.1 behaviour the server layer owns, whatever the responder: deadlines, the
/// connection limit, `Expect: 100-continue`, pipelining, `Connection: close`, HTTP/1.0, HEAD and
/// bodies over the limit. The responder here is ``EchoResponder``.
@Suite("BastionHTTPServer: limits, slow clients, HTTP/1.1 framing")
struct HTTPFramingTests {
    /// Runs a plain-HTTP echo server with a 65,536-byte body limit while `body` runs with its port.
    func withEchoServer(
        requestTimeout: Duration, maximumConnections: Int = 1024, log: RecordingLogHandler = RecordingLogHandler(),
        _ body: @Sendable (Int) async throws -> Void
    ) async throws {
        let (ports, sink) = AsyncStream.makeStream(of: Int.self)
        let quiet = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }
        let configuration = HTTPServerConfiguration(
            name: "echo", port: 0, transport: .plainHTTP, maximumBodySize: 65_536,
            requestTimeout: requestTimeout, idleTimeout: .seconds(30), maximumConnections: maximumConnections)
        let server = HTTPServer(configuration: configuration, responder: EchoResponder(), logger: log.logger, onListening: { sink.yield($0) })
        let group = ServiceGroup(services: [server], gracefulShutdownSignals: [], logger: quiet)
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            var iterator = ports.makeAsyncIterator()
            let port = try #require(await iterator.next())
            do {
                try await body(port)
            } catch {
                await group.triggerGracefulShutdown()
                throw error
            }
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
    }

    /// POSTs `text` with a client of its own and returns the status and body.
    func post(port: Int, _ text: String) async throws -> (status: Int, body: String) {
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        do {
            var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/echo")
            request.method = .POST
            request.body = .bytes(ByteBuffer(string: text))
            let response = try await client.execute(request, timeout: .seconds(8))
            let body = String(buffer: try await response.body.collect(upTo: 1 << 16))
            try await client.shutdown()
            return (Int(response.status.code), body)
        } catch {
            try? await client.shutdown()
            throw error
        }
    }

    static func post(_ body: String, path: String = "/echo", headers: String = "") -> String {
        "POST \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\n\(headers)Content-Length: \(body.utf8.count)\r\n\r\n\(body)"
    }

    @Test("with every connection slot held by a silent client, a real client is served once the deadline frees the slot")
    func connectionLimit() async throws {
        let log = RecordingLogHandler()
        try await withEchoServer(requestTimeout: .milliseconds(500), maximumConnections: 1, log: log) { port in
            let squatter = try RawSocket(port: port)
            defer { squatter.close() }
            // The server warns when the global limit stops it accepting: the squatter holds the slot.
            #expect(await log.waitForEntry { $0.metadata["counts"]?.contains("global_limit") == true })
            let reply = try await post(port: port, "hello")
            #expect(reply.status == 200 && reply.body == "POST /echo hello from 127.0.0.1")
            #expect(squatter.isClosed, "the client was served while the only slot was held")
            #expect(await squatter.waitForClose())
        }
    }

    @Test("a client trickling its request head is cut off after the request timeout; others are still served")
    func slowHeaders() async throws {
        try await withEchoServer(requestTimeout: .milliseconds(300)) { port in
            let slow = try RawSocket(port: port)
            defer { slow.close() }
            slow.send("POST /echo HTTP/1.1\r\nHost: 127.0.0.1\r\n")
            // A header line every 100 ms for up to 10 s: a deadline that each line pushed back would never fire.
            var linesSent = 0
            while !slow.isClosed, linesSent < 100 {
                try await Task.sleep(for: .milliseconds(100))
                slow.send("X-Slow-\(linesSent): 1\r\n")
                linesSent += 1
            }
            #expect(slow.isClosed, "still open after \(linesSent) header lines")
            #expect(try await post(port: port, "next").status == 200)
        }
    }

    @Test("a client that connects and sends nothing is cut off; one that stops mid-body too")
    func silentAndSlowBody() async throws {
        try await withEchoServer(requestTimeout: .milliseconds(300)) { port in
            let silent = try RawSocket(port: port)
            defer { silent.close() }
            #expect(await silent.waitForClose())
            let halfBody = try RawSocket(port: port)
            defer { halfBody.close() }
            halfBody.send("POST /echo HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100\r\n\r\n{\"action\":")
            #expect(await halfBody.waitForClose())
        }
    }

    @Test("Expect: 100-continue gets 100 Continue before the body is sent; over the limit, the responder's answer at once")
    func expectContinue() async throws {
        try await withEchoServer(requestTimeout: .seconds(10)) { port in
            let client = try RawSocket(port: port)
            defer { client.close() }
            let request = Self.post("payload", headers: "Expect: 100-continue\r\nConnection: close\r\n")
            let split = request.range(of: "\r\n\r\n")!.upperBound
            client.send(String(request[..<split]))
            #expect(await client.read(until: "\r\n\r\n") == "HTTP/1.1 100 Continue\r\n\r\n")
            client.send(String(request[split...]))
            let reply = await client.readUntilClose()
            #expect(reply.hasPrefix("HTTP/1.1 200 OK\r\n") && reply.hasSuffix("POST /echo payload from 127.0.0.1"), "\(reply)")

            let tooBig = try RawSocket(port: port)
            defer { tooBig.close() }
            tooBig.send("POST /echo HTTP/1.1\r\nHost: 127.0.0.1\r\nExpect: 100-continue\r\nContent-Length: 70000\r\n\r\n")
            let refusal = await tooBig.readUntilClose()
            #expect(refusal.hasPrefix("HTTP/1.1 413 Payload Too Large\r\n"), "\(refusal)")
            #expect(refusal.contains("Connection: close") && refusal.hasSuffix("<over the limit> from 127.0.0.1"))
            #expect(!refusal.contains("100 Continue"))
        }
    }

    @Test("pipelined requests are answered in order; Connection: close and HTTP/1.0 close after the reply; HEAD gets no body")
    func pipeliningAndClose() async throws {
        try await withEchoServer(requestTimeout: .seconds(10)) { port in
            let pipelined = try RawSocket(port: port)
            defer { pipelined.close() }
            pipelined.send(Self.post("first") + Self.post("second", path: "/other") + Self.post("third", headers: "Connection: close\r\n"))
            let replies = await pipelined.readUntilClose()
            let bodies = replies.components(separatedBy: "HTTP/1.1 200 OK\r\n").dropFirst().map { $0.components(separatedBy: "\r\n\r\n").last ?? "" }
            #expect(bodies == ["POST /echo first from 127.0.0.1", "POST /other second from 127.0.0.1", "POST /echo third from 127.0.0.1"], "\(replies)")
            #expect(replies.components(separatedBy: "Connection: close").count == 2, "only the last reply closes: \(replies)")

            let headRequest = try RawSocket(port: port)
            defer { headRequest.close() }
            headRequest.send("HEAD /echo HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
            let headReply = await headRequest.readUntilClose()
            #expect(headReply.hasPrefix("HTTP/1.1 200 OK\r\n"), "\(headReply)")
            #expect(headReply.hasSuffix("\r\n\r\n"), "a reply to HEAD carries no body: \(headReply)")

            let old = try RawSocket(port: port)
            defer { old.close() }
            old.send(Self.post("old").replacingOccurrences(of: "HTTP/1.1", with: "HTTP/1.0"))
            let reply = await old.readUntilClose()
            #expect(reply.hasPrefix("HTTP/1.0 200 OK\r\n") && reply.hasSuffix("POST /echo old from 127.0.0.1"), "\(reply)")
        }
    }

    @Test("a chunked body over the limit: answered at once, the connection closed, the rest not read; garbage is 400; the server still serves")
    func chunkedOverLimit() async throws {
        try await withEchoServer(requestTimeout: .seconds(10)) { port in
            let big = try RawSocket(port: port)
            defer { big.close() }
            let chunk = String(repeating: " ", count: 40_000)
            let size = String(chunk.utf8.count, radix: 16)
            big.send("POST /echo HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n")
            big.send("\(size)\r\n\(chunk)\r\n\(size)\r\n\(chunk)\r\n")  // 80,000 bytes, never ended
            let reply = await big.readUntilClose()
            #expect(reply.hasPrefix("HTTP/1.1 413 Payload Too Large\r\n"), "\(reply)")
            #expect(reply.contains("Connection: close"))

            let garbage = try RawSocket(port: port)
            defer { garbage.close() }
            garbage.send("NOT HTTP AT ALL\r\n\r\n")
            #expect(await garbage.readUntilClose().hasPrefix("HTTP/1.1 400"))

            #expect(try await post(port: port, "still here").status == 200)
        }
    }
}

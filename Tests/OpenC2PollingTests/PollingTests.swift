import AsyncHTTPClient
import BastionHTTPClient
import BastionHTTPServer
import BastionPKI
import BastionTLS
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import OpenC2
import OpenC2HTTPS
@testable import OpenC2Polling
import ServiceLifecycle
import NIOConcurrencyHelpers
import Testing
import TestSupport

let quiet = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }

/// A clock tests set by hand, in milliseconds since 1970.
final class ManualClock: Sendable {
    let now = NIOLockedValueBox<Int64>(1_796_083_200_000)
    var function: @Sendable () -> Int64 { { self.now.withLockedValue { $0 } } }
    func advance(_ milliseconds: Int64) { now.withLockedValue { $0 += milliseconds } }
}

func deny(_ address: String, id: String) throws -> String {
    let command = Command(.deny, .ipv4Net(try IPv4Net(address)), args: Args(responseRequested: .complete), commandID: try CommandID(id))
    return String(decoding: OpenC2Encoder().encode(command), as: UTF8.self)
}

/// The two queues the queue tests run on.
enum QueueKind: String, CaseIterable, Sendable {
    case sqlite, postgres
}

/// Runs `body` with a new, empty queue of `kind` (PostgreSQL: a fresh database on the test server).
func withQueue(_ kind: QueueKind = .sqlite, _ body: (any CommandQueue) async throws -> Void) async throws {
    switch kind {
    case .sqlite:
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try await body(try SQLiteCommandQueue(path: directory.path("producer.sqlite")))
    case .postgres:
        let queue = try PostgresCommandQueue(url: try TestPostgres.freshDatabase(), logger: quiet)
        let running = Task { await queue.run() }
        defer { running.cancel() }
        try await queue.prepare()
        try await body(queue)
    }
}

@Suite("The command queue (SQLite and PostgreSQL)")
struct CommandQueueTests {
    @Test("oldest first per Consumer; a lease that ends without an answer redelivers; expired commands are never delivered", arguments: QueueKind.allCases)
    func delivery(_ kind: QueueKind) async throws {
        try await withQueue(kind) { queue in
            try await queue.enqueue(QueuedCommand(commandID: "c1", consumer: "edge", command: try deny("198.51.100.1", id: "c1"), enqueuedAt: 1))
            try await queue.enqueue(QueuedCommand(commandID: "c2", consumer: "edge", command: try deny("198.51.100.2", id: "c2"), enqueuedAt: 2, expiresAt: 50))
            try await queue.enqueue(QueuedCommand(commandID: "c3", consumer: "other", command: try deny("198.51.100.3", id: "c3"), enqueuedAt: 3))
            await #expect(throws: CommandQueueError.self) {
                try await queue.enqueue(QueuedCommand(commandID: "c1", consumer: "edge", command: "{}", enqueuedAt: 4))
            }
            #expect(try await queue.next(for: "edge", now: 10, lease: 60)?.commandID == "c1")
            #expect(try await queue.next(for: "edge", now: 11, lease: 60)?.commandID == "c2")
            #expect(try await queue.next(for: "edge", now: 12, lease: 60) == nil, "both leased")
            #expect(try await queue.next(for: "edge", now: 71, lease: 60)?.commandID == "c1", "the lease ended: delivered again")
            #expect(try await queue.next(for: "edge", now: 80, lease: 60) == nil, "c2 is past its expiry")
            #expect(try await queue.command(id: "c2")?.state == .expired)
            #expect(try await queue.commands(for: "other").map(\.state) == [.queued])
        }
    }

    @Test("102 marks processing, a final status answers; unknown ids, another Consumer and a second final Response are refused and change nothing", arguments: QueueKind.allCases)
    func responses(_ kind: QueueKind) async throws {
        try await withQueue(kind) { queue in
            try await queue.enqueue(QueuedCommand(commandID: "c1", consumer: "edge", command: try deny("198.51.100.1", id: "c1"), enqueuedAt: 1))
            _ = try await queue.next(for: "edge", now: 10, lease: 60)
            #expect(try await queue.record(response: #"{"status":102}"#, status: 102, commandID: "c1", from: "edge", now: 20).state == .processing)
            #expect(try await queue.next(for: "edge", now: 200, lease: 60) == nil, "processing is not redelivered")
            #expect(try await queue.processing(since: 100).map(\.commandID) == ["c1"])
            let subject = try #require(try await queue.command(id: "c1"))
            let query = try await queue.queueStatusQuery(about: subject, now: 120)
            #expect(query.statusOf == "c1" && query.command.contains(#""command":"c1""#))
            #expect(try await queue.processing(since: 200).isEmpty, "one status query per command")
            let answered = try await queue.record(response: #"{"status":200}"#, status: 200, commandID: "c1", from: "edge", now: 30)
            #expect(answered.state == .answered && answered.answeredAt == 30 && answered.processingSince == 20)
            for (id, consumer, kind) in [("c1", "edge", CommandQueueError.Kind.alreadyAnswered), ("nope", "edge", .unknownCommand), (query.commandID, "other", .notYours)] {
                do {
                    _ = try await queue.record(response: #"{"status":200}"#, status: 200, commandID: id, from: consumer, now: 40)
                    Issue.record("accepted \(id) from \(consumer)")
                } catch let error as CommandQueueError {
                    #expect(error.kind == kind)
                }
            }
            #expect(try await queue.command(id: "c1")?.response == #"{"status":200}"#)
            #expect(try await queue.command(id: query.commandID)?.state == .queued)
        }
    }
}

@Suite("The Producer server exchange (polling model)")
struct ProducerServerExchangeTests {
    func exchange(_ queue: any CommandQueue, clock: ManualClock) -> ProducerServerExchange {
        ProducerServerExchange(configuration: .init(lease: .seconds(60)), queue: queue, logger: quiet, clock: clock.function)
    }

    @Test("GET: 204 with Date when nothing is queued; 200 with the command, exact headers, v1.0 or the v1.1 envelope as accepted")
    func poll() async throws {
        try await withQueue { queue in
            let clock = ManualClock()
            let exchange = exchange(queue, clock: clock)
            let empty = await exchange.respond(to: PollingRequest(method: "GET", path: "/.well-known/openc2", peer: "edge"))
            #expect(empty.status == 204 && empty.header("Date") != nil && empty.body.isEmpty)
            let command = try deny("198.51.100.1", id: "c1")
            try await queue.enqueue(QueuedCommand(commandID: "c1", consumer: "edge", command: command, enqueuedAt: 1))
            try await queue.enqueue(QueuedCommand(commandID: "c2", consumer: "edge", command: try deny("198.51.100.2", id: "c2"), enqueuedAt: 2))
            let bare = await exchange.respond(to: PollingRequest(
                method: "GET", path: "/.well-known/openc2", headers: [("Accept", "application/openc2-cmd+json;version=1.0")], peer: "edge"))
            #expect(bare.status == 200 && String(decoding: bare.body, as: UTF8.self) == command)
            #expect(bare.header("Content-Type") == "application/openc2-cmd+json;version=1.0")
            #expect(bare.header("Cache-Control") == "no-cache" && bare.header("X-Correlation-ID") == "c1" && bare.header("Date")?.hasSuffix(" GMT") == true)
            let enveloped = await exchange.respond(to: PollingRequest(
                method: "GET", path: "/.well-known/openc2", headers: [("Accept", "application/openc2+json;version=1.0")], peer: "edge"))
            #expect(enveloped.header("Content-Type") == "application/openc2+json;version=1.0" && enveloped.header("X-Correlation-ID") == "c2")
            let message = try OpenC2Decoder().decode(Message.self, from: enveloped.body)
            #expect(message.headers?.requestID == "c2" && message.headers?.to == ["edge"])
            guard case .request(let delivered) = message.content else { throw ExchangeTestError("not a request") }
            #expect(delivered.commandID?.rawValue == "c2")
        }
    }

    @Test("POST a Response: 200 and stored; every bad request gets its 4xx with an OpenC2 status text and changes nothing", arguments: [
        ("POST", "/.well-known/openc2", "edge", [("Content-Type", "application/openc2-rsp+json;version=1.0"), ("X-Correlation-ID", "nope")], #"{"status":200}"#, 404, "no command nope"),
        ("POST", "/.well-known/openc2", "intruder", [("Content-Type", "application/openc2-rsp+json;version=1.0"), ("X-Correlation-ID", "c1")], #"{"status":200}"#, 403, "not for intruder"),
        ("POST", "/.well-known/openc2", "edge", [("Content-Type", "application/openc2-rsp+json;version=1.0")], #"{"status":200}"#, 400, "X-Correlation-ID"),
        ("POST", "/.well-known/openc2", "edge", [("Content-Type", "application/json"), ("X-Correlation-ID", "c1")], #"{"status":200}"#, 400, "a Response is sent as"),
        ("POST", "/.well-known/openc2", "edge", [("Content-Type", "application/openc2-rsp+json;version=1.0"), ("X-Correlation-ID", "c1")], #"{"status":"ok"}"#, 400, "status"),
        ("POST", "/.well-known/openc2", "edge", [("Content-Type", "application/openc2-rsp+json;version=1.0"), ("X-Correlation-ID", "c1")], #"{"status":200,"extra":1}"#, 400, "extra"),
        ("POST", "/.well-known/openc2", "", [("Content-Type", "application/openc2-rsp+json;version=1.0"), ("X-Correlation-ID", "c1")], #"{"status":200}"#, 403, "client certificate"),
        ("GET", "/other", "edge", [], "", 404, "no OpenC2 endpoint"),
        ("PUT", "/.well-known/openc2", "edge", [], "", 400, "GET (poll) and POST"),
        ("GET", "/.well-known/openc2", "edge", [], "x", 400, "a poll has no body"),
    ])
    func refusals(_ method: String, _ path: String, _ peer: String, _ headers: [(String, String)], _ body: String, _ status: Int, _ text: String) async throws {
        try await withQueue { queue in
            let exchange = exchange(queue, clock: ManualClock())
            try await queue.enqueue(QueuedCommand(commandID: "c1", consumer: "edge", command: try deny("198.51.100.1", id: "c1"), enqueuedAt: 1))
            let reply = await exchange.respond(to: PollingRequest(
                method: method, path: path, headers: headers.map { (name: $0.0, value: $0.1) }, body: Array(body.utf8), peer: peer.isEmpty ? nil : peer))
            #expect(reply.status == status)
            let response = try OpenC2Decoder().decode(Response.self, from: reply.body)
            #expect(response.statusText?.contains(text) == true, "\(response.statusText ?? "")")
            #expect(try await queue.command(id: "c1")?.state == .queued, "nothing changes")
        }
    }

    @Test("a second final Response is 409; a 102 then a final one in the v1.1 envelope are stored")
    func lifecycle() async throws {
        try await withQueue { queue in
            let exchange = exchange(queue, clock: ManualClock())
            try await queue.enqueue(QueuedCommand(commandID: "c1", consumer: "edge", command: try deny("198.51.100.1", id: "c1"), enqueuedAt: 1))
            _ = await exchange.respond(to: PollingRequest(method: "GET", path: "/.well-known/openc2", peer: "edge"))
            func post(_ response: Response) async -> PollingReply {
                let body = OpenC2Encoder().encode(Message(headers: Headers(requestID: "c1"), content: .response(response)))
                return await exchange.respond(to: PollingRequest(
                    method: "POST", path: "/.well-known/openc2",
                    headers: [("Content-Type", "application/openc2+json;version=1.0"), ("X-Correlation-ID", "c1")], body: body, peer: "edge"))
            }
            let processing = await post(Response(.processing))
            #expect(processing.status == 200 && processing.body.isEmpty)
            #expect(try await queue.command(id: "c1")?.state == .processing)
            #expect(await post(Response(.ok, statusText: "done")).status == 200)
            #expect(try await queue.command(id: "c1")?.state == .answered)
            let again = await post(Response(.ok))
            #expect(again.status == 409)
            #expect(try await queue.command(id: "c1")?.response?.contains("done") == true, "the first final Response stays")
        }
    }
}

/// Runs `body` with a Producer server over `queue` (HTTPS, the test PKI, client certificates
/// required) and its URL; stops it afterwards.
func withProducerServer(
    _ queue: any CommandQueue, statusAfter: Duration = .seconds(60), _ body: (_ url: String, _ server: ProducerServer) async throws -> Void
) async throws {
    let (ports, announce) = AsyncStream.makeStream(of: Int.self)
    let server = ProducerServer(
        queue: queue, http: HTTPServerConfiguration(name: "producer", port: 0, transport: .https(try TestPKI.shared.serverTLS())),
        statusAfter: statusAfter, logger: quiet, onListening: { announce.yield($0) })
    try await withRunning(server, ports: ports) { url in try await body(url, server) }
}

/// Runs `service` until `body`, given its OpenC2 URL once `ports` says where it listens, is done.
func withRunning(_ service: any Service, ports: AsyncStream<Int>, _ body: (_ url: String) async throws -> Void) async throws {
    let group = ServiceGroup(services: [service], gracefulShutdownSignals: [], logger: quiet)
    try await withThrowingTaskGroup(of: Void.self) { tasks in
        tasks.addTask { try await group.run() }
        var iterator = ports.makeAsyncIterator()
        let url = "https://127.0.0.1:\(try #require(await iterator.next()))/.well-known/openc2"
        do {
            try await body(url)
        } catch {
            await group.triggerGracefulShutdown()
            throw error
        }
        await group.triggerGracefulShutdown()
        try await tasks.waitForAll()
    }
}

struct ExchangeTestError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

@Suite("The Producer server over mutual TLS")
struct ProducerServerTLSTests {
    @Test("poll, 204/200, Response stored; a client without a certificate cannot connect; status queries for long processing")
    func overTLS() async throws {
        try await withQueue { queue in
            try await withProducerServer(queue, statusAfter: .seconds(1)) { url, server in
                var configuration = HTTPClient.Configuration.failingFast()
                configuration.tlsConfiguration = try TestPKI.shared.clientTLS()
                let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
                func send(_ method: HTTPMethod, headers: [(String, String)] = [], body: [UInt8] = []) async throws -> HTTPClientResponse {
                    var request = HTTPClientRequest(url: url)
                    request.method = method
                    for (name, value) in headers { request.headers.add(name: name, value: value) }
                    if !body.isEmpty { request.body = .bytes(body) }
                    return try await client.execute(request, timeout: .seconds(10))
                }
                do {
                    #expect(try await send(.GET).status.code == 204)
                    let identity = DevelopmentPKI.defaultClientCommonName
                    try await queue.enqueue(QueuedCommand(commandID: "c1", consumer: identity, command: try deny("198.51.100.1", id: "c1"), enqueuedAt: 1))
                    let polled = try await send(.GET, headers: [("Accept", "application/openc2-cmd+json;version=1.0")])
                    #expect(polled.status.code == 200 && polled.headers.first(name: "X-Correlation-ID") == "c1")
                    let posted = try await send(.POST, headers: [("Content-Type", "application/openc2-rsp+json;version=1.0"), ("X-Correlation-ID", "c1")],
                                                body: OpenC2Encoder().encode(Response(.processing)))
                    #expect(posted.status.code == 200)
                    let later = ProducerServerExchange.now() + 5_000
                    let queries = await server.queueStatusQueries(now: later)
                    #expect(queries.map(\.statusOf) == ["c1"])
                    let query = try await send(.GET)
                    #expect(query.headers.first(name: "X-Correlation-ID") == queries.first?.commandID)
                    let body = try await query.body.collect(upTo: 1 << 16)
                    #expect(String(buffer: body).contains(#""query""#) && String(buffer: body).contains(#""command":"c1""#))

                    var anonymous = HTTPClient.Configuration.failingFast()
                    anonymous.tlsConfiguration = try TestPKI.shared.clientTLS(certificate: false)
                    let stranger = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: anonymous)
                    await #expect(throws: (any Error).self) {
                        _ = try await stranger.execute(HTTPClientRequest(url: url), timeout: .seconds(10))
                    }
                    try await stranger.shutdown()
                } catch {
                    try await client.shutdown()
                    throw error
                }
                try await client.shutdown()
            }
        }
    }
}

/// Counts the Commands it executes; answers 200 with a rule number.
final class CountingHandler: CommandHandler, Sendable {
    let count = NIOLockedValueBox(0)
    func handle(_ command: Command, context: RequestContext) async throws -> Response {
        count.withLockedValue { $0 += 1 }
        return Response(.ok)
    }
}

@Suite("A polling Consumer against the Producer server")
struct PollingConsumerTests {
    @Test("executed once: a redelivered Command gets the stored Response; an interrupted one is answered with an error, not run again")
    func atMostOnce() async throws {
        try await withQueue { queue in
            let directory = try TemporaryDirectory()
            defer { directory.remove() }
            try await withProducerServer(queue) { url, _ in
                let configuration = PollingConsumer.Configuration(url: url, tls: try TestPKI.shared.clientTLS(), interval: .milliseconds(10))
                let client = PollingConsumer.makeClient(configuration)
                let handler = CountingHandler()
                let executed = try ExecutedCommands(path: directory.path("executed.sqlite"))
                let consumer = PollingConsumer(configuration: configuration, handler: handler, executed: executed, client: client, logger: quiet)
                let me = DevelopmentPKI.defaultClientCommonName
                do {
                    #expect(await consumer.pollOnce() == .idle)
                    try await queue.enqueue(QueuedCommand(commandID: "c1", consumer: me, command: try deny("198.51.100.1", id: "c1"), enqueuedAt: 1))
                    #expect(await consumer.pollOnce() == .answered(correlation: "c1", status: 200))
                    let first = try await queue.command(id: "c1")
                    #expect(handler.count.withLockedValue { $0 } == 1 && first?.state == .answered)

                    // The same Command delivered again (its Response was lost on the way): not executed again.
                    let other = ProducerServerExchange.now()
                    try await queue.enqueue(QueuedCommand(commandID: "c2", consumer: me, command: try deny("198.51.100.2", id: "c2"), enqueuedAt: other))
                    #expect(try executed.begin("c2", at: other) == .new)
                    try executed.finish("c2", response: #"{"status":200,"status_text":"from before"}"#)
                    #expect(await consumer.pollOnce() == .answered(correlation: "c2", status: 200))
                    #expect(try await queue.command(id: "c2")?.response?.contains("from before") == true)

                    // One whose execution was cut short: an error, and still not executed again.
                    try await queue.enqueue(QueuedCommand(commandID: "c3", consumer: me, command: try deny("198.51.100.3", id: "c3"), enqueuedAt: other + 1))
                    #expect(try executed.begin("c3", at: other) == .new)
                    #expect(await consumer.pollOnce() == .answered(correlation: "c3", status: 500))
                    #expect(handler.count.withLockedValue { $0 } == 1)
                } catch {
                    try await client.shutdown()
                    throw error
                }
                try await client.shutdown()
            }
        }
    }

    @Test("an unreachable Producer server is a failure with a back-off that grows, capped")
    func unreachable() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let configuration = PollingConsumer.Configuration(
            url: "https://127.0.0.1:\(try Loopback.closedPort())/.well-known/openc2", tls: try TestPKI.shared.clientTLS(),
            interval: .seconds(1), maximumBackoff: .seconds(8))
        let client = PollingConsumer.makeClient(configuration)
        let consumer = PollingConsumer(
            configuration: configuration, handler: CountingHandler(), executed: try ExecutedCommands(path: directory.path("e.sqlite")), client: client, logger: quiet)
        let outcome = await consumer.pollOnce()
        try await client.shutdown()
        guard case .failed(let reason) = outcome else { throw ExchangeTestError("\(outcome)") }
        #expect(reason.contains("refused"), "\(reason)")
        #expect(consumer.backoff(afterFailures: 1) <= .seconds(1) && consumer.backoff(afterFailures: 1) >= .milliseconds(750))
        #expect(consumer.backoff(afterFailures: 3) >= .seconds(3) && consumer.backoff(afterFailures: 30) <= .seconds(8))
    }
}

@Suite("The Producer server restarted")
struct ProducerServerRestartTests {
    @Test("Commands queued before a restart are delivered after it; one delivered before is delivered again once its lease ends")
    func nothingLost() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path("producer.sqlite")
        let me = DevelopmentPKI.defaultClientCommonName
        var configuration = HTTPClient.Configuration.failingFast()
        configuration.tlsConfiguration = try TestPKI.shared.clientTLS()
        let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
        func poll(_ url: String) async throws -> String? {
            let reply = try await client.execute(HTTPClientRequest(url: url), timeout: .seconds(10))
            return reply.status.code == 200 ? reply.headers.first(name: "X-Correlation-ID") : nil
        }
        do {
            let first = try SQLiteCommandQueue(path: path)
            try await first.enqueue(QueuedCommand(commandID: "c1", consumer: me, command: try deny("198.51.100.1", id: "c1"), enqueuedAt: 1))
            try await first.enqueue(QueuedCommand(commandID: "c2", consumer: me, command: try deny("198.51.100.2", id: "c2"), enqueuedAt: 2))
            try await withProducerServer(first) { (url: String, _: ProducerServer) async throws in
                #expect(try await poll(url) == "c1", "delivered, never answered")
            }
            let reopened = try SQLiteCommandQueue(path: path)
            try await withProducerServer(reopened) { (url: String, _: ProducerServer) async throws in
                #expect(try await poll(url) == "c2", "queued before the restart")
                #expect(try await poll(url) == nil, "c1 is still leased")
            }
            let later = try await reopened.next(for: me, now: ProducerServerExchange.now() + 61_000, lease: 60_000)
            #expect(later?.commandID == "c1", "its lease over, c1 is delivered again")
        } catch {
            try await client.shutdown()
            throw error
        }
        try await client.shutdown()
    }
}

@Suite("Two Producer servers on one PostgreSQL queue")
struct SharedQueueTests {
    @Test("polling Consumers spread over two Producer servers: every Command executed and answered exactly once")
    func exactlyOnce() async throws {
        try await withQueue(.postgres) { queue in
            let me = DevelopmentPKI.defaultClientCommonName
            let now = ProducerServerExchange.now()
            for index in 0..<40 {
                try await queue.enqueue(QueuedCommand(
                    commandID: "c\(index)", consumer: me, command: try deny("198.51.100.\(index + 1)", id: "c\(index)"), enqueuedAt: now + Int64(index)))
            }
            let directory = try TemporaryDirectory()
            defer { directory.remove() }
            let handler = CountingHandler()
            try await withProducerServer(queue) { (first: String, _: ProducerServer) async throws in
                try await withProducerServer(queue) { (second: String, _: ProducerServer) async throws in
                    try await withThrowingTaskGroup(of: Int.self) { group in
                        for (index, url) in [first, second, first, second].enumerated() {
                            group.addTask {
                                let configuration = PollingConsumer.Configuration(url: url, tls: try TestPKI.shared.clientTLS(), interval: .milliseconds(10))
                                let client = PollingConsumer.makeClient(configuration)
                                let consumer = PollingConsumer(
                                    configuration: configuration, handler: handler,
                                    executed: try ExecutedCommands(path: directory.path("executed-\(index).sqlite")), client: client, logger: quiet)
                                var answered = 0
                                while true {
                                    let outcome = await consumer.pollOnce()
                                    if case .answered = outcome { answered += 1 } else { break }
                                }
                                try await client.shutdown()
                                return answered
                            }
                        }
                        var total = 0
                        for try await answered in group { total += answered }
                        #expect(total == 40, "each Command handed to one poll only")
                    }
                }
            }
            #expect(handler.count.withLockedValue { $0 } == 40)
            let commands = try await queue.commands(for: me)
            #expect(commands.count == 40 && commands.allSatisfy { $0.state == .answered })
        }
    }
}

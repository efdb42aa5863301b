import AsyncHTTPClient
import BastionPKI
import Foundation
import NIOHTTP1
import OpenC2
import OpenC2HTTPS
@testable import OpenC2Polling
import ServiceLifecycle
import NIOConcurrencyHelpers
import Testing
import TestSupport

/// Holds each Command until the test lets it go; answers 200.
final class GatedHandler: CommandHandler, Sendable {
    let (released, release) = AsyncStream.makeStream(of: Void.self)
    let executed = NIOLockedValueBox(0)

    func handle(_ command: Command, context: RequestContext) async throws -> Response {
        var iterator = released.makeAsyncIterator()
        _ = await iterator.next()
        executed.withLockedValue { $0 += 1 }
        return Response(.ok, statusText: "done")
    }
}

/// Runs `body` with a push Consumer (HTTPS, the test PKI) whose `ack`ed Commands' final Responses
/// go to `forwarder`, and its URL.
func withPushConsumer(
    handler: any CommandHandler, forwarder: any ResponseForwarder, _ body: (_ url: String) async throws -> Void
) async throws {
    var exchange = ConsumerExchange.Configuration()
    exchange.responseForwarder = forwarder
    let (ports, announce) = AsyncStream.makeStream(of: Int.self)
    let consumer = Consumer(
        configuration: ConsumerConfiguration(port: 0, transport: .https(try TestPKI.shared.serverTLS()), exchange: exchange), handler: handler,
        logger: quiet, onListening: { announce.yield($0) })
    try await withRunning(consumer, ports: ports, body)
}

/// Waits (up to 10 s) until the queue holds `id` in `state`.
func waitFor(_ id: String, _ state: QueuedCommand.State, in queue: any CommandQueue) async throws -> QueuedCommand {
    for _ in 0..<1_000 {
        if let command = try await queue.command(id: id), command.state == state { return command }
        try await Task.sleep(for: .milliseconds(10))
    }
    throw ExchangeTestError("\(id) never reached \(state): \(String(describing: try await queue.command(id: id)))")
}

@Suite("Both servers (WD02 §3.5): the final Response of an acknowledged Command is POSTed to the Producer server")
struct BothServersTests {
    @Test("ack: 102 at once, then the final Response arrives in the Producer server's queue, correlated by command_id")
    func acknowledged() async throws {
        try await withQueue { queue in
            try await withProducerServer(queue) { producerServer, _ in
                let directory = try TemporaryDirectory()
                defer { directory.remove() }
                let configuration = ResponsePoster.Configuration(url: producerServer, tls: try TestPKI.shared.clientTLS())
                let posterClient = ResponsePoster.makeClient(configuration)
                let outbox = try ForwardOutbox(path: directory.path("outbox.sqlite"))
                let poster = ResponsePoster(configuration: configuration, outbox: outbox, client: posterClient, logger: quiet)
                let handler = GatedHandler()
                let me = DevelopmentPKI.defaultClientCommonName
                var http = HTTPClient.Configuration.failingFast()
                http.tlsConfiguration = try TestPKI.shared.clientTLS()
                let producerClient = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: http)
                do {
                    try await withPushConsumer(handler: handler, forwarder: poster) { consumerURL in
                        let command = Command(.deny, .ipv4Net(try IPv4Net("198.51.100.7")), args: Args(responseRequested: .ack), commandID: try CommandID("p1"))
                        try await queue.enqueue(.pushed(commandID: "p1", consumer: me, command: String(decoding: OpenC2Encoder().encode(command), as: UTF8.self), at: 1))
                        let producer = Producer(endpoint: consumerURL, wireFormat: .v1_0, httpClient: producerClient)
                        let reply = try await producer.send(command)
                        #expect(reply.response?.status == .processing && handler.executed.withLockedValue { $0 } == 0, "acknowledged before the work")
                        #expect(try await queue.record(response: #"{"status":102}"#, status: 102, commandID: "p1", from: me, now: 2).state == .processing)
                        #expect(try await queue.processing(since: .max).isEmpty, "a pushed Command gets no status query: its Consumer does not poll")
                        #expect(try await queue.next(for: me, now: .max, lease: 1) == nil, "a pushed Command is never handed to a poll")

                        handler.release.yield()
                        let answered = try await waitFor("p1", .answered, in: queue)
                        let response = try OpenC2Decoder().decode(Response.self, from: try #require(answered.response))
                        #expect(response.status == .ok && response.statusText == "done" && handler.executed.withLockedValue { $0 } == 1)
                        // The poster removes the Response from its outbox once the 200 is back, which may be
                        // just after the Producer server has recorded it.
                        var kept = try outbox.count()
                        for _ in 0..<500 where kept != 0 {
                            try await Task.sleep(for: .milliseconds(10))
                            kept = try outbox.count()
                        }
                        #expect(kept == 0, "delivered, so no longer kept")
                    }
                } catch {
                    try? await producerClient.shutdown()
                    try? await posterClient.shutdown()
                    throw error
                }
                try await producerClient.shutdown()
                try await posterClient.shutdown()
            }
        }
    }

    @Test("a Response the Producer server does not take (5xx, unreachable) is kept and tried again, also by a new poster; a 4xx drops it")
    func outbox() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let outboxPath = directory.path("outbox.sqlite")
        let clock = ManualClock()
        let calls = NIOLockedValueBox(0)
        try await ScriptedHTTPServer.with(tls: try TestPKI.shared.serverTLS()) { _ in
            calls.withLockedValue { count in
                count += 1
                return count < 3 ? CannedReply.plain(.serviceUnavailable, "busy") : CannedReply(status: count == 3 ? .ok : .notFound)
            }
        } _: { server in
            let configuration = ResponsePoster.Configuration(
                url: server.url("/.well-known/openc2"), tls: try TestPKI.shared.clientTLS(), firstRetry: .seconds(1), maximumRetry: .seconds(8))
            let client = ResponsePoster.makeClient(configuration)
            let poster = ResponsePoster(configuration: configuration, outbox: try ForwardOutbox(path: outboxPath), client: client, logger: quiet, clock: clock.function)
            await poster.forward(Response(.ok), correlationID: "c9")
            #expect(try server.requests.count == 1 && poster.outbox.count() == 1, "503: kept")
            await poster.deliverDue(now: clock.function())
            #expect(server.requests.count == 1, "not due yet")
            clock.advance(31_000)
            await poster.deliverDue(now: clock.function())
            #expect(try server.requests.count == 2 && poster.outbox.count() == 1, "503 again: kept, the wait doubled")
            clock.advance(1_500)
            await poster.deliverDue(now: clock.function())
            #expect(server.requests.count == 2, "the second wait is 2 s")

            // A new poster over the same file (the Consumer restarted) delivers it.
            let restarted = ResponsePoster(configuration: configuration, outbox: try ForwardOutbox(path: outboxPath), client: client, logger: quiet, clock: clock.function)
            clock.advance(1_000)
            await restarted.deliverDue(now: clock.function())
            #expect(try server.requests.count == 3 && restarted.outbox.count() == 0, "stored on the third try")
            let posted = try #require(server.requests.last)
            #expect(posted.method == "POST" && posted.header("X-Correlation-ID") == "c9" && posted.header("Date") != nil)
            #expect(posted.header("Content-Type") == "application/openc2-rsp+json;version=1.0" && posted.text == #"{"status":200}"#)

            await restarted.forward(Response(.ok), correlationID: "c10")
            #expect(try server.requests.count == 4 && restarted.outbox.count() == 0, "a 404 is not tried again")
            try await client.shutdown()
        }
    }
}

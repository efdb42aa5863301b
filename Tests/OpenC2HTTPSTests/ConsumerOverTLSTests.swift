import AsyncHTTPClient
import BastionPKI
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import NIOSSL
import OpenC2
import OpenC2SLPF
import ServiceLifecycle
import Synchronization
import Testing
import TestSupport
@testable import OpenC2HTTPS

/// A handler that sleeps before answering, to have Commands in flight; `started` is told of
/// each Command as it arrives.
struct SlowHandler: CommandHandler {
    let delay: Duration
    var started: @Sendable () -> Void = {}
    func handle(_ command: Command, context: RequestContext) async throws -> Response {
        started()
        try await Task.sleep(for: delay)
        return Response(.ok, statusText: "slept; peer \(context.peer ?? "none")")
    }
}

/// Runs a Consumer with `configuration` (its port replaced by a free one) while `body` runs with
/// the bound port and the service group; shuts it down gracefully afterwards.
func runConsumer<T: Sendable>(
    _ configuration: ConsumerConfiguration,
    handler: any CommandHandler = QueryFeaturesHandler(),
    _ body: @Sendable (_ port: Int, _ group: ServiceGroup) async throws -> T
) async throws -> T {
    var configuration = configuration
    configuration.port = 0
    let (ports, portSink) = AsyncStream.makeStream(of: Int.self)
    var logger = Logger(label: "test.consumer")
    logger.logLevel = .critical
    let consumer = Consumer(configuration: configuration, handler: handler, logger: logger) { portSink.yield($0) }
    let group = ServiceGroup(services: [consumer], gracefulShutdownSignals: [], logger: logger)
    return try await withThrowingTaskGroup(of: Void.self) { tasks in
        tasks.addTask { try await group.run() }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else { throw ProducerError(kind: .transport, message: "consumer did not start") }
        do {
            let result = try await body(port, group)
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
            return result
        } catch {
            await group.triggerGracefulShutdown()
            throw error
        }
    }
}

/// Runs a Consumer (HTTPS with the test PKI unless told otherwise) and gives `body` its base URL
/// and an HTTP client of its own, shut down before the Consumer so that no idle connection
/// delays the Consumer's shutdown.
func withConsumer<T: Sendable>(
    transport: ConsumerTransport? = nil,
    handler: any CommandHandler = QueryFeaturesHandler(),
    configure: (inout ConsumerExchange.Configuration) -> Void = { _ in },
    _ body: @Sendable (_ baseURL: String, _ client: HTTPClient) async throws -> T
) async throws -> T {
    var exchange = ConsumerExchange.Configuration()
    exchange.profiles = [SLPFProfile()]
    configure(&exchange)
    let transport = try transport ?? .https(TestPKI.shared.serverTLS())
    let scheme = if case .plainHTTPForTesting = transport { "http" } else { "https" }
    return try await runConsumer(ConsumerConfiguration(transport: transport, exchange: exchange), handler: handler) { port, _ in
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        do {
            let result = try await body("\(scheme)://127.0.0.1:\(port)", client)
            try await client.shutdown()
            return result
        } catch {
            try? await client.shutdown()
            throw error
        }
    }
}

/// Posts raw bytes with chosen headers.
func rawPost(_ url: String, client: HTTPClient, tls: TLSConfiguration?, contentType: String?, body: [UInt8], method: HTTPMethod = .POST, headers: [(String, String)] = [], timeout: TimeAmount = .seconds(10)) async throws -> (status: Int, headers: [(String, String)], body: String) {
    var request = HTTPClientRequest(url: url)
    request.method = method
    request.tlsConfiguration = tls
    if let contentType { request.headers.add(name: "Content-Type", value: contentType) }
    for (name, value) in headers { request.headers.add(name: name, value: value) }
    if method == .POST { request.body = .bytes(ByteBuffer(bytes: body)) }
    let response = try await client.execute(request, timeout: timeout)
    let collected = try await response.body.collect(upTo: 1 << 20)
    return (Int(response.status.code), response.headers.map { ($0.name, $0.value) }, String(buffer: collected))
}

@Suite("Consumer and Producer over real TLS on 127.0.0.1", .serialized)
struct ConsumerOverTLSTests {
    let pki = TestPKI.shared

    @Test("query features in both wire formats, correlated, peer identity from the client certificate")
    func bothFormats() async throws {
        try await withConsumer { base, client in
            for format in WireFormat.allCases {
                let producer = Producer(endpoint: base + "/.well-known/openc2", tls: try pki.clientTLS(), wireFormat: format, httpClient: client)
                let reply = try await producer.send(Command(.query, .features([.versions, .profiles, .pairs])), requestID: "req-\(format)")
                #expect(reply.httpStatus == 200)
                #expect(reply.response?.results?.versions == [.v1_0])
                #expect(reply.response?.results?.pairs?.targets[.query] == ["features"])
                if format == .v1_1 {
                    #expect(reply.headers?.requestID == "req-v1.1")
                    #expect(reply.headers?.to == ["bastion-producer"])
                }
            }
        }
    }

    @Test("the handler sees the client certificate's identity")
    func peerIdentity() async throws {
        try await withConsumer(handler: SlowHandler(delay: .zero)) { base, client in
            let reply = try await Producer(endpoint: base + "/.well-known/openc2", tls: try pki.clientTLS(), httpClient: client).send(Command(.query, .features([])))
            #expect(reply.response?.statusText == "slept; peer bastion-producer")
        }
    }

    @Test("mutual TLS: no client certificate, or one from another CA, fails the handshake")
    func mutualTLSRefusals() async throws {
        try await withConsumer { base, client in
            for tls in [try pki.clientTLS(certificate: false), try pki.clientTLS(otherCA: true)] {
                await #expect(throws: ProducerError.self) {
                    _ = try await Producer(endpoint: base + "/.well-known/openc2", tls: tls, httpClient: client).send(Command(.query, .features([])))
                }
            }
            // And the server keeps serving a good client afterwards.
            let reply = try await Producer(endpoint: base + "/.well-known/openc2", tls: try pki.clientTLS(), httpClient: client).send(Command(.query, .features([])))
            #expect(reply.httpStatus == 200)
        }
    }

    @Test("the shared client reports a refused connection and an untrusted Consumer at once, classified")
    func failsFast() async throws {
        let clock = ContinuousClock()
        // A long timeout and half of it as the bound: failing at once is what is checked, and a
        // loaded machine must not turn that into a timeout.
        let closed = Producer(endpoint: "http://127.0.0.1:\(try Loopback.closedPort())/.well-known/openc2", timeout: .seconds(600))
        let refusedAt = clock.now
        let refused = await #expect(throws: ProducerError.self) { _ = try await closed.send(Command(.query, .features([]))) }
        #expect(refused?.transportFailure == .connectionRefused, "\(String(describing: refused))")
        #expect(clock.now - refusedAt < .seconds(300))

        try await withConsumer { base, _ in
            // The client trusts the other CA, so the Consumer's certificate is untrusted.
            let untrustedTLS = try TLSPolicy.client(caPath: pki.path(.caCertificate, other: true), certificatePath: pki.path(.clientCertificate), keyPath: pki.path(.clientPrivateKey))
            let producer = Producer(endpoint: base + "/.well-known/openc2", tls: untrustedTLS, timeout: .seconds(600))
            let start = clock.now
            let failure = await #expect(throws: ProducerError.self) { _ = try await producer.send(Command(.query, .features([]))) }
            #expect(failure?.transportFailure == .tls, "\(String(describing: failure))")
            #expect(failure?.message.contains("TLS handshake failed") == true, "\(String(describing: failure))")
            #expect(clock.now - start < .seconds(300))
        }
    }

    @Test("TLS 1.1 and non-AEAD TLS 1.2 suites are refused")
    func oldTLSRefused() async throws {
        try await withConsumer { base, client in
            var tls11 = try pki.clientTLS()
            tls11.minimumTLSVersion = .tlsv1
            tls11.maximumTLSVersion = .tlsv11
            var cbc = try pki.clientTLS()
            cbc.maximumTLSVersion = .tlsv12
            cbc.cipherSuiteValues = [.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA, .TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA]
            for tls in [tls11, cbc] {
                await #expect(throws: (any Error).self) {
                    // The HTTP client retries failed handshakes until its deadline: keep that short.
                    _ = try await rawPost(base + "/.well-known/openc2", client: client, tls: tls, contentType: WireFormat.v1_0.requestContentType, body: Array(#"{"action":"query","target":{"features":[]}}"#.utf8), timeout: .seconds(1))
                }
            }
            var tls12 = try pki.clientTLS()
            tls12.maximumTLSVersion = .tlsv12
            let reply = try await rawPost(base + "/.well-known/openc2", client: client, tls: tls12, contentType: WireFormat.v1_0.requestContentType, body: Array(#"{"action":"query","target":{"features":[]}}"#.utf8))
            #expect(reply.status == 200)
        }
    }

    @Test("oversized body and malformed JSON: 400, and the server still serves")
    func badBodies() async throws {
        try await withConsumer { base, client in
            let url = base + "/.well-known/openc2"
            let tls = try pki.clientTLS()
            let big = try await rawPost(url, client: client, tls: tls, contentType: WireFormat.v1_0.requestContentType, body: Array(repeating: UInt8(ascii: " "), count: 70_000))
            #expect(big.status == 400)
            #expect(big.body.contains("65536-byte limit"))
            let malformed = try await rawPost(url, client: client, tls: tls, contentType: WireFormat.v1_0.requestContentType, body: Array(#"{"action": "deny", "target": "#.utf8))
            #expect(malformed.status == 400)
            #expect(malformed.body.contains("malformed JSON"))
            let good = try await rawPost(url, client: client, tls: tls, contentType: WireFormat.v1_0.requestContentType, body: Array(#"{"action":"query","target":{"features":[]}}"#.utf8))
            #expect(good.status == 200)
        }
    }

    @Test("headers: Date IMF-fixdate, Cache-Control, X-Request-ID echoed; wrong path 404; GET 400")
    func headersAndRouting() async throws {
        try await withConsumer { base, client in
            let tls = try pki.clientTLS()
            let reply = try await rawPost(base + "/.well-known/openc2", client: client, tls: tls, contentType: WireFormat.v1_1.requestContentType, body: Array(#"{"body":{"openc2":{"request":{"action":"query","target":{"features":[]}}}}}"#.utf8), headers: [("X-Request-ID", "abc-123")])
            func header(_ name: String) -> String? { reply.headers.first { $0.0.lowercased() == name.lowercased() }?.1 }
            #expect(reply.status == 200)
            #expect(header("X-Request-ID") == "abc-123")
            #expect(header("Cache-Control") == "no-cache")
            #expect(header("Content-Type") == "application/openc2+json;version=1.0")
            let date = try #require(header("Date"))
            #expect(date.range(of: #"^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$"#, options: .regularExpression) != nil, "\(date)")
            #expect(reply.body.contains(#""request_id":"abc-123""#))
            let notFound = try await rawPost(base + "/openc2", client: client, tls: tls, contentType: WireFormat.v1_0.requestContentType, body: Array("{}".utf8))
            #expect(notFound.status == 404)
            let get = try await rawPost(base + "/.well-known/openc2", client: client, tls: tls, contentType: nil, body: [], method: .GET)
            #expect(get.status == 400)
        }
    }

    @Test("allow-list: an authenticated client that is not listed gets 403")
    func allowList() async throws {
        try await withConsumer(configure: { $0.allowedPeers = ["orchestrator.example"] }) { base, client in
            let reply = try await Producer(endpoint: base + "/.well-known/openc2", tls: try pki.clientTLS(), httpClient: client).send(Command(.query, .features([])))
            #expect(reply.httpStatus == 403)
            #expect(reply.response?.status == .forbidden)
        }
    }

    @Test("concurrent Producers are all answered, each with its own request id")
    func concurrentProducers() async throws {
        try await withConsumer { base, client in
            let producer = Producer(endpoint: base + "/.well-known/openc2", tls: try pki.clientTLS(), httpClient: client)
            let ids = try await withThrowingTaskGroup(of: String.self) { group in
                for index in 0..<40 {
                    group.addTask {
                        let reply = try await producer.send(Command(.query, .features([.versions])), requestID: "c-\(index)")
                        #expect(reply.response?.status == .ok)
                        return reply.headers?.requestID ?? ""
                    }
                }
                return try await group.reduce(into: Set<String>()) { $0.insert($1) }
            }
            #expect(ids == Set((0..<40).map { "c-\($0)" }))
        }
    }

    @Test("graceful shutdown: a Command in flight finishes with its Response")
    func gracefulShutdown() async throws {
        let configuration = ConsumerConfiguration(transport: .https(try pki.serverTLS()))
        let (arrivals, arrived) = AsyncStream.makeStream(of: Void.self)
        try await runConsumer(configuration, handler: SlowHandler(delay: .milliseconds(500)) { arrived.yield() }) { port, group in
            let client = HTTPClient(eventLoopGroupProvider: .singleton)
            let producer = Producer(endpoint: "https://127.0.0.1:\(port)/.well-known/openc2", tls: try pki.clientTLS(), httpClient: client)
            let inFlight = Task { try await producer.send(Command(.query, .features([]))) }
            var iterator = arrivals.makeAsyncIterator()
            await iterator.next()  // the Command is in the handler
            await group.triggerGracefulShutdown()
            let reply = try await inFlight.value
            try await client.shutdown()
            #expect(reply.httpStatus == 200)
            #expect(reply.response?.statusText?.hasPrefix("slept") == true)
        }
    }

    @Test("plain HTTP testing mode serves the same exchange")
    func plainHTTP() async throws {
        try await withConsumer(transport: .plainHTTPForTesting) { base, client in
            let reply = try await Producer(endpoint: base + "/.well-known/openc2", wireFormat: .v1_0, httpClient: client).send(Command(.query, .features([.profiles])))
            #expect(reply.response?.results?.profiles == [.slpf])
        }
    }
}

@Suite("Consumer startup errors")
struct ConsumerStartupTests {
    @Test("a port already in use: run() throws an error naming the address, at once")
    func portInUse() async throws {
        try await runConsumer(ConsumerConfiguration(transport: .plainHTTPForTesting)) { port, _ in
            let second = Consumer(configuration: ConsumerConfiguration(port: port, transport: .plainHTTPForTesting), handler: QueryFeaturesHandler())
            let error = await #expect(throws: ConsumerError.self) { try await second.run() }
            #expect(error?.kind == .listen)
            #expect(error?.message.hasPrefix("cannot listen on 127.0.0.1:\(port): ") == true, "\(String(describing: error))")
            #expect(error?.message.contains("in use") == true, "\(String(describing: error))")
        }
    }
}

@Suite("Fan-out: one Command to several Consumers at once")
struct FanOutTests {
    @Test("three Consumers answer, one that is down is reported with its failure; each result once")
    func fanOut() async throws {
        try await withConsumer { first, _ in
            try await withConsumer { second, _ in
                try await withConsumer { third, _ in
                    let down = "https://127.0.0.1:\(try Loopback.closedPort())/.well-known/openc2"
                    let endpoints = [first, second, third].map { $0 + "/.well-known/openc2" } + [down]
                    let command = Command(.query, .features([.versions]))
                    var results: [FanOutResult] = []
                    for await result in Producer.fanOut(command, to: endpoints, tls: try TestPKI.shared.clientTLS(), concurrency: 2) {
                        results.append(result)
                    }
                    #expect(Set(results.map(\.endpoint)) == Set(endpoints) && results.count == 4)
                    #expect(results.filter(\.succeeded).count == 3)
                    let failure = try #require(results.first { $0.endpoint == down })
                    #expect(failure.reply == nil && failure.error?.kind == .transport && failure.error?.description.contains("refused") == true)
                    #expect(results.filter(\.succeeded).allSatisfy { $0.reply?.response?.status == .ok })
                }
            }
        }
    }
}

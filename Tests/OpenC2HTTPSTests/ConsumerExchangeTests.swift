import Logging
import OpenC2
import OpenC2SLPF
import NIOConcurrencyHelpers
import Testing
@testable import OpenC2HTTPS

/// A handler that answers query features from SLPF capabilities and records what it ran.
final class RecordingHandler: CommandHandler {
    let executed = NIOLockedValueBox<[Command]>([])
    let failWith: (any Error & Sendable)?

    init(failWith: (any Error & Sendable)? = nil) { self.failWith = failWith }

    func handle(_ command: Command, context: RequestContext) async throws -> Response {
        executed.withLockedValue { $0.append(command) }
        if let failWith { throw failWith }
        switch SLPFInterpreter(capabilities: .queryOnly).interpret(command) {
        case .execute(.queryFeatures(let features)): return SLPFCapabilities.queryOnly.featuresResponse(for: features)
        case .execute: return Response(.ok)
        case .respond(let response): return response
        }
    }

    var count: Int { executed.withLockedValue { $0.count } }
}

struct HandlerFailure: Error, CustomStringConvertible {
    var description: String { "nft refused the ruleset" }
}

/// Collects background work so a test can run it when it wants.
final class BackgroundJobs: Sendable {
    let jobs = NIOLockedValueBox<[@Sendable () async -> Void]>([])
    func run(_ work: @escaping @Sendable () async -> Void) { jobs.withLockedValue { $0.append(work) } }
    func drain() async {
        for job in jobs.withLockedValue({ jobs in defer { jobs = [] }; return jobs }) { await job() }
    }
}

@Suite("Consumer exchange: the HTTP status of each outcome, both wire formats, correlation")
struct ConsumerExchangeTests {
    let handler = RecordingHandler()
    let jobs = BackgroundJobs()

    func exchange(_ configure: (inout ConsumerExchange.Configuration) -> Void = { _ in }) -> ConsumerExchange {
        var configuration = ConsumerExchange.Configuration()
        configuration.profiles = [SLPFProfile()]
        configuration.identity = "consumer.test"
        configure(&configuration)
        let jobs = self.jobs
        var logger = Logger(label: "test.exchange")
        logger.logLevel = .critical
        return ConsumerExchange(configuration: configuration, handler: handler, logger: logger) { jobs.run($0) }
    }

    static let queryV11 = #"{"headers":{"request_id":"req-1","from":"producer"},"body":{"openc2":{"request":{"action":"query","target":{"features":["versions"]}}}}}"#
    static let queryV10 = #"{"action":"query","target":{"features":["versions","profiles"]}}"#

    func post(_ body: String, type: String? = WireFormat.v1_1.requestContentType, requestID: String? = "hdr-1", path: String = "/.well-known/openc2", method: String = "POST", peer: String? = "producer") -> ConsumerRequest {
        ConsumerRequest(method: method, path: path, contentType: type, requestIDHeader: requestID, body: Array(body.utf8), peer: peer)
    }

    func decodeV11(_ reply: ConsumerReply) throws -> Message {
        try OpenC2Decoder().decode(Message.self, from: reply.body)
    }

    func response(_ reply: ConsumerReply) throws -> Response {
        guard case .response(let response) = try decodeV11(reply).content else { throw HandlerFailure() }
        return response
    }

    @Test("v1.1: envelope in, envelope out, request_id from the envelope, X-Request-ID echoed")
    func v11RoundTrip() async throws {
        let reply = await exchange().respond(to: post(Self.queryV11))
        #expect(reply.status == 200)
        #expect(reply.header("Content-Type") == "application/openc2+json;version=1.0")
        #expect(reply.header("Cache-Control") == "no-cache")
        #expect(reply.header("X-Request-ID") == "hdr-1")
        #expect(reply.header("Date")?.hasSuffix(" GMT") == true)
        let message = try decodeV11(reply)
        #expect(message.headers?.requestID == "req-1")
        #expect(message.headers?.from == "consumer.test")
        #expect(message.headers?.to == ["producer"])
        #expect(try response(reply) == Response(.ok, results: Results(versions: [.v1_0])))
    }

    @Test("v1.1 without request_id in the envelope copies X-Request-ID into headers.request_id")
    func correlationFromHeader() async throws {
        let body = #"{"body":{"openc2":{"request":{"action":"query","target":{"features":[]}}}}}"#
        let reply = await exchange().respond(to: post(body, requestID: "only-header"))
        #expect(try decodeV11(reply).headers?.requestID == "only-header")
        #expect(reply.header("X-Request-ID") == "only-header")
    }

    @Test("v1.0: bare Command in, bare Response out as openc2-rsp+json")
    func v10RoundTrip() async throws {
        let reply = await exchange().respond(to: post(Self.queryV10, type: "Application/OpenC2-cmd+JSON ; Version=1.0"))
        #expect(reply.status == 200)
        #expect(reply.header("Content-Type") == "application/openc2-rsp+json;version=1.0")
        let response = try OpenC2Decoder().decode(Response.self, from: reply.body)
        #expect(response.results?.profiles == [.slpf])
    }

    @Test("400 for malformed JSON, wrong types, unknown fields, bad addresses, empty args, two actuators — with the path", arguments: [
        (#"{"action":"deny","target":"#, "malformed JSON"),
        (#"{"action":3,"target":{"features":[]}}"#, "action: expected a string"),
        (#"{"action":"query","target":{"features":[]},"priority":1}"#, "'priority' is not a field"),
        (#"{"action":"deny","target":{"ipv4_net":"10.0.0.300"}}"#, "target.ipv4_net:"),
        (#"{"action":"deny","target":{"ipv4_net":"10.0.0.3"},"args":{}}"#, "args: Args must contain"),
        (#"{"action":"deny","target":{"ipv4_net":"10.0.0.3"},"actuator":{"slpf":{},"x-a":{}}}"#, "actuator: Actuator must hold exactly one"),
    ])
    func badRequests(body: String, expected: String) async throws {
        let reply = await exchange().respond(to: post(body, type: WireFormat.v1_0.requestContentType))
        #expect(reply.status == 400)
        let response = try OpenC2Decoder().decode(Response.self, from: reply.body)
        #expect(response.status == .badRequest)
        #expect(response.statusText?.contains(expected) == true, "\(response.statusText ?? "")")
        #expect(handler.count == 0)
    }

    @Test("400 for an unsupported media type, naming the accepted ones")
    func unsupportedMediaType() async throws {
        let reply = await exchange().respond(to: post(Self.queryV10, type: "application/json"))
        #expect(reply.status == 400)
        #expect(try response(reply).statusText?.contains("application/openc2+json;version=1.0") == true)
        let noVersion = await exchange().respond(to: post(Self.queryV10, type: "application/openc2-cmd+json"))
        #expect(noVersion.status == 400)
    }

    @Test("400 for a method other than POST, with Allow: POST")
    func methodNotAllowed() async throws {
        let reply = await exchange().respond(to: post(Self.queryV11, method: "GET"))
        #expect(reply.status == 400)
        #expect(reply.header("Allow") == "POST")
        #expect(try response(reply).statusText == "only POST is supported")
    }

    @Test("400 for a body over the limit, naming the limit")
    func oversized() async throws {
        let reply = await exchange { $0.maximumBodySize = 100 }.respond(to: ConsumerRequest(method: "POST", path: "/.well-known/openc2", contentType: WireFormat.v1_1.requestContentType, body: nil))
        #expect(reply.status == 400)
        #expect(try response(reply).statusText == "the body exceeds the 100-byte limit")
    }

    @Test("404 for another path")
    func wrongPath() async throws {
        let reply = await exchange().respond(to: post(Self.queryV11, path: "/openc2"))
        #expect(reply.status == 404)
        #expect(try response(reply).status == .notFound)
    }

    @Test("403 for a peer outside the allow-list; the listed peer is served")
    func authorization() async throws {
        let consumer = exchange { $0.allowedPeers = ["orchestrator"] }
        #expect(await consumer.respond(to: post(Self.queryV11, peer: "intruder")).status == 403)
        #expect(await consumer.respond(to: post(Self.queryV11, peer: nil)).status == 403)
        #expect(await consumer.respond(to: post(Self.queryV11, peer: "orchestrator")).status == 200)
        #expect(handler.count == 1)
    }

    @Test("501 from the handler is the HTTP status too")
    func notImplemented() async throws {
        let reply = await exchange().respond(to: post(#"{"action":"deny","target":{"ipv4_net":"10.0.0.1"}}"#, type: WireFormat.v1_0.requestContentType))
        #expect(reply.status == 501)
        #expect(try OpenC2Decoder().decode(Response.self, from: reply.body).statusText == "Target type not supported")
    }

    @Test("500 when the handler fails, with the cause and no stack trace")
    func handlerFailure() async throws {
        let failing = ConsumerExchange(configuration: .init(), handler: RecordingHandler(failWith: HandlerFailure())) { _ in }
        let reply = await failing.respond(to: post(Self.queryV10, type: WireFormat.v1_0.requestContentType))
        #expect(reply.status == 500)
        #expect(try OpenC2Decoder().decode(Response.self, from: reply.body).statusText == "nft refused the ruleset")
    }

    @Test("503 once shutting down")
    func shuttingDown() async throws {
        let consumer = exchange()
        consumer.stopAccepting()
        let reply = await consumer.respond(to: post(Self.queryV11))
        #expect(reply.status == 503)
        #expect(handler.count == 0)
    }

    @Test("503 when too many commands are in flight")
    func overloaded() async throws {
        let consumer = exchange { $0.maximumConcurrentCommands = 1 }
        let ack = #"{"action":"query","target":{"features":[]},"args":{"response_requested":"ack"}}"#
        #expect(await consumer.respond(to: post(ack, type: WireFormat.v1_0.requestContentType)).status == 200)  // in flight until drained
        #expect(await consumer.respond(to: post(Self.queryV10, type: WireFormat.v1_0.requestContentType)).status == 503)
        await jobs.drain()
        #expect(await consumer.respond(to: post(Self.queryV10, type: WireFormat.v1_0.requestContentType)).status == 200)
    }

    @Test("response_requested none: executed, HTTP 200 with an empty body")
    func responseNone() async throws {
        let body = #"{"action":"query","target":{"features":["versions"]},"args":{"response_requested":"none"}}"#
        let reply = await exchange().respond(to: post(body, type: WireFormat.v1_0.requestContentType))
        #expect(reply.status == 200)
        #expect(reply.body.isEmpty)
        #expect(reply.header("Content-Type") == nil)
        #expect(handler.count == 1)
    }

    @Test("response_requested none still answers errors")
    func responseNoneError() async throws {
        let body = #"{"action":"deny","target":{"ipv4_net":"10.0.0.1"},"args":{"response_requested":"none"}}"#
        let reply = await exchange().respond(to: post(body, type: WireFormat.v1_0.requestContentType))
        #expect(reply.status == 501)
        #expect(!reply.body.isEmpty)
    }

    @Test("response_requested ack: 102 in an HTTP 200 at once, executed afterwards; status adds the state")
    func responseAck() async throws {
        let consumer = exchange()
        let ack = await consumer.respond(to: post(#"{"action":"query","target":{"features":[]},"args":{"response_requested":"ack"}}"#, type: WireFormat.v1_0.requestContentType))
        #expect(ack.status == 200)
        #expect(String(decoding: ack.body, as: UTF8.self) == #"{"status":102}"#)
        #expect(handler.count == 0)
        await jobs.drain()
        #expect(handler.count == 1)
        let status = await consumer.respond(to: post(#"{"action":"query","target":{"features":[]},"args":{"response_requested":"status"}}"#, type: WireFormat.v1_0.requestContentType))
        #expect(try OpenC2Decoder().decode(Response.self, from: status.body) == Response(.processing, statusText: "accepted; executing"))
    }

    @Test("a v1.1 envelope carrying a response instead of a request: 400")
    func responseInsteadOfRequest() async throws {
        let reply = await exchange().respond(to: post(#"{"body":{"openc2":{"response":{"status":200}}}}"#))
        #expect(reply.status == 400)
    }

    @Test("media type parsing: case, spaces and quotes", arguments: [
        ("application/openc2+json;version=1.0", WireFormat.v1_1),
        ("APPLICATION/OPENC2+JSON; VERSION=\"1.0\"", .v1_1),
        ("application/openc2-cmd+json ;version = 1.0", .v1_0),
    ])
    func mediaTypes(text: String, format: WireFormat) {
        #expect(WireFormat(requestContentType: text) == format)
    }

    @Test("IMF-fixdate")
    func httpDate() {
        #expect(HTTPDate.string(secondsSince1970: 1_545_257_700) == "Wed, 19 Dec 2018 22:15:00 GMT")
        #expect(HTTPDate.string(secondsSince1970: 0) == "Thu, 01 Jan 1970 00:00:00 GMT")
    }
}

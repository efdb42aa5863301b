import Foundation
import Logging
import OpenC2
import OpenC2HTTPS

/// One HTTP request to the Producer server, as the exchange sees it.
public struct PollingRequest: Sendable {
    public var method: String
    public var path: String
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]?
    /// The client certificate's identity (CN, else first SAN); `nil` without one.
    public var peer: String?

    public init(method: String, path: String, headers: [(name: String, value: String)] = [], body: [UInt8]? = nil, peer: String?) {
        self.method = method
        self.path = path
        self.headers = headers
        self.body = body
        self.peer = peer
    }

    /// The first value of header `name` (any case).
    public func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }
}

/// What the Producer server answers.
public struct PollingReply: Sendable, Equatable {
    public var status: Int
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]

    public func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    public static func == (lhs: PollingReply, rhs: PollingReply) -> Bool {
        lhs.status == rhs.status && lhs.body == rhs.body && lhs.headers.map { "\($0.name): \($0.value)" } == rhs.headers.map { "\($0.name): \($0.value)" }
    }
}

/// The Producer side of the HTTPS polling model (OpenC2 HTTPS WD02 §2.3, §3.4, Annex B.2),
/// without sockets: a Consumer, known by its client certificate, `GET`s its next Command and
/// `POST`s the Response with `X-Correlation-ID` = the Command's `command_id`.
///
/// - `GET` → `200` with one Command (`Content-Type: application/openc2-cmd+json;version=1.0`, or
///   the v1.1 envelope when the Consumer accepts `application/openc2+json`), `Date`,
///   `Cache-Control: no-cache` and `X-Correlation-ID`; `204` with `Date` when nothing is queued.
/// - `POST` of a Response → `200` with an empty body: 102 marks the Command processing, a final
///   status answers it. Unknown correlation ids (404), another Consumer's Command (403), a second
///   final Response (409) and malformed requests (400) get an OpenC2 Response saying why, and
///   change nothing.
public struct ProducerServerExchange: Sendable {
    public struct Configuration: Sendable {
        /// Where the Producer server answers.
        public var path: String
        /// A Command delivered but neither answered nor processing after this is delivered again.
        public var lease: Duration
        /// The largest body accepted.
        public var maximumBodySize: Int
        /// Profiles that validate Responses' extensions.
        public var profiles: [any OpenC2Profile]

        public init(path: String = "/.well-known/openc2", lease: Duration = .seconds(60), maximumBodySize: Int = 1 << 20, profiles: [any OpenC2Profile] = []) {
            self.path = path
            self.lease = lease
            self.maximumBodySize = maximumBodySize
            self.profiles = profiles
        }
    }

    public let configuration: Configuration
    let queue: any CommandQueue
    let logger: Logger
    let clock: @Sendable () -> Int64
    let decoder: OpenC2Decoder

    /// An exchange over `queue`; `clock` gives milliseconds since 1970.
    public init(
        configuration: Configuration = Configuration(), queue: any CommandQueue, logger: Logger = Logger(label: "bastion.openc2.producer-server"),
        clock: @escaping @Sendable () -> Int64 = ProducerServerExchange.now
    ) {
        self.configuration = configuration
        self.queue = queue
        self.logger = logger
        self.clock = clock
        self.decoder = OpenC2Decoder(profiles: configuration.profiles)
    }

    /// The time now in milliseconds since 1970.
    @Sendable public static func now() -> Int64 {
        Int64((Date().timeIntervalSince1970 * 1000).rounded())
    }

    /// Answers one request.
    public func respond(to request: PollingRequest) async -> PollingReply {
        guard request.path == configuration.path else {
            return refusal(.notFound, "no OpenC2 endpoint at \(request.path); use \(configuration.path)")
        }
        guard let consumer = request.peer, !consumer.isEmpty else {
            return refusal(.forbidden, "a client certificate is required: it names the Consumer")
        }
        switch request.method {
        case "GET": return await deliver(to: consumer, request: request)
        case "POST": return await receive(from: consumer, request: request)
        default:
            var reply = refusal(.badRequest, "the Producer server takes GET (poll) and POST (a Response)")
            reply.headers.append(("Allow", "GET, POST"))
            return reply
        }
    }

    private func deliver(to consumer: String, request: PollingRequest) async -> PollingReply {
        guard (request.body ?? []).isEmpty else { return refusal(.badRequest, "a poll has no body") }
        let envelope = (request.header("Accept") ?? "").split(separator: ",").contains {
            WireFormat(requestContentType: String($0)) == .v1_1
        }
        let now = clock()
        let next: QueuedCommand?
        do {
            next = try await queue.next(for: consumer, now: now, lease: Self.milliseconds(configuration.lease))
        } catch {
            logger.error("the command queue failed", metadata: ["error": "\(error)"])
            return refusal(.internalError, "the command queue is not available")
        }
        guard let next else {
            return PollingReply(status: 204, headers: [("Date", HTTPDate.string())], body: [])
        }
        var body = Array(next.command.utf8)
        if envelope {
            do {
                let command = try decoder.decode(Command.self, from: next.command)
                let headers = Headers(requestID: next.commandID, created: DateTime(millisecondsSince1970: UInt64(max(0, now))), to: [consumer])
                body = OpenC2Encoder().encode(Message(headers: headers, content: .request(command)))
            } catch {
                logger.error("a queued command cannot be read", metadata: ["command_id": "\(next.commandID)", "error": "\(error)"])
                return refusal(.internalError, "command \(next.commandID) cannot be read")
            }
        }
        logger.info("command delivered", metadata: ["command_id": "\(next.commandID)", "consumer": "\(consumer)"])
        return PollingReply(status: 200, headers: [
            ("Content-Type", envelope ? WireFormat.v1_1.requestContentType : WireFormat.v1_0.requestContentType),
            ("Date", HTTPDate.string()), ("Cache-Control", "no-cache"), ("X-Correlation-ID", next.commandID),
        ], body: body)
    }

    private func receive(from consumer: String, request: PollingRequest) async -> PollingReply {
        guard let format = request.header("Content-Type").flatMap(WireFormat.init(responseContentType:)) else {
            return refusal(.badRequest, "a Response is sent as \(WireFormat.v1_0.responseContentType) or \(WireFormat.v1_1.responseContentType)")
        }
        guard let correlation = request.header("X-Correlation-ID")?.trimmingCharacters(in: .whitespaces), !correlation.isEmpty else {
            return refusal(.badRequest, "X-Correlation-ID (the command_id answered) is required")
        }
        guard let body = request.body, !body.isEmpty, body.count <= configuration.maximumBodySize else {
            return refusal(.badRequest, "the body is empty or larger than \(configuration.maximumBodySize) bytes")
        }
        let response: Response
        do throws(OpenC2Error) {
            switch format {
            case .v1_0:
                response = try decoder.decode(Response.self, from: body)
            case .v1_1:
                guard case .response(let answer) = try decoder.decode(Message.self, from: body).content else {
                    return refusal(.badRequest, "body.openc2: the Producer server takes only a response")
                }
                response = answer
            }
        } catch {
            return refusal(.badRequest, error.description)
        }
        do {
            let stored = try await queue.record(
                response: String(decoding: OpenC2Encoder().encode(response), as: UTF8.self), status: response.status.rawValue,
                commandID: correlation, from: consumer, now: clock())
            logger.info("response stored", metadata: [
                "command_id": "\(correlation)", "consumer": "\(consumer)", "status": "\(response.status.rawValue)", "state": "\(stored.state.rawValue)",
            ])
            return PollingReply(status: 200, headers: [("Date", HTTPDate.string())], body: [])
        } catch {
            logger.notice("response refused", metadata: ["command_id": "\(correlation)", "consumer": "\(consumer)", "reason": "\(error.message)"])
            switch error.kind {
            case .unknownCommand: return refusal(.notFound, error.message)
            case .notYours: return refusal(.forbidden, error.message)
            case .alreadyAnswered, .duplicate: return refusal(.badRequest, error.message, httpStatus: 409)
            case .unavailable: return refusal(.internalError, "the command queue is not available")
            }
        }
    }

    /// A refusal: an OpenC2 Response with `status` and `text`, in HTTP `status` (or `httpStatus`).
    func refusal(_ status: StatusCode, _ text: String, httpStatus: Int? = nil) -> PollingReply {
        PollingReply(
            status: httpStatus ?? status.rawValue,
            headers: [("Content-Type", WireFormat.v1_0.responseContentType), ("Date", HTTPDate.string()), ("Cache-Control", "no-cache")],
            body: OpenC2Encoder().encode(Response(status, statusText: text)))
    }

    static func milliseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }
}

import BastionHTTPServer
import Logging
import NIOConcurrencyHelpers
import OpenC2
import Synchronization

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// An HTTP request as a Consumer receives it, transport details stripped.
public struct ConsumerRequest: Sendable {
    /// The HTTP method.
    public var method: String
    /// The request path, without the query.
    public var path: String
    /// The `Content-Type` header.
    public var contentType: String?
    /// The `X-Request-ID` header.
    public var requestIDHeader: String?
    /// The body, or `nil` when it was larger than the limit and not read.
    public var body: [UInt8]?
    /// The authenticated identity of the Producer (its client certificate's subject), if any.
    public var peer: String?

    /// A request.
    public init(method: String, path: String, contentType: String?, requestIDHeader: String? = nil, body: [UInt8]?, peer: String? = nil) {
        self.method = method
        self.path = path
        self.contentType = contentType
        self.requestIDHeader = requestIDHeader
        self.body = body
        self.peer = peer
    }
}

/// The HTTP response a Consumer sends.
public struct ConsumerReply: Sendable, Equatable {
    /// The HTTP status: the OpenC2 status (200 for an interim 102, which HTTP/1.1 cannot carry with a body).
    public var status: Int
    /// Headers to send, in order.
    public var headers: [(name: String, value: String)]
    /// The body; empty for `response_requested: none`.
    public var body: [UInt8]

    /// The value of header `name` (case-insensitive).
    public func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    public static func == (lhs: ConsumerReply, rhs: ConsumerReply) -> Bool {
        lhs.status == rhs.status && lhs.body == rhs.body
            && lhs.headers.map { "\($0.name): \($0.value)" } == rhs.headers.map { "\($0.name): \($0.value)" }
    }
}

/// Where a Consumer sends the final Response of a Command it answered at once with 102
/// (`response_requested` `ack` or `status`), when the Producer runs an HTTPS server too (the
/// "both servers" configuration of the HTTPS transfer, WD02 §3.5): the Response is POSTed there
/// with `X-Correlation-ID` = the Command's `command_id`.
public protocol ResponseForwarder: Sendable {
    /// Delivers `response`, the final Response to the Command `correlationID` names.
    func forward(_ response: Response, correlationID: String) async
}

/// The transport-independent heart of a Consumer: checks method, path, media type
/// and size; decodes and validates the Command; authorizes the peer; correlates request ids;
/// runs the ``CommandHandler`` as `response_requested` asks; and encodes the Response in the
/// request's wire format, with HTTP status = OpenC2 status.
public struct ConsumerExchange: Sendable {
    /// What the exchange needs to know.
    public struct Configuration: Sendable {
        /// The endpoint path.
        public var path: String = "/.well-known/openc2"
        /// The largest body accepted, in bytes.
        public var maximumBodySize: Int = 64 * 1024
        /// When set, only these peer identities may send Commands; others get 403.
        public var allowedPeers: Set<String>?
        /// The Consumer's identity, sent as `from` in v1.1 response headers when set.
        public var identity: String?
        /// Commands executing at once beyond which new ones get 503.
        public var maximumConcurrentCommands: Int = 1024
        /// The profiles whose namespaces are validated on decoding.
        public var profiles: [any OpenC2Profile] = []
        /// Where the final Response of an `ack`ed (or `status`) Command goes once its work is
        /// done: the Producer's own HTTPS server, when both run one (WD02 §3.5). Without it
        /// that Response is only logged.
        public var responseForwarder: (any ResponseForwarder)?

        /// The defaults: standard path, 64 KiB bodies, any authenticated peer.
        public init() {}
    }

    /// Runs work after the reply is sent (for `ack` and `status`); the Consumer service
    /// tracks it so that shutdown waits for it.
    public typealias BackgroundRunner = @Sendable (_ work: @escaping @Sendable () async -> Void) -> Void

    public let configuration: Configuration
    let handler: any CommandHandler
    let decoder: OpenC2Decoder
    let logger: Logger
    let runInBackground: BackgroundRunner
    let state: SharedState

    /// State shared by every copy of an exchange: commands in flight, whether accepting, the commands counted.
    final class SharedState: Sendable {
        let inFlight = NIOLockedValueBox(0)
        let accepting = Atomic(true)
        let commands = CounterFamily(label: "bastion_openc2_commands_total", dimensions: ["action", "target", "status"])
    }

    /// An exchange passing valid Commands to `handler`.
    public init(configuration: Configuration = Configuration(), handler: any CommandHandler, logger: Logger = Logger(label: "bastion.openc2.consumer"), runInBackground: @escaping BackgroundRunner) {
        self.configuration = configuration
        self.handler = handler
        self.decoder = OpenC2Decoder(profiles: configuration.profiles)
        self.logger = logger
        self.runInBackground = runInBackground
        self.state = SharedState()
    }

    /// After this, every new Command is answered 503 (the Consumer is shutting down).
    public func stopAccepting() {
        state.accepting.store(false, ordering: .relaxed)
    }

    /// Answers one HTTP request.
    public func respond(to request: ConsumerRequest) async -> ConsumerReply {
        let started = ContinuousClock.now
        let format = request.contentType.flatMap(WireFormat.init(requestContentType:))
        let replyFormat = format ?? .v1_1
        let correlation = Correlation(requestID: nil, header: request.requestIDHeader)

        guard request.path == configuration.path else {
            return reply(Response(.notFound, statusText: "no OpenC2 endpoint at \(request.path); use \(configuration.path)"), format: replyFormat, correlation: correlation, peer: request.peer)
        }
        guard request.method == "POST" else {
            var reply = reply(Response(.badRequest, statusText: "only POST is supported"), format: replyFormat, correlation: correlation, peer: request.peer)
            reply.headers.append(("Allow", "POST"))
            return reply
        }
        if let allowed = configuration.allowedPeers, !allowed.contains(request.peer ?? "") {
            logger.warning("refused an unauthorized peer", metadata: ["peer": "\(request.peer ?? "none")"])
            return reply(Response(.forbidden), format: replyFormat, correlation: correlation, peer: request.peer)
        }
        guard let format else {
            let given = request.contentType.map { "'\($0)'" } ?? "no Content-Type"
            return reply(Response(.badRequest, statusText: "unsupported media type \(given); send \(WireFormat.acceptedRequestTypes.joined(separator: " or "))"), format: replyFormat, correlation: correlation, peer: request.peer)
        }
        guard let body = request.body, body.count <= configuration.maximumBodySize else {
            return reply(Response(.badRequest, statusText: "the body exceeds the \(configuration.maximumBodySize)-byte limit"), format: format, correlation: correlation, peer: request.peer)
        }

        // Decode and validate.
        let command: Command
        var context = RequestContext(requestID: request.requestIDHeader, peer: request.peer)
        var correlated = correlation
        do throws(OpenC2Error) {
            switch format {
            case .v1_0:
                command = try decoder.decode(Command.self, from: body)
            case .v1_1:
                let message = try decoder.decode(Message.self, from: body)
                correlated.requestID = message.headers?.requestID
                context.requestID = correlated.effectiveRequestID
                context.from = message.headers?.from
                context.created = message.headers?.created
                guard case .request(let request) = message.content else {
                    return reply(Response(.badRequest, statusText: "body.openc2: a Consumer accepts only a request"), format: format, correlation: correlated, peer: request.peer)
                }
                command = request
            }
        } catch {
            logger.info("refused a malformed command", metadata: ["request_id": "\(correlation.effectiveRequestID ?? "-")", "peer": "\(request.peer ?? "-")", "error": "\(error)"])
            return reply(Response(.badRequest, statusText: error.description), format: format, correlation: correlated, peer: request.peer)
        }

        guard state.accepting.load(ordering: .relaxed) else {
            return reply(Response(.serviceUnavailable, statusText: "the Consumer is shutting down"), format: format, correlation: correlated, peer: request.peer)
        }
        let admitted = state.inFlight.withLockedValue { count in
            guard count < configuration.maximumConcurrentCommands else { return false }
            count += 1
            return true
        }
        guard admitted else {
            return reply(Response(.serviceUnavailable, statusText: "too many commands in progress; retry later"), format: format, correlation: correlated, peer: request.peer)
        }

        let requested = command.responseRequested
        let execution: @Sendable () async -> Response = { [handler, logger, state, context] in
            defer { state.inFlight.withLockedValue { $0 -= 1 } }
            let response: Response
            do {
                response = try await handler.handle(command, context: context)
            } catch {
                response = Response(.internalError, statusText: "\(error)")
            }
            state.commands.increment(command.action.rawValue, command.target.name, String(response.status.rawValue))
            logger.info("command", metadata: [
                "request_id": "\(context.requestID ?? "-")",
                "peer": "\(context.peer ?? "-")",
                "action": "\(command.action.rawValue)",
                "target": "\(command.target.name)",
                "status": "\(response.status.rawValue)",
                "response_requested": "\(requested.rawValue)",
                "duration_ms": "\(Self.milliseconds(since: started))",
            ])
            return response
        }

        switch requested {
        case .complete:
            return reply(await execution(), format: format, correlation: correlated, peer: request.peer)
        case .noResponse:
            let response = await execution()
            if response.status.isSuccess {
                var reply = reply(response, format: format, correlation: correlated, peer: request.peer)
                reply.body = []
                reply.headers.removeAll { $0.name == "Content-Type" }
                return reply
            }
            return reply(response, format: format, correlation: correlated, peer: request.peer)
        case .ack, .status:
            let forwarder = configuration.responseForwarder
            let correlationID = command.commandID?.rawValue ?? correlated.effectiveRequestID
            if forwarder != nil, correlationID == nil {
                logger.warning("an acknowledged command has no command_id or request id: its final Response cannot be forwarded", metadata: ["peer": "\(request.peer ?? "-")"])
            }
            runInBackground {
                let response = await execution()
                if let forwarder, let correlationID { await forwarder.forward(response, correlationID: correlationID) }
            }
            let text = requested == .status ? "accepted; executing" : nil
            return reply(Response(.processing, statusText: text), format: format, correlation: correlated, peer: request.peer)
        }
    }

    /// Request ids from the envelope and the `X-Request-ID` header (HTTPS v1.1 §3.3.3).
    struct Correlation {
        var requestID: String?
        var header: String?
        /// The envelope's id, else the header's.
        var effectiveRequestID: String? { requestID ?? header }
    }

    private static func milliseconds(since start: ContinuousClock.Instant) -> String {
        let (seconds, attoseconds) = (ContinuousClock.now - start).components
        let microseconds = seconds * 1_000_000 + attoseconds / 1_000_000_000_000
        let fraction = String(microseconds % 1000)
        return "\(microseconds / 1000).\(String(repeating: "0", count: 3 - fraction.count))\(fraction)"
    }

    /// Encodes `response` in `format` with the headers every reply carries.
    func reply(_ response: Response, format: WireFormat, correlation: Correlation, peer: String?) -> ConsumerReply {
        let body: [UInt8]
        switch format {
        case .v1_0:
            body = OpenC2Encoder().encode(response)
        case .v1_1:
            let headers = Headers(
                requestID: correlation.effectiveRequestID,
                created: DateTime(millisecondsSince1970: UInt64(max(0, Date().timeIntervalSince1970 * 1000))),
                from: configuration.identity,
                to: peer.map { [$0] }
            )
            body = OpenC2Encoder().encode(Message(headers: headers, content: .response(response)))
        }
        var headers: [(name: String, value: String)] = [
            ("Content-Type", format.responseContentType),
            ("Date", HTTPDate.string()),
            ("Cache-Control", "no-cache"),
        ]
        if let id = correlation.header ?? correlation.requestID { headers.append(("X-Request-ID", id)) }
        let status = response.status == .processing ? 200 : response.status.rawValue
        return ConsumerReply(status: status, headers: headers, body: body)
    }
}

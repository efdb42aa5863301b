import AsyncHTTPClient
import BastionHTTPClient
import Logging
import NIOCore
import NIOSSL
import OpenC2
import OpenC2HTTPS

/// POSTs one Response (JSON) to a Producer server's OpenC2 endpoint with `X-Correlation-ID`, as
/// a polling Consumer and a Consumer forwarding asynchronous Responses both do (WD02 §3.4).
enum ResponsePost {
    enum Outcome: Equatable {
        /// 200: the Producer server kept it.
        case stored
        /// A 4xx: the Producer server will not take it (unknown command, not this Consumer's, answered already).
        case refused(String)
        /// Not delivered (unreachable, a timeout, a 5xx): worth another try.
        case failed(String)
    }

    static func send(_ response: String, correlationID: String, to url: String, client: HTTPClient, timeout: Duration) async -> Outcome {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: WireFormat.v1_0.responseContentType)
        request.headers.add(name: "X-Correlation-ID", value: correlationID)
        request.headers.add(name: "Date", value: HTTPDate.string())
        request.headers.add(name: "Cache-Control", value: "no-cache")
        request.body = .bytes(Array(response.utf8))
        do {
            let reply = try await client.execute(request, timeout: .init(timeout))
            let body = String(buffer: try await reply.body.collect(upTo: 1 << 16))
            switch reply.status.code {
            case 200: return .stored
            case 400..<500: return .refused("HTTP \(reply.status.code) \(body.prefix(200))")
            default: return .failed("HTTP \(reply.status.code) \(body.prefix(200))")
            }
        } catch {
            return .failed(TransportFailure(classifying: error, timeout: timeout, connectTimeout: nil, maximumReplySize: 1 << 16).description)
        }
    }

    /// An HTTP client for a Producer server: `tls` carries the Consumer's client certificate; it
    /// fails fast on an unreachable server.
    static func makeClient(tls: TLSConfiguration, timeout: Duration) -> HTTPClient {
        var http = HTTPClient.Configuration.failingFast(readTimeout: timeout)
        http.tlsConfiguration = tls
        return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: http)
    }
}

/// A push Consumer's ``ResponseForwarder`` for the "both servers" configuration (OpenC2 HTTPS
/// WD02 §3.5): the final Response of a Command answered at once with 102 is POSTed to the
/// Producer's server, with the Consumer's client certificate and `X-Correlation-ID` = the
/// Command's `command_id`. A Producer server that cannot be reached (or answers 5xx) is tried
/// again, waiting twice as long each time; one that refuses the Response (4xx) is not.
public struct ResponsePoster: ResponseForwarder {
    public struct Configuration: Sendable {
        /// The Producer server's OpenC2 endpoint.
        public var url: String
        /// The Consumer's client certificate and the CA the Producer server's certificate chains to.
        public var tls: TLSConfiguration
        /// Tries per Response.
        public var attempts: Int
        /// The wait before the second try; doubled for each further one.
        public var firstRetry: Duration
        /// How long one try may take.
        public var timeout: Duration

        public init(url: String, tls: TLSConfiguration, attempts: Int = 6, firstRetry: Duration = .seconds(1), timeout: Duration = .seconds(30)) {
            self.url = url
            self.tls = tls
            self.attempts = max(1, attempts)
            self.firstRetry = firstRetry
            self.timeout = timeout
        }
    }

    public let configuration: Configuration
    let client: HTTPClient
    let logger: Logger

    /// A poster using `client` (made with ``makeClient(_:)``; its owner shuts it down).
    public init(configuration: Configuration, client: HTTPClient, logger: Logger = Logger(label: "bastion.openc2.response-poster")) {
        self.configuration = configuration
        self.client = client
        self.logger = logger
    }

    /// An HTTP client for `configuration`.
    public static func makeClient(_ configuration: Configuration) -> HTTPClient {
        ResponsePost.makeClient(tls: configuration.tls, timeout: configuration.timeout)
    }

    public func forward(_ response: Response, correlationID: String) async {
        let body = String(decoding: OpenC2Encoder().encode(response), as: UTF8.self)
        var wait = configuration.firstRetry
        for attempt in 1...configuration.attempts {
            switch await ResponsePost.send(body, correlationID: correlationID, to: configuration.url, client: client, timeout: configuration.timeout) {
            case .stored:
                logger.info("response forwarded to the Producer server", metadata: [
                    "correlation_id": "\(correlationID)", "status": "\(response.status.rawValue)", "url": "\(configuration.url)",
                ])
                return
            case .refused(let reason):
                logger.warning("the Producer server refused the Response", metadata: ["correlation_id": "\(correlationID)", "reason": "\(reason)"])
                return
            case .failed(let reason) where attempt == configuration.attempts:
                logger.error("the Response could not be forwarded; giving up", metadata: [
                    "correlation_id": "\(correlationID)", "attempts": "\(attempt)", "error": "\(reason)",
                ])
            case .failed(let reason):
                if attempt == 1 {
                    logger.warning("forwarding the Response failed; retrying", metadata: ["correlation_id": "\(correlationID)", "error": "\(reason)"])
                }
                try? await Task.sleep(for: wait)
                wait *= 2
            }
        }
    }
}

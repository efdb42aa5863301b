import AsyncHTTPClient
import BastionHTTPClient
import Logging
import NIOCore
import NIOSSL
import OpenC2

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// What came back for a Command.
public struct ProducerReply: Sendable {
    /// The Response; `nil` when the Consumer answered with an empty body (`response_requested: none`).
    public var response: Response?
    /// The HTTP status.
    public var httpStatus: Int
    /// The request id the Command was sent with.
    public var requestID: String
    /// The v1.1 message headers of the reply, if it was an envelope.
    public var headers: Headers?
}

/// Why a Command got no usable reply.
public struct ProducerError: Error, CustomStringConvertible, Sendable {
    public enum Kind: String, Sendable {
        /// Connecting, TLS or the HTTP exchange failed.
        case transport
        /// The reply was not an OpenC2 Response we could read.
        case invalidReply
        /// The reply's request id is not the one sent (HTTPS v1.1 §3.3.3).
        case correlationMismatch
    }

    public let kind: Kind
    public let message: String
    /// For a `.transport` failure, its class: refused, unknown host, TLS, timeout, ….
    public let transportFailure: TransportFailure.Kind?
    public var description: String { message }

    init(kind: Kind, message: String, transportFailure: TransportFailure.Kind? = nil) {
        self.kind = kind
        self.message = message
        self.transportFailure = transportFailure
    }
}

/// An OpenC2 Producer over HTTPS: sends Commands to one Consumer and reads the Responses.
///
/// ```swift
/// let tls = try TLSPolicy.client(caPath: "ca.pem", certificatePath: "client.pem", keyPath: "client-key.pem")
/// let producer = Producer(endpoint: "https://127.0.0.1:8443/.well-known/openc2", tls: tls)
/// let reply = try await producer.send(Command(.query, .features([.versions])))
/// ```
public struct Producer: Sendable {
    /// The Consumer's URL, path included.
    public let endpoint: String
    /// TLS settings for an `https` endpoint (`nil`: system roots, no client certificate).
    public let tls: TLSConfiguration?
    /// v1.1 (envelope) unless asked otherwise.
    public let wireFormat: WireFormat
    /// How long a whole exchange may take.
    public let timeout: Duration
    /// Sent as `from` in v1.1 message headers when set.
    public let identity: String?
    let client: HTTPClient
    let decoder: OpenC2Decoder

    /// The client Producers use unless given one: it reports a refused connection, an unknown
    /// host or a failed TLS handshake at once, and gives up connecting after
    /// `HTTPClient.Configuration.defaultConnectTimeout` (5 s); only a Consumer that accepts the
    /// connection and then does not answer makes a Producer wait for its `timeout`. Like
    /// `HTTPClient.shared`, it lives as long as the process and is never shut down.
    public static let sharedHTTPClient = HTTPClient(
        eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: .failingFast())

    /// A Producer for the Consumer at `endpoint`. `httpClient` defaults to ``sharedHTTPClient``;
    /// pass your own (made from `HTTPClient.Configuration.failingFast(connectTimeout:)`) to
    /// change the connect timeout or tune its connection pool.
    public init(
        endpoint: String,
        tls: TLSConfiguration? = nil,
        wireFormat: WireFormat = .v1_1,
        timeout: Duration = .seconds(30),
        identity: String? = nil,
        profiles: [any OpenC2Profile] = [],
        httpClient: HTTPClient = Producer.sharedHTTPClient
    ) {
        self.endpoint = endpoint
        self.tls = tls
        self.wireFormat = wireFormat
        self.timeout = timeout
        self.identity = identity
        self.client = httpClient
        self.decoder = OpenC2Decoder(profiles: profiles)
    }

    /// Sends `command` with a fresh UUIDv4 request id (in `X-Request-ID` and, for v1.1, in
    /// `headers.request_id`) and returns the Consumer's reply.
    public func send(_ command: Command, requestID: String = UUID().uuidString.lowercased()) async throws(ProducerError) -> ProducerReply {
        let request = self.request(for: command, requestID: requestID)
        let status: Int
        let contentType: String?
        let replyRequestID: String?
        var body: ByteBuffer
        do {
            let response = try await client.execute(request, timeout: TimeAmount(timeout))
            status = Int(response.status.code)
            contentType = response.headers.first(name: "Content-Type")
            replyRequestID = response.headers.first(name: "X-Request-ID")
            body = try await response.body.collect(upTo: Self.maximumReplySize)
        } catch {
            let failure = TransportFailure(classifying: error, timeout: timeout, connectTimeout: nil, maximumReplySize: Self.maximumReplySize)
            throw ProducerError(kind: .transport, message: "cannot reach \(endpoint): \(failure)", transportFailure: failure.kind)
        }
        if let replyRequestID, replyRequestID != requestID {
            throw ProducerError(kind: .correlationMismatch, message: "the reply's X-Request-ID \(replyRequestID) is not the request's \(requestID)")
        }
        guard body.readableBytes > 0 else {
            return ProducerReply(response: nil, httpStatus: status, requestID: requestID, headers: nil)
        }
        let bytes = body.readBytes(length: body.readableBytes) ?? []
        guard let format = contentType.flatMap(WireFormat.init(responseContentType:)) else {
            throw ProducerError(kind: .invalidReply, message: "HTTP \(status) with an unexpected Content-Type \(contentType.map { "'\($0)'" } ?? "(none)"): \(String(decoding: bytes.prefix(200), as: UTF8.self))")
        }
        let response: Response
        var headers: Headers?
        do throws(OpenC2Error) {
            switch format {
            case .v1_0:
                response = try decoder.decode(Response.self, from: bytes)
            case .v1_1:
                let message = try decoder.decode(Message.self, from: bytes)
                guard case .response(let carried) = message.content else {
                    throw OpenC2Error(.unknownMessage, "the reply carries no response")
                }
                response = carried
                headers = message.headers
            }
        } catch {
            throw ProducerError(kind: .invalidReply, message: "HTTP \(status), but the reply is not a valid OpenC2 Response: \(error)")
        }
        if let echoed = headers?.requestID, echoed != requestID {
            let text = response.statusText.map { ": \($0)" } ?? ""
            throw ProducerError(kind: .correlationMismatch, message: "the reply (status \(response.status.rawValue)\(text)) carries request_id \(echoed), not the request's \(requestID)")
        }
        return ProducerReply(response: response, httpStatus: status, requestID: requestID, headers: headers)
    }

    /// Replies larger than this (16 MiB) are refused.
    public static let maximumReplySize = 16 << 20

    /// The HTTP request that carries `command` to the Consumer, as ``send(_:requestID:)`` sends
    /// it: `POST` to ``endpoint`` with the wire format's `Content-Type` and `Accept`, `Date`
    /// (IMF-fixdate, `date` if given), `Cache-Control: no-cache`, `X-Request-ID`, and the
    /// Command (bare for v1.0, in a message envelope carrying `requestID` for v1.1).
    public func request(for command: Command, requestID: String, date: String? = nil) -> HTTPClientRequest {
        var request = HTTPClientRequest(url: endpoint)
        request.method = .POST
        request.tlsConfiguration = tls
        request.headers.add(name: "Content-Type", value: wireFormat.requestContentType)
        request.headers.add(name: "Accept", value: wireFormat.responseContentType)
        request.headers.add(name: "Date", value: date ?? HTTPDate.string())
        request.headers.add(name: "Cache-Control", value: "no-cache")
        request.headers.add(name: "X-Request-ID", value: requestID)
        request.body = .bytes(ByteBuffer(bytes: encode(command, requestID: requestID)))
        return request
    }

    /// The request body in the wire format.
    func encode(_ command: Command, requestID: String) -> [UInt8] {
        switch wireFormat {
        case .v1_0:
            return OpenC2Encoder().encode(command)
        case .v1_1:
            let created = DateTime(millisecondsSince1970: UInt64(max(0, Date().timeIntervalSince1970 * 1000)))
            return OpenC2Encoder().encode(Message(headers: Headers(requestID: requestID, created: created, from: identity), content: .request(command)))
        }
    }
}

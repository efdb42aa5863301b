import BastionHTTPServer
import Logging
import NIOHTTP1
import NIOSSL
import OpenC2
import ServiceLifecycle

/// How a Consumer is reached.
public enum ConsumerTransport: Sendable {
    /// HTTPS with this server configuration (``TLSPolicy/server(certificatePath:keyPath:clientCAPath:)``).
    case https(TLSConfiguration)
    /// Plain HTTP: the transfer's Testing mode. Never combined with HTTPS on one Consumer.
    case plainHTTPForTesting
}

/// Everything a ``Consumer`` needs to run.
public struct ConsumerConfiguration: Sendable {
    /// The address to listen on.
    public var host: String
    /// The port to listen on; 0 picks a free one (see ``Consumer/init(configuration:handler:logger:onListening:)``).
    public var port: Int
    public var transport: ConsumerTransport
    /// Path, body limit, authorization and profiles.
    public var exchange: ConsumerExchange.Configuration
    /// A connection with no traffic for this long is closed (half-open and idle clients); a
    /// kept-alive connection must also start its next request within this time.
    public var idleTimeout: Duration
    /// A new connection must have sent a complete request head (TLS handshake included)
    /// within this time, and a request its whole body within this time after the head.
    public var requestTimeout: Duration
    /// A new connection must finish its TLS handshake within this time.
    public var handshakeTimeout: Duration
    /// Connections accepted at once; further ones wait in the backlog.
    public var maximumConnections: Int
    /// Connections accepted at once from one IP address; further ones are closed at once.
    public var maximumConnectionsPerAddress: Int
    /// Whether every request is logged at `info` (peer, method, path, status, duration).
    public var accessLog: Bool

    /// A configuration; by default HTTPS on 127.0.0.1:443, 5 s for the TLS handshake, 10 s to
    /// send a request, 60 s idle timeout, 1024 connections and 64 from one address.
    public init(
        host: String = "127.0.0.1",
        port: Int = 443,
        transport: ConsumerTransport,
        exchange: ConsumerExchange.Configuration = ConsumerExchange.Configuration(),
        idleTimeout: Duration = .seconds(60),
        requestTimeout: Duration = .seconds(10),
        handshakeTimeout: Duration = .seconds(5),
        maximumConnections: Int = 1024,
        maximumConnectionsPerAddress: Int = 64,
        accessLog: Bool = false
    ) {
        self.host = host
        self.port = port
        self.transport = transport
        self.exchange = exchange
        self.idleTimeout = idleTimeout
        self.requestTimeout = requestTimeout
        self.handshakeTimeout = handshakeTimeout
        self.maximumConnections = maximumConnections
        self.maximumConnectionsPerAddress = maximumConnectionsPerAddress
        self.accessLog = accessLog
    }

    /// The settings of the HTTP server under the Consumer.
    var server: HTTPServerConfiguration {
        let transport: HTTPServerConfiguration.Transport = switch self.transport {
        case .https(let tls): .https(tls)
        case .plainHTTPForTesting: .plainHTTP
        }
        return HTTPServerConfiguration(
            name: "openc2-consumer", host: host, port: port, transport: transport,
            maximumBodySize: exchange.maximumBodySize, handshakeTimeout: handshakeTimeout,
            requestTimeout: requestTimeout, idleTimeout: idleTimeout, maximumConnections: maximumConnections,
            maximumConnectionsPerAddress: maximumConnectionsPerAddress, accessLog: accessLog
        )
    }
}

/// An OpenC2 Consumer: an HTTPS (or, for testing, HTTP) server that accepts Commands at
/// `POST /.well-known/openc2` and answers them through a ``CommandHandler``. The HTTP server is
/// `BastionHTTPServer`'s; the Consumer is its responder (``ConsumerExchange``).
///
/// It is a ServiceLifecycle `Service`: run it in a `ServiceGroup` for graceful shutdown on
/// SIGINT/SIGTERM. On shutdown it stops accepting connections, answers 503 to new Commands,
/// lets in-flight requests finish and waits for `ack`ed Commands still executing.
///
/// ```swift
/// let tls = try TLSPolicy.server(certificatePath: "server.pem", keyPath: "server-key.pem", clientCAPath: "ca.pem")
/// let consumer = Consumer(configuration: ConsumerConfiguration(port: 8443, transport: .https(tls)), handler: handler)
/// try await ServiceGroup(services: [consumer], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger).run()
/// ```
public struct Consumer: Service {
    public let configuration: ConsumerConfiguration
    let handler: any CommandHandler
    let logger: Logger
    let onListening: @Sendable (Int) async -> Void

    /// A Consumer; `onListening` is called with the bound port once the server accepts connections.
    public init(
        configuration: ConsumerConfiguration,
        handler: any CommandHandler,
        logger: Logger = Logger(label: "bastion.openc2.consumer"),
        onListening: @escaping @Sendable (Int) async -> Void = { _ in }
    ) {
        self.configuration = configuration
        self.handler = handler
        self.logger = logger
        self.onListening = onListening
    }

    public func run() async throws {
        let (jobs, jobQueue) = AsyncStream.makeStream(of: (@Sendable () async -> Void).self)
        let exchange = ConsumerExchange(configuration: configuration.exchange, handler: handler, logger: logger) { work in
            jobQueue.yield(work)
        }
        let configuration = self.configuration
        let (logger, onListening) = (self.logger, self.onListening)
        let server = HTTPServer(
            configuration: configuration.server, responder: ConsumerResponder(exchange: exchange), logger: logger,
            onListening: { port in
                let secure = if case .https = configuration.transport { true } else { false }
                logger.info("consumer listening", metadata: [
                    "url": "\(secure ? "https" : "http")://\(configuration.host):\(port)\(configuration.exchange.path)", "mutual_tls": "\(secure)",
                ])
                await onListening(port)
            },
            // New Commands get 503 from now on; the server closes its connections, then the
            // work of ack'ed Commands drains.
            onShutdown: { exchange.stopAccepting() }
        )
        try await withThrowingDiscardingTaskGroup { tasks in
            tasks.addTask {
                defer { jobQueue.finish() }
                try await server.run()
            }
            for await job in jobs {
                tasks.addTask { await job() }
            }
        }
        logger.info("consumer stopped")
    }
}

/// The Consumer as the HTTP server's responder: a request becomes a ``ConsumerRequest`` for the
/// exchange, and its ``ConsumerReply`` the response.
struct ConsumerResponder: HTTPResponder {
    let exchange: ConsumerExchange

    func respond(to request: HTTPServerRequest) async -> HTTPServerResponse {
        let reply = await exchange.respond(to: ConsumerRequest(
            method: request.method, path: request.path, contentType: request.headers.first(name: "content-type"),
            requestIDHeader: request.headers.first(name: "x-request-id"), body: request.body, peer: request.peerIdentity
        ))
        return HTTPServerResponse(status: reply.status, headers: HTTPHeaders(reply.headers), body: reply.body)
    }
}

/// Why a ``Consumer`` could not run: the server layer's error (TLS settings unusable, the
/// address not bound), as the Consumer's own name.
public typealias ConsumerError = HTTPServerError

import Logging
import NIOCore
import NIOExtras
import NIOHTTP1
import NIOPosix
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
    /// Connections accepted at once; further ones wait in the backlog.
    public var maximumConnections: Int

    /// A configuration; by default HTTPS on 127.0.0.1:443, 10 s to send a request, 60 s idle
    /// timeout and 1024 connections.
    public init(
        host: String = "127.0.0.1",
        port: Int = 443,
        transport: ConsumerTransport,
        exchange: ConsumerExchange.Configuration = ConsumerExchange.Configuration(),
        idleTimeout: Duration = .seconds(60),
        requestTimeout: Duration = .seconds(10),
        maximumConnections: Int = 1024
    ) {
        self.host = host
        self.port = port
        self.transport = transport
        self.exchange = exchange
        self.idleTimeout = idleTimeout
        self.requestTimeout = requestTimeout
        self.maximumConnections = maximumConnections
    }
}

/// An OpenC2 Consumer: an HTTPS (or, for testing, HTTP) server that accepts Commands at
/// `POST /.well-known/openc2` and answers them through a ``CommandHandler``.
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
        let group = MultiThreadedEventLoopGroup.singleton
        let quiescing = ServerQuiescingHelper(group: group)
        let listener = try await listen(exchange: exchange, quiescing: quiescing, group: group)
        let port = listener.localAddress?.port ?? configuration.port
        let secure = if case .https = configuration.transport { true } else { false }
        logger.info("consumer listening", metadata: [
            "url": "\(secure ? "https" : "http")://\(configuration.host):\(port)\(configuration.exchange.path)", "mutual_tls": "\(secure)",
        ])
        await onListening(port)

        let allClosed = group.next().makePromise(of: Void.self)
        try await withTaskCancellationOrGracefulShutdownHandler {
            try await withThrowingDiscardingTaskGroup { tasks in
                tasks.addTask {
                    defer { jobQueue.finish() }
                    try await allClosed.futureResult.get()
                }
                for await job in jobs {
                    tasks.addTask { await job() }
                }
            }
        } onCancelOrGracefulShutdown: {
            // New Commands get 503 from now on; the listener closes, idle connections close,
            // busy ones once their response is written; then the work of ack'ed Commands drains.
            exchange.stopAccepting()
            quiescing.initiateShutdown(promise: allClosed)
        }
        logger.info("consumer stopped")
    }

    /// Binds the listening socket, each accepted connection getting TLS (unless in testing
    /// mode), HTTP/1.1, the request deadlines and the exchange.
    private func listen(exchange: ConsumerExchange, quiescing: ServerQuiescingHelper, group: any EventLoopGroup) async throws -> any Channel {
        let tls: NIOSSLContext? = switch configuration.transport {
        case .https(let configuration): try NIOSSLContext(configuration: configuration)
        case .plainHTTPForTesting: nil
        }
        let maximumConnections = configuration.maximumConnections
        let (requestTimeout, idleTimeout) = (TimeAmount(configuration.requestTimeout), TimeAmount(configuration.idleTimeout))
        let logger = self.logger
        do {
            return try await ServerBootstrap(group: group)
                .serverChannelOption(.backlog, value: 256)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .serverChannelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandlers(
                            quiescing.makeServerChannelHandler(channel: channel), ConnectionLimiter(maximum: maximumConnections))
                    }
                }
                .childChannelOption(.tcpOption(.tcp_nodelay), value: 1)
                .childChannelOption(.maxMessagesPerRead, value: 16)
                .childChannelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        let pipeline = channel.pipeline.syncOperations
                        if let tls { try pipeline.addHandler(NIOSSLServerHandler(context: tls)) }
                        try pipeline.configureHTTPServerPipeline(withErrorHandling: true)
                        try pipeline.addHandlers(
                            RequestDeadlineHandler(headerTimeout: requestTimeout, bodyTimeout: requestTimeout, keepAliveTimeout: idleTimeout, logger: logger),
                            ConsumerHTTPHandler(exchange: exchange))
                    }
                }
                .bind(host: configuration.host, port: configuration.port)
                .get()
        } catch {
            throw ConsumerError(message: "cannot listen on \(configuration.host):\(configuration.port): \(error)")
        }
    }
}

/// Why a ``Consumer`` could not run.
public struct ConsumerError: Error, CustomStringConvertible {
    /// What went wrong, e.g. `cannot listen on 127.0.0.1:8443: … Address already in use`.
    public let message: String
    public var description: String { message }
}

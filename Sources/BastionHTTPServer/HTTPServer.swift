import Logging
import NIOCore
import NIOExtras
import NIOHTTP1
import NIOPosix
import NIOSSL
import ServiceLifecycle

/// The HTTP/1.1 server every Bastion server stands on: HTTPS (or plain HTTP for testing) with
/// body limits, handshake, header, body and idle deadlines, `Expect: 100-continue`, pipelining
/// in order, `Connection: close` and HTTP/1.0, global and per-address connection limits, an
/// access log, and graceful quiescing shutdown. It knows nothing of what it serves: each
/// complete request goes to a ``HTTPResponder``.
///
/// It is a ServiceLifecycle `Service`. On graceful shutdown (or cancellation) it calls
/// `onShutdown`, stops accepting, closes idle connections and busy ones once their reply is
/// written, and returns when every connection is closed.
///
/// ```swift
/// let server = HTTPServer(configuration: .init(name: "example", port: 8080, transport: .plainHTTP), responder: responder)
/// try await ServiceGroup(services: [server], gracefulShutdownSignals: [.sigterm], logger: logger).run()
/// ```
public struct HTTPServer: Service {
    public let configuration: HTTPServerConfiguration
    let responder: any HTTPResponder
    let logger: Logger
    let onListening: @Sendable (Int) async -> Void
    let onShutdown: @Sendable () -> Void

    /// A server; `onListening` is called with the bound port once it accepts connections,
    /// `onShutdown` when a graceful shutdown begins.
    public init(
        configuration: HTTPServerConfiguration,
        responder: any HTTPResponder,
        logger: Logger,
        onListening: @escaping @Sendable (Int) async -> Void = { _ in },
        onShutdown: @escaping @Sendable () -> Void = {}
    ) {
        self.configuration = configuration
        self.responder = responder
        self.logger = logger
        self.onListening = onListening
        self.onShutdown = onShutdown
    }

    public func run() async throws {
        let group = MultiThreadedEventLoopGroup.singleton
        let quiescing = ServerQuiescingHelper(group: group)
        let events = ServerEvents(logger: logger, server: configuration.name, accessLog: configuration.accessLog)
        let listener = try await listen(quiescing: quiescing, group: group, events: events)
        await onListening(listener.localAddress?.port ?? configuration.port)

        let allClosed = group.next().makePromise(of: Void.self)
        try await withTaskCancellationOrGracefulShutdownHandler {
            try await allClosed.futureResult.get()
        } onCancelOrGracefulShutdown: {
            onShutdown()
            quiescing.initiateShutdown(promise: allClosed)
        }
    }

    /// Binds the listening socket; each accepted connection gets TLS (unless plain), the
    /// handshake deadline, HTTP/1.1, the request deadlines and a connection handler.
    private func listen(quiescing: ServerQuiescingHelper, group: any EventLoopGroup, events: ServerEvents) async throws -> any Channel {
        let tls: NIOSSLContext?
        switch configuration.transport {
        case .https(let tlsConfiguration):
            do { tls = try NIOSSLContext(configuration: tlsConfiguration) } catch {
                throw HTTPServerError(.tls, message: "cannot set up TLS: \(error)")
            }
        case .plainHTTP:
            tls = nil
        }
        let configuration = self.configuration
        let handshakeTimeout = TimeAmount(configuration.handshakeTimeout)
        let timeouts = RequestDeadlines.Timeouts(
            header: TimeAmount(configuration.requestTimeout), body: TimeAmount(configuration.requestTimeout), keepAlive: TimeAmount(configuration.idleTimeout))
        let responder = self.responder
        do {
            return try await ServerBootstrap(group: group)
                .serverChannelOption(.backlog, value: 256)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .serverChannelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandlers(
                            quiescing.makeServerChannelHandler(channel: channel),
                            ConnectionLimiter(maximum: configuration.maximumConnections, maximumPerAddress: configuration.maximumConnectionsPerAddress, events: events))
                    }
                }
                .childChannelOption(.tcpOption(.tcp_nodelay), value: 1)
                .childChannelOption(.maxMessagesPerRead, value: 16)
                .childChannelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        let pipeline = channel.pipeline.syncOperations
                        if let tls {
                            try pipeline.addHandler(NIOSSLServerHandler(context: tls))
                            try pipeline.addHandler(HandshakeDeadlineHandler(timeout: handshakeTimeout, events: events))
                        }
                        // NIO's request decoder, then one handler for everything else (response
                        // encoding, pipelining, deadlines, protocol errors, quiescing).
                        try pipeline.addHandlers(
                            ByteToMessageHandler(HTTPRequestDecoder(leftOverBytesStrategy: .dropBytes)),
                            HTTPConnectionHandler(responder: responder, maximumBodySize: configuration.maximumBodySize, timeouts: timeouts, events: events))
                    }
                }
                .bind(host: configuration.host, port: configuration.port)
                .get()
        } catch {
            throw HTTPServerError(.listen, message: "cannot listen on \(configuration.host):\(configuration.port): \(error)")
        }
    }
}

/// Why a ``HTTPServer`` could not run.
public struct HTTPServerError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The class of problem.
    public enum Kind: String, Sendable, Equatable, CaseIterable {
        /// The TLS configuration could not be turned into a TLS context (certificate, key, CA).
        case tls
        /// The address could not be bound (in use, not local, no permission).
        case listen
    }

    /// The class of problem.
    public let kind: Kind
    /// What went wrong, e.g. `cannot listen on 127.0.0.1:8443: … Address already in use`.
    public let message: String
    public var description: String { message }

    public init(_ kind: Kind, message: String) {
        self.kind = kind
        self.message = message
    }
}

import BastionPKI
import HTTPTypes
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import Logging
import NIOCore
import NIOSSL
import OpenC2
import ServiceLifecycle
import Synchronization

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
        let application = try makeApplication(exchange: exchange)
        try await withGracefulShutdownHandler {
            try await withThrowingDiscardingTaskGroup { group in
                group.addTask {
                    defer { jobQueue.finish() }
                    // No signal handling of its own: the ServiceGroup running this Consumer decides when it stops.
                    try await application.runService(gracefulShutdownSignals: [])
                }
                for await job in jobs {
                    group.addTask { await job() }
                }
            }
        } onGracefulShutdown: {
            exchange.stopAccepting()
        }
        logger.info("consumer stopped")
    }

    private func makeApplication(exchange: ConsumerExchange) throws -> some ApplicationProtocol {
        let limit = configuration.exchange.maximumBodySize
        let identities = PeerIdentityCache()
        let secure: Bool
        let responder = CallbackResponder<PeerAwareContext> { request, context in
            var body: [UInt8]?
            do {
                var buffer = try await request.body.collect(upTo: limit)
                body = buffer.readBytes(length: buffer.readableBytes)
            } catch {
                body = nil  // over the limit: answered 400 by the exchange
            }
            let reply = await exchange.respond(to: ConsumerRequest(
                method: request.method.rawValue,
                path: request.uri.path,
                contentType: request.headers[.contentType],
                requestIDHeader: request.headers[.requestID],
                body: body,
                peer: await identities.identity(of: context.channel)
            ))
            var fields = HTTPFields()
            for (name, value) in reply.headers {
                if let name = HTTPField.Name(name) { fields.append(HTTPField(name: name, value: value)) }
            }
            return Response(status: .init(code: reply.status), headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: reply.body)))
        }
        let (requestTimeout, idleTimeout) = (TimeAmount(configuration.requestTimeout), TimeAmount(configuration.idleTimeout))
        let http1 = HTTPServerBuilder.http1(configuration: .init(
            additionalChannelHandlers: [RequestDeadlineHandler(headerTimeout: requestTimeout, bodyTimeout: requestTimeout, keepAliveTimeout: idleTimeout)],
            idleTimeout: idleTimeout
        ))
        let server: HTTPServerBuilder
        switch configuration.transport {
        case .https(let tls):
            server = try .tls(http1, tlsConfiguration: tls)
            secure = true
        case .plainHTTPForTesting:
            server = http1
            secure = false
        }
        let onListening = self.onListening
        let logger = self.logger
        let host = configuration.host
        return Application(
            responder: responder,
            server: server,
            configuration: ApplicationConfiguration(
                address: .hostname(configuration.host, port: configuration.port),
                serverName: "Bastion",
                availableConnectionsDelegate: MaximumAvailableConnections(configuration.maximumConnections)
            ),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? 0
                logger.info("consumer listening", metadata: ["url": "\(secure ? "https" : "http")://\(host):\(port)\(exchange.configuration.path)", "mutual_tls": "\(secure)"])
                await onListening(port)
            },
            logger: logger
        )
    }
}

extension HTTPField.Name {
    /// `X-Request-ID` (HTTPS v1.1 §3.3.3).
    static let requestID = HTTPField.Name("X-Request-ID")!
}

extension TimeAmount {
    init(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        self = .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}

/// A request context that keeps the connection's channel, so the TLS peer can be asked for.
struct PeerAwareContext: Hummingbird.RequestContext {
    var coreContext: CoreRequestContextStorage
    let channel: any Channel

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        channel = source.channel
    }
}

/// The identity in each connection's verified client certificate, worked out once per
/// connection (not per request) and forgotten when the connection closes.
final class PeerIdentityCache: Sendable {
    private struct Entry { let identity: String? }
    private let entries = Mutex<[ObjectIdentifier: Entry]>([:])

    /// The identity of `channel`'s TLS peer, or `nil` without a client certificate (or TLS).
    func identity(of channel: any Channel) async -> String? {
        let key = ObjectIdentifier(channel)
        if let entry = entries.withLock({ $0[key] }) { return entry.identity }
        var identity: String? = nil
        if let certificate = try? await channel.nioSSL_peerCertificate().get(), let der = try? certificate.toDERBytes() {
            identity = PeerIdentity.identity(fromDER: der)
        }
        let isNew = entries.withLock { entries in
            defer { entries[key] = Entry(identity: identity) }
            return entries[key] == nil
        }
        if isNew {
            channel.closeFuture.whenComplete { [weak self] _ in
                _ = self?.entries.withLock { $0.removeValue(forKey: key) }
            }
        }
        return identity
    }
}

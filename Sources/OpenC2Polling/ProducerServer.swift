import BastionHTTPServer
import Logging
import NIOHTTP1
import ServiceLifecycle

/// The Producer as an HTTPS server for polling Consumers (OpenC2 HTTPS WD02), on the shared
/// HTTP server layer: ``ProducerServerExchange`` over mutual TLS, and a sweep that queues a
/// status query (`query` of target `command`) for each Command still processing after
/// `statusAfter`.
///
/// ```swift
/// let queue = try SQLiteCommandQueue(path: ".bastion/producer.sqlite")
/// let tls = try TLSPolicy.server(certificatePath: "server.pem", keyPath: "server-key.pem", clientCAPath: "ca.pem")
/// let server = ProducerServer(queue: queue, http: HTTPServerConfiguration(name: "producer", port: 8444, transport: .https(tls)))
/// try await ServiceGroup(services: [server], gracefulShutdownSignals: [.sigterm], logger: logger).run()
/// ```
public struct ProducerServer: Service {
    public let exchange: ProducerServerExchange
    public let http: HTTPServerConfiguration
    /// A Command processing longer than this gets a status query.
    public let statusAfter: Duration
    let queue: any CommandQueue
    let logger: Logger
    let onListening: @Sendable (Int) async -> Void

    public init(
        configuration: ProducerServerExchange.Configuration = .init(), queue: any CommandQueue, http: HTTPServerConfiguration,
        statusAfter: Duration = .seconds(60), logger: Logger = Logger(label: "bastion.openc2.producer-server"),
        onListening: @escaping @Sendable (Int) async -> Void = { _ in }
    ) {
        self.exchange = ProducerServerExchange(configuration: configuration, queue: queue, logger: logger)
        self.http = http
        self.statusAfter = statusAfter
        self.queue = queue
        self.logger = logger
        self.onListening = onListening
    }

    public func run() async throws {
        try await queue.prepare()
        let (logger, onListening, path) = (self.logger, self.onListening, exchange.configuration.path)
        let https = if case .https = http.transport { true } else { false }
        let server = HTTPServer(configuration: http, responder: PollingResponder(exchange: exchange), logger: logger, onListening: { port in
            logger.info("producer server listening", metadata: ["url": "\(https ? "https" : "http")://\(http.host):\(port)\(path)"])
            await onListening(port)
        })
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await self.sweepStatusQueries() }
            try await server.run()
            group.cancelAll()
        }
        logger.info("producer server stopped")
    }

    /// Queues a status query for each Command processing since before `now - statusAfter`, until cancelled.
    func sweepStatusQueries() async {
        let interval = max(Duration.seconds(1), statusAfter / 4)
        while !Task.isCancelled {
            await queueStatusQueries(now: ProducerServerExchange.now())
            try? await Task.sleep(for: interval)
        }
    }

    /// One sweep at `now` (milliseconds): returns the status queries queued.
    @discardableResult
    public func queueStatusQueries(now: Int64) async -> [QueuedCommand] {
        var queued: [QueuedCommand] = []
        do {
            for subject in try await queue.processing(since: now - ProducerServerExchange.milliseconds(statusAfter)) {
                let query = try await queue.queueStatusQuery(about: subject, now: now)
                logger.info("status query queued", metadata: ["command_id": "\(subject.commandID)", "consumer": "\(subject.consumer)", "query_id": "\(query.commandID)"])
                queued.append(query)
            }
        } catch {
            logger.error("cannot queue status queries", metadata: ["error": "\(error)"])
        }
        return queued
    }
}

/// The exchange as a responder of the HTTP server layer.
struct PollingResponder: HTTPResponder {
    let exchange: ProducerServerExchange

    func respond(to request: HTTPServerRequest) async -> HTTPServerResponse {
        let reply = await exchange.respond(to: PollingRequest(
            method: request.method, path: request.path, headers: request.headers.map { ($0.name, $0.value) }, body: request.body, peer: request.peerIdentity))
        return HTTPServerResponse(status: reply.status, headers: HTTPHeaders(reply.headers), body: reply.body)
    }
}

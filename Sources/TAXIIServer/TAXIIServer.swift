import BastionHTTPServer
import Logging
import NIOHTTP1
import NIOSSL
import ServiceLifecycle
import TAXIIClient

/// A TAXII 1.1 server (answering TAXII 1.0 requests too) on the shared HTTP server layer: a
/// ServiceLifecycle `Service` serving ``TAXIIExchange`` over HTTPS or plain HTTP, and, unless
/// push is off in the configuration, delivering push subscriptions (``SubscriptionPusher``).
///
/// ```swift
/// let store = try SQLiteTAXIIStore(path: "bastion-taxii.sqlite")
/// let server = TAXIIServer(configuration: TAXIIServerConfiguration(), store: store, http: .init(name: "taxii", port: 9000, transport: .plainHTTP))
/// try await ServiceGroup(services: [server], gracefulShutdownSignals: [.sigterm], logger: logger).run()
/// ```
public struct TAXIIServer: Service {
    public let configuration: TAXIIServerConfiguration
    public let http: HTTPServerConfiguration
    let exchange: TAXIIExchange
    let store: any TAXIIStore
    let logger: Logger
    let onListening: @Sendable (Int) async -> Void

    /// A server for `configuration` over `store`, listening as `http` says; `onListening` gets
    /// the bound port.
    public init(
        configuration: TAXIIServerConfiguration, store: any TAXIIStore, http: HTTPServerConfiguration,
        logger: Logger = Logger(label: "bastion.taxii.server"), onListening: @escaping @Sendable (Int) async -> Void = { _ in }
    ) {
        self.configuration = configuration
        self.http = http
        self.exchange = TAXIIExchange(configuration: configuration, store: store, logger: logger)
        self.store = store
        self.logger = logger
        self.onListening = onListening
    }

    public func run() async throws {
        try await store.prepare()
        let https = if case .https = http.transport { true } else { false }
        let (logger, onListening, http) = (self.logger, self.onListening, self.http)
        let server = HTTPServer(
            configuration: http, responder: TAXIIResponder(exchange: exchange, https: https), logger: logger,
            onListening: { port in
                logger.info("TAXII server listening", metadata: [
                    "url": "\(https ? "https" : "http")://\(http.host):\(port)", "users": "\(exchange.configuration.users.count)",
                    "collections": "\(exchange.configuration.collections.map(\.name).joined(separator: ","))",
                ])
                await onListening(port)
            })
        guard configuration.push.enabled else {
            try await server.run()
            await exchange.background.waitForAll()
            logger.info("TAXII server stopped")
            return
        }
        let client = try TAXIIClient(proxy: .none, tls: configuration.push.trust, timeout: configuration.push.timeout)
        let pusher = SubscriptionPusher(configuration: configuration, store: store, client: client, logger: logger)
        do {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { await pusher.run() }
                try await server.run()
                group.cancelAll()
                // Asynchronous poll results being built are finished, not left pending.
                await exchange.background.waitForAll()
            }
        } catch {
            try? await client.shutdown()
            throw error
        }
        try await client.shutdown()
        logger.info("TAXII server stopped")
    }
}

/// The TAXII exchange as a responder of the HTTP server layer.
struct TAXIIResponder: HTTPResponder {
    let exchange: TAXIIExchange
    let https: Bool
    /// A TAXII request is parsed, checked, read from the store (SQLite reads run where they are
    /// called) and written in one go: on the event loop, with no thread hand-offs.
    var respondsOnEventLoop: Bool { true }

    func respond(to request: HTTPServerRequest) async -> HTTPServerResponse {
        let reply = await exchange.respond(to: TAXIIRequest(
            method: request.method, path: request.path, headers: request.headers.map { ($0.name, $0.value) }, body: request.body, https: https))
        return HTTPServerResponse(status: reply.status, headers: HTTPHeaders(reply.headers), body: reply.body)
    }
}

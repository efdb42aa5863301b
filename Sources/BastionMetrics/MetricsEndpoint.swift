import BastionHTTPServer
import CoreMetrics
import NIOHTTP1
import Logging
import Prometheus

/// The operator's window into a running Bastion server, served on an address of its own (plain
/// HTTP; keep it on loopback or a management network):
/// - `GET /metrics`: every metric in the Prometheus text format;
/// - `GET /health`: `200 ok` when `isHealthy()` says the server is serving (for an SLPF
///   Consumer: listening, with the firewall rebuilt from its store), else `503`.
///
/// ``bootstrap()`` once per process makes swift-metrics report into the registry it serves.
public struct MetricsEndpoint: HTTPResponder {
    /// The registry `/metrics` shows.
    public let registry: PrometheusCollectorRegistry
    let isHealthy: @Sendable () -> Bool

    public init(registry: PrometheusCollectorRegistry, isHealthy: @escaping @Sendable () -> Bool) {
        self.registry = registry
        self.isHealthy = isHealthy
    }

    /// Makes swift-metrics report to a new registry, and returns it. Call it once per process,
    /// before the first metric is made.
    public static func bootstrap() -> PrometheusCollectorRegistry {
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        return registry
    }

    public func respond(to request: HTTPServerRequest) async -> HTTPServerResponse {
        guard request.method == "GET" || request.method == "HEAD" else {
            return HTTPServerResponse(status: 405, headers: ["Allow": "GET, HEAD"])
        }
        switch request.path {
        case "/metrics":
            return HTTPServerResponse(status: 200, headers: ["Content-Type": "text/plain; version=0.0.4; charset=utf-8"], body: registry.emitToBuffer())
        case "/health":
            let healthy = isHealthy()
            return HTTPServerResponse(status: healthy ? 200 : 503, headers: ["Content-Type": "text/plain"], body: Array((healthy ? "ok\n" : "not serving\n").utf8))
        default:
            return HTTPServerResponse(status: 404, headers: ["Content-Type": "text/plain"], body: Array("GET /metrics or /health\n".utf8))
        }
    }

    /// The plain-HTTP server for this endpoint on `host`:`port`.
    public func server(host: String, port: Int, logger: Logger, onListening: @escaping @Sendable (Int) async -> Void = { _ in }) -> HTTPServer {
        HTTPServer(
            configuration: HTTPServerConfiguration(name: "metrics", host: host, port: port, transport: .plainHTTP, maximumBodySize: 1024),
            responder: self, logger: logger, onListening: onListening)
    }
}

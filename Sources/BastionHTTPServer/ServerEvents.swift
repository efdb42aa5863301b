import CoreMetrics
import Logging
import NIOConcurrencyHelpers
import NIOCore

/// The one place where a server's events are logged and counted, so every Bastion server
/// reports alike.
///
/// Logs carry `server`, `peer_address`, `peer`, `method`, `path`, `status` and `duration_ms`
/// metadata; the access log (one line per request, at `info`) is off unless asked for, and
/// refused connections make one warning per ``refusalInterval`` with the counts by reason.
///
/// Metrics (swift-metrics; Prometheus names): `bastion_http_requests_total{server,status}`,
/// `bastion_http_request_duration_seconds{server}`, `bastion_http_connections_open{server}`,
/// `bastion_http_connections_refused_total{server,reason}` (reason `global_limit`,
/// `per_address_limit`, `handshake_deadline`) and `bastion_tls_handshake_failures_total{server,reason}`.
final class ServerEvents: Sendable {
    let logger: Logger
    let accessLog: Bool
    let server: String
    /// The shortest time between two warnings about refused connections.
    static let refusalInterval = TimeAmount.seconds(10)
    private let refusals = NIOLockedValueBox(Refusals())
    private let duration: CoreMetrics.Timer
    private let connectionsOpen: Meter
    private let requests = CounterFamily(label: "bastion_http_requests_total", dimensions: ["server", "status"])
    private let handshakeFailures = CounterFamily(label: "bastion_tls_handshake_failures_total", dimensions: ["server", "reason"])
    private let refusedConnections = CounterFamily(label: "bastion_http_connections_refused_total", dimensions: ["server", "reason"])

    private struct Refusals {
        var counts: [String: Int] = [:]
        var lastWarning: NIODeadline?
    }

    init(logger: Logger, server: String, accessLog: Bool) {
        var logger = logger
        logger[metadataKey: "server"] = "\(server)"
        self.logger = logger
        self.accessLog = accessLog
        self.server = server
        self.duration = CoreMetrics.Timer(label: "bastion_http_request_duration_seconds", dimensions: [("server", server)])
        self.connectionsOpen = Meter(label: "bastion_http_connections_open", dimensions: [("server", server)])
    }

    func request(_ request: HTTPServerRequest, status: Int, started: NIODeadline) {
        let nanoseconds = (NIODeadline.now() - started).nanoseconds
        duration.recordNanoseconds(nanoseconds)
        requests.increment(server, String(status))
        guard accessLog else { return }
        let milliseconds = Double(nanoseconds) / 1_000_000
        logger.info("request", metadata: [
            "peer_address": "\(request.peerAddress ?? "unknown")", "peer": "\(request.peerIdentity ?? "none")",
            "method": "\(request.method)", "path": "\(request.path)", "status": "\(status)",
            "duration_ms": "\((milliseconds * 1000).rounded() / 1000)",
        ])
    }

    func connectionOpened() { connectionsOpen.increment() }

    func connectionClosed() { connectionsOpen.decrement() }

    func connectionError(_ error: any Error, channel: any Channel) {
        // TLS handshake failures (no or wrong client certificate) and broken connections end here.
        if let reason = Self.handshakeFailure(error) {
            handshakeFailures.increment(server, reason)
        }
        logger.debug("connection closed on error", metadata: [
            "peer_address": "\(channel.remoteAddress?.ipAddress ?? "unknown")", "error": "\(error)",
        ])
    }

    /// A responder's reply could not be written as it was (a header that would split it): a bug
    /// in the responder, so an error; the client got a 500 instead.
    func replyRefused(_ error: any Error, channel: any Channel) {
        logger.error("reply refused, 500 sent instead", metadata: [
            "peer_address": "\(channel.remoteAddress?.ipAddress ?? "unknown")", "error": "\(error)",
        ])
    }

    func slowConnectionClosed(reason: String, channel: any Channel) {
        logger.debug("closing a slow connection", metadata: [
            "reason": "\(reason)", "peer_address": "\(channel.remoteAddress?.ipAddress ?? "unknown")",
        ])
    }

    /// Counts a refused connection; logs one warning with the counts since the last one, at
    /// most once per ``refusalInterval``.
    func refused(reason: String, address: String?) {
        refusedConnections.increment(server, reason)
        let now = NIODeadline.now()
        let report: [String: Int]? = refusals.withLockedValue { refusals in
            refusals.counts[reason, default: 0] += 1
            if let last = refusals.lastWarning, now - last < Self.refusalInterval { return nil }
            refusals.lastWarning = now
            defer { refusals.counts = [:] }
            return refusals.counts
        }
        guard let report else { return }
        logger.warning("refusing connections", metadata: [
            "counts": "\(report.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " "))",
            "last_peer_address": "\(address ?? "unknown")",
        ])
    }

    /// The reason label of a TLS handshake failure, or `nil` for an error that is not one.
    static func handshakeFailure(_ error: any Error) -> String? {
        let text = String(describing: error)
        guard text.contains("SSL") || text.contains("TLS") || text.contains("handshake") else { return nil }
        if text.contains("CERTIFICATE_REQUIRED") || text.contains("PEER_DID_NOT_RETURN_A_CERTIFICATE") { return "no_client_certificate" }
        if text.contains("CERTIFICATE_VERIFY_FAILED") || text.contains("CERTIFICATE") { return "bad_certificate" }
        if text.contains("VERSION") || text.contains("PROTOCOL") || text.contains("CIPHER") { return "protocol" }
        return "other"
    }
}

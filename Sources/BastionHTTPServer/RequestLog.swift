import Logging
import NIOConcurrencyHelpers
import NIOCore

/// The one place a server's per-request and per-connection log lines are made, so every Bastion
/// server logs alike: `server`, `peer_address`, `peer`, `method`, `path`, `status` and
/// `duration_ms` metadata. The access log (one line per request, at `info`) is off unless asked
/// for; refusals under load are logged as one warning per ``refusalInterval`` with counts.
final class RequestLog: Sendable {
    let logger: Logger
    let accessLog: Bool
    /// The shortest time between two warnings about refused connections.
    static let refusalInterval = TimeAmount.seconds(10)
    private let refusals = NIOLockedValueBox(Refusals())

    private struct Refusals {
        var counts: [String: Int] = [:]
        var lastWarning: NIODeadline?
    }

    init(logger: Logger, server: String, accessLog: Bool) {
        var logger = logger
        logger[metadataKey: "server"] = "\(server)"
        self.logger = logger
        self.accessLog = accessLog
    }

    func request(_ request: HTTPServerRequest, status: Int, started: NIODeadline) {
        guard accessLog else { return }
        let milliseconds = Double((NIODeadline.now() - started).nanoseconds) / 1_000_000
        logger.info("request", metadata: [
            "peer_address": "\(request.peerAddress ?? "unknown")", "peer": "\(request.peerIdentity ?? "none")",
            "method": "\(request.method)", "path": "\(request.path)", "status": "\(status)",
            "duration_ms": "\((milliseconds * 1000).rounded() / 1000)",
        ])
    }

    func connectionError(_ error: any Error, channel: any Channel) {
        // TLS handshake failures (no or wrong client certificate) and broken connections end here.
        logger.debug("connection closed on error", metadata: [
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
}

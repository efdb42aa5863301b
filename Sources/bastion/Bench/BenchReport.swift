import Foundation
import OpenC2
import OpenC2HTTPS

/// What one worker (or all of them, merged) saw during the measured window.
struct WorkerResult: Sendable {
    /// Latency of every request answered in the window, in nanoseconds.
    var latencies: [Int64] = []
    /// Replies by HTTP status.
    var statuses: [Int: Int] = [:]
    /// Requests without a usable reply.
    var errors = 0
    /// A few distinct error messages.
    var errorSamples: [String] = []
    /// CPU seconds the load generator used in the window (set by the window task).
    var cpuSeconds = 0.0
    /// Connections the HTTP client opened in the window (set by the window task).
    var connectionsOpened = 0

    mutating func merge(_ other: WorkerResult) {
        latencies.append(contentsOf: other.latencies)
        statuses.merge(other.statuses, uniquingKeysWith: +)
        errors += other.errors
        for sample in other.errorSamples where errorSamples.count < 5 && !errorSamples.contains(sample) {
            errorSamples.append(sample)
        }
        cpuSeconds += other.cpuSeconds
        connectionsOpened += other.connectionsOpened
    }
}

/// Latency percentiles by nearest rank over the sorted samples.
struct LatencySummary: Sendable {
    let p50: Double
    let p90: Double
    let p99: Double
    let max: Double
    let mean: Double

    /// Figures in milliseconds from samples in nanoseconds.
    init(nanoseconds samples: [Int64]) {
        guard !samples.isEmpty else {
            (p50, p90, p99, max, mean) = (0, 0, 0, 0, 0)
            return
        }
        let sorted = samples.sorted()
        func milliseconds(_ value: Int64) -> Double { Double(value) / 1_000_000 }
        func percentile(_ fraction: Double) -> Double {
            let rank = Int((fraction * Double(sorted.count)).rounded(.up))
            return milliseconds(sorted[Swift.max(0, Swift.min(sorted.count - 1, rank - 1))])
        }
        p50 = percentile(0.50)
        p90 = percentile(0.90)
        p99 = percentile(0.99)
        max = milliseconds(sorted[sorted.count - 1])
        mean = milliseconds(sorted.reduce(0, +)) / Double(sorted.count)
    }
}

/// The result of a `bastion bench consumer` run, as text or JSON.
struct BenchReport: Sendable {
    let endpoint: String
    let connections: Int
    let newConnectionPerRequest: Bool
    let wire: WireFormat
    let actuator: String?
    let warmup: Double
    let duration: Double
    let decodeReplies: Bool
    let result: WorkerResult

    var requests: Int { result.latencies.count }
    var requestsPerSecond: Double { Double(requests) / duration }
    var latency: LatencySummary { LatencySummary(nanoseconds: result.latencies) }
    var mode: String { newConnectionPerRequest ? "new-connection-per-request" : "keep-alive" }

    var text: String {
        let latency = self.latency
        let statuses = result.statuses.sorted { $0.key < $1.key }.map { "\($0.key) × \($0.value)" }.joined(separator: ", ")
        let target = actuator.map { " at actuator \($0)" } ?? ""
        var lines = [
            "bastion bench consumer → \(endpoint)",
            "  \(connections) connections, \(mode), wire \(wire), query features [versions, profiles]\(target)\(decodeReplies ? ", replies decoded" : "")",
            "  measured \(Self.format(duration, 1)) s after \(Self.format(warmup, 1)) s of warm-up",
            "requests      \(requests)  (\(Self.format(requestsPerSecond, 1)) requests/s)",
            "latency       p50 \(Self.format(latency.p50, 3)) ms   p90 \(Self.format(latency.p90, 3)) ms   p99 \(Self.format(latency.p99, 3)) ms   max \(Self.format(latency.max, 3)) ms   (mean \(Self.format(latency.mean, 3)) ms)",
            "errors        \(result.errors)",
            "statuses      \(statuses.isEmpty ? "none" : statuses)",
            "connections   \(result.connectionsOpened) opened while measuring",
            "client CPU    \(Self.format(result.cpuSeconds, 2)) s in \(Self.format(duration, 1)) s (\(Self.format(result.cpuSeconds / duration, 2)) cores)",
        ]
        for sample in result.errorSamples { lines.append("  error: \(sample)") }
        return lines.joined(separator: "\n")
    }

    var json: String {
        let latency = self.latency
        let statuses = JSONObject(result.statuses.sorted { $0.key < $1.key }.map { (key: String($0.key), value: JSONValue.integer(Int64($0.value))) })
        let object: JSONObject = [
            "url": .string(endpoint),
            "connections": .integer(Int64(connections)),
            "mode": .string(mode),
            "wire": .string(wire.rawValue),
            "actuator": actuator.map(JSONValue.string) ?? .null,
            "decode_replies": .bool(decodeReplies),
            "warmup_s": .number(warmup),
            "duration_s": .number(duration),
            "requests": .integer(Int64(requests)),
            "requests_per_second": .number(Self.rounded(requestsPerSecond, 1)),
            "latency_ms": .object([
                "p50": .number(Self.rounded(latency.p50, 3)),
                "p90": .number(Self.rounded(latency.p90, 3)),
                "p99": .number(Self.rounded(latency.p99, 3)),
                "max": .number(Self.rounded(latency.max, 3)),
                "mean": .number(Self.rounded(latency.mean, 3)),
            ]),
            "errors": .integer(Int64(result.errors)),
            "error_samples": .array(result.errorSamples.map(JSONValue.string)),
            "statuses": .object(statuses),
            "connections_opened": .integer(Int64(result.connectionsOpened)),
            "client_cpu_s": .number(Self.rounded(result.cpuSeconds, 3)),
        ]
        return JSONWriter().string(.object(object))
    }

    static func rounded(_ value: Double, _ decimals: Int) -> Double {
        let scale = pow(10, Double(decimals))
        return (value * scale).rounded() / scale
    }

    static func format(_ value: Double, _ decimals: Int) -> String {
        String(format: "%.\(decimals)f", value)
    }
}

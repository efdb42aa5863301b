import CoreMetrics
import NIOConcurrencyHelpers

/// The counters of one metric, one per combination of its dimensions' values, each made the
/// first time it is counted and reused after.
///
/// Making a swift-metrics `Counter` asks the metrics backend for it (with Prometheus: cleaning
/// the label names and looking the series up in the registry, under its lock), which is
/// worth doing once per series, not once per request.
///
/// ```swift
/// let requests = CounterFamily(label: "bastion_taxii_requests_total", dimensions: ["service", "answer"])
/// requests.increment("poll", "POLL_RESPONSE")
/// ```
///
/// Use it for dimensions whose values come from a small set (status codes, service names,
/// configured collections): every combination seen is kept for the life of the process. Each
/// counter is made at its first increment, so a family made before the metrics system is
/// bootstrapped still reports to it (a counter made before the bootstrap would stay a no-op).
public final class CounterFamily: Sendable {
    /// The metric's label, e.g. `bastion_http_requests_total`.
    public let label: String
    /// The dimensions' names, in the order ``increment(_:by:)`` takes their values.
    public let dimensions: [String]
    private let counters = NIOLockedValueBox<[[String]: Counter]>([:])
    private let factory: (any MetricsFactory)?

    /// A family reporting to `factory`, or (by default) to the process's bootstrapped metrics system.
    public init(label: String, dimensions: [String], factory: (any MetricsFactory)? = nil) {
        self.label = label
        self.dimensions = dimensions
        self.factory = factory
    }

    /// Adds `amount` to the counter of these dimension values (one per dimension, in order).
    public func increment(_ values: String..., by amount: Int = 1) {
        precondition(values.count == dimensions.count, "\(label) has \(dimensions.count) dimensions, given \(values.count) values")
        counter(values).increment(by: amount)
    }

    private func counter(_ values: [String]) -> Counter {
        counters.withLockedValue { counters in
            if let counter = counters[values] { return counter }
            let dimensions = Array(zip(self.dimensions, values))
            let counter = factory.map { Counter(label: label, dimensions: dimensions, factory: $0) } ?? Counter(label: label, dimensions: dimensions)
            counters[values] = counter
            return counter
        }
    }
}

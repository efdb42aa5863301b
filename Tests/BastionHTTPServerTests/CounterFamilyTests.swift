import CoreMetrics
import NIOConcurrencyHelpers
import Prometheus
import Testing
import BastionHTTPServer

@Suite("CounterFamily: one counter per combination of dimension values, made once")
struct CounterFamilyTests {
    /// A Prometheus factory that counts the counters it is asked to make.
    final class CountingFactory: MetricsFactory, Sendable {
        let prometheus: PrometheusMetricsFactory
        let made = NIOLockedValueBox(0)

        init(registry: PrometheusCollectorRegistry) { prometheus = PrometheusMetricsFactory(registry: registry) }

        func makeCounter(label: String, dimensions: [(String, String)]) -> any CounterHandler {
            made.withLockedValue { $0 += 1 }
            return prometheus.makeCounter(label: label, dimensions: dimensions)
        }
        func makeRecorder(label: String, dimensions: [(String, String)], aggregate: Bool) -> any RecorderHandler {
            prometheus.makeRecorder(label: label, dimensions: dimensions, aggregate: aggregate)
        }
        func makeTimer(label: String, dimensions: [(String, String)]) -> any TimerHandler {
            prometheus.makeTimer(label: label, dimensions: dimensions)
        }
        func destroyCounter(_ handler: any CounterHandler) { prometheus.destroyCounter(handler) }
        func destroyRecorder(_ handler: any RecorderHandler) { prometheus.destroyRecorder(handler) }
        func destroyTimer(_ handler: any TimerHandler) { prometheus.destroyTimer(handler) }
    }

    @Test("counts land in their series; each series' counter is made once, also from many threads")
    func countsAndReuse() async {
        let registry = PrometheusCollectorRegistry()
        let factory = CountingFactory(registry: registry)
        let family = CounterFamily(label: "test_requests_total", dimensions: ["server", "status"], factory: factory)
        await withTaskGroup(of: Void.self) { group in
            for task in 0..<8 {
                group.addTask {
                    for _ in 0..<100 { family.increment("taxii", task.isMultiple(of: 2) ? "200" : "405") }
                }
            }
        }
        family.increment("taxii", "500", by: 3)
        let text = String(decoding: registry.emitToBuffer(), as: UTF8.self)
        #expect(text.contains(#"test_requests_total{server="taxii",status="200"} 400"#))
        #expect(text.contains(#"test_requests_total{server="taxii",status="405"} 400"#))
        #expect(text.contains(#"test_requests_total{server="taxii",status="500"} 3"#))
        #expect(factory.made.withLockedValue { $0 } == 3)
    }
}

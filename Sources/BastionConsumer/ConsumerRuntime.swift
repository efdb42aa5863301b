import BastionMetrics
import Foundation
import Logging
import OpenC2
import OpenC2HTTPS
import OpenC2SLPF
import Prometheus
import ServiceLifecycle
import SLPFActuator
import Synchronization

/// Why a Consumer could not be set up: the firewall, the rule store or the actuator.
public struct ConsumerSetupError: Error, CustomStringConvertible, Sendable, Equatable {
    /// What went wrong, in one line naming the file or part.
    public let message: String
    public var description: String { message }

    public init(_ message: String) {
        self.message = message
    }
}

/// The SLPF actuator behind a Consumer, made from the firewall settings.
public struct Firewall: Sendable {
    /// The actuator, started: the firewall holds the store's rules.
    public let actuator: SLPFActuator
    /// What enforces, for the startup log: `nftables (libnftables)` or `dry-run (…why…)`.
    public let summary: String

    /// The backend `choice` names; for `.auto`, nftables when a probe may list the ruleset.
    /// With `gateway`, the rules also filter routed traffic (a `forward` chain).
    ///
    /// - Throws: ``ConsumerSetupError`` for `.none`, which names no backend.
    /// `executor` drives nftables: libnftables when it can be loaded, else the `nft` program.
    public static func backend(
        _ choice: FirewallChoice, gateway: Bool = false, executor: (any NFTablesExecutor)? = nil
    ) async throws(ConsumerSetupError) -> (any FirewallBackend, String) {
        let executor: any NFTablesExecutor = executor ?? LibNFTables.load() ?? NFTProgram()
        let scope = gateway ? "; host and routed traffic" : ""
        switch choice {
        case .none: throw ConsumerSetupError("no firewall was chosen")
        case .dryRun: return (DryRunBackend(gateway: gateway), "dry-run (transactions are recorded, not applied\(scope))")
        case .nftables: return (NFTablesBackend(executor: executor, gateway: gateway), "nftables (\(executor.name)\(scope))")
        case .auto:
            do {
                _ = try await executor.listJSON("list tables")
                return (NFTablesBackend(executor: executor, gateway: gateway), "nftables (\(executor.name); chosen by --firewall auto\(scope))")
            } catch {
                return (DryRunBackend(gateway: gateway), "dry-run, chosen by --firewall auto because nftables cannot be changed here (\(error)); rules are recorded, not enforced")
            }
        }
    }

    /// Opens the store at `statePath` (creating its directory), and starts an actuator over the
    /// chosen backend: the firewall is rebuilt from the store.
    ///
    /// - Throws: ``ConsumerSetupError`` naming the directory, store or actuator that failed.
    public static func start(_ choice: FirewallChoice, gateway: Bool = false, statePath: String, rulesDirectory: String?, logger: Logger) async throws(ConsumerSetupError) -> Firewall {
        let (backend, summary) = try await backend(choice, gateway: gateway)
        let directory = URL(fileURLWithPath: statePath).deletingLastPathComponent()
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            if let rulesDirectory { try FileManager.default.createDirectory(atPath: rulesDirectory, withIntermediateDirectories: true) }
        } catch {
            throw ConsumerSetupError("cannot create \(directory.path): \(error.localizedDescription)")
        }
        let store: RuleStore
        do { store = try RuleStore(path: statePath) } catch { throw ConsumerSetupError("cannot open the rule store \(statePath): \(error)") }
        let actuator = SLPFActuator(store: store, backend: backend, rulesDirectory: rulesDirectory, logger: logger)
        do { try await actuator.start() } catch { throw ConsumerSetupError("cannot start the SLPF actuator: \(error)") }
        let active = (try? await actuator.installedRules.count) ?? 0
        logger.info("SLPF actuator started", metadata: [
            "firewall": "\(summary)", "state": "\(statePath)", "rules": "\(active)",
            "rules_dir": "\(rulesDirectory ?? "none (update file not offered)")",
        ])
        return Firewall(actuator: actuator, summary: summary)
    }
}

/// Runs the actuator's schedule (temporal rules: start and stop times) as a service beside the
/// Consumer, until graceful shutdown.
public struct ActuatorScheduleService: Service {
    public let actuator: SLPFActuator

    public init(actuator: SLPFActuator) {
        self.actuator = actuator
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown { await actuator.run() }
    }
}

/// Runs a Consumer with `handler`, plus the actuator's schedule when there is one, until
/// SIGINT/SIGTERM. With `metrics`, `/metrics` and `/health` are served there; `/health` is 200
/// from the moment the Consumer listens (an SLPF actuator has rebuilt the firewall by then).
/// `onListening` gets the Consumer's port, then the metrics endpoint's URL (or `nil`). `others`
/// run in the same service group (another server beside the Consumer).
public func runConsumer(
    configuration: ConsumerConfiguration, handler: any CommandHandler, firewall: Firewall?, metrics: ConsumerMetrics?, logger: Logger,
    alongside others: [any Service] = [],
    onListening: @escaping @Sendable (_ port: Int, _ metricsURL: String?) async -> Void = { _, _ in }
) async throws {
    let serving = SharedFlag()
    let (metricsPorts, metricsPort) = AsyncStream.makeStream(of: Int.self)
    var services: [any Service] = []
    if let metrics {
        let endpoint = MetricsEndpoint(registry: metrics.registry) { serving.value.load(ordering: .relaxed) }
        services.append(endpoint.server(host: metrics.host, port: metrics.port, logger: logger) { metricsPort.yield($0) })
    } else {
        metricsPort.finish()
    }
    let consumer = Consumer(configuration: configuration, handler: handler, logger: logger) { port in
        serving.value.store(true, ordering: .relaxed)
        var ports = metricsPorts.makeAsyncIterator()
        let url = await ports.next().map { "http://\(metrics?.host ?? ""):\($0)/metrics" }
        await onListening(port, url)
    }
    services.insert(consumer, at: 0)
    if let firewall { services.append(ActuatorScheduleService(actuator: firewall.actuator)) }
    services += others
    try await ServiceGroup(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger).run()
}

/// The metrics endpoint of a Consumer: where, and the registry swift-metrics reports into.
public struct ConsumerMetrics: Sendable {
    public let host: String
    public let port: Int
    public let registry: PrometheusCollectorRegistry

    /// Bootstraps swift-metrics (once per process) when `address` is given.
    public static func start(_ address: (host: String, port: Int)?) -> ConsumerMetrics? {
        address.map { ConsumerMetrics(host: $0.host, port: $0.port, registry: MetricsEndpoint.bootstrap()) }
    }
}

/// A flag that concurrent closures share.
private final class SharedFlag: Sendable {
    let value = Atomic<Bool>(false)
}

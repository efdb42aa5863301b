import CoreMetrics
import Synchronization

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A backend that reports what the one it wraps does, through swift-metrics:
/// `bastion_slpf_firewall_change_duration_seconds` (each transaction, the full rebuild included),
/// `bastion_slpf_firewall_change_failures_total`, and `bastion_slpf_rules_active` (the rules in
/// the firewall after each change). ``SLPFActuator`` wraps its backend in one.
struct MeteredFirewallBackend: FirewallBackend {
    let base: any FirewallBackend
    private let active = ActiveCount()

    private final class ActiveCount: Sendable {
        let count = Atomic<Int>(0)
    }

    init(_ base: any FirewallBackend) {
        self.base = base
    }

    func applyAll(_ rules: [SLPFRule]) async throws(FirewallError) {
        try await measure { () throws(FirewallError) in try await base.applyAll(rules) }
        active.count.store(rules.count, ordering: .relaxed)
        Gauge(label: "bastion_slpf_rules_active").record(rules.count)
    }

    func apply(_ change: FirewallChange) async throws(FirewallError) {
        try await measure { () throws(FirewallError) in try await base.apply(change) }
        let delta = if case .add = change { 1 } else { -1 }
        let count = active.count.add(delta, ordering: .relaxed).newValue
        Gauge(label: "bastion_slpf_rules_active").record(max(0, count))
    }

    func installed() async throws(FirewallError) -> InstalledRuleset {
        try await base.installed()
    }

    private func measure(_ change: () async throws(FirewallError) -> Void) async throws(FirewallError) {
        let started = ContinuousClock.now
        do {
            try await change()
        } catch {
            Counter(label: "bastion_slpf_firewall_change_failures_total").increment()
            throw error
        }
        CoreMetrics.Timer(label: "bastion_slpf_firewall_change_duration_seconds").recordInterval(since: started)
    }
}

extension CoreMetrics.Timer {
    /// Records the time from `start` to now.
    func recordInterval(since start: ContinuousClock.Instant) {
        let (seconds, attoseconds) = (ContinuousClock.now - start).components
        recordNanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}

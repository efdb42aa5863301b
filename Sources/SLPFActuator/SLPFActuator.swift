#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import OpenC2
import OpenC2SLPF

/// Why the actuator could not start.
public enum SLPFActuatorError: Error, Hashable, Sendable, CustomStringConvertible {
    case store(RuleStoreError)
    case firewall(FirewallError)

    public var description: String {
        switch self {
        case .store(let error): error.description
        case .firewall(let error): error.description
        }
    }
}

/// The enforcing SLPF Consumer: a ``CommandHandler`` that turns `allow`/`deny`/`delete`/`query`
/// Commands into rules kept in a ``RuleStore`` and installed through a ``FirewallBackend``.
///
/// Every rule is stored first, then installed; a rule the firewall refuses is taken out of the
/// store again and answered 500. ``start()`` reconciles: it drops non-persistent and expired
/// rules from the store and rebuilds the whole firewall from what remains, in one transaction.
///
/// Not yet implemented (so refused through the capabilities, 501 "Option not supported" /
/// "Command not supported"): temporal arguments (`start_time`, `stop_time`, `duration`: they
/// need the scheduler), `update file`, and `drop_process: false_ack`.
public actor SLPFActuator: CommandHandler {
    /// What this actuator implements today.
    public static let implementedCapabilities = SLPFCapabilities(updateFile: false, temporal: false)

    /// What the actuator reports and accepts.
    public nonisolated let capabilities: SLPFCapabilities
    private let store: RuleStore
    private let backend: any FirewallBackend
    /// The rules installed in the firewall, by number.
    private var installed: [RuleNumber: SLPFRule] = [:]
    private var started = false

    /// An actuator over `store` and `backend`; call ``start()`` before handling Commands.
    public init(store: RuleStore, backend: any FirewallBackend, capabilities: SLPFCapabilities = SLPFActuator.implementedCapabilities) {
        self.store = store
        self.backend = backend
        self.capabilities = capabilities
    }

    /// Reconciles the firewall with the store: non-persistent rules (from before a restart)
    /// and expired rules leave the store, and the firewall is rebuilt from the active rules.
    public func start(now: Date = Date()) async throws(SLPFActuatorError) {
        let rules: [SLPFRule]
        do {
            try store.discardNonPersistent()
            for rule in try store.expired(at: Self.dateTime(now)) { try store.remove(rule.ruleNumber) }
            rules = try store.list().filter { $0.state == .active }
        } catch {
            throw .store(error)
        }
        do { try await backend.applyAll(rules) } catch { throw .firewall(error) }
        installed = Dictionary(uniqueKeysWithValues: rules.map { ($0.ruleNumber, $0) })
        started = true
    }

    /// The rules installed now, by rule number.
    public var installedRules: [SLPFRule] { installed.values.sorted { $0.ruleNumber < $1.ruleNumber } }

    public func handle(_ command: Command, context: RequestContext) async throws -> Response {
        switch SLPFInterpreter(capabilities: capabilities).interpret(command) {
        case .respond(let response):
            return response
        case .execute(.queryFeatures(let features)):
            return capabilities.featuresResponse(for: features)
        case .execute(.filter(let request)):
            return await add(request, receivedAt: Self.dateTime(context.receivedAt))
        case .execute(.deleteRule(let number, _)):
            return await delete(number)
        case .execute(.updateFile):
            return Response(.notImplemented, statusText: SLPFInterpreter.StatusText.commandNotSupported)
        }
    }

    private func add(_ request: FilterRuleRequest, receivedAt: DateTime) async -> Response {
        guard started else { return Response(.serviceUnavailable, statusText: "the SLPF actuator has not started") }
        let rule: SLPFRule
        do {
            rule = try store.add(request, receivedAt: receivedAt)
        } catch .ruleNumberInUse {
            return Response(.notImplemented, statusText: SLPFInterpreter.StatusText.ruleNumberInUse)
        } catch {
            return Response(.internalError, statusText: "\(SLPFInterpreter.StatusText.ruleNotUpdated): \(error)")
        }
        do {
            try await backend.apply(.add(rule), others: Array(installed.values))
        } catch {
            _ = try? store.remove(rule.ruleNumber)
            return Response(.internalError, statusText: "\(SLPFInterpreter.StatusText.ruleNotUpdated): \(error)")
        }
        installed[rule.ruleNumber] = rule
        var results = Results()
        results.slpf = SLPFResults(ruleNumber: rule.ruleNumber)
        return Response(.ok, results: results)
    }

    private func delete(_ number: RuleNumber) async -> Response {
        let notRemoved = SLPFInterpreter.StatusText.ruleNotRemoved
        guard started else { return Response(.serviceUnavailable, statusText: "the SLPF actuator has not started") }
        do {
            guard let rule = try installed[number] ?? store.get(number) else {
                return Response(.internalError, statusText: "\(notRemoved): no rule \(number)")
            }
            if installed[number] != nil {
                var others = installed
                others[number] = nil
                try await backend.apply(.remove(rule), others: Array(others.values))
                installed[number] = nil
            }
            try store.remove(number)
            return Response(.ok)
        } catch {
            return Response(.internalError, statusText: "\(notRemoved): \(error)")
        }
    }

    private static func dateTime(_ date: Date) -> DateTime {
        DateTime(millisecondsSince1970: UInt64(max(0, (date.timeIntervalSince1970 * 1000).rounded())))
    }
}

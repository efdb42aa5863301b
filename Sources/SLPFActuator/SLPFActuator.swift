#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Logging
import OpenC2
import OpenC2SLPF

/// Why the actuator could not start: its store or its firewall failed.
public struct SLPFActuatorError: Error, Hashable, Sendable, CustomStringConvertible {
    /// Which part failed.
    public enum Kind: String, Hashable, Sendable, CaseIterable {
        /// The rule store (see ``storeError``).
        case store
        /// The firewall (see ``firewallError``).
        case firewall
    }

    /// Which part failed.
    public var kind: Kind
    /// The store's error, for `.store`.
    public var storeError: RuleStoreError?
    /// The firewall's error, for `.firewall`.
    public var firewallError: FirewallError?

    public var description: String {
        storeError?.description ?? firewallError?.description ?? kind.rawValue
    }

    public static func store(_ error: RuleStoreError) -> SLPFActuatorError {
        SLPFActuatorError(kind: .store, storeError: error)
    }

    public static func firewall(_ error: FirewallError) -> SLPFActuatorError {
        SLPFActuatorError(kind: .firewall, firewallError: error)
    }
}

/// The enforcing SLPF Consumer: a ``CommandHandler`` that turns `allow`/`deny`/`delete`/
/// `update`/`query` Commands into rules kept in a ``RuleStore`` and installed through a
/// ``FirewallBackend``.
///
/// - Every rule is stored first, then installed; a rule the firewall refuses is taken out of
///   the store again and answered 500. A crash in between is repaired by ``start(now:)``,
///   which rebuilds the whole firewall from the store in one transaction.
/// - Temporal rules (`start_time`, `stop_time`, `duration`) are stored with their window;
///   ``run()`` installs each when it starts and removes it when it ends, and a restart catches
///   up with what fell due meanwhile. `delete` with a later `start_time` ends the rule then.
/// - `update file` loads a ``RulesFile`` from ``rulesDirectory``.
/// - Changes another process makes to the store (`bastion openc2 rules delete`) are noticed
///   through the store's generation counter before the next change, and the firewall is
///   rebuilt from the store.
///
/// The actor runs on a thread of its own (its store and firewall calls block), never on
/// Swift's cooperative pool.
///
/// `drop_process: false_ack` is not implemented (501 "Option not supported").
public actor SLPFActuator: CommandHandler {
    private let executor = BlockingWorkExecutor(label: "bastion.slpf-actuator")
    public nonisolated var unownedExecutor: UnownedSerialExecutor { executor.asUnownedSerialExecutor() }

    /// Whether the actor's code runs on its own thread (for tests).
    func runsOnOwnExecutor() -> Bool { executor.isCurrent }

    /// What and how the actuator reports and accepts.
    public nonisolated let capabilities: SLPFCapabilities
    /// Where `update file` reads rules files; `nil` when `update file` is not offered.
    public nonisolated let rulesDirectory: String?
    private let store: RuleStore
    private let backend: any FirewallBackend
    private let clock: @Sendable () -> Date
    private var started = false
    /// The store generation the firewall reflects.
    private var knownGeneration: Int64 = -1
    /// Wakes ``run()`` when the schedule changes.
    private var wake: AsyncStream<Void>.Continuation?
    /// Where the schedule says what it did: rules started and ended, failures and recovery.
    private let logger: Logger
    /// Scheduled changes that failed in a row (each retried a second later).
    private var failedAttempts = 0

    /// The capabilities of an actuator; `update file` only with a rules directory.
    public static func capabilities(updateFile: Bool) -> SLPFCapabilities {
        SLPFCapabilities(updateFile: updateFile)
    }

    /// An actuator over `store` and `backend`; call ``start(now:)`` before handling Commands and
    /// keep ``run()`` running for temporal rules. `clock` tells the time (tests set it).
    public init(
        store: RuleStore, backend: any FirewallBackend, rulesDirectory: String? = nil,
        capabilities: SLPFCapabilities? = nil, clock: @escaping @Sendable () -> Date = { Date() },
        logger: Logger = Logger(label: "bastion.slpf")
    ) {
        self.store = store
        self.backend = MeteredFirewallBackend(backend)
        self.rulesDirectory = rulesDirectory
        self.capabilities = capabilities ?? Self.capabilities(updateFile: rulesDirectory != nil)
        self.clock = clock
        self.logger = logger
    }

    /// Reconciles the firewall with the store: non-persistent rules (from before a restart)
    /// and expired rules leave the store, scheduled rules whose start has come become active,
    /// and the firewall is rebuilt from the active rules in one transaction.
    public func start(now: Date? = nil) async throws(SLPFActuatorError) {
        try await reconcile(at: Self.dateTime(now ?? clock()), restarting: true)
        started = true
    }

    private func reconcile(at now: DateTime, restarting: Bool) async throws(SLPFActuatorError) {
        let rules: [SLPFRule]
        do {
            if restarting { try store.discardNonPersistent() }
            for rule in try store.expired(at: now) { try store.remove(rule.ruleNumber) }
            for rule in try store.due(at: now) { try store.setState(.active, of: rule.ruleNumber) }
            rules = try store.list().filter { $0.state == .active }
            knownGeneration = try store.generation()
        } catch {
            throw .store(error)
        }
        do { try await backend.applyAll(rules) } catch { throw .firewall(error) }
        wake?.yield()
    }

    /// Rebuilds the firewall when another process changed the store since this actor's last
    /// look, and records the generation this actor's own write `expected` to follow.
    private func noticeOtherWriters() async throws(SLPFActuatorError) {
        let generation: Int64
        do { generation = try store.generation() } catch { throw .store(error) }
        if generation != knownGeneration { try await reconcile(at: Self.dateTime(clock()), restarting: false) }
    }

    /// Accepts this actor's own write: the firewall still matches the store when nobody else
    /// wrote in between.
    private func acceptOwnWrite() {
        let write = store.lastWrite
        knownGeneration = write.before == knownGeneration ? write.after : -1
    }

    /// The rules installed now (active in the store), by rule number.
    public var installedRules: [SLPFRule] {
        get throws(RuleStoreError) { try store.list().filter { $0.state == .active } }
    }

    public func handle(_ command: Command, context: RequestContext) async throws -> Response {
        switch SLPFInterpreter(capabilities: capabilities).interpret(command) {
        case .respond(let response):
            return response
        case .execute(.queryFeatures(let features)):
            return capabilities.featuresResponse(for: features)
        case .execute(.filter(let rule)):
            if let refusal = await readyForChange() { return refusal }
            return await add(rule, now: Self.dateTime(clock()), receivedAt: Self.dateTime(context.receivedAt))
        case .execute(.deleteRule(let number, let startTime)):
            if let refusal = await readyForChange() { return refusal }
            return await delete(number, at: startTime, now: Self.dateTime(clock()))
        case .execute(.updateFile(let file, let startTime)):
            if let refusal = await readyForChange() { return refusal }
            return await update(file, at: startTime, now: Self.dateTime(clock()))
        }
    }

    /// `nil` when a change may go ahead (started, firewall in line with the store), else the
    /// Response that refuses it.
    private func readyForChange() async -> Response? {
        guard started else { return Response(.serviceUnavailable, statusText: "the SLPF actuator has not started") }
        do {
            try await noticeOtherWriters()
            return nil
        } catch {
            return Response(.internalError, statusText: "\(SLPFInterpreter.StatusText.ruleNotUpdated): \(error)")
        }
    }

    // MARK: allow / deny

    private func add(_ request: FilterRuleRequest, now: DateTime, receivedAt: DateTime) async -> Response {
        let notUpdated = SLPFInterpreter.StatusText.ruleNotUpdated
        let window = request.window(receivedAt: receivedAt)
        if let stop = window.stop, stop <= now {
            return Response(.badRequest, statusText: "the rule would end (\(stop)) before it is installed")
        }
        let state: SLPFRule.State = window.start > now ? .scheduled : .active
        let rule: SLPFRule
        do {
            rule = try store.add(request, receivedAt: receivedAt, state: state)
            acceptOwnWrite()
        } catch let error where error.kind == .ruleNumberInUse {
            return Response(.notImplemented, statusText: SLPFInterpreter.StatusText.ruleNumberInUse)
        } catch {
            return Response(.internalError, statusText: "\(notUpdated): \(error)")
        }
        if state == .active {
            do {
                try await backend.apply(.add(rule))
            } catch {
                _ = try? store.remove(rule.ruleNumber)
                acceptOwnWrite()
                return Response(.internalError, statusText: "\(notUpdated): \(error)")
            }
        }
        if rule.stopTime != nil || state == .scheduled { wake?.yield() }
        var results = Results()
        results.slpf = SLPFResults(ruleNumber: rule.ruleNumber)
        return Response(.ok, results: results)
    }

    // MARK: delete

    private func delete(_ number: RuleNumber, at start: DateTime?, now: DateTime) async -> Response {
        let notRemoved = SLPFInterpreter.StatusText.ruleNotRemoved
        do {
            if let start, start > now {
                guard try store.end(number, at: start) != nil else {
                    return Response(.internalError, statusText: "\(notRemoved): no rule \(number)")
                }
                acceptOwnWrite()
                wake?.yield()
                return Response(.ok)
            }
            guard let rule = try store.get(number) else {
                return Response(.internalError, statusText: "\(notRemoved): no rule \(number)")
            }
            if rule.state == .active { try await backend.apply(.remove(rule)) }
            try store.remove(number)
            acceptOwnWrite()
            return Response(.ok)
        } catch {
            knownGeneration = -1  // rebuild from the store before the next change
            return Response(.internalError, statusText: "\(notRemoved): \(error)")
        }
    }

    // MARK: update file

    private func update(_ file: File, at start: DateTime?, now: DateTime) async -> Response {
        guard let rulesDirectory else { return Response(.notImplemented, statusText: SLPFInterpreter.StatusText.commandNotSupported) }
        let loaded: (source: String, rules: RulesFile)
        do {
            let (source, bytes) = try RulesFile.read(file, in: rulesDirectory)
            loaded = (source, try RulesFile(json: bytes, capabilities: capabilities))
        } catch {
            let text = error.cannotAccess ? SLPFInterpreter.StatusText.cannotAccessFile : SLPFInterpreter.StatusText.ruleNotUpdated
            return Response(.internalError, statusText: "\(text): \(error.reason)")
        }
        let later = start.flatMap { $0 > now ? $0 : nil }
        do {
            _ = try store.replace(
                source: loaded.source, with: loaded.rules.rules, receivedAt: now, at: later,
                state: later == nil ? .active : .scheduled)
        } catch let error where error.kind == .ruleNumberInUse {
            return Response(.internalError, statusText: "\(SLPFInterpreter.StatusText.ruleNumberInUse): \(error.ruleNumber.map(String.init(describing:)) ?? "?")")
        } catch {
            return Response(.internalError, statusText: "\(SLPFInterpreter.StatusText.ruleNotUpdated): \(error)")
        }
        // One transaction for the whole file: rebuild from the store.
        do {
            try await reconcile(at: now, restarting: false)
        } catch {
            return Response(.internalError, statusText: "\(SLPFInterpreter.StatusText.ruleNotUpdated): \(error)")
        }
        return Response(.ok)
    }

    // MARK: Schedule

    /// Installs scheduled rules when they start and removes rules when they end, until the
    /// task is cancelled. Sleeps until the next event; a Command that changes the schedule
    /// wakes it.
    public func run() async {
        await run(afterEachPass: {})
    }

    /// ``run()``, calling `afterEachPass` each time it has applied what was due and set its
    /// timer (tests wait on it instead of sleeping).
    func run(afterEachPass: @Sendable () -> Void) async {
        let (events, continuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        wake = continuation
        continuation.yield()
        var timer: Task<Void, Never>?
        for await _ in events {
            timer?.cancel()
            let retry = await applyDueEvents()
            let next: Date?
            if retry {
                next = clock().addingTimeInterval(1)
            } else {
                next = (try? store.nextEvent()).flatMap { $0 }.map(Self.date)
            }
            if let next {
                let delay = max(0, next.timeIntervalSince(clock()))
                timer = Task {
                    try? await Task.sleep(for: .milliseconds(Int64((delay * 1000).rounded(.up)) + 1))
                    if !Task.isCancelled { continuation.yield() }
                }
            }
            afterEachPass()
        }
        timer?.cancel()
        wake = nil
    }

    /// Applies what is due now: expired rules leave firewall and store, due rules are
    /// installed. Returns whether something failed and should be retried.
    @discardableResult
    public func applyDueEvents() async -> Bool {
        guard started else { return false }
        let now = Self.dateTime(clock())
        do {
            try await noticeOtherWriters()
            for rule in try store.expired(at: now) {
                if rule.state == .active { try await backend.apply(.remove(rule)) }
                try store.remove(rule.ruleNumber)
                acceptOwnWrite()
                logger.info("rule ended", metadata: ["rule_number": "\(rule.ruleNumber)", "was": "\(rule.state.rawValue)"])
            }
            for rule in try store.due(at: now) {
                try store.setState(.active, of: rule.ruleNumber)
                acceptOwnWrite()
                var active = rule
                active.state = .active
                try await backend.apply(.add(active))
                logger.info("scheduled rule started", metadata: ["rule_number": "\(rule.ruleNumber)"])
            }
            if failedAttempts > 0 {
                logger.notice("schedule applied again", metadata: ["failed_attempts": "\(failedAttempts)"])
                failedAttempts = 0
            }
            return false
        } catch {
            // The store stays the truth: a later reconcile puts the firewall in line.
            knownGeneration = -1
            failedAttempts += 1
            // Retried every second: said at the first failure, then once a minute.
            if failedAttempts % 60 == 1 {
                logger.error("scheduled change failed; retrying every second", metadata: [
                    "error": "\(error)", "failed_attempts": "\(failedAttempts)",
                ])
            }
            return true
        }
    }

    static func dateTime(_ date: Date) -> DateTime {
        DateTime(millisecondsSince1970: UInt64(max(0, (date.timeIntervalSince1970 * 1000).rounded())))
    }

    static func date(_ time: DateTime) -> Date {
        Date(timeIntervalSince1970: Double(time.millisecondsSince1970) / 1000)
    }
}

import Foundation
import Logging
import NIOConcurrencyHelpers
import OpenC2
import OpenC2SLPF
import NetworkNamespaceSupport
import GRDB
import Testing
import TestSupport
@testable import SLPFActuator

/// A backend whose every change fails as nft would.
struct FailingBackend: FirewallBackend {
    func applyAll(_ rules: [SLPFRule]) throws(FirewallError) {}
    func apply(_ change: FirewallChange) throws(FirewallError) {
        throw .commandFailed(command: ["nft", "-f", "-"], status: 1, stderr: "Error: Operation not permitted\n")
    }
    func installed() throws(FirewallError) -> InstalledRuleset { InstalledRuleset() }
}

/// A dry-run backend that can be made to fail every change, as nft would without privileges.
actor BreakableBackend: FirewallBackend {
    private let working = DryRunBackend()
    private var broken = false
    func setBroken(_ broken: Bool) { self.broken = broken }

    private func check() throws(FirewallError) {
        if broken { throw .commandFailed(command: ["nft", "-f", "-"], status: 1, stderr: "Error: Operation not permitted\n") }
    }
    func applyAll(_ rules: [SLPFRule]) async throws(FirewallError) {
        try check()
        try await working.applyAll(rules)
    }
    func apply(_ change: FirewallChange) async throws(FirewallError) {
        try check()
        try await working.apply(change)
    }
    func installed() async throws(FirewallError) -> InstalledRuleset { try await working.installed() }
}

/// Keeps what a logger was told, one "level message key=value…" line each (metadata sorted).
final class LogRecorder: Sendable {
    private let recorded = NIOLockedValueBox<[String]>([])
    var lines: [String] { recorded.withLockedValue { $0 } }

    var logger: Logger {
        Logger(label: "test") { _ in Handler(recorder: self) }
    }

    struct Handler: LogHandler {
        let recorder: LogRecorder
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }
        func log(event: LogEvent) {
            let fields = (event.metadata ?? [:]).merging(metadata) { explicit, _ in explicit }
            let line = (["\(event.level) \(event.message)"] + fields.keys.sorted().map { "\($0)=\(fields[$0]!)" }).joined(separator: " ")
            recorder.recorded.withLockedValue { $0.append(line) }
        }
    }
}

func deny(_ target: Target, slpf: SLPFArgs? = nil, args: Args = Args(responseRequested: .complete)) -> Command {
    var args = args
    if let slpf { args.slpf = slpf }
    return Command(.deny, target, args: args, actuator: .slpf())
}

/// A clock tests move by hand.
final class TestClock: Sendable {
    private let now: NIOLockedValueBox<Date>
    init(_ start: Date) { now = NIOLockedValueBox(start) }
    var date: Date { now.withLockedValue { $0 } }
    func advance(seconds: Double) { now.withLockedValue { $0 = $0.addingTimeInterval(seconds) } }
    var function: @Sendable () -> Date { { self.date } }
}

@Suite("SLPFActuator")
struct SLPFActuatorTests {
    static let start = Date(timeIntervalSince1970: 1_000)
    let context = RequestContext(receivedAt: SLPFActuatorTests.start)

    func withActuator(
        backend: any FirewallBackend = DryRunBackend(), rulesDirectory: Bool = false, clock: TestClock = TestClock(start),
        logger: Logger = Logger(label: "test.slpf"),
        _ body: (SLPFActuator, RuleStore, TemporaryDirectory) async throws -> Void
    ) async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try RuleStore(path: directory.path("rules.sqlite"))
        let actuator = SLPFActuator(
            store: store, backend: backend, rulesDirectory: rulesDirectory ? directory.url.path : nil, clock: clock.function, logger: logger)
        try await actuator.start()
        try await body(actuator, store, directory)
    }

    @Test("allow and deny answer the rule number and install the rule")
    func allowDeny() async throws {
        let backend = DryRunBackend()
        try await withActuator(backend: backend) { actuator, store, _ in
            let first = try await actuator.handle(deny(.ipv4Net(ipv4("10.0.0.0/8"))), context: context)
            #expect(first.status == .ok)
            #expect(first.results?.slpf?.ruleNumber == 1)
            let second = try await actuator.handle(
                Command(.allow, .ipv4Connection(IPv4Connection(destinationPort: 22, protocol: .tcp)),
                        args: Args(responseRequested: .complete), actuator: .slpf()), context: context)
            #expect(second.results?.slpf?.ruleNumber == 2)
            #expect(try store.list().map(\.ruleNumber) == [1, 2])
            #expect(try store.get(1)?.createdAt == at(1_000_000))
            let installed = try await backend.installed()
            #expect(installed.nonEmptySets == ["drop4_both_8": ["10.0.0.0"]])
            #expect(installed.ruleNumbers == [2])
            #expect(try await actuator.installedRules.map(\.ruleNumber) == [1, 2])
        }
    }

    @Test("the actor runs on its own thread, and a store another writer holds locked is waited for there")
    func ownThread() async throws {
        try await withActuator { actuator, store, directory in
            #expect(await actuator.runsOnOwnExecutor())
            // Another connection (as `bastion openc2 rules delete` in another process would)
            // holds the write lock for half a second; the deny waits for it within the busy timeout.
            let other = try DatabaseQueue(path: directory.path("rules.sqlite"))
            let locked = AsyncStream.makeStream(of: Void.self)
            let holder = Task.detached {
                try await other.write { db in
                    try db.execute(sql: "UPDATE store_state SET generation = generation")
                    locked.continuation.yield()
                    Thread.sleep(forTimeInterval: 0.5)
                }
            }
            var signals = locked.stream.makeAsyncIterator()
            await signals.next()
            let reply = try await actuator.handle(deny(.ipv4Net(ipv4("10.1.0.0/16"))), context: context)
            try await holder.value
            #expect(reply.status == .ok, "\(reply.statusText ?? "")")
            #expect(try store.list().count == 1)
        }
    }

    @Test("insert_rule: the asked number, then 501 Rule number currently in use")
    func insertRule() async throws {
        try await withActuator { actuator, _, _ in
            let command = deny(.ipv4Net(ipv4("192.0.2.1")), slpf: SLPFArgs(insertRule: 7))
            #expect(try await actuator.handle(command, context: context).results?.slpf?.ruleNumber == 7)
            let again = try await actuator.handle(command, context: context)
            #expect(again.status == .notImplemented)
            #expect(again.statusText == "Rule number currently in use")
        }
    }

    @Test("delete removes from firewall and store; an unknown rule is 500")
    func delete() async throws {
        let backend = DryRunBackend()
        try await withActuator(backend: backend) { actuator, store, _ in
            _ = try await actuator.handle(deny(.ipv6Net(ipv6("2001:db8::/32"))), context: context)
            let deleted = try await actuator.handle(Command(.delete, .slpfRuleNumber(1), actuator: .slpf()), context: context)
            #expect(deleted.status == .ok)
            #expect(try store.list().isEmpty)
            #expect(try await backend.installed().nonEmptySets.isEmpty)
            let unknown = try await actuator.handle(Command(.delete, .slpfRuleNumber(1), actuator: .slpf()), context: context)
            #expect(unknown.status == .internalError)
            #expect(unknown.statusText?.hasPrefix("Firewall rule not removed or updated") == true)
        }
    }

    @Test("a firewall failure is 500 and leaves no rule in the store")
    func firewallFailure() async throws {
        try await withActuator(backend: FailingBackend()) { actuator, store, _ in
            let response = try await actuator.handle(deny(.ipv4Net(ipv4("10.0.0.0/8"))), context: context)
            #expect(response.status == .internalError)
            #expect(response.statusText?.hasPrefix("Rule not updated: ") == true)
            #expect(response.statusText?.contains("Operation not permitted") == true)
            #expect(try store.list().isEmpty)
        }
    }

    @Test("false_ack is 501 Option not supported; update file without a rules directory is 501; query features is truthful")
    func refusalsAndFeatures() async throws {
        try await withActuator { actuator, _, _ in
            let falseAck = try await actuator.handle(deny(.ipv4Net(ipv4("10.0.0.0/8")), slpf: SLPFArgs(dropProcess: .falseAck)), context: context)
            #expect(falseAck.status == .notImplemented)
            #expect(falseAck.statusText == "Option not supported")
            let update = try await actuator.handle(Command(.update, .file(File(name: "rules.json")), actuator: .slpf()), context: context)
            #expect(update.status == .notImplemented)
            #expect(update.statusText == "Command not supported")
            let features = try await actuator.handle(Command(.query, .features([.pairs, .profiles])), context: context)
            #expect(features.status == .ok)
            #expect(features.results?.profiles == [.slpf])
            #expect(features.results?.pairs == SLPFActuator.capabilities(updateFile: false).pairs)
            #expect(features.results?.pairs?.targets[.update] == nil)
        }
        try await withActuator(rulesDirectory: true) { actuator, _, _ in
            let features = try await actuator.handle(Command(.query, .features([.pairs])), context: context)
            #expect(features.results?.pairs?.targets[.update] == ["file"])
        }
    }

    @Test("restart: persistent rules come back in one rebuild, non-persistent ones do not")
    func restart() async throws {
        try await withActuator { actuator, _, directory in
            _ = try await actuator.handle(deny(.ipv4Net(ipv4("10.0.0.0/8"))), context: context)
            _ = try await actuator.handle(deny(.ipv4Net(ipv4("10.9.0.0/16")), slpf: SLPFArgs(persistent: false)), context: context)
            let backend = DryRunBackend()
            let restarted = SLPFActuator(store: try RuleStore(path: directory.path("rules.sqlite")), backend: backend,
                                         clock: TestClock(Self.start).function)
            try await restarted.start()
            #expect(try await restarted.installedRules.map(\.ruleNumber) == [1])
            let transactions = await backend.transactions
            #expect(transactions.count == 1)
            #expect(transactions.first?.contains("elements = { 10.0.0.0 }") == true)
            #expect(transactions.first?.contains("10.9.0.0") == false)
        }
    }

    @Test("with real nft in a namespace: commands change the firewall")
    func realNFT() async throws {
        let namespace = try NetworkNamespace()
        defer { namespace.close() }
        let backend = namespace.backend
        try await withActuator(backend: backend) { actuator, store, _ in
            _ = try await actuator.handle(deny(.ipv4Net(ipv4("198.51.100.0/24")), slpf: SLPFArgs(direction: .ingress)), context: context)
            _ = try await actuator.handle(
                deny(.ipv4Connection(IPv4Connection(destinationPort: 23, protocol: .tcp)), slpf: SLPFArgs(dropProcess: .reject)),
                context: context)
            #expect(try await backend.installed().withoutHandles == (try NFTablesRuleset().expectedInstalled(store.list())).withoutHandles)
            #expect(try await actuator.handle(Command(.delete, .slpfRuleNumber(2), actuator: .slpf()), context: context).status == .ok)
            #expect(try await backend.installed().ruleNumbers.isEmpty)
            #expect(try await backend.installed().nonEmptySets == ["drop4_in_24": ["198.51.100.0"]])
        }
    }

    @Test("with real nft: a transaction nft refuses is 500 Rule not updated, and the store keeps nothing of it")
    func realNFTFailure() async throws {
        let namespace = try NetworkNamespace()
        defer { namespace.close() }
        let backend = namespace.backend
        try await withActuator(backend: backend) { actuator, store, _ in
            #expect(try await actuator.handle(deny(.ipv4Net(ipv4("198.51.100.0/24"))), context: context).status == .ok)
            // Someone removes Bastion's table behind its back: the next change cannot apply.
            #expect(try await namespace.runner.run(["nft", "delete", "table", "inet", "bastion"], input: "").status == 0)
            let response = try await actuator.handle(deny(.ipv4Net(ipv4("203.0.113.0/24"))), context: context)
            #expect(response.status == .internalError)
            #expect(response.statusText?.hasPrefix("Rule not updated: ") == true)
            #expect(response.statusText?.contains("No such file or directory") == true, "\(response.statusText ?? "")")
            #expect(try store.list().map(\.ruleNumber) == [1])
            // A restart rebuilds the table from the store.
            let restarted = SLPFActuator(store: store, backend: NFTablesBackend(runner: namespace.runner), clock: TestClock(Self.start).function)
            try await restarted.start()
            #expect(try await backend.installed().nonEmptySets == ["drop4_both_24": ["198.51.100.0"]])
        }
    }

    @Test("before start() a change is 503 and nothing is stored; query features is answered")
    func notStarted() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try RuleStore(path: directory.path("rules.sqlite"))
        let actuator = SLPFActuator(store: store, backend: DryRunBackend())
        let response = try await actuator.handle(deny(.ipv4Net(ipv4("10.0.0.0/8"))), context: context)
        #expect(response.status == .serviceUnavailable)
        #expect(try store.list().isEmpty)
        #expect(try await actuator.handle(Command(.query, .features([.profiles])), context: context).status == .ok)
    }

    @Test("a rule the store lost elsewhere is noticed: the firewall is rebuilt from the store before the next change")
    func otherWriter() async throws {
        let backend = DryRunBackend()
        try await withActuator(backend: backend) { actuator, store, directory in
            _ = try await actuator.handle(deny(.ipv4Net(ipv4("10.0.0.0/8"))), context: context)
            _ = try await actuator.handle(deny(.ipv4Net(ipv4("10.0.0.0/8")), slpf: SLPFArgs(direction: .ingress)), context: context)
            // Another process (bastion openc2 rules delete) removes rule 1.
            let operatorStore = try RuleStore(path: directory.path("rules.sqlite"))
            try operatorStore.remove(1)
            await backend.clearTransactions()
            _ = try await actuator.handle(deny(.ipv4Net(ipv4("192.0.2.1"))), context: context)
            let transactions = await backend.transactions
            #expect(transactions.first?.hasPrefix("table inet bastion\ndelete table inet bastion") == true)
            #expect(try await backend.installed().nonEmptySets
                == ["drop4_in_8": ["10.0.0.0"], "drop4_both_32": ["192.0.2.1"]])
            #expect(try store.list().map(\.ruleNumber) == [2, 3])
        }
    }
}

@Suite("SLPFActuator temporal rules")
struct TemporalTests {
    let context = RequestContext(receivedAt: SLPFActuatorTests.start)
    let t0: UInt64 = 1_000_000

    func args(start: UInt64? = nil, stop: UInt64? = nil, duration: UInt64? = nil) -> Args {
        Args(startTime: start.map(at), stopTime: stop.map(at), duration: duration, responseRequested: .complete)
    }

    @Test("a rule starting later is stored, installed when it starts and removed when it ends")
    func scheduled() async throws {
        let clock = TestClock(SLPFActuatorTests.start)
        let backend = DryRunBackend()
        try await SLPFActuatorTests().withActuator(backend: backend, clock: clock) { actuator, store, _ in
            let response = try await actuator.handle(
                deny(.ipv4Net(ipv4("203.0.113.0/24")), args: args(start: t0 + 60_000, duration: 30_000)), context: context)
            #expect(response.status == .ok)
            #expect(response.results?.slpf?.ruleNumber == 1)
            #expect(try store.get(1)?.state == .scheduled)
            #expect(try store.get(1)?.stopTime == at(t0 + 90_000))
            #expect(try await backend.installed().nonEmptySets.isEmpty)
            #expect(try store.nextEvent() == at(t0 + 60_000))

            clock.advance(seconds: 59)
            await actuator.applyDueEvents()
            #expect(try await backend.installed().nonEmptySets.isEmpty)
            clock.advance(seconds: 1)
            await actuator.applyDueEvents()
            #expect(try store.get(1)?.state == .active)
            #expect(try await backend.installed().nonEmptySets == ["drop4_both_24": ["203.0.113.0"]])
            clock.advance(seconds: 30)
            await actuator.applyDueEvents()
            #expect(try store.get(1) == nil)
            #expect(try await backend.installed().nonEmptySets.isEmpty)
        }
    }

    @Test("a rule whose stop time has passed is 400 and stores nothing")
    func alreadyOver() async throws {
        try await SLPFActuatorTests().withActuator { actuator, store, _ in
            let response = try await actuator.handle(deny(.ipv4Net(ipv4("203.0.113.0/24")), args: args(stop: t0 - 1)), context: context)
            #expect(response.status == .badRequest)
            #expect(try store.list().isEmpty)
        }
    }

    @Test("delete with a later start_time ends the rule then")
    func scheduledDelete() async throws {
        let clock = TestClock(SLPFActuatorTests.start)
        let backend = DryRunBackend()
        try await SLPFActuatorTests().withActuator(backend: backend, clock: clock) { actuator, store, _ in
            _ = try await actuator.handle(deny(.ipv4Net(ipv4("203.0.113.9"))), context: context)
            let delete = Command(.delete, .slpfRuleNumber(1), args: Args(startTime: at(t0 + 5_000)), actuator: .slpf())
            #expect(try await actuator.handle(delete, context: context).status == .ok)
            #expect(try store.get(1)?.stopTime == at(t0 + 5_000))
            #expect(try await backend.installed().nonEmptySets.count == 1)
            clock.advance(seconds: 5)
            await actuator.applyDueEvents()
            #expect(try store.list().isEmpty)
            #expect(try await backend.installed().nonEmptySets.isEmpty)
        }
    }

    @Test("the schedule logs each rule it starts and ends, a failing change once, and the recovery")
    func scheduleLogs() async throws {
        let clock = TestClock(SLPFActuatorTests.start)
        let backend = BreakableBackend()
        let log = LogRecorder()
        try await SLPFActuatorTests().withActuator(backend: backend, clock: clock, logger: log.logger) { actuator, store, _ in
            _ = try await actuator.handle(deny(.ipv4Net(ipv4("198.51.100.1")), args: args(start: t0 + 10_000, duration: 5_000)), context: context)
            clock.advance(seconds: 10)
            await actuator.applyDueEvents()
            clock.advance(seconds: 6)
            await actuator.applyDueEvents()
            #expect(log.lines == ["info scheduled rule started rule_number=1", "info rule ended rule_number=1 was=active"])

            _ = try await actuator.handle(deny(.ipv4Net(ipv4("198.51.100.2")), args: args(start: t0 + 30_000)), context: context)
            await backend.setBroken(true)
            clock.advance(seconds: 15)
            for _ in 0..<3 { #expect(await actuator.applyDueEvents(), "a failed change is to be retried") }
            #expect(log.lines.dropFirst(2).map { $0.prefix(45) } == ["error scheduled change failed; retrying every"])
            #expect(log.lines.last?.contains("failed_attempts=1") == true)

            await backend.setBroken(false)
            #expect(await actuator.applyDueEvents() == false)
            #expect(log.lines.last == "notice schedule applied again failed_attempts=3")
            #expect(try store.get(2)?.state == .active)
            #expect(try await backend.installed().nonEmptySets == ["drop4_both_32": ["198.51.100.2"]])
        }
    }

    @Test("a restart catches up: what started meanwhile is installed, what ended is gone")
    func restartCatchesUp() async throws {
        let clock = TestClock(SLPFActuatorTests.start)
        try await SLPFActuatorTests().withActuator(clock: clock) { actuator, store, directory in
            _ = try await actuator.handle(deny(.ipv4Net(ipv4("198.51.100.1")), args: args(start: t0 + 10_000)), context: context)
            _ = try await actuator.handle(deny(.ipv4Net(ipv4("198.51.100.2")), args: args(duration: 5_000)), context: context)
            clock.advance(seconds: 20)
            let backend = DryRunBackend()
            let restarted = SLPFActuator(store: try RuleStore(path: directory.path("rules.sqlite")), backend: backend, clock: clock.function)
            try await restarted.start()
            #expect(try store.list().map(\.ruleNumber) == [1])
            #expect(try store.get(1)?.state == .active)
            #expect(try await backend.installed().nonEmptySets == ["drop4_both_32": ["198.51.100.1"]])
        }
    }

    @Test("run() wakes for a new rule's end and removes it then")
    func runLoop() async throws {
        let backend = DryRunBackend()
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try RuleStore(path: directory.path("rules.sqlite"))
        let actuator = SLPFActuator(store: store, backend: backend)
        try await actuator.start()
        let (passes, pass) = AsyncStream.makeStream(of: Void.self)
        let runner = Task { await actuator.run(afterEachPass: { pass.yield() }) }
        defer { runner.cancel() }
        let watchdog = Task {
            try await Task.sleep(for: .seconds(20))
            pass.finish()
        }
        defer { watchdog.cancel() }
        var schedule = passes.makeAsyncIterator()
        await schedule.next()  // run() has looked at the (empty) schedule and waits
        let response = try await actuator.handle(
            deny(.ipv4Net(ipv4("192.0.2.77")), args: Args(duration: 1_500, responseRequested: .complete)), context: RequestContext())
        #expect(response.status == .ok)
        #expect(try await backend.installed().nonEmptySets.count == 1)
        var gone = false
        while !gone, await schedule.next() != nil {
            gone = try store.list().isEmpty
        }
        #expect(gone, "the rule should have been removed after its 1.5 s")
        #expect(try await backend.installed().nonEmptySets.isEmpty)
    }
}

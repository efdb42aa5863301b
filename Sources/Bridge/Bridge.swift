import BastionTLS
import Foundation
import Logging
import OpenC2
import OpenC2HTTPS
import OpenC2Polling
import OpenC2SLPF
import TAXII
import TAXIIClient

/// What the bridge polls and how it acts.
public struct BridgeConfiguration: Sendable {
    /// The TAXII Poll service.
    public var pollURL: String
    public var collection: String
    public var version: TAXII.Version
    /// Time between two rounds (poll, then bring every Consumer up to date).
    public var interval: Duration
    /// Ranges never denied (loopback, the allow-list file; the Consumers' and the TAXII
    /// server's addresses are added by the bridge).
    public var allowList: AllowList
    /// Log what would be sent, send nothing, keep no rules.
    public var dryRun: Bool
    /// Commands in flight at once per Consumer.
    public var commandsInFlight: Int

    public init(
        pollURL: String, collection: String, version: TAXII.Version = .v11, interval: Duration = .seconds(60),
        allowList: AllowList = AllowList(), dryRun: Bool = false, commandsInFlight: Int = 8
    ) {
        self.pollURL = pollURL
        self.collection = collection
        self.version = version
        self.interval = interval
        self.allowList = allowList
        self.dryRun = dryRun
        self.commandsInFlight = max(1, commandsInFlight)
    }
}

/// What one poll did.
public struct PollReport: Sendable, Equatable {
    /// Content blocks read.
    public var blocks = 0
    /// Indicators kept (new or republished).
    public var indicators = 0
    /// Observables and blocks passed over.
    public var skipped = 0
    /// Why the poll failed, if it did (the window is polled again next round).
    public var error: String?
}

/// What bringing the Consumers up to date did.
public struct ReconcileReport: Sendable, Equatable {
    /// Denies a Consumer acknowledged with a rule number.
    public var denied: Int
    /// Rules removed (or found gone).
    public var removed: Int
    /// Commands that failed; retried next round.
    public var failed: Int

    public init(denied: Int = 0, removed: Int = 0, failed: Int = 0) {
        self.denied = denied
        self.removed = removed
        self.failed = failed
    }
}

/// Turns TAXII indicators into enforced OpenC2 denies on a fleet of SLPF Consumers.
///
/// Each round polls the collection from where the last poll ended (kept in ``BridgeState``,
/// moved only by a poll that succeeded, result parts followed to the end), keeps the address
/// indicators of the STIX content, and then brings every Consumer up to date: a `deny` (with
/// `response_requested: complete`, persistent, the indicators' validity as `start_time` /
/// `stop_time`) for each wanted address it does not hold yet, and a `delete slpf:rule_number`
/// for each rule whose indicators have all ended. Consumers are served concurrently; one that
/// is down gets what it misses in a later round. Every decision is one log line.
public final class Bridge: Sendable {
    public let configuration: BridgeConfiguration
    public let fleet: Fleet
    let state: BridgeState
    let taxii: TAXIIClient
    let producers: [String: Producer]
    /// The command queues of polling Consumers, by database URL.
    let queues: [String: any CommandQueue]
    /// The connection pools of PostgreSQL queues, running while the bridge exists.
    private let queueServices: [Task<Void, Never>]
    let allowList: AllowList
    let logger: Logger
    let clock: @Sendable () -> Int64

    /// A bridge over `state`, polling with `taxii` (whose owner shuts it down); each Consumer
    /// is reached with its own client certificate. `clock` gives microseconds since 1970.
    public init(
        configuration: BridgeConfiguration, fleet: Fleet, state: BridgeState, taxii: TAXIIClient,
        logger: Logger = Logger(label: "bastion.bridge"), clock: @escaping @Sendable () -> Int64 = Bridge.now
    ) throws(BridgeError) {
        self.configuration = configuration
        self.fleet = fleet
        self.state = state
        self.taxii = taxii
        self.logger = logger
        self.clock = clock
        var producers: [String: Producer] = [:]
        var queues: [String: any CommandQueue] = [:]
        var queueServices: [Task<Void, Never>] = []
        var allowList = configuration.allowList
        for member in fleet.members {
            if let (database, _) = member.queue {
                guard queues[database] == nil else { continue }
                do {
                    if database.hasPrefix("sqlite:") {
                        queues[database] = try SQLiteCommandQueue(path: String(database.dropFirst("sqlite:".count)))
                    } else {
                        let queue = try PostgresCommandQueue(url: database, logger: logger)
                        queueServices.append(Task { await queue.run() })
                        queues[database] = queue
                    }
                } catch {
                    queueServices.forEach { $0.cancel() }
                    throw BridgeError(.configuration, "Consumer \(member.name): \(error)")
                }
                continue
            }
            do {
                let tls = try TLSPolicy.client(caPath: member.ca, certificatePath: member.certificate, keyPath: member.key)
                producers[member.name] = Producer(endpoint: member.url, tls: tls, timeout: .seconds(30), profiles: [SLPFProfile()])
            } catch {
                throw BridgeError(.configuration, "Consumer \(member.name): \(error)")
            }
            allowList.protect(host: member.host, source: "Consumer \(member.name)")
        }
        allowList.protect(host: URLComponents(string: configuration.pollURL)?.host ?? "", source: "the TAXII server")
        self.producers = producers
        self.queues = queues
        self.queueServices = queueServices
        self.allowList = allowList
    }

    deinit {
        queueServices.forEach { $0.cancel() }
    }

    /// The time now, in microseconds since 1970.
    @Sendable public static func now() -> Int64 {
        Int64((Date().timeIntervalSince1970 * 1_000_000).rounded())
    }

    var source: String { configuration.pollURL + "#" + configuration.collection }

    /// Rounds every ``BridgeConfiguration/interval`` until the task is cancelled; a round in
    /// flight when it is cancelled finishes first.
    public func run() async {
        while !Task.isCancelled {
            await Task { _ = await round() }.value
            try? await Task.sleep(for: configuration.interval)
        }
    }

    /// One round: a poll, then every Consumer brought up to date.
    public func round() async -> (PollReport, ReconcileReport) {
        let polled = await poll()
        return (polled, await reconcile())
    }

    // MARK: Poll

    /// Polls the collection from where the last successful poll ended and keeps the indicators found.
    public func poll() async -> PollReport {
        var report = PollReport()
        do {
            let begin = try await state.cursor(source)
            let selection = PollSelection(
                collection: configuration.collection, exclusiveBegin: begin.map(TAXII.Timestamp.init(microsecondsSince1970:)))
            var end: Int64?
            _ = try await taxii.poll(configuration.pollURL, selection.request(version: configuration.version)) { reply in
                let (blocks, replyEnd) = Self.blocks(of: reply)
                if let status = reply.status, status.type != .success {
                    throw BridgeError(.state, "the TAXII server answered \(status.type.rawValue)" + (status.firstLine.map { ": " + $0 } ?? ""))
                }
                end = [end, replyEnd, blocks.compactMap(\.label).max()].compactMap { $0 }.max()
                var kept: [(ExtractedIndicator, Int64?)] = []
                for block in blocks {
                    report.blocks += 1
                    kept += take(block, report: &report).map { ($0, block.label) }
                }
                try await state.record(kept, collection: configuration.collection, at: clock())
                report.indicators += kept.count
            }
            if let end { try await state.setCursor(source, to: end) }
            logger.log(level: report.blocks > 0 ? .info : .debug, "polled", metadata: [
                "collection": "\(configuration.collection)", "blocks": "\(report.blocks)", "indicators": "\(report.indicators)",
                "skipped": "\(report.skipped)",
            ])
        } catch {
            report.error = "\(error)"
            logger.error("poll failed; the same window is polled next round", metadata: ["url": "\(configuration.pollURL)", "error": "\(error)"])
        }
        return report
    }

    /// A content block as the bridge reads it.
    struct Block {
        var binding: String
        var content: String
        var label: Int64?
    }

    /// The blocks of a Poll Response of either version, and the end of the window it covers.
    static func blocks(of reply: TAXII.Message) -> ([Block], Int64?) {
        switch reply {
        case .taxii11(.pollResponse(let response)):
            return (response.contentBlocks.map { Block(binding: $0.contentBinding.bindingID, content: $0.content.string, label: $0.timestampLabel?.microsecondsSince1970) },
                    response.inclusiveEndTimestamp?.microsecondsSince1970)
        case .taxii10(.pollResponse(let response)):
            return (response.contentBlocks.map { Block(binding: $0.contentBinding, content: $0.content.string, label: $0.timestampLabel?.microsecondsSince1970) },
                    response.inclusiveEndTimestamp.microsecondsSince1970)
        default:
            return ([], nil)
        }
    }

    /// The indicators of `block` worth keeping (allow-listed addresses taken out, each skip logged).
    private func take(_ block: Block, report: inout PollReport) -> [ExtractedIndicator] {
        let extraction = STIXObservables.extract(xml: block.content)
        let now = clock()
        for skip in extraction.skipped {
            report.skipped += 1
            logger.notice("skipped", metadata: ["value": "\(skip.value)", "reason": "\(skip.reason)", "binding": "\(block.binding)"])
        }
        var result: [ExtractedIndicator] = []
        for indicator in extraction.indicators {
            var kept = indicator
            kept.addresses = indicator.addresses.filter { address in
                if let protection = allowList.protection(of: address) {
                    report.skipped += 1
                    logger.notice("skipped", metadata: ["address": "\(address)", "indicator": "\(indicator.id)", "reason": "allow-listed: \(protection)"])
                    return false
                }
                return true
            }
            if let until = indicator.validUntil, until <= now {
                logger.notice("indicator ended", metadata: ["indicator": "\(indicator.id)", "addresses": "\(indicator.addresses.map(\.description).joined(separator: ","))"])
            }
            if !kept.addresses.isEmpty || indicator.validUntil != nil { result.append(kept) }
        }
        return result
    }

    // MARK: Reconcile

    /// Brings every Consumer up to date with the wanted addresses, concurrently.
    public func reconcile() async -> ReconcileReport {
        let now = clock()
        let wanted: [BridgeState.Wanted]
        let held: [BridgeState.Rule]
        do {
            wanted = try await state.wanted(at: now)
            held = try await state.rules()
        } catch {
            logger.error("cannot read the bridge state", metadata: ["error": "\(error)"])
            return ReconcileReport(failed: 1)
        }
        return await withTaskGroup(of: ReconcileReport.self) { group in
            for member in fleet.members {
                let rules = held.filter { $0.consumer == member.name }
                group.addTask { await self.reconcile(member, wanted: wanted, rules: rules, now: now) }
            }
            var total = ReconcileReport()
            for await report in group {
                total.denied += report.denied
                total.removed += report.removed
                total.failed += report.failed
            }
            return total
        }
    }

    private func reconcile(_ member: Fleet.Member, wanted: [BridgeState.Wanted], rules: [BridgeState.Rule], now: Int64) async -> ReconcileReport {
        if let (database, identity) = member.queue, let queue = queues[database] {
            return await reconcileQueued(member, queue: queue, identity: identity, wanted: wanted, rules: rules, now: now)
        }
        let holding = Dictionary(rules.compactMap { rule in rule.ruleNumber.map { (rule.address, $0) } }, uniquingKeysWith: { first, _ in first })
        let wantedAddresses = Set(wanted.map(\.address))
        enum Work: Sendable {
            case deny(NetworkAddress, BridgeState.Wanted)
            case remove(Int64, String)
        }
        var work: [Work] = wanted.compactMap { item in
            guard holding[item.address] == nil, let address = NetworkAddress(item.address) else { return nil }
            return .deny(address, item)
        }
        work += holding.filter { !wantedAddresses.contains($0.key) }.map { .remove($0.value, $0.key) }
        // A few commands in flight per Consumer: a large batch does not wait on each round trip.
        return await withTaskGroup(of: (Work, Bool).self) { group in
            var report = ReconcileReport()
            var pending = work[...]
            func start() {
                guard let next = pending.popFirst() else { return }
                group.addTask {
                    switch next {
                    case .deny(let address, let window): (next, await self.deny(address, window: window, on: member, now: now))
                    case .remove(let number, let address): (next, await self.remove(number, address: address, on: member))
                    }
                }
            }
            for _ in 0..<configuration.commandsInFlight { start() }
            for await (done, succeeded) in group {
                switch (done, succeeded) {
                case (.deny, true): report.denied += 1
                case (.remove, true): report.removed += 1
                default: report.failed += 1
                }
                start()
            }
            return report
        }
    }

    // MARK: Polling Consumers

    /// Brings a polling Consumer up to date through its queue: a Command is queued for what it
    /// lacks, and its Response, once stored, settles the rule on a later round (counted then).
    private func reconcileQueued(
        _ member: Fleet.Member, queue: any CommandQueue, identity: String, wanted: [BridgeState.Wanted], rules: [BridgeState.Rule], now: Int64
    ) async -> ReconcileReport {
        var report = ReconcileReport()
        do {
            try await queue.prepare()
        } catch {
            logger.warning("failed; retried next round", metadata: ["consumer": "\(member.name)", "error": "\(error)"])
            return ReconcileReport(failed: 1)
        }
        let byAddress = Dictionary(rules.map { ($0.address, $0) }, uniquingKeysWith: { first, _ in first })
        let wantedAddresses = Set(wanted.map(\.address))
        for item in wanted {
            let rule = byAddress[item.address]
            if let pending = rule?.pending, rule?.pendingAction == "deny" {
                switch await settle(pending, queue: queue) {
                case .waiting: break
                case .answered(let response):
                    if await settleDeny(response, address: item.address, on: member) { report.denied += 1 } else { report.failed += 1 }
                case .gone(let reason):
                    report.failed += 1
                    _ = await failed("deny", address: item.address, member: member, error: reason)
                }
                continue
            }
            guard rule?.ruleNumber == nil, let address = NetworkAddress(item.address) else { continue }
            await enqueue(Self.denyCommand(address, window: item, now: now), expires: item.until.map { $0 / 1000 },
                          action: "deny", address: item.address, member: member, queue: queue, identity: identity, now: now)
        }
        for (address, rule) in byAddress where !wantedAddresses.contains(address) {
            guard let number = rule.ruleNumber else { continue }
            if let pending = rule.pending, rule.pendingAction == "delete" {
                switch await settle(pending, queue: queue) {
                case .waiting: break
                case .answered(let response):
                    if await settleDelete(response, number: number, address: address, on: member) { report.removed += 1 } else { report.failed += 1 }
                case .gone(let reason):
                    report.failed += 1
                    _ = await failed("delete", address: address, member: member, error: reason)
                }
                continue
            }
            await enqueue(Self.deleteCommand(number), expires: nil,
                          action: "delete", address: address, member: member, queue: queue, identity: identity, now: now)
        }
        return report
    }

    /// Where a queued Command stands.
    enum Settlement {
        case waiting
        case answered(Response)
        case gone(String)
    }

    private func settle(_ commandID: String, queue: any CommandQueue) async -> Settlement {
        guard let command = try? await queue.command(id: commandID) else { return .waiting }
        switch command.state {
        case .answered:
            guard let text = command.response, let response = try? OpenC2Decoder(profiles: [SLPFProfile()]).decode(Response.self, from: text) else {
                return .gone("the Consumer's Response to \(commandID) cannot be read")
            }
            return .answered(response)
        case .expired:
            return .gone("Command \(commandID) expired in the queue before the Consumer polled it")
        case .queued, .delivered, .processing:
            return .waiting
        }
    }

    private func enqueue(
        _ command: Command, expires: Int64?, action: String, address: String, member: Fleet.Member, queue: any CommandQueue, identity: String, now: Int64
    ) async {
        var command = command
        let id = UUID().uuidString.lowercased()
        command.commandID = try? CommandID(id)
        if configuration.dryRun {
            logger.info("would queue (dry run)", metadata: ["action": "\(action)", "address": "\(address)", "consumer": "\(member.name)"])
            return
        }
        do {
            try await queue.enqueue(QueuedCommand(
                commandID: id, consumer: identity, command: String(decoding: OpenC2Encoder().encode(command), as: UTF8.self),
                enqueuedAt: now / 1000, expiresAt: expires))
            try await state.recordPending(consumer: member.name, address: address, commandID: id, action: action, at: clock())
            logger.info("queued", metadata: ["action": "\(action)", "address": "\(address)", "consumer": "\(member.name)", "command_id": "\(id)"])
        } catch {
            _ = await failed(action, address: address, member: member, error: "\(error)")
        }
    }

    // MARK: Commands and their Responses (pushed and queued alike)

    /// The persistent deny of `address` for the indicators' `window` (a start only when still ahead).
    static func denyCommand(_ address: NetworkAddress, window: BridgeState.Wanted, now: Int64) -> Command {
        var args = Args(responseRequested: .complete)
        if let from = window.from, from > now { args.startTime = dateTime(from) }
        if let until = window.until { args.stopTime = dateTime(until) }
        args.slpf = SLPFArgs(persistent: true)
        return Command(.deny, address.target, args: args, actuator: .slpf())
    }

    /// `delete slpf:rule_number` of `number`.
    static func deleteCommand(_ number: Int64) -> Command {
        Command(.delete, .slpfRuleNumber(number), args: Args(responseRequested: .complete), actuator: .slpf())
    }

    /// Keeps what a deny's `response` says: the rule number, or the failure.
    private func settleDeny(_ response: Response, address: String, on member: Fleet.Member) async -> Bool {
        guard response.status == .ok, let number = response.results?.slpf?.ruleNumber else {
            return await failed("deny", address: address, member: member, error: Self.describe(response))
        }
        logger.info("denied", metadata: ["address": "\(address)", "consumer": "\(member.name)", "rule_number": "\(number)"])
        try? await state.recordRule(consumer: member.name, address: address, ruleNumber: number, error: nil, at: clock())
        return true
    }

    /// Forgets the rule when a delete's `response` says it is gone (a stop_time may have ended it already).
    private func settleDelete(_ response: Response, number: Int64, address: String, on member: Fleet.Member) async -> Bool {
        guard response.status == .ok || (response.statusText ?? "").contains("no rule \(number)") else {
            return await failed("delete", address: address, member: member, error: Self.describe(response))
        }
        logger.info("removed", metadata: ["address": "\(address)", "consumer": "\(member.name)", "rule_number": "\(number)"])
        try? await state.removeRule(consumer: member.name, address: address)
        return true
    }

    static func describe(_ response: Response) -> String {
        "status \(response.status.rawValue)" + (response.statusText.map { ": " + $0 } ?? "")
    }

    /// Sends the deny of `address` to `member`; keeps the rule number or the error.
    private func deny(_ address: NetworkAddress, window: BridgeState.Wanted, on member: Fleet.Member, now: Int64) async -> Bool {
        if configuration.dryRun {
            logger.info("would deny (dry run)", metadata: ["address": "\(address)", "consumer": "\(member.name)"])
            return true
        }
        switch await send(Self.denyCommand(address, window: window, now: now), to: member) {
        case .success(let response):
            return await settleDeny(response, address: address.description, on: member)
        case .failure(let error):
            return await failed("deny", address: address.description, member: member, error: error.description)
        }
    }

    /// Sends `delete slpf:rule_number` for `number` to `member`; forgets the rule when it is gone.
    private func remove(_ number: Int64, address: String, on member: Fleet.Member) async -> Bool {
        if configuration.dryRun {
            logger.info("would remove (dry run)", metadata: ["address": "\(address)", "consumer": "\(member.name)", "rule_number": "\(number)"])
            return true
        }
        switch await send(Self.deleteCommand(number), to: member) {
        case .success(let response):
            return await settleDelete(response, number: number, address: address, on: member)
        case .failure(let error):
            return await failed("delete", address: address, member: member, error: error.description)
        }
    }

    private func send(_ command: Command, to member: Fleet.Member) async -> Result<Response, SendFailure> {
        guard let producer = producers[member.name] else { return .failure(SendFailure(description: "no Producer for \(member.name)")) }
        do {
            let reply = try await producer.send(command)
            guard let response = reply.response else { return .failure(SendFailure(description: "an empty reply (HTTP \(reply.httpStatus))")) }
            return .success(response)
        } catch {
            return .failure(SendFailure(description: error.description))
        }
    }

    private func failed(_ action: String, address: String, member: Fleet.Member, error: String) async -> Bool {
        logger.warning("failed; retried next round", metadata: ["action": "\(action)", "address": "\(address)", "consumer": "\(member.name)", "error": "\(error)"])
        try? await state.recordRule(consumer: member.name, address: address, ruleNumber: nil, error: error, at: clock())
        return false
    }

    static func dateTime(_ microseconds: Int64) -> DateTime {
        DateTime(millisecondsSince1970: UInt64(max(0, microseconds / 1000)))
    }
}

/// Why a Command got no usable Response: one line.
struct SendFailure: Error, CustomStringConvertible {
    let description: String
}

import ArgumentParser
import BastionConsumer
import Foundation
import OpenC2
import OpenC2SLPF
import SLPFActuator

/// `bastion bench slpf`: how fast the SLPF actuator makes a rule active, and how long a
/// restart takes to rebuild the firewall, with many rules already in place.
struct BenchSLPFCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "slpf",
        abstract: "Measure the SLPF actuator on real nftables: deny latency and restart reconcile time.",
        discussion: """
        For each rule count N: stores N `deny ipv4_net` rules (distinct addresses, both \
        directions), starts an actuator (the reconcile rebuilds `table inet bastion` from the \
        store), then times --commands `deny ipv4_net` Commands from JSON received to rule active \
        (decode, store commit, nftables transaction), and finally a restart's reconcile.

        It replaces `table inet bastion` of the network namespace it runs in: run it in a namespace \
        of its own, e.g. `unshare -rn bastion bench slpf` (it refuses the host's namespace unless \
        --host is given).
        """
    )

    @Option(help: ArgumentHelp("Rule counts already active, comma-separated.", valueName: "n,n,…"))
    var rules: String = "0,10000,100000"

    @Option(help: "deny Commands timed at each rule count.")
    var commands: Int = 1000

    @Option(help: ArgumentHelp("nftables, or dry-run to measure everything but the firewall.", valueName: "backend"))
    var firewall: FirewallChoice = .nftables

    @Flag(help: "Allow running in the host's network namespace (replaces its table inet bastion).")
    var host = false

    @Flag(help: "Print one JSON object per rule count.")
    var json = false

    func run() async throws {
        let counts = try rules.split(separator: ",").map { text -> Int in
            // The preloaded rules are distinct addresses of 10.0.0.0/8: at most 2^24 of them.
            guard let count = Int(text.trimmingCharacters(in: .whitespaces)), (0...(1 << 24)).contains(count) else {
                throw CLIError("--rules takes counts of 0…16777216 separated by commas, got \(rules)")
            }
            return count
        }
        // Each deny names a distinct address of 198.18.0.0/15: at most 2^17 of them.
        guard (1...(1 << 17)).contains(commands) else { throw CLIError("--commands must be 1…131072") }
        guard firewall == .nftables || firewall == .dryRun else { throw CLIError("--firewall must be nftables or dry-run") }
        if firewall == .nftables && !host && Self.inInitialNetworkNamespace {
            throw CLIError("this would replace the host's table inet bastion: run it as `unshare -rn bastion bench slpf …`, or pass --host")
        }
        if !json { print("rules    reconcile_ms  restart_ms  deny_p50_ms  deny_p90_ms  deny_p99_ms  deny_max_ms  (\(commands) denies, \(firewall.rawValue))") }
        for count in counts {
            let result = try await measure(count)
            print(json ? result.json : result.line)
        }
    }

    struct Result {
        var rules: Int
        var reconcile: Double
        var restart: Double
        var latency: LatencySummary

        var line: String {
            [String(rules).padding(toLength: 8, withPad: " ", startingAt: 0),
             BenchReport.format(reconcile, 1).padding(toLength: 14, withPad: " ", startingAt: 0),
             BenchReport.format(restart, 1).padding(toLength: 12, withPad: " ", startingAt: 0),
             BenchReport.format(latency.p50, 3).padding(toLength: 13, withPad: " ", startingAt: 0),
             BenchReport.format(latency.p90, 3).padding(toLength: 13, withPad: " ", startingAt: 0),
             BenchReport.format(latency.p99, 3).padding(toLength: 13, withPad: " ", startingAt: 0),
             BenchReport.format(latency.max, 3)].joined()
        }

        var json: String {
            JSONWriter().string(.object([
                "rules": .integer(Int64(rules)), "reconcile_ms": .number(BenchReport.rounded(reconcile, 1)),
                "restart_reconcile_ms": .number(BenchReport.rounded(restart, 1)),
                "deny_p50_ms": .number(BenchReport.rounded(latency.p50, 3)), "deny_p90_ms": .number(BenchReport.rounded(latency.p90, 3)),
                "deny_p99_ms": .number(BenchReport.rounded(latency.p99, 3)), "deny_max_ms": .number(BenchReport.rounded(latency.max, 3)),
            ]))
        }
    }

    private func measure(_ count: Int) async throws -> Result {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("bastion-bench-slpf-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("slpf.sqlite").path
        let store = try RuleStore(path: path)
        // Preload: N distinct /32 addresses from 10.0.0.0, in one store transaction.
        let preload = (0..<count).map { index in
            FilterRuleRequest(action: .deny, match: .ipv4Net(try! IPv4Net(IPv4Address(0x0A00_0000 + UInt32(index)))))
        }
        _ = try store.replace(source: "bench", with: preload, receivedAt: DateTime(millisecondsSince1970: 0))

        let (backend, _) = try await Firewall.backend(firewall)
        let actuator = SLPFActuator(store: store, backend: backend)
        var clock = ContinuousClock.now
        try await actuator.start()
        let reconcile = Self.milliseconds(ContinuousClock.now - clock)

        // Denies of fresh addresses (198.18.0.0/15, the benchmarking range), as JSON bytes.
        let decoder = OpenC2Decoder(profiles: [SLPFProfile()])
        var latencies: [Int64] = []
        latencies.reserveCapacity(commands)
        for index in 0..<commands {
            let address = IPv4Address(0xC612_0000 + UInt32(index))
            let body = Array(#"{"action":"deny","target":{"ipv4_net":"\#(address)"},"args":{"response_requested":"complete"}}"#.utf8)
            let started = ContinuousClock.now
            let command = try decoder.decode(Command.self, from: body)
            let response = try await actuator.handle(command, context: RequestContext())
            let elapsed = ContinuousClock.now - started
            guard response.status == .ok else { throw CLIError("deny #\(index) answered \(response.status.rawValue): \(response.statusText ?? "")") }
            latencies.append(elapsed.components.attoseconds / 1_000_000_000 + elapsed.components.seconds * 1_000_000_000)
        }

        // A restart: a new actuator over the same store rebuilds the table.
        let (restartBackend, _) = try await Firewall.backend(firewall)
        let restarted = SLPFActuator(store: try RuleStore(path: path), backend: restartBackend)
        clock = ContinuousClock.now
        try await restarted.start()
        let restart = Self.milliseconds(ContinuousClock.now - clock)
        return Result(rules: count, reconcile: reconcile, restart: restart, latency: LatencySummary(nanoseconds: latencies))
    }

    private static func milliseconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15
    }

    /// Whether this process shares the network namespace of PID 1 (readable only when it does
    /// or is privileged: inside `unshare -rn` it is not).
    static var inInitialNetworkNamespace: Bool {
        guard let own = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/ns/net"),
              let initial = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/1/ns/net") else { return false }
        return own == initial
    }
}

import Foundation
import Logging
import OpenC2
import OpenC2SLPF
import SLPFActuator
import Testing
@testable import BastionConsumer

@Suite("Firewall: the SLPF actuator a Consumer's settings choose")
struct FirewallTests {
    let quiet = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }

    @Test("dry-run and nftables name their backend; none names none")
    func backends() async throws {
        let (dryRun, dryRunSummary) = try await Firewall.backend(.dryRun, gateway: true)
        #expect(dryRun is DryRunBackend)
        #expect(dryRunSummary == "dry-run (transactions are recorded, not applied; host and routed traffic)")
        let (nftables, nftablesSummary) = try await Firewall.backend(.nftables)
        #expect(nftables is NFTablesBackend)
        #expect(nftablesSummary.hasPrefix("nftables ("))
        await #expect(throws: ConsumerSetupError("no firewall was chosen")) { _ = try await Firewall.backend(.none) }
    }

    @Test("auto picks dry-run, saying why, where the ruleset cannot be listed, and nftables where it can")
    func automatic() async throws {
        let missing = NFTProgram(nft: "/nonexistent/nft")
        let (backend, summary) = try await Firewall.backend(.auto, executor: missing)
        #expect(backend is DryRunBackend)
        #expect(summary.hasPrefix("dry-run, chosen by --firewall auto because nftables cannot be changed here"), "\(summary)")

        // `true` stands in for an nft that lists the ruleset: its empty output is an empty listing.
        let (listing, listingSummary) = try await Firewall.backend(.auto, executor: NFTProgram(nft: "/bin/true"))
        #expect(listing is NFTablesBackend)
        #expect(listingSummary == "nftables (nft; chosen by --firewall auto)")
    }

    @Test("start creates the state and rules directories, opens the store and rebuilds the firewall from it")
    func start() async throws {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("bastion-firewall-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: base) }
        let state = base.appendingPathComponent("state/slpf.sqlite").path
        let rules = base.appendingPathComponent("rules").path
        let first = try await Firewall.start(.dryRun, statePath: state, rulesDirectory: rules, logger: quiet)
        let reply = try await first.actuator.handle(
            try OpenC2Decoder(profiles: [SLPFProfile()]).decode(Command.self, from: Array(#"{"action":"deny","target":{"ipv4_net":"198.51.100.0/24"},"args":{"response_requested":"complete"}}"#.utf8)),
            context: RequestContext(requestID: "1", peer: nil))
        #expect(reply.status == .ok)
        #expect(FileManager.default.fileExists(atPath: rules))

        // A second start over the same store finds the rule and installs it again.
        let second = try await Firewall.start(.dryRun, statePath: state, rulesDirectory: nil, logger: quiet)
        #expect(try await second.actuator.installedRules.count == 1)
        #expect(second.summary.hasPrefix("dry-run"))
    }

    @Test("a state path that cannot be created is a setup error naming it")
    func unusableState() async throws {
        let error = await #expect(throws: ConsumerSetupError.self) {
            _ = try await Firewall.start(.dryRun, statePath: "/proc/bastion/slpf.sqlite", rulesDirectory: nil, logger: quiet)
        }
        #expect(error?.message.contains("/proc/bastion") == true, "\(String(describing: error))")
    }
}

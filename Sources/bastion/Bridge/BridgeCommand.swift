import ArgumentParser
import BastionConfig
import Bridge
import Foundation
import Logging
import ServiceLifecycle
import TAXII

/// `bastion bridge …`
struct BridgeGroup: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bridge",
        abstract: "Turn TAXII indicators into enforced OpenC2 denies on a fleet of SLPF Consumers.",
        subcommands: [BridgeRunCommand.self, BridgeStatusCommand.self],
        defaultSubcommand: BridgeRunCommand.self
    )
}

/// `bastion bridge [run]`: the loop, until SIGINT/SIGTERM.
struct BridgeRunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Poll a TAXII collection and keep every Consumer denying its live address indicators.",
        discussion: """
        Every --interval seconds the bridge polls the collection from where the last successful \
        poll ended (kept in --state), reads the IP address observables of the STIX 1.x content \
        (Indicators with their Valid_Time_Position, package-level Observables, compositions), and \
        sends each Consumer of the fleet a `deny ipv4_net`/`deny ipv6_net` (persistent, with the \
        indicator's validity as start_time/stop_time) for every live address it does not hold yet, \
        and a `delete slpf:rule_number` for rules whose indicators have all ended or been \
        revoked. Consumers are served concurrently; one that is down gets what it missed next round. \
        Loopback, the --allow-list ranges and the addresses of the Consumers and of the TAXII \
        server are never denied. SIGINT/SIGTERM stop it after the round in flight.

        The fleet file (YAML): `consumers:` a list of {name, url, cert, key, ca}, with an optional \
        `defaults:` block of the same keys.
        """
    )

    @Option(name: .customLong("taxii-url"), help: ArgumentHelp("The TAXII Poll service's URL.", valueName: "url"))
    var taxiiURL: String

    @Option(help: ArgumentHelp("The collection (TAXII 1.0: feed) to poll.", valueName: "name"))
    var collection: String

    @Option(name: .customLong("taxii-version"), help: ArgumentHelp("The TAXII version to speak: 1.1 or 1.0.", valueName: "version"))
    var taxiiVersion: String = "1.1"

    @OptionGroup var connection: TAXIIConnectionOptions

    @Option(help: ArgumentHelp("The fleet file (YAML): the Consumers and their client certificates.", valueName: "file"))
    var consumers: String

    @Option(help: ArgumentHelp("Seconds between two rounds.", valueName: "seconds"))
    var interval: Int = 60

    @Option(help: ArgumentHelp("The bridge's state file (SQLite): poll position, indicators, rules.", valueName: "file"))
    var state: String = "bridge.sqlite"

    @Option(name: .customLong("allow-list"), help: ArgumentHelp("Addresses and CIDR ranges never to deny, one per line (# comments).", valueName: "file"))
    var allowList: String?

    @Flag(name: .customLong("dry-run"), help: "Log the denies and removals that would be sent; send nothing.")
    var dryRun = false

    @Flag(help: "Run one round and exit (status 1 if the poll or a command failed).")
    var once = false

    func validate() throws {
        guard TAXII.Version(rawValue: taxiiVersion) != nil else { throw ValidationError("--taxii-version must be 1.1 or 1.0, got '\(taxiiVersion)'") }
        guard (1...86_400).contains(interval) else { throw ValidationError("--interval must be 1…86400 seconds") }
    }

    func run() async throws {
        let logger = Logger(label: "bastion.bridge")
        let fleet: Fleet
        do { fleet = try Fleet.load(consumers) } catch { throw CLIError(error.description) }
        var allow = AllowList()
        if let allowList {
            do {
                allow = try AllowList(contentsOf: try String(contentsOfFile: allowList, encoding: .utf8), file: allowList)
            } catch let error as BridgeError {
                throw CLIError(error.description)
            } catch {
                throw CLIError("--allow-list \(allowList): \(error.localizedDescription)")
            }
        }
        let configuration = BridgeConfiguration(
            pollURL: taxiiURL, collection: collection, version: TAXII.Version(rawValue: taxiiVersion) ?? .v11, interval: .seconds(interval),
            allowList: allow, dryRun: dryRun)
        let client = try connection.client(for: taxiiURL)
        defer { Task { try? await client.shutdown() } }
        let bridge: Bridge
        do {
            bridge = try Bridge(configuration: configuration, fleet: fleet, state: try BridgeState(path: state), taxii: client, logger: logger)
        } catch {
            throw CLIError(error.description)
        }
        logger.info("bridge started", metadata: [
            "taxii": "\(taxiiURL)", "collection": "\(collection)", "consumers": "\(fleet.members.map(\.name).joined(separator: ","))",
            "state": "\(state)", "interval": "\(interval)s", "dry_run": "\(dryRun)",
        ])
        if once {
            let (polled, reconciled) = await bridge.round()
            try? await client.shutdown()
            print("polled \(polled.blocks) block(s), \(polled.indicators) indicator(s), \(polled.skipped) skipped; "
                + "denied \(reconciled.denied), removed \(reconciled.removed), failed \(reconciled.failed)")
            if polled.error != nil || reconciled.failed > 0 { throw ExitCode(1) }
            return
        }
        let group = ServiceGroup(services: [BridgeService(bridge: bridge)], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        try await group.run()
        try? await client.shutdown()
        logger.info("bridge stopped")
    }
}

/// The bridge's loop as a service: graceful shutdown lets the round in flight finish.
struct BridgeService: Service {
    let bridge: Bridge

    func run() async throws {
        await cancelWhenGracefulShutdown { await bridge.run() }
    }
}

/// `bastion bridge status`
struct BridgeStatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show each indicator the bridge keeps, its addresses, and per Consumer the rule number or the last error."
    )

    @Option(help: ArgumentHelp("The bridge's state file.", valueName: "file"))
    var state: String = "bridge.sqlite"

    @Flag(help: "Print a JSON array of {indicator, source, addresses, consumers: [{name, address, rule_number, error}]}.")
    var json = false

    func run() async throws {
        guard FileManager.default.fileExists(atPath: state) else { throw CLIError("no bridge state at \(state)") }
        let indicators: [BridgeState.IndicatorStatus]
        let rules: [BridgeState.Rule]
        do {
            let store = try BridgeState(path: state)
            indicators = try await store.indicators()
            rules = try await store.rules()
        } catch {
            throw CLIError(error.description)
        }
        func time(_ microseconds: Int64?) -> String? { microseconds.map { TAXII.Timestamp(microsecondsSince1970: $0).isoFormat } }
        if json {
            let objects: [[String: Any]] = indicators.map { indicator in
                [
                    "indicator": indicator.id,
                    "source": ["collection": indicator.collection, "block_timestamp": time(indicator.blockLabel) as Any, "stix_id": indicator.id],
                    "valid_from": time(indicator.validFrom) as Any, "valid_until": time(indicator.validUntil) as Any,
                    "addresses": indicator.addresses,
                    "consumers": rules.filter { indicator.addresses.contains($0.address) }.map { rule in
                        ["name": rule.consumer, "address": rule.address, "rule_number": rule.ruleNumber as Any, "error": rule.error as Any]
                    },
                ]
            }
            let data = try JSONSerialization.data(withJSONObject: objects, options: [.sortedKeys, .withoutEscapingSlashes])
            print(String(decoding: data, as: UTF8.self))
            return
        }
        if indicators.isEmpty { print("no indicators yet") }
        for indicator in indicators {
            let validity = [time(indicator.validFrom).map { "from " + $0 }, time(indicator.validUntil).map { "until " + $0 }].compactMap { $0 }
            print("\(indicator.id)  (collection \(indicator.collection), block \(time(indicator.blockLabel) ?? "?")\(validity.isEmpty ? "" : "; " + validity.joined(separator: " ")))")
            for address in indicator.addresses {
                let held = rules.filter { $0.address == address }.map { rule in
                    "\(rule.consumer): " + (rule.ruleNumber.map { "rule \($0)" } ?? "-") + (rule.error.map { " (last error: \($0))" } ?? "")
                }
                print("  \(address)  " + (held.isEmpty ? "no rule" : held.joined(separator: "; ")))
            }
        }
    }
}

import Foundation
import OpenC2
import OpenC2SLPF
import Testing
@testable import SLPFActuator

/// A backend whose every change fails as nft would.
struct FailingBackend: FirewallBackend {
    func applyAll(_ rules: [SLPFRule]) throws(FirewallError) {}
    func apply(_ change: FirewallChange, others: [SLPFRule]) throws(FirewallError) {
        throw .commandFailed(command: ["nft", "-f", "-"], status: 1, stderr: "Error: Operation not permitted\n")
    }
    func installed() throws(FirewallError) -> InstalledRuleset { InstalledRuleset() }
}

func deny(_ target: Target, slpf: SLPFArgs? = nil, args: Args = Args(responseRequested: .complete)) -> Command {
    var args = args
    if let slpf { args.slpf = slpf }
    return Command(.deny, target, args: args, actuator: .slpf())
}

@Suite("SLPFActuator")
struct SLPFActuatorTests {
    let context = RequestContext(receivedAt: Date(timeIntervalSince1970: 1_000))

    func withActuator(
        backend: any FirewallBackend = DryRunBackend(),
        _ body: (SLPFActuator, RuleStore, String) async throws -> Void
    ) async throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanup() }
        let path = directory.path("rules.sqlite")
        let store = try RuleStore(path: path)
        let actuator = SLPFActuator(store: store, backend: backend)
        try await actuator.start()
        try await body(actuator, store, path)
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
            #expect(installed.nonEmptySets == ["drop4_in": ["10.0.0.0/8"], "drop4_out": ["10.0.0.0/8"]])
            #expect(installed.ruleNumbers == [2])
            #expect(await actuator.installedRules.map(\.ruleNumber) == [1, 2])
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
            #expect(response.statusText?.contains("Operation not permitted") == true)
            #expect(try store.list().isEmpty)
        }
    }

    @Test("unsupported options are 501 Option not supported; query features is truthful")
    func refusalsAndFeatures() async throws {
        try await withActuator { actuator, _, _ in
            let temporal = try await actuator.handle(
                deny(.ipv4Net(ipv4("10.0.0.0/8")), args: Args(duration: 1_000, responseRequested: .complete)), context: context)
            #expect(temporal.status == .notImplemented)
            #expect(temporal.statusText == "Option not supported")
            let falseAck = try await actuator.handle(deny(.ipv4Net(ipv4("10.0.0.0/8")), slpf: SLPFArgs(dropProcess: .falseAck)), context: context)
            #expect(falseAck.status == .notImplemented)
            #expect(falseAck.statusText == "Option not supported")
            let update = try await actuator.handle(Command(.update, .file(File(name: "rules.json")), actuator: .slpf()), context: context)
            #expect(update.status == .notImplemented)
            let features = try await actuator.handle(Command(.query, .features([.pairs, .profiles])), context: context)
            #expect(features.status == .ok)
            #expect(features.results?.profiles == [.slpf])
            #expect(features.results?.pairs == SLPFActuator.implementedCapabilities.pairs)
        }
    }

    @Test("restart: persistent rules come back in one rebuild, non-persistent ones do not")
    func restart() async throws {
        try await withActuator { actuator, _, path in
            _ = try await actuator.handle(deny(.ipv4Net(ipv4("10.0.0.0/8"))), context: context)
            _ = try await actuator.handle(deny(.ipv4Net(ipv4("10.9.0.0/16")), slpf: SLPFArgs(persistent: false)), context: context)
            let backend = DryRunBackend()
            let restarted = SLPFActuator(store: try RuleStore(path: path), backend: backend)
            try await restarted.start()
            #expect(await restarted.installedRules.map(\.ruleNumber) == [1])
            let transactions = await backend.transactions
            #expect(transactions.count == 1)
            #expect(transactions.first?.contains("elements = { 10.0.0.0/8 }") == true)
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
            #expect(try await backend.installed().nonEmptySets == ["drop4_in": ["198.51.100.0/24"]])
        }
    }
}

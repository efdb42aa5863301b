import BastionConsumer
import BastionHTTPServer
import BastionPKI
import BastionTLS
import Bridge
import Foundation
import Logging
import OpenC2
import OpenC2HTTPS
import OpenC2Polling
import OpenC2SLPF
import ServiceLifecycle
import SLPFActuator
import NIOConcurrencyHelpers
import TAXII
import TAXIIClient
import TAXIIServer
import Testing
import TestSupport

let quiet = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }

/// A clock tests set by hand, in microseconds since 1970 (2026-12-01).
final class ManualClock: Sendable {
    let now = NIOLockedValueBox<Int64>(1_796_083_200_000_000)
    var function: @Sendable () -> Int64 { { self.now.withLockedValue { $0 } } }
    func advance(_ microseconds: Int64) { now.withLockedValue { $0 += microseconds } }
    func set(_ microseconds: Int64) { now.withLockedValue { $0 = microseconds } }
}

/// A Bastion TAXII server (plain HTTP, collection `default`), SLPF Consumers on the dry-run
/// firewall (HTTPS with the test PKI, client certificates required), and a bridge between them.
struct Loop {
    let taxiiBase: String
    let consumers: [(name: String, actuator: SLPFActuator)]
    let fleet: Fleet
    let directory: TemporaryDirectory

    /// Inboxes `xml` as one STIX 1.1.1 block.
    func publish(_ xml: String) async throws {
        try await publish([try TAXII11.ContentBlock(contentBinding: TAXII11.ContentBinding(TAXII.ContentBindingID.stixXML111), xml: xml)])
    }

    /// Inboxes `blocks` in one Inbox Message.
    func publish(_ blocks: [TAXII11.ContentBlock]) async throws {
        try await TAXIIClient.with(proxy: .none) { client in
            let reply = try await client.call(taxiiBase + "/inbox", TAXII11.InboxMessage(contentBlocks: blocks))
            #expect(reply.status?.type == .success)
        }
    }

    /// A bridge over the state file `state` (in the loop's directory).
    func bridge(state: String = "bridge.sqlite", taxii: TAXIIClient, clock: ManualClock, allowList: AllowList = AllowList(), fleet: Fleet? = nil) throws -> Bridge {
        try Bridge(
            configuration: BridgeConfiguration(pollURL: taxiiBase + "/poll", collection: "default", allowList: allowList),
            fleet: fleet ?? self.fleet, state: try BridgeState(path: directory.path(state)), taxii: taxii, logger: quiet, clock: clock.function)
    }

    /// The addresses each Consumer denies now.
    func denied() async throws -> [String: [String]] {
        var result: [String: [String]] = [:]
        for (name, actuator) in consumers {
            result[name] = try await actuator.installedRules.compactMap { rule -> String? in
                guard rule.action == .deny else { return nil }
                switch rule.match {
                case .ipv4Net(let net): return NetworkAddress.ipv4(net).description
                case .ipv6Net(let net): return NetworkAddress.ipv6(net).description
                default: return nil
                }
            }.sorted()
        }
        return result
    }

    /// Runs `body` with the loop's servers up; they stop afterwards.
    static func with(consumers count: Int = 2, _ body: (Loop) async throws -> Void) async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        var services: [any Service] = []
        let (ports, portSink) = AsyncStream.makeStream(of: (String, Int).self)
        let taxiiStore = try SQLiteTAXIIStore(path: directory.path("taxii.sqlite"))
        services.append(TAXIIServer(
            configuration: TAXIIServerConfiguration(push: PushSettings(enabled: false)), store: taxiiStore,
            http: HTTPServerConfiguration(name: "taxii", port: 0, transport: .plainHTTP), logger: quiet, onListening: { portSink.yield(("taxii", $0)) }))
        var consumers: [(String, SLPFActuator)] = []
        let pki = TestPKI.shared
        for index in 1...count {
            let name = "edge-\(index)"
            let firewall = try await Firewall.start(.dryRun, statePath: directory.path("\(name).sqlite"), rulesDirectory: nil, logger: quiet)
            consumers.append((name, firewall.actuator))
            var exchange = ConsumerExchange.Configuration()
            exchange.profiles = [SLPFProfile()]
            let tls = try TLSPolicy.server(certificatePath: pki.path(.serverCertificate), keyPath: pki.path(.serverPrivateKey), clientCAPath: pki.path(.caCertificate))
            services.append(Consumer(
                configuration: ConsumerConfiguration(port: 0, transport: .https(tls), exchange: exchange), handler: firewall.actuator, logger: quiet
            ) { portSink.yield((name, $0)) })
        }
        let group = ServiceGroup(services: services, gracefulShutdownSignals: [], logger: quiet)
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            var bound: [String: Int] = [:]
            for await (name, port) in ports {
                bound[name] = port
                if bound.count == count + 1 { break }
            }
            let members = consumers.map { name, _ in
                Fleet.Member(
                    name: name, url: "https://127.0.0.1:\(bound[name] ?? 0)/.well-known/openc2",
                    certificate: pki.path(.clientCertificate), key: pki.path(.clientPrivateKey), ca: pki.path(.caCertificate))
            }
            let loop = Loop(
                taxiiBase: "http://127.0.0.1:\(bound["taxii"] ?? 0)/services", consumers: consumers, fleet: Fleet(members: members), directory: directory)
            do {
                try await body(loop)
            } catch {
                await group.triggerGracefulShutdown()
                throw error
            }
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
    }
}

@Suite("bastion bridge: TAXII indicators become denies on a fleet")
struct EndToEndTests {
    static let wanted = ["192.0.2.10/32", "192.0.2.11/32", "198.18.0.1/32", "198.18.0.2/32", "198.19.0.1/32", "198.51.100.7/32", "2001:db8::5/128", "203.0.113.0/24"]

    @Test("python-stix content through a Bastion TAXII server to two Consumers: denied once, idempotent across re-polls and restarts, removed when revoked")
    func fullLoop() async throws {
        try await Loop.with { loop in
            let clock = ManualClock()
            try await TAXIIClient.with(proxy: .none) { taxii in
                try await loop.publish(try fixture("stix111-indicators"))
                let allowList = try AllowList(contentsOf: "10.0.0.0/8\n", file: "allow.txt")
                let bridge = try loop.bridge(taxii: taxii, clock: clock, allowList: allowList)
                let (polled, reconciled) = await bridge.round()
                #expect(polled.error == nil && polled.blocks == 1)
                #expect(reconciled == ReconcileReport(denied: 16, removed: 0, failed: 0), "8 addresses on 2 Consumers")
                #expect(try await loop.denied() == ["edge-1": Self.wanted, "edge-2": Self.wanted], "expired, allow-listed, malformed and non-address values are left out")

                // The same content again, and a second block naming an address already denied.
                try await loop.publish(try fixture("stix12-indicators"))
                let again = await bridge.round()
                #expect(again.0.blocks == 1, "the poll starts where the last ended")
                #expect(again.1 == ReconcileReport(), "nothing new: no second rule")
                let restarted = try loop.bridge(taxii: taxii, clock: clock, allowList: allowList)
                #expect(await restarted.round().1 == ReconcileReport(), "a restarted bridge knows the rules it made")
                #expect(try await loop.denied()["edge-1"]?.count == Self.wanted.count)

                // A republished indicator that has ended takes its address away.
                try await loop.publish(try fixture("stix12-revocation"))
                let revoked = await restarted.round()
                #expect(revoked.1 == ReconcileReport(denied: 0, removed: 2, failed: 0))
                #expect(try await loop.denied()["edge-2"]?.contains("198.51.100.7/32") == false)

                let rules = try await BridgeState(path: loop.directory.path("bridge.sqlite")).rules()
                #expect(rules.count == 2 * (Self.wanted.count - 1) && rules.allSatisfy { $0.ruleNumber != nil && $0.error == nil })
            }
        }
    }

    @Test("--taxii-version 1.0: the same content polled as a TAXII 1.0 feed")
    func taxii10() async throws {
        try await Loop.with(consumers: 1) { loop in
            try await TAXIIClient.with(proxy: .none) { taxii in
                try await loop.publish(try fixture("stix111-indicators"))
                let bridge = try Bridge(
                    configuration: BridgeConfiguration(pollURL: loop.taxiiBase + "/poll", collection: "default", version: .v10),
                    fleet: loop.fleet, state: try BridgeState(path: loop.directory.path("bridge10.sqlite")), taxii: taxii, logger: quiet)
                let (polled, reconciled) = await bridge.round()
                #expect(polled.error == nil && polled.blocks == 1)
                #expect(reconciled == ReconcileReport(denied: Self.wanted.count + 1, removed: 0, failed: 0), "no allow-list: 10.1.2.3 too")
                #expect(await bridge.round().0.blocks == 0, "the next TAXII 1.0 poll starts after the last block")
            }
        }
    }

    @Test("a Consumer that is down gets its rules once it is back; the error is kept meanwhile")
    func consumerDown() async throws {
        try await Loop.with(consumers: 1) { loop in
            let clock = ManualClock()
            try await TAXIIClient.with(proxy: .none) { taxii in
                try await loop.publish(try fixture("stix12-indicators"))
                var fleet = loop.fleet
                let up = fleet.members[0]
                fleet.members[0].url = "https://127.0.0.1:\(try Loopback.closedPort())/.well-known/openc2"
                let down = try loop.bridge(taxii: taxii, clock: clock, fleet: fleet)
                let first = await down.round()
                let all = (Self.wanted + ["10.1.2.3/32"]).sorted()  // no allow-list here
                #expect(first.1.failed == all.count && first.1.denied == 0)
                let errors = try await BridgeState(path: loop.directory.path("bridge.sqlite")).rules()
                #expect(errors.count == all.count && errors.allSatisfy { $0.ruleNumber == nil && $0.error?.contains("refused") == true })

                let back = try loop.bridge(taxii: taxii, clock: clock, fleet: Fleet(members: [up]))
                #expect(await back.round().1 == ReconcileReport(denied: all.count, removed: 0, failed: 0))
                #expect(try await loop.denied()["edge-1"] == all)
            }
        }
    }

    @Test("a failed poll keeps the window; indicators that expire later are removed then")
    func expiryAndFailedPoll() async throws {
        try await Loop.with(consumers: 1) { loop in
            // The Consumer checks stop_time against the real clock: the indicator ends in an hour.
            let clock = ManualClock()
            clock.set(Bridge.now())
            let end = clock.function() + 3_600_000_000
            try await TAXIIClient.with(proxy: .none) { taxii in
                let soon = """
                    <stix:STIX_Package xmlns:stix="http://stix.mitre.org/stix-1" xmlns:indicator="http://stix.mitre.org/Indicator-2" \
                    xmlns:AddressObj="http://cybox.mitre.org/objects#AddressObject-2" id="example:package-soon">
                    <stix:Indicators><stix:Indicator id="example:indicator-soon"><indicator:Valid_Time_Position>\
                    <indicator:End_Time>\(TAXII.Timestamp(microsecondsSince1970: end).isoFormat)</indicator:End_Time></indicator:Valid_Time_Position>
                    <indicator:Observable><AddressObj:Address_Value>198.51.100.200</AddressObj:Address_Value></indicator:Observable>
                    </stix:Indicator></stix:Indicators></stix:STIX_Package>
                    """
                try await loop.publish(soon)
                let broken = try Bridge(
                    configuration: BridgeConfiguration(pollURL: "http://127.0.0.1:\(try Loopback.closedPort())/services/poll", collection: "default"),
                    fleet: loop.fleet, state: try BridgeState(path: loop.directory.path("bridge.sqlite")), taxii: taxii, logger: quiet, clock: clock.function)
                #expect(await broken.poll().error != nil)
                let bridge = try loop.bridge(taxii: taxii, clock: clock)
                #expect(await bridge.round().1.denied == 1, "the window the failed poll did not read is read now")
                #expect(try await loop.denied()["edge-1"] == ["198.51.100.200/32"])
                clock.set(end + 1)
                #expect(await bridge.round().1.removed == 1)
                #expect(try await loop.denied()["edge-1"] == [])
            }
        }
    }

    @Test("hostile or broken content and Consumers that answer 500 or garbage: logged, the rest goes on, nothing is lost", arguments: [
        CannedReply.plain(.internalServerError, "<html>oops</html>"),
        CannedReply(headers: [("Content-Type", "application/openc2-rsp+json;version=1.0")], body: Array("{not json".utf8)),
    ])
    func badInput(_ answer: CannedReply) async throws {
        try await Loop.with(consumers: 1) { loop in
            let clock = ManualClock()
            let laughs = "<?xml version=\"1.0\"?><!DOCTYPE l [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\">]><l>&b;</l>"
            try await loop.publish([
                TAXII11.ContentBlock(contentBinding: TAXII11.ContentBinding(TAXII.ContentBindingID.stixXML111), content: .text(laughs)),
                TAXII11.ContentBlock(contentBinding: TAXII11.ContentBinding("urn:example:text"), content: .text("198.51.100.1 is bad")),
                try TAXII11.ContentBlock(contentBinding: TAXII11.ContentBinding(TAXII.ContentBindingID.stixXML111), xml: try fixture("stix12-revocation").replacingOccurrences(of: "2021-01-01", with: "2099-01-01")),
            ])
            let tls = try TLSPolicy.server(certificatePath: TestPKI.shared.path(.serverCertificate), keyPath: TestPKI.shared.path(.serverPrivateKey), clientCAPath: nil)
            try await ScriptedHTTPServer.with(tls: tls, respond: { _ in answer }) { broken in
                try await TAXIIClient.with(proxy: .none) { taxii in
                    var fleet = loop.fleet
                    fleet.members.append(Fleet.Member(
                        name: "broken", url: broken.url("/.well-known/openc2"), certificate: TestPKI.shared.path(.clientCertificate),
                        key: TestPKI.shared.path(.clientPrivateKey), ca: TestPKI.shared.path(.caCertificate)))
                    let bridge = try loop.bridge(taxii: taxii, clock: clock, fleet: fleet)
                    let (polled, reconciled) = await bridge.round()
                    #expect(polled.error == nil && polled.blocks == 3 && polled.skipped == 2 && polled.indicators == 1, "\(polled)")
                    #expect(reconciled == ReconcileReport(denied: 1, removed: 0, failed: 1), "\(reconciled)")
                    #expect(try await loop.denied()["edge-1"] == ["198.51.100.7/32"])
                    let rules = try await BridgeState(path: loop.directory.path("bridge.sqlite")).rules()
                    let failure = try #require(rules.first { $0.consumer == "broken" })
                    #expect(failure.ruleNumber == nil && failure.error != nil)
                    #expect(await bridge.round().1 == ReconcileReport(denied: 0, removed: 0, failed: 1), "retried next round")
                    #expect(broken.requests.count == 2)
                }
            }
        }
    }

    @Test("a polling Consumer of the fleet gets its denies through the Producer's queue, settled when its Responses come back")
    func pollingConsumer() async throws {
        try await Loop.with(consumers: 1) { loop in
            let clock = ManualClock()
            clock.set(Bridge.now())
            try await loop.publish(try fixture("stix12-indicators"))
            let database = "sqlite:" + loop.directory.path("producer.sqlite")
            let queue = try SQLiteCommandQueue(path: loop.directory.path("producer.sqlite"))
            let identity = DevelopmentPKI.defaultClientCommonName
            let firewall = try await Firewall.start(.dryRun, statePath: loop.directory.path("nat.sqlite"), rulesDirectory: nil, logger: quiet)
            let (ports, announce) = AsyncStream.makeStream(of: Int.self)
            let server = ProducerServer(
                configuration: .init(profiles: [SLPFProfile()]), queue: queue,
                http: HTTPServerConfiguration(name: "producer", port: 0, transport: .https(try TestPKI.shared.serverTLS())), logger: quiet,
                onListening: { announce.yield($0) })
            let group = ServiceGroup(services: [server], gracefulShutdownSignals: [], logger: quiet)
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask { try await group.run() }
                var iterator = ports.makeAsyncIterator()
                let url = "https://127.0.0.1:\(try #require(await iterator.next()))/.well-known/openc2"
                let configuration = PollingConsumer.Configuration(url: url, tls: try TestPKI.shared.clientTLS(), interval: .milliseconds(10))
                let client = PollingConsumer.makeClient(configuration)
                let polling = PollingConsumer(
                    configuration: configuration, handler: firewall.actuator, executed: try ExecutedCommands(path: loop.directory.path("executed.sqlite")),
                    client: client, profiles: [SLPFProfile()], logger: quiet)
                func drain() async -> Int {
                    var answered = 0
                    while case .answered = await polling.pollOnce() { answered += 1 }
                    return answered
                }
                do {
                    try await TAXIIClient.with(proxy: .none) { taxii in
                        let allowList = try AllowList(contentsOf: "10.0.0.0/8\n", file: "allow.txt")
                        let bridge = try loop.bridge(
                            taxii: taxii, clock: clock, allowList: allowList,
                            fleet: Fleet(members: [Fleet.Member(name: "nat", queue: database, consumer: identity)]))
                        #expect(await bridge.round().1 == ReconcileReport(), "queued, not answered yet")
                        #expect(try await queue.commands(for: identity).count == Self.wanted.count)
                        #expect(await bridge.round().1 == ReconcileReport(), "nothing queued twice while waiting")
                        #expect(try await queue.commands(for: identity).count == Self.wanted.count)
                        #expect(await drain() == Self.wanted.count)
                        #expect(await bridge.round().1 == ReconcileReport(denied: Self.wanted.count, removed: 0, failed: 0), "settled from the Responses")
                        let installed = try await firewall.actuator.installedRules.count
                        #expect(installed == Self.wanted.count)

                        try await loop.publish(try fixture("stix12-revocation"))
                        #expect(await bridge.round().1 == ReconcileReport(), "the delete is queued")
                        #expect(await drain() == 1)
                        #expect(await bridge.round().1 == ReconcileReport(denied: 0, removed: 1, failed: 0))
                        let left = try await firewall.actuator.installedRules.count
                        #expect(left == Self.wanted.count - 1)
                    }
                } catch {
                    try await client.shutdown()
                    await group.triggerGracefulShutdown()
                    throw error
                }
                try await client.shutdown()
                await group.triggerGracefulShutdown()
                try await tasks.waitForAll()
            }
        }
    }
}

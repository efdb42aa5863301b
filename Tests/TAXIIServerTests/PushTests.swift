import BastionHTTPServer
import Foundation
import Logging
import ServiceLifecycle
import NIOConcurrencyHelpers
import TAXII
import TAXIIClient
import TAXIIHTTP
import Testing
import TestSupport
@testable import TAXIIServer

/// A publishing exchange and its pusher over `store`, on a hand-set clock.
struct PushHarness {
    let store: any TAXIIStore
    let exchange: TAXIIExchange
    let pusher: SubscriptionPusher
    let clock: ManualClock

    static let quiet = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }

    init(store: any TAXIIStore, clock: ManualClock, client: TAXIIClient, push: PushSettings = PushSettings(interval: .seconds(5), retryBase: .seconds(10), retryLimit: .seconds(25))) {
        let configuration = TAXIIServerConfiguration(pageSize: 2, push: push)
        self.store = store
        self.clock = clock
        exchange = TAXIIExchange(configuration: configuration, store: store, logger: Self.quiet, clock: clock.function)
        pusher = SubscriptionPusher(configuration: configuration, store: store, client: client, logger: Self.quiet, clock: clock.function)
    }

    func send(_ message: TAXII.Message, to path: String) async throws -> TAXII.Message {
        let body = Array(try message.xml().utf8)
        let reply = await exchange.respond(to: TAXIIRequest(
            method: "POST", path: path, headers: TAXIIHTTPBinding.requestHeaders(version: message.version, https: false, authorization: nil) + [("Host", "taxii.test:9000")],
            body: body, https: false))
        return try TAXII.message(fromXML: reply.body)
    }

    func inbox(_ texts: [String]) async throws {
        let reply = try await send(.taxii11(.inboxMessage(TAXII11.InboxMessage(contentBlocks: texts.map { textBlock($0) }))), to: "/services/inbox")
        #expect(reply.status?.type == .success)
    }

    /// Subscribes with push to `address`; returns the reply.
    func subscribe(
        address: String, protocolBinding: String = TAXII.VersionID.http10, messageBinding: String = TAXII.VersionID.xml11,
        parameters: TAXII11.SubscriptionParameters? = nil
    ) async throws -> TAXII.Message {
        let request = TAXII11.ManageCollectionSubscriptionRequest(
            collectionName: "default", action: .subscribe, subscriptionParameters: parameters,
            pushParameters: TAXII11.PushParameters(protocolBinding: protocolBinding, address: address, messageBinding: messageBinding))
        return try await send(.taxii11(.manageCollectionSubscriptionRequest(request)), to: "/services/collection-management")
    }

    func subscriptionID(_ reply: TAXII.Message) throws -> String {
        guard case .taxii11(.manageCollectionSubscriptionResponse(let response)) = reply, let id = response.subscriptionInstances.first?.subscriptionID else {
            throw PushTestError("not a subscription response: \(reply.text)")
        }
        return id
    }

    func setStatus(_ action: TAXII.SubscriptionAction, _ id: String) async throws {
        let request = TAXII11.ManageCollectionSubscriptionRequest(collectionName: "default", action: action, subscriptionID: id)
        _ = try await send(.taxii11(.manageCollectionSubscriptionRequest(request)), to: "/services/collection-management")
    }
}

struct PushTestError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Runs `body` with a plain-HTTP Bastion TAXII server (push off) on a free port: the subscriber.
func withSubscriberServer(_ body: (_ inboxURL: String, _ store: SQLiteTAXIIStore) async throws -> Void) async throws {
    let directory = try TemporaryDirectory()
    defer { directory.remove() }
    let store = try SQLiteTAXIIStore(path: directory.path("subscriber.sqlite"))
    let (ports, portSink) = AsyncStream.makeStream(of: Int.self)
    let server = TAXIIServer(
        configuration: TAXIIServerConfiguration(push: PushSettings(enabled: false)), store: store,
        http: HTTPServerConfiguration(name: "subscriber", port: 0, transport: .plainHTTP), logger: PushHarness.quiet, onListening: { portSink.yield($0) })
    let group = ServiceGroup(services: [server], gracefulShutdownSignals: [], logger: PushHarness.quiet)
    try await withThrowingTaskGroup(of: Void.self) { tasks in
        tasks.addTask { try await group.run() }
        var iterator = ports.makeAsyncIterator()
        let port = try #require(await iterator.next())
        try await body("http://127.0.0.1:\(port)/services/inbox", store)
        await group.triggerGracefulShutdown()
        try await tasks.waitForAll()
    }
}

@Suite("TAXII server: push delivery of subscriptions")
struct PushTests {
    @Test("new content reaches another Bastion TAXII server's inbox, page by page; paused is not pushed; resumed goes on", arguments: StoreKind.allCases)
    func endToEnd(_ kind: StoreKind) async throws {
        let clock = ManualClock()
        try await withStore(kind, clock: clock) { store in
            try await TAXIIClient.with(proxy: .none) { client in
                let publisher = PushHarness(store: store, clock: clock, client: client)
                try await withSubscriberServer { inboxURL, received in
                    try await publisher.inbox(["before 1", "before 2"])
                    let id = try publisher.subscriptionID(try await publisher.subscribe(address: inboxURL))
                    try await publisher.inbox(["after 1", "after 2", "after 3"])
                    clock.advance(1)

                    // A page is two blocks here: two passes carry the three blocks; the second
                    // pass is due at once because the first page was full.
                    #expect(await publisher.pusher.deliverDue() == [PushAttempt(subscriptionID: id, delivered: 2, error: nil)])
                    #expect(await publisher.pusher.deliverDue() == [PushAttempt(subscriptionID: id, delivered: 1, error: nil)])
                    let delivered = try await received.blocks(BlockQuery(collection: "default"), offset: 0, limit: 10).map(\.block.content)
                    #expect(delivered == ["after 1", "after 2", "after 3"], "what was there before the subscription is not pushed")
                    #expect(await publisher.pusher.deliverDue().isEmpty, "not due again before the interval")

                    clock.advance(6_000_000)
                    #expect(await publisher.pusher.deliverDue() == [PushAttempt(subscriptionID: id, delivered: 0, error: nil)])
                    try await publisher.setStatus(.pause, id)
                    try await publisher.inbox(["while paused"])
                    clock.advance(6_000_000)
                    #expect(await publisher.pusher.deliverDue().isEmpty, "a paused subscription is not pushed")
                    try await publisher.setStatus(.resume, id)
                    #expect(await publisher.pusher.deliverDue() == [PushAttempt(subscriptionID: id, delivered: 1, error: nil)])
                    #expect(try await received.count(BlockQuery(collection: "default")) == 4)
                    let state = try #require(try await store.pushDelivery(subscriptionID: id))
                    #expect(state.failures == 0 && state.lastError == nil)
                    let latest = try await store.latestLabel(in: "default")
                    #expect(state.pushedUpTo == latest)
                }
            }
        }
    }

    @Test("a subscriber that refuses is retried with the same window, waiting longer each time, until it accepts", arguments: StoreKind.allCases)
    func retries(_ kind: StoreKind) async throws {
        let clock = ManualClock()
        let answered = NIOLockedValueBox(0)
        try await withStore(kind, clock: clock) { store in
            try await ScriptedHTTPServer.with(respond: { request in
                let n = answered.withLockedValue { $0 += 1; return $0 }
                let inbox = (try? TAXII.message(fromXML: request.body)).flatMap { message -> String? in
                    if case .taxii11(.inboxMessage(let inbox)) = message { return inbox.messageID }
                    return nil
                } ?? "0"
                let status = TAXII11.StatusMessage(inResponseTo: inbox, statusType: n <= 2 ? .failure : .success, message: n <= 2 ? "disk full" : nil)
                return CannedReply(
                    headers: TAXIIHTTPBinding.responseHeaders(version: .v11, https: false).map { ($0.name, $0.value) },
                    body: Array(((try? TAXII.Message.taxii11(.statusMessage(status)).xml()) ?? "").utf8))
            }) { subscriber in
                try await TAXIIClient.with(proxy: .none) { client in
                    let publisher = PushHarness(store: store, clock: clock, client: client)
                    let id = try publisher.subscriptionID(try await publisher.subscribe(
                        address: subscriber.url("/inbox"),
                        parameters: TAXII11.SubscriptionParameters(responseType: .countOnly)))
                    try await publisher.inbox(["one"])
                    clock.advance(1)

                    let first = await publisher.pusher.deliverDue()
                    #expect(first.count == 1 && first.first?.error?.contains("FAILURE: disk full") == true, "\(first)")
                    var state = try #require(try await store.pushDelivery(subscriptionID: id))
                    let latest = try await store.latestLabel(in: "default")
                    #expect(state.failures == 1 && state.pushedUpTo != latest)
                    #expect(state.nextAttempt == clock.function() + 10_000_000, "first retry after retry_base")
                    #expect(await publisher.pusher.deliverDue().isEmpty, "not before the retry is due")

                    clock.advance(10_000_000)
                    #expect(await publisher.pusher.deliverDue().first?.error != nil)
                    state = try #require(try await store.pushDelivery(subscriptionID: id))
                    #expect(state.failures == 2 && state.nextAttempt == clock.function() + 20_000_000, "the wait doubles")
                    #expect(publisher.pusher.retryDelay(afterFailures: 3) == 25_000_000, "capped at retry_limit")

                    clock.advance(20_000_000)
                    #expect(await publisher.pusher.deliverDue() == [PushAttempt(subscriptionID: id, delivered: 1, error: nil)])
                    state = try #require(try await store.pushDelivery(subscriptionID: id))
                    #expect(state.failures == 0 && state.pushedUpTo == latest)

                    let pushed = try subscriber.requests.map { request -> TAXII11.InboxMessage in
                        guard case .taxii11(.inboxMessage(let inbox)) = try TAXII.message(fromXML: request.body) else { throw PushTestError("not an inbox message") }
                        return inbox
                    }
                    #expect(pushed.count == 3)
                    #expect(pushed.allSatisfy { $0.subscriptionInformation == pushed.first?.subscriptionInformation }, "every attempt covers the same window")
                    #expect(pushed.first?.subscriptionInformation?.subscriptionID == id)
                    #expect(pushed.allSatisfy { $0.contentBlocks.isEmpty && $0.recordCount == TAXII11.RecordCount(1) }, "COUNT_ONLY pushes the count alone")
                    #expect(subscriber.requests.first?.header("X-TAXII-Content-Type") == TAXII.VersionID.xml11)
                }
            }
        }
    }

    @Test("a TAXII 1.0 feed subscription with Delivery_Parameters is pushed as TAXII 1.0 Inbox Messages, filtered by its content bindings")
    func taxii10() async throws {
        let clock = ManualClock()
        try await withStore(.sqlite, clock: clock) { store in
            try await TAXIIClient.with(proxy: .none) { client in
                let publisher = PushHarness(store: store, clock: clock, client: client)
                try await withSubscriberServer { inboxURL, received in
                    func subscribe(_ binding: String) async throws -> TAXII.Message {
                        try await publisher.send(.taxii10(.manageFeedSubscriptionRequest(TAXII10.ManageFeedSubscriptionRequest(
                            feedName: "default", action: .subscribe,
                            deliveryParameters: TAXII10.DeliveryParameters(
                                protocolBinding: TAXII.VersionID.http10, address: inboxURL, messageBinding: binding, contentBindings: ["urn:x"])))),
                            to: "/services/collection-management")
                    }
                    let refused = try await subscribe(TAXII.VersionID.xml11)
                    guard case .taxii10(.statusMessage(let status)) = refused else { throw PushTestError("\(refused.text)") }
                    #expect(status.statusType == .unsupportedMessageBinding)
                    let made = try await subscribe(TAXII.VersionID.xml10)
                    guard case .taxii10(.manageFeedSubscriptionResponse(let response)) = made, let id = response.subscriptionInstances.first?.subscriptionID else {
                        throw PushTestError("\(made.text)")
                    }
                    #expect(response.subscriptionInstances.first?.deliveryParameters?.address == inboxURL)
                    let blocks = [textBlock("x1", binding: "urn:x"), textBlock("y1", binding: "urn:y"), textBlock("x2", binding: "urn:x")]
                    #expect(try await publisher.send(.taxii11(.inboxMessage(TAXII11.InboxMessage(contentBlocks: blocks))), to: "/services/inbox").status?.type == .success)
                    clock.advance(1)
                    #expect(await publisher.pusher.deliverDue() == [PushAttempt(subscriptionID: id, delivered: 2, error: nil)])
                    let delivered = try await received.blocks(BlockQuery(collection: "default"), offset: 0, limit: 10)
                    #expect(delivered.map(\.block.content) == ["x1", "x2"])
                    #expect(delivered.allSatisfy { $0.block.bindingID == "urn:x" })
                }
            }
        }
    }

    @Test("an unreachable subscriber is a failure that names the address; the window stays")
    func unreachable() async throws {
        let clock = ManualClock()
        try await withStore(.sqlite, clock: clock) { store in
            try await TAXIIClient.with(proxy: .none) { client in
                let publisher = PushHarness(store: store, clock: clock, client: client)
                let address = "http://127.0.0.1:\(try Loopback.closedPort())/inbox"
                let id = try publisher.subscriptionID(try await publisher.subscribe(address: address))
                try await publisher.inbox(["one"])
                clock.advance(1)
                let attempt = try #require(await publisher.pusher.deliverDue().first)
                #expect(attempt.error?.contains(address) == true && attempt.error?.contains("refused") == true, "\(attempt)")
                #expect(try await store.pushDelivery(subscriptionID: id)?.lastError == attempt.error)
            }
        }
    }

    @Test("push parameters the server cannot honour are refused, and nothing is kept")
    func refusals() async throws {
        try await withStore(.sqlite) { store in
            try await TAXIIClient.with(proxy: .none) { client in
                let publisher = PushHarness(store: store, clock: ManualClock(), client: client)
                let smtp = try await publisher.subscribe(address: "http://127.0.0.1:1/inbox", protocolBinding: "urn:example:smtp")
                #expect(smtp.statusAndDetails?.0 == .unsupportedProtocol)
                #expect(smtp.statusAndDetails?.1["SUPPORTED_PROTOCOL"] == [TAXII.VersionID.http10, TAXII.VersionID.https10])
                let xml10 = try await publisher.subscribe(address: "http://127.0.0.1:1/inbox", messageBinding: TAXII.VersionID.xml10)
                #expect(xml10.statusAndDetails?.0 == .unsupportedMessageBinding)
                let nowhere = try await publisher.subscribe(address: "not an address")
                #expect(nowhere.statusAndDetails?.0 == .badMessage)
                #expect(try await store.subscriptions(collection: "default", owner: nil).isEmpty)

                let off = PushHarness(store: store, clock: ManualClock(), client: client, push: PushSettings(enabled: false))
                #expect(try await off.subscribe(address: "http://127.0.0.1:1/inbox").status?.type == .failure)
                #expect(try await store.subscriptions(collection: "default", owner: nil).isEmpty)
            }
        }
    }

    @Test("Collection Information lists the push methods while push is on")
    func advertised() async throws {
        try await withStore(.sqlite) { store in
            try await TAXIIClient.with(proxy: .none) { client in
                for enabled in [true, false] {
                    let publisher = PushHarness(store: store, clock: ManualClock(), client: client, push: PushSettings(enabled: enabled))
                    let reply = try await publisher.send(.taxii11(.collectionInformationRequest(TAXII11.CollectionInformationRequest())), to: "/services/collection-management")
                    guard case .taxii11(.collectionInformationResponse(let response)) = reply else { throw PushTestError("\(reply.text)") }
                    #expect(response.collectionInformations.first?.pushMethods.map(\.protocolBinding) == (enabled ? [TAXII.VersionID.http10, TAXII.VersionID.https10] : []))
                }
            }
        }
    }
}

import Foundation
import TAXII
import Testing
@testable import TAXIIServer

@Suite("TAXII server subscriptions")
struct SubscriptionTests {
    func manage(_ harness: ExchangeHarness, _ action: TAXII.SubscriptionAction, id: String? = nil, parameters: TAXII11.SubscriptionParameters? = nil,
                push: Bool = false, user: (String, String)? = nil) async throws -> TAXII.Message {
        let request = TAXII11.ManageCollectionSubscriptionRequest(
            collectionName: "default", action: action, subscriptionID: id, subscriptionParameters: parameters,
            pushParameters: push ? TAXII11.PushParameters(protocolBinding: TAXII.VersionID.http10, address: "http://127.0.0.1:1/inbox", messageBinding: TAXII.VersionID.xml11) : nil)
        return try harness.message(try await harness.send(.taxii11(.manageCollectionSubscriptionRequest(request)), to: "/services/collection-management", user: user))
    }

    func instances(_ message: TAXII.Message) -> [TAXII11.SubscriptionInstance] {
        if case .taxii11(.manageCollectionSubscriptionResponse(let response)) = message { return response.subscriptionInstances }
        return []
    }

    @Test("subscribe, poll under the subscription with its parameters, status, pause, resume, unsubscribe")
    func lifecycle() async throws {
        let harness = try ExchangeHarness()
        _ = try await harness.inbox([textBlock("x1", binding: "urn:x"), textBlock("y1", binding: "urn:y")])
        let made = instances(try await manage(harness, .subscribe, parameters: TAXII11.SubscriptionParameters(contentBindings: [TAXII11.ContentBinding("urn:x")])))
        let id = try #require(made.first?.subscriptionID)
        #expect(made.first?.status == .active && made.first?.pollInstances.first?.address == "http://taxii.test:9000/services/poll")
        #expect(made.first?.subscriptionParameters?.contentBindings == [TAXII11.ContentBinding("urn:x")])

        let polled = try harness.message(try await harness.send(
            .taxii11(.pollRequest(TAXII11.PollRequest(collectionName: "default", scope: .subscription(id: id)))), to: "/services/poll"))
        #expect(polled.pollResponse11?.contentBlocks.map(\.content.string) == ["x1"], "the subscription's binding filter applies")

        #expect(instances(try await manage(harness, .status)).map(\.subscriptionID) == [id])
        #expect(instances(try await manage(harness, .pause, id: id)).first?.status == .paused)
        #expect(instances(try await manage(harness, .status, id: id)).first?.status == .paused)
        #expect(instances(try await manage(harness, .resume, id: id)).first?.status == .active)
        #expect(instances(try await manage(harness, .unsubscribe, id: id)).first?.status == .unsubscribed)
        let ended = try harness.message(try await harness.send(
            .taxii11(.pollRequest(TAXII11.PollRequest(collectionName: "default", scope: .subscription(id: id)))), to: "/services/poll"))
        #expect(ended.statusAndDetails?.0 == .notFound && ended.statusAndDetails?.1["ITEM"] == [id])
        #expect(try await manage(harness, .resume, id: id).statusAndDetails?.0 == .notFound)
    }

    @Test("unknown ids: UNSUBSCRIBE still succeeds, PAUSE is NOT_FOUND; push parameters are refused with push off; another user's subscription is not theirs")
    func refusals() async throws {
        let cost = 1 << 4
        let harness = try ExchangeHarness(TAXIIServerConfiguration(users: [
            TAXIIUser(name: "a", password: try PasswordHash(hashing: "pa", cost: cost)), TAXIIUser(name: "b", password: try PasswordHash(hashing: "pb", cost: cost)),
        ], push: PushSettings(enabled: false)))
        let gone = instances(try await manage(harness, .unsubscribe, id: "nope", user: ("a", "pa")))
        #expect(gone.first?.subscriptionID == "nope" && gone.first?.status == .unsubscribed)
        let paused = try await manage(harness, .pause, id: "nope", user: ("a", "pa"))
        #expect(paused.statusAndDetails?.0 == .notFound && paused.statusAndDetails?.1["ITEM"] == ["nope"])
        #expect(try await manage(harness, .subscribe, push: true, user: ("a", "pa")).status?.type == .failure)
        #expect(try await manage(harness, .pause, user: ("a", "pa")).status?.type == .badMessage, "PAUSE needs an id")

        let id = try #require(instances(try await manage(harness, .subscribe, user: ("a", "pa"))).first?.subscriptionID)
        #expect(instances(try await manage(harness, .status, user: ("b", "pb"))).isEmpty, "b sees none of a's subscriptions")
        #expect(try await manage(harness, .pause, id: id, user: ("b", "pb")).statusAndDetails?.0 == .notFound)
        let poll = try harness.message(try await harness.send(
            .taxii11(.pollRequest(TAXII11.PollRequest(collectionName: "default", scope: .subscription(id: id)))), to: "/services/poll", user: ("b", "pb")))
        #expect(poll.statusAndDetails?.0 == .notFound)
        #expect(try await manage(harness, .subscribe).status?.type == .unauthorized)
    }

    @Test("TAXII 1.0 feed subscriptions: subscribe, poll with the subscription id, status, unsubscribe; answers in TAXII 1.0")
    func feedSubscriptions() async throws {
        let harness = try ExchangeHarness()
        func manage(_ action: TAXII.SubscriptionAction, id: String? = nil, feed: String = "default") async throws -> TAXII.Message {
            try harness.message(try await harness.send(.taxii10(.manageFeedSubscriptionRequest(TAXII10.ManageFeedSubscriptionRequest(
                feedName: feed, action: action, subscriptionID: id))), to: "/services/collection-management"))
        }
        func instances(_ message: TAXII.Message) -> [TAXII10.SubscriptionInstance] {
            if case .taxii10(.manageFeedSubscriptionResponse(let response)) = message { return response.subscriptionInstances }
            return []
        }
        _ = try await harness.inbox([textBlock("one")])
        let made = instances(try await manage(.subscribe))
        let id = try #require(made.first?.subscriptionID)
        #expect(made.first?.pollInstances.first?.address == "http://taxii.test:9000/services/poll")
        #expect(made.first?.pollInstances.first?.messageBindings == [TAXII.VersionID.xml10])
        let polled = try harness.message(try await harness.send(.taxii10(.pollRequest(TAXII10.PollRequest(feedName: "default", subscriptionID: id))), to: "/services/poll"))
        guard case .taxii10(.pollResponse(let response)) = polled else { throw PushTestError("\(polled.text)") }
        #expect(response.contentBlocks.map(\.content.string) == ["one"])
        #expect(instances(try await manage(.status)).map(\.subscriptionID) == [id])
        #expect(instances(try await manage(.status, id: id)).map(\.subscriptionID) == [id])
        #expect(instances(try await manage(.unsubscribe, id: id)).map(\.subscriptionID) == [id])
        #expect(instances(try await manage(.status)).isEmpty, "an ended subscription is no longer listed")
        let ended = try harness.message(try await harness.send(.taxii10(.pollRequest(TAXII10.PollRequest(feedName: "default", subscriptionID: id))), to: "/services/poll"))
        guard case .taxii10(.statusMessage(let status)) = ended else { throw PushTestError("\(ended.text)") }
        #expect(status.statusType == .notFound)
        guard case .taxii10(.statusMessage(let unknown)) = try await manage(.subscribe, feed: "nope") else { throw PushTestError("not a status") }
        #expect(unknown.statusType == .notFound)
    }

    @Test("subscriptions are kept by both stores", arguments: StoreKind.allCases)
    func stored(_ kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let first = StoredSubscription(id: "s1", collection: "c", owner: "alice", status: "ACTIVE", request: "<x/>", createdAt: 1)
            let second = StoredSubscription(id: "s2", collection: "c", owner: nil, status: "ACTIVE", request: "<y/>", createdAt: 2)
            try await store.saveSubscription(first)
            try await store.saveSubscription(second)
            #expect(try await store.subscription(id: "s1") == first)
            #expect(try await store.subscriptions(collection: "c", owner: "alice") == [first])
            #expect(try await store.subscriptions(collection: "c", owner: nil) == [second])
            #expect(try await store.setSubscriptionStatus(id: "s2", to: "PAUSED"))
            #expect(try await store.subscription(id: "s2")?.status == "PAUSED")
            #expect(try await !store.setSubscriptionStatus(id: "none", to: "PAUSED"))
        }
    }
}

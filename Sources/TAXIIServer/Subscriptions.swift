import Foundation
import TAXII

extension TAXIIExchange {
    /// Answers a Manage Collection Subscription Request (TAXII 1.1): SUBSCRIBE makes a subscription
    /// the subscriber polls with (Poll Requests naming its id); UNSUBSCRIBE, PAUSE, RESUME and
    /// STATUS act on the requester's own subscriptions. A SUBSCRIBE with Push_Parameters (HTTP
    /// or HTTPS, the TAXII 1.1 XML binding) is delivered by ``SubscriptionPusher`` from the
    /// content that arrives after it; with push off in the configuration it is refused.
    func manageSubscription(_ request: TAXII11.ManageCollectionSubscriptionRequest, context: ServiceContext) async throws(TAXIIStoreError) -> TAXII.Message {
        let collection: TAXIICollection
        switch subscribable(request.collectionName, context: context) {
        case .success(let found): collection = found
        case .failure(let refusal): return refusal.message
        }
        let owner = context.user?.name
        let poll = bindings(configuration.paths.poll, context: context)
        func instance(_ subscription: StoredSubscription) -> TAXII11.SubscriptionInstance {
            let made = Self.subscribeRequest(subscription)
            return TAXII11.SubscriptionInstance(
                subscriptionID: subscription.id, status: TAXII.SubscriptionStatus(rawValue: subscription.status) ?? .active,
                subscriptionParameters: made?.subscriptionParameters, pushParameters: made?.pushParameters, pollInstances: [poll])
        }
        func answer(_ instances: [TAXII11.SubscriptionInstance], message: String? = nil) -> TAXII.Message {
            .taxii11(.manageCollectionSubscriptionResponse(TAXII11.ManageCollectionSubscriptionResponse(
                inResponseTo: context.requestID, collectionName: collection.name, message: message, subscriptionInstances: instances)))
        }
        func own(_ id: String) async throws(TAXIIStoreError) -> StoredSubscription? {
            try await ownSubscription(id, collection: collection.name, context: context)
        }

        switch request.action {
        case .subscribe:
            if let push = request.pushParameters, let refusal = refusal(of: push, binding: TAXII.VersionID.xml11, context: context) {
                return refusal
            }
            if let query = request.subscriptionParameters?.query, case .failure(let refusal) = compile(query, context: context) {
                return refusal.message
            }
            let stored = TAXII11.ManageCollectionSubscriptionRequest(
                messageID: request.messageID, collectionName: request.collectionName, action: .subscribe,
                subscriptionParameters: request.subscriptionParameters, pushParameters: request.pushParameters)
            guard let subscription = try await makeSubscription(
                .taxii11(.manageCollectionSubscriptionRequest(stored)), collection: collection.name, pushes: request.pushParameters != nil, context: context)
            else {
                return status(.badMessage, to: context.requestID, version: .v11, message: "the subscription parameters cannot be kept")
            }
            return answer([instance(subscription)])
        case .unsubscribe, .pause, .resume:
            guard let id = request.subscriptionID else {
                return status(.badMessage, to: context.requestID, version: .v11, message: "\(request.action.rawValue) needs a Subscription_ID")
            }
            guard var subscription = try await own(id) else {
                // Unsubscribing from what does not exist succeeds, as the specification asks.
                if request.action == .unsubscribe {
                    return answer([TAXII11.SubscriptionInstance(subscriptionID: id, status: .unsubscribed, pollInstances: [poll])])
                }
                return status(.notFound, to: context.requestID, version: .v11, message: "no subscription \(id) of yours on collection \(collection.name)",
                              details: [(TAXII.StatusDetailKey.item, id)])
            }
            let next: TAXII.SubscriptionStatus = switch request.action {
            case .unsubscribe: .unsubscribed
            case .pause: .paused
            default: .active
            }
            if subscription.status == TAXII.SubscriptionStatus.unsubscribed.rawValue, next != .unsubscribed {
                return status(.notFound, to: context.requestID, version: .v11, message: "subscription \(id) has ended",
                              details: [(TAXII.StatusDetailKey.item, id)])
            }
            _ = try await store.setSubscriptionStatus(id: id, to: next.rawValue)
            subscription.status = next.rawValue
            return answer([instance(subscription)])
        case .status:
            if let id = request.subscriptionID {
                guard let subscription = try await own(id) else {
                    return status(.notFound, to: context.requestID, version: .v11, message: "no subscription \(id) of yours on collection \(collection.name)",
                                  details: [(TAXII.StatusDetailKey.item, id)])
                }
                return answer([instance(subscription)])
            }
            return answer(try await store.subscriptions(collection: collection.name, owner: owner).map(instance))
        }
    }

    /// A refusal, as the Status Message to send.
    struct StatusRefusal: Error {
        let message: TAXII.Message
    }

    /// The collection (TAXII 1.0: feed) `name` when the requester may subscribe to it; else the
    /// NOT_FOUND or DENIED Status Message, in the request's version.
    func subscribable(_ name: String, context: ServiceContext) -> Result<TAXIICollection, StatusRefusal> {
        let noun = context.version == .v10 ? "feed" : "collection"
        guard let collection = configuration.collection(named: name) else {
            return .failure(StatusRefusal(message: status(
                .notFound, to: context.requestID, version: context.version, message: "no \(noun) named \(name)", details: [(TAXII.StatusDetailKey.item, name)])))
        }
        guard context.mayRead(collection.name) else {
            return .failure(StatusRefusal(message: status(
                .denied, to: context.requestID, version: context.version, message: "user \(context.user?.name ?? "") may not subscribe to \(noun) \(collection.name)")))
        }
        return .success(collection)
    }

    /// The Status Message refusing `push`, or `nil` when the server can push that way: over HTTP
    /// or HTTPS, in `binding` (the XML binding of the subscription's TAXII version).
    func refusal(of push: TAXII11.PushParameters, binding: String, context: ServiceContext) -> TAXII.Message? {
        guard configuration.push.enabled else {
            return status(.failure, to: context.requestID, version: context.version,
                          message: "this server does not push content; subscribe without push parameters and poll with the subscription id")
        }
        let protocols = [TAXII.VersionID.http10, TAXII.VersionID.https10]
        guard protocols.contains(push.protocolBinding) else {
            return status(.unsupportedProtocol, to: context.requestID, version: context.version, message: "this server pushes over HTTP and HTTPS only",
                          details: protocols.map { (TAXII.StatusDetailKey.supportedProtocol, $0) })
        }
        guard push.messageBinding == binding else {
            return status(.unsupportedMessageBinding, to: context.requestID, version: context.version, message: "this server pushes \(binding) messages here",
                          details: [(TAXII.StatusDetailKey.supportedBinding, binding)])
        }
        let url = URLComponents(string: SubscriptionPusher.url(push))
        guard let url, ["http", "https"].contains(url.scheme?.lowercased() ?? ""), !(url.host ?? "").isEmpty else {
            return status(.badMessage, to: context.requestID, version: context.version, message: "the push address \(push.address) is not an http or https URL")
        }
        return nil
    }

    /// Keeps a new subscription made by `request` (kept as XML) on `collection`, pushed when `pushes`.
    func makeSubscription(_ request: TAXII.Message, collection: String, pushes: Bool, context: ServiceContext) async throws(TAXIIStoreError) -> StoredSubscription? {
        guard let xml = try? request.xml() else { return nil }
        let subscription = StoredSubscription(
            id: UUID().uuidString.lowercased(), collection: collection, owner: context.user?.name, status: TAXII.SubscriptionStatus.active.rawValue,
            request: xml, createdAt: clock())
        try await store.saveSubscription(subscription)
        if pushes {
            // Pushed: what arrives from now on.
            try await store.startPushing(subscriptionID: subscription.id, after: try await store.latestLabel(in: collection), firstAttempt: clock())
        }
        logger.info("subscription made", metadata: [
            "collection": "\(collection)", "subscription_id": "\(subscription.id)", "user": "\(context.user?.name ?? "-")",
            "version": "\(context.version.rawValue)", "push": "\(pushes)",
        ])
        return subscription
    }

    /// The requester's subscription `id` on `collection`, if there is one.
    func ownSubscription(_ id: String, collection: String, context: ServiceContext) async throws(TAXIIStoreError) -> StoredSubscription? {
        guard let found = try await store.subscription(id: id), found.collection == collection, found.owner == context.user?.name else { return nil }
        return found
    }

    /// Answers a Manage Feed Subscription Request (TAXII 1.0): SUBSCRIBE (with Delivery_Parameters:
    /// pushed as TAXII 1.0 Inbox Messages; without: polled with the subscription id), UNSUBSCRIBE
    /// and STATUS of the requester's own subscriptions.
    func manageFeedSubscription(_ request: TAXII10.ManageFeedSubscriptionRequest, context: ServiceContext) async throws(TAXIIStoreError) -> TAXII.Message {
        let collection: TAXIICollection
        switch subscribable(request.feedName, context: context) {
        case .success(let found): collection = found
        case .failure(let refusal): return refusal.message
        }
        let poll = bindings(configuration.paths.poll, context: context)
        func answer(_ subscriptions: [StoredSubscription]) -> TAXII.Message {
            let instances = subscriptions.map { subscription in
                let delivery = (try? TAXII.message(fromXML: subscription.request)).flatMap { message -> TAXII10.DeliveryParameters? in
                    if case .taxii10(.manageFeedSubscriptionRequest(let made)) = message { return made.deliveryParameters }
                    return nil
                }
                return TAXII10.SubscriptionInstance(subscriptionID: subscription.id, deliveryParameters: delivery, pollInstances: [poll])
            }
            return .taxii10(.manageFeedSubscriptionResponse(TAXII10.ManageFeedSubscriptionResponse(
                inResponseTo: context.requestID, feedName: collection.name, subscriptionInstances: instances)))
        }
        switch request.action {
        case .subscribe:
            if let delivery = request.deliveryParameters {
                let push = TAXII11.PushParameters(protocolBinding: delivery.protocolBinding, address: delivery.address, messageBinding: delivery.messageBinding)
                if let refusal = refusal(of: push, binding: TAXII.VersionID.xml10, context: context) { return refusal }
            }
            let kept = TAXII10.ManageFeedSubscriptionRequest(
                messageID: request.messageID, feedName: request.feedName, action: .subscribe, deliveryParameters: request.deliveryParameters)
            guard let subscription = try await makeSubscription(
                .taxii10(.manageFeedSubscriptionRequest(kept)), collection: collection.name, pushes: request.deliveryParameters != nil, context: context)
            else {
                return status(.badMessage, to: context.requestID, version: .v10, message: "the delivery parameters cannot be kept")
            }
            return answer([subscription])
        case .unsubscribe:
            guard let id = request.subscriptionID else {
                return status(.badMessage, to: context.requestID, version: .v10, message: "UNSUBSCRIBE needs a subscription_id")
            }
            if var subscription = try await ownSubscription(id, collection: collection.name, context: context) {
                _ = try await store.setSubscriptionStatus(id: id, to: TAXII.SubscriptionStatus.unsubscribed.rawValue)
                subscription.status = TAXII.SubscriptionStatus.unsubscribed.rawValue
                return answer([subscription])
            }
            // Unsubscribing from what does not exist succeeds, as the specification asks.
            return .taxii10(.manageFeedSubscriptionResponse(TAXII10.ManageFeedSubscriptionResponse(
                inResponseTo: context.requestID, feedName: collection.name, subscriptionInstances: [TAXII10.SubscriptionInstance(subscriptionID: id, pollInstances: [poll])])))
        default:
            if let id = request.subscriptionID {
                guard let subscription = try await ownSubscription(id, collection: collection.name, context: context) else {
                    return status(.notFound, to: context.requestID, version: .v10, message: "no subscription \(id) of yours on feed \(collection.name)",
                                  details: [(TAXII.StatusDetailKey.item, id)])
                }
                return answer([subscription])
            }
            let all = try await store.subscriptions(collection: collection.name, owner: context.user?.name)
            return answer(all.filter { $0.status != TAXII.SubscriptionStatus.unsubscribed.rawValue && SubscriptionTerms(request: $0.request)?.version == .v10 })
        }
    }

    /// The SUBSCRIBE request a subscription was made from, if TAXII 1.1 made it.
    static func subscribeRequest(_ subscription: StoredSubscription) -> TAXII11.ManageCollectionSubscriptionRequest? {
        guard case .taxii11(.manageCollectionSubscriptionRequest(let request))? = try? TAXII.message(fromXML: subscription.request) else { return nil }
        return request
    }
}

/// What a subscription asks for, whichever TAXII version made it: the content bindings it
/// wants, whether it wants counts only, its Default Query, and where to push (1.1
/// Push_Parameters, 1.0 Delivery_Parameters).
struct SubscriptionTerms: Sendable {
    var version: TAXII.Version
    var bindings: [BindingFilter] = []
    var countOnly = false
    var query: TAXII11.Query?
    var push: TAXII11.PushParameters?

    /// The terms of the SUBSCRIBE request kept as `xml`; `nil` when it cannot be read.
    init?(request xml: String) {
        switch try? TAXII.message(fromXML: xml) {
        case .taxii11(.manageCollectionSubscriptionRequest(let request))?:
            version = .v11
            let parameters = request.subscriptionParameters
            bindings = (parameters?.contentBindings ?? []).map { BindingFilter(bindingID: $0.bindingID, subtypeIDs: $0.subtypeIDs) }
            countOnly = parameters?.responseType == .countOnly
            query = parameters?.query
            push = request.pushParameters
        case .taxii10(.manageFeedSubscriptionRequest(let request))?:
            version = .v10
            guard let delivery = request.deliveryParameters else { return }
            bindings = delivery.contentBindings.map { BindingFilter(bindingID: $0) }
            push = TAXII11.PushParameters(protocolBinding: delivery.protocolBinding, address: delivery.address, messageBinding: delivery.messageBinding)
        default:
            return nil
        }
    }
}

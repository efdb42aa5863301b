import Foundation
import TAXII

extension TAXIIExchange {
    /// Answers a Manage Collection Subscription Request (TAXII 1.1): SUBSCRIBE makes a subscription
    /// the subscriber polls with (Poll Requests naming its id); UNSUBSCRIBE, PAUSE, RESUME and
    /// STATUS act on the requester's own subscriptions. A SUBSCRIBE with Push_Parameters (HTTP
    /// or HTTPS, the TAXII 1.1 XML binding) is delivered by ``SubscriptionPusher`` from the
    /// content that arrives after it; with push off in the configuration it is refused.
    func manageSubscription(_ request: TAXII11.ManageCollectionSubscriptionRequest, context: ServiceContext) async throws(TAXIIStoreError) -> TAXII.Message {
        guard let collection = configuration.collection(named: request.collectionName) else {
            return status(.notFound, to: context.requestID, version: .v11, message: "no collection named \(request.collectionName)",
                          details: [(TAXII.StatusDetailKey.item, request.collectionName)])
        }
        guard context.mayRead(collection.name) else {
            return status(.denied, to: context.requestID, version: .v11, message: "user \(context.user?.name ?? "") may not subscribe to collection \(collection.name)")
        }
        let owner = context.user?.name
        let poll = bindings(configuration.paths.poll, context: context)
        func instance(_ subscription: StoredSubscription) -> TAXII11.SubscriptionInstance {
            let parameters = Self.subscribeRequest(subscription)?.subscriptionParameters
            return TAXII11.SubscriptionInstance(
                subscriptionID: subscription.id, status: TAXII.SubscriptionStatus(rawValue: subscription.status) ?? .active,
                subscriptionParameters: parameters, pushParameters: Self.subscribeRequest(subscription)?.pushParameters, pollInstances: [poll])
        }
        func answer(_ instances: [TAXII11.SubscriptionInstance], message: String? = nil) -> TAXII.Message {
            .taxii11(.manageCollectionSubscriptionResponse(TAXII11.ManageCollectionSubscriptionResponse(
                inResponseTo: context.requestID, collectionName: collection.name, message: message, subscriptionInstances: instances)))
        }
        /// The requester's subscription `id` on this collection, if there is one.
        func own(_ id: String) async throws(TAXIIStoreError) -> StoredSubscription? {
            guard let found = try await store.subscription(id: id), found.collection == collection.name, found.owner == owner else { return nil }
            return found
        }

        switch request.action {
        case .subscribe:
            if let push = request.pushParameters, let refusal = refusal(of: push, context: context) {
                return refusal
            }
            if let query = request.subscriptionParameters?.query, case .failure(let refusal) = compile(query, context: context) {
                return refusal.message
            }
            let stored = TAXII11.ManageCollectionSubscriptionRequest(
                messageID: request.messageID, collectionName: request.collectionName, action: .subscribe,
                subscriptionParameters: request.subscriptionParameters, pushParameters: request.pushParameters)
            let xml: String
            do { xml = try TAXII.Message.taxii11(.manageCollectionSubscriptionRequest(stored)).xml() } catch {
                return status(.badMessage, to: context.requestID, version: .v11, message: "the subscription parameters cannot be kept: \(error.message)")
            }
            let subscription = StoredSubscription(
                id: UUID().uuidString.lowercased(), collection: collection.name, owner: owner, status: TAXII.SubscriptionStatus.active.rawValue,
                request: xml, createdAt: clock())
            try await store.saveSubscription(subscription)
            if request.pushParameters != nil {
                // Pushed: what arrives from now on.
                try await store.startPushing(subscriptionID: subscription.id, after: try await store.latestLabel(in: collection.name), firstAttempt: clock())
            }
            logger.info("subscription made", metadata: [
                "collection": "\(collection.name)", "subscription_id": "\(subscription.id)", "user": "\(owner ?? "-")",
                "push": "\(request.pushParameters.map { SubscriptionPusher.url($0) } ?? "-")",
            ])
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

    /// The Status Message refusing `push`, or `nil` when the server can push that way.
    func refusal(of push: TAXII11.PushParameters, context: ServiceContext) -> TAXII.Message? {
        guard configuration.push.enabled else {
            return status(.failure, to: context.requestID, version: .v11,
                          message: "this server does not push content; subscribe without Push_Parameters and poll with the subscription id")
        }
        let protocols = [TAXII.VersionID.http10, TAXII.VersionID.https10]
        guard protocols.contains(push.protocolBinding) else {
            return status(.unsupportedProtocol, to: context.requestID, version: .v11, message: "this server pushes over HTTP and HTTPS only",
                          details: protocols.map { (TAXII.StatusDetailKey.supportedProtocol, $0) })
        }
        guard push.messageBinding == TAXII.VersionID.xml11 else {
            return status(.unsupportedMessageBinding, to: context.requestID, version: .v11, message: "this server pushes TAXII 1.1 XML messages only",
                          details: [(TAXII.StatusDetailKey.supportedBinding, TAXII.VersionID.xml11)])
        }
        let url = URLComponents(string: SubscriptionPusher.url(push))
        guard let url, ["http", "https"].contains(url.scheme?.lowercased() ?? ""), !(url.host ?? "").isEmpty else {
            return status(.badMessage, to: context.requestID, version: .v11, message: "the push address \(push.address) is not an http or https URL")
        }
        return nil
    }

    /// The SUBSCRIBE request a subscription was made from.
    static func subscribeRequest(_ subscription: StoredSubscription) -> TAXII11.ManageCollectionSubscriptionRequest? {
        guard case .taxii11(.manageCollectionSubscriptionRequest(let request))? = try? TAXII.message(fromXML: subscription.request) else { return nil }
        return request
    }
}

import BastionHTTPServer
import Logging
import TAXII
import TAXIIClient

/// How the server delivers subscriptions made with Push_Parameters (TAXII 1.1 push).
public struct PushSettings: Sendable, Equatable {
    /// Whether a SUBSCRIBE may name Push_Parameters, and the server pushes.
    public var enabled: Bool
    /// How often the server looks for deliveries that are due.
    public var interval: Duration
    /// The wait after a failed delivery; it doubles with each failure in a row, up to ``retryLimit``.
    public var retryBase: Duration
    /// The longest wait between two attempts.
    public var retryLimit: Duration
    /// How subscribers' `https` Inbox services are checked.
    public var trust: TAXIIClient.ServerTrust
    /// How long one delivery (connecting, sending, the subscriber's answer) may take.
    public var timeout: Duration

    /// Push on, looked for every 5 s, retried after 5 s, 10 s, 20 s … up to 10 minutes,
    /// subscribers checked against the system's roots, 30 s per delivery.
    public init(
        enabled: Bool = true, interval: Duration = .seconds(5), retryBase: Duration = .seconds(5), retryLimit: Duration = .seconds(600),
        trust: TAXIIClient.ServerTrust = .system, timeout: Duration = .seconds(30)
    ) {
        self.enabled = enabled
        self.interval = interval
        self.retryBase = retryBase
        self.retryLimit = retryLimit
        self.trust = trust
        self.timeout = timeout
    }
}

/// What one delivery attempt did.
public struct PushAttempt: Sendable, Equatable {
    public var subscriptionID: String
    /// Blocks sent (for a COUNT_ONLY subscription: counted) in an accepted Inbox Message.
    public var delivered: Int
    /// Why the attempt failed; `nil` when it succeeded (or found nothing new).
    public var error: String?
}

/// Delivers push subscriptions to their subscribers' Inbox services: the collection's new
/// blocks, filtered by the subscription's content bindings and Default Query, at most a page per
/// Inbox Message, whose `Source_Subscription` names the subscription and the window
/// `(Exclusive_Begin, Inclusive_End]` the message covers (a COUNT_ONLY subscription gets the
/// `Record_Count` alone). A subscription made in TAXII 1.0 gets TAXII 1.0 Inbox Messages, whose
/// `Source_Subscription` gives the window as `[Inclusive_Begin, Inclusive_End]`.
///
/// A subscription's mark moves only when the subscriber answers SUCCESS, so nothing is lost: a
/// subscriber that cannot be reached, or answers anything else, is tried again with the same
/// window, after `retryBase`, then twice as long after each failure in a row, up to `retryLimit`.
/// Deliveries are claimed in the store, so several servers on one PostgreSQL database never push
/// the same window at once. A paused subscription is not pushed; resumed, it goes on from its mark.
public struct SubscriptionPusher: Sendable {
    let configuration: TAXIIServerConfiguration
    let store: any TAXIIStore
    let client: TAXIIClient
    let logger: Logger
    let clock: @Sendable () -> Int64
    /// `bastion_taxii_pushes_total{result}`: `delivered` or `failed`.
    let pushes = CounterFamily(label: "bastion_taxii_pushes_total", dimensions: ["result"])

    /// Deliveries claimed per pass.
    static let claimLimit = 64

    /// A pusher delivering with `client` (whose owner shuts it down).
    public init(
        configuration: TAXIIServerConfiguration, store: any TAXIIStore, client: TAXIIClient, logger: Logger = Logger(label: "bastion.taxii.push"),
        clock: @escaping @Sendable () -> Int64 = SQLiteTAXIIStore.now
    ) {
        self.configuration = configuration
        self.store = store
        self.client = client
        self.logger = logger
        self.clock = clock
    }

    var settings: PushSettings { configuration.push }

    /// Looks for due deliveries every ``PushSettings/interval`` until the task is cancelled.
    public func run() async {
        while !Task.isCancelled {
            let attempts = await deliverDue()
            // A full page delivered: more may be waiting, go on at once.
            if attempts.contains(where: { $0.delivered > 0 && $0.error == nil }) { continue }
            try? await Task.sleep(for: settings.interval)
        }
    }

    /// One pass: every delivery due now, in turn.
    public func deliverDue() async -> [PushAttempt] {
        let now = clock()
        let lease = now + TAXIIExchange.microseconds(settings.timeout) * 2
        let due: [PushDelivery]
        do {
            due = try await store.claimDuePushes(now: now, leaseUntil: lease, limit: Self.claimLimit)
        } catch {
            logger.error("cannot read the push deliveries that are due", metadata: ["error": "\(error)"])
            return []
        }
        var attempts: [PushAttempt] = []
        for delivery in due {
            attempts.append(await deliver(delivery))
        }
        return attempts
    }

    /// One attempt for `delivery`, its outcome kept in the store.
    func deliver(_ delivery: PushDelivery) async -> PushAttempt {
        var next = delivery
        let attempt: PushAttempt
        do {
            let (sent, end, full) = try await push(delivery)
            next.pushedUpTo = end ?? delivery.pushedUpTo
            next.failures = 0
            next.lastError = nil
            next.nextAttempt = clock() + (full ? 0 : TAXIIExchange.microseconds(settings.interval))
            attempt = PushAttempt(subscriptionID: delivery.subscriptionID, delivered: sent, error: nil)
            if sent > 0 {
                logger.info("subscription pushed", metadata: ["subscription_id": "\(delivery.subscriptionID)", "collection": "\(delivery.collection)", "blocks": "\(sent)"])
            }
            if end != delivery.pushedUpTo { pushes.increment("delivered") }
        } catch {
            next.failures = delivery.failures + 1
            next.lastError = error.description
            next.nextAttempt = clock() + retryDelay(afterFailures: next.failures)
            attempt = PushAttempt(subscriptionID: delivery.subscriptionID, delivered: 0, error: error.description)
            logger.warning("subscription push failed; will retry", metadata: [
                "subscription_id": "\(delivery.subscriptionID)", "failures": "\(next.failures)", "error": "\(error.description)",
            ])
            pushes.increment("failed")
        }
        do {
            try await store.recordPush(next)
        } catch {
            logger.error("cannot keep the push state", metadata: ["subscription_id": "\(delivery.subscriptionID)", "error": "\(error)"])
        }
        return attempt
    }

    /// The wait after `failures` failures in a row, in microseconds: the base, doubled per further failure, capped.
    func retryDelay(afterFailures failures: Int) -> Int64 {
        let base = TAXIIExchange.microseconds(settings.retryBase)
        let limit = TAXIIExchange.microseconds(settings.retryLimit)
        let doublings = min(max(0, failures - 1), 40)
        let (delay, overflow) = base.multipliedReportingOverflow(by: Int64(1) << doublings)
        return overflow ? limit : min(delay, limit)
    }

    /// Sends the next page of `delivery`'s window: returns the blocks delivered, the label the
    /// window now ends at (`nil`: nothing new) and whether the page was full.
    private func push(_ delivery: PushDelivery) async throws(PushFailure) -> (sent: Int, end: Int64?, full: Bool) {
        guard let terms = SubscriptionTerms(request: delivery.request), let push = terms.push else {
            throw PushFailure("the subscription's push parameters cannot be read")
        }
        var matcher: TAXII.DefaultQuery.Matcher?
        if let query = terms.query?.defaultQuery {
            do { matcher = try query.matcher() } catch { throw PushFailure("the subscription's query cannot be evaluated: \(error.message)") }
        }
        let pageSize = max(1, configuration.collection(named: delivery.collection)?.pageSize ?? configuration.pageSize)
        let window = BlockQuery(collection: delivery.collection, after: delivery.pushedUpTo, upTo: nil, bindings: terms.bindings)
        let page: [StoredContentBlock]
        do { page = try await store.blocks(window, offset: 0, limit: pageSize) } catch { throw PushFailure("the store: \(error.message)") }
        guard let last = page.last else { return (0, nil, false) }
        let selected = matcher.map { matcher in page.filter { $0.block.isXML && (try? matcher.matches(xml: $0.block.content)) == true } } ?? page
        let full = page.count == pageSize
        // Nothing the subscription wants in this page: the window moves on without a message.
        guard !selected.isEmpty else { return (0, last.label, full) }
        let end = TAXII.Timestamp(microsecondsSince1970: last.label)
        let message: TAXII.Message = switch terms.version {
        case .v11:
            .taxii11(.inboxMessage(TAXII11.InboxMessage(
                subscriptionInformation: TAXII11.SubscriptionInformation(
                    collectionName: delivery.collection, subscriptionID: delivery.subscriptionID,
                    exclusiveBeginTimestamp: delivery.pushedUpTo.map(TAXII.Timestamp.init(microsecondsSince1970:)), inclusiveEndTimestamp: end),
                recordCount: TAXII11.RecordCount(selected.count),
                contentBlocks: terms.countOnly ? [] : selected.map(TAXIIExchange.block11))))
        case .v10:
            .taxii10(.inboxMessage(TAXII10.InboxMessage(
                subscriptionInformation: TAXII10.SubscriptionInformation(
                    feedName: delivery.collection, subscriptionID: delivery.subscriptionID,
                    inclusiveBeginTimestamp: TAXII.Timestamp(microsecondsSince1970: page[0].label), inclusiveEndTimestamp: end),
                contentBlocks: selected.map(TAXIIExchange.block10))))
        }
        let reply: TAXII.Message
        do {
            reply = try await client.call(Self.url(push), message)
        } catch {
            throw PushFailure("\(push.address): \(error.description)")
        }
        guard let status = reply.status, status.type == .success else {
            let said = reply.status.map { "TAXII status \($0.type.rawValue)" + ($0.firstLine.map { ": " + $0 } ?? "") } ?? "a \(reply.messageType.rawValue)"
            throw PushFailure("\(push.address) answered \(said)")
        }
        return (selected.count, last.label, full)
    }

    /// The URL to post to: the address as given when it has a scheme, else with the scheme of
    /// the push protocol binding.
    static func url(_ push: TAXII11.PushParameters) -> String {
        if push.address.contains("://") { return push.address }
        return (push.protocolBinding == TAXII.VersionID.https10 ? "https://" : "http://") + push.address
    }
}

/// Why a delivery did not go through.
struct PushFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

import ArgumentParser
import TAXII

/// What the three subscription commands share: the collection (feed), the subscription id and,
/// for `subscribe`, where to push content.
struct SubscriptionOptions: ParsableArguments {
    @Option(help: ArgumentHelp("The collection (TAXII 1.0: the feed).", valueName: "name"))
    var collection: String = "default"

    @Option(name: .customLong("subscription-id"), help: ArgumentHelp("The subscription.", valueName: "id"))
    var subscriptionID: String?

    /// The Manage Collection (Feed) Subscription request for `action`.
    func request(_ action: TAXII.SubscriptionAction, version: TAXII.Version, push: PushOptions? = nil) throws -> TAXII.Message {
        switch version {
        case .v11:
            var parameters: TAXII11.SubscriptionParameters?
            if action == .subscribe {
                parameters = TAXII11.SubscriptionParameters(
                    responseType: push?.countOnly == true ? .countOnly : .full, contentBindings: (push?.contentBindings ?? []).map { TAXII11.ContentBinding($0) })
            }
            let pushParameters = push?.inboxURL.map {
                TAXII11.PushParameters(protocolBinding: PushOptions.protocolBinding(of: $0), address: $0, messageBinding: version.messageBindingID)
            }
            return .taxii11(.manageCollectionSubscriptionRequest(TAXII11.ManageCollectionSubscriptionRequest(
                collectionName: collection, action: action, subscriptionID: subscriptionID, subscriptionParameters: parameters, pushParameters: pushParameters)))
        case .v10:
            let delivery = push?.inboxURL.map {
                TAXII10.DeliveryParameters(protocolBinding: PushOptions.protocolBinding(of: $0), address: $0, messageBinding: version.messageBindingID, contentBindings: push?.contentBindings ?? [])
            }
            return .taxii10(.manageFeedSubscriptionRequest(TAXII10.ManageFeedSubscriptionRequest(
                feedName: collection, action: action, subscriptionID: subscriptionID, deliveryParameters: delivery)))
        }
    }

    /// Checks that `action`, which acts on one subscription, has its `--subscription-id`, and
    /// that TAXII 1.0 (which has only subscribe, unsubscribe and status) is not asked for it.
    func validate(_ action: TAXII.SubscriptionAction, version: TAXII.Version) throws {
        let command = action.rawValue.lowercased()
        if subscriptionID == nil { throw ValidationError("\(command) needs --subscription-id") }
        if version == .v10, !TAXII.SubscriptionAction.types10.contains(action) {
            throw ValidationError("\(command) needs TAXII 1.1: TAXII 1.0 subscriptions cannot be paused or resumed")
        }
    }

    /// Sends the request for `action` and prints the reply.
    func run(_ action: TAXII.SubscriptionAction, connection: TAXIIClientOptions, push: PushOptions? = nil) async throws {
        try await connection.send(try request(action, version: connection.version, push: push))
    }
}

/// Where and what a subscription pushes.
struct PushOptions: ParsableArguments {
    @Option(name: .customLong("inbox-url"), help: ArgumentHelp("Push content to this Inbox Service (default: no push; poll with --subscription-id).", valueName: "url"))
    var inboxURL: String?

    @Option(name: .customLong("content-binding"), help: ArgumentHelp("Only content of this binding (repeatable).", valueName: "binding"))
    var contentBindings: [String] = []

    @Flag(name: .customLong("count-only"), help: "Deliver record counts only (TAXII 1.1).")
    var countOnly = false

    /// The protocol binding of an inbox URL's scheme.
    static func protocolBinding(of url: String) -> String {
        url.lowercased().hasPrefix("https:") ? TAXII.VersionID.https10 : TAXII.VersionID.http10
    }
}

/// `bastion taxii subscribe`
struct TAXIISubscribeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "subscribe", abstract: "Subscribe to a collection (TAXII 1.0: a feed).")
    @OptionGroup var connection: TAXIIClientOptions
    @OptionGroup var subscription: SubscriptionOptions
    @OptionGroup var push: PushOptions

    func run() async throws { try await subscription.run(.subscribe, connection: connection, push: push) }
}

/// `bastion taxii unsubscribe`
struct TAXIIUnsubscribeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "unsubscribe", abstract: "End a subscription.")
    @OptionGroup var connection: TAXIIClientOptions
    @OptionGroup var subscription: SubscriptionOptions

    func validate() throws { try subscription.validate(.unsubscribe, version: connection.version) }

    func run() async throws { try await subscription.run(.unsubscribe, connection: connection) }
}

/// `bastion taxii pause`
struct TAXIIPauseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pause", abstract: "Pause a subscription: no content is pushed or kept for it until it is resumed (TAXII 1.1).")
    @OptionGroup var connection: TAXIIClientOptions
    @OptionGroup var subscription: SubscriptionOptions

    func validate() throws { try subscription.validate(.pause, version: connection.version) }

    func run() async throws { try await subscription.run(.pause, connection: connection) }
}

/// `bastion taxii resume`
struct TAXIIResumeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "resume", abstract: "Resume a paused subscription (TAXII 1.1).")
    @OptionGroup var connection: TAXIIClientOptions
    @OptionGroup var subscription: SubscriptionOptions

    func validate() throws { try subscription.validate(.resume, version: connection.version) }

    func run() async throws { try await subscription.run(.resume, connection: connection) }
}

/// `bastion taxii subscription-status`
struct TAXIISubscriptionStatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "subscription-status", abstract: "Show a subscription, or all of yours on the collection without --subscription-id.")
    @OptionGroup var connection: TAXIIClientOptions
    @OptionGroup var subscription: SubscriptionOptions

    func run() async throws { try await subscription.run(.status, connection: connection) }
}

import TAXII

extension TAXIIExchange {
    /// The address of the service at `path`, as the client reached this server.
    func address(_ path: String, context: ServiceContext) -> String {
        "\(context.https ? "https" : "http")://\(context.host ?? "127.0.0.1")\(path)"
    }

    /// The protocol binding the server is reached over.
    func protocolBinding(_ context: ServiceContext) -> String {
        context.https ? TAXII.VersionID.https10 : TAXII.VersionID.http10
    }

    /// The service bindings of the service at `path`, in the request's version.
    func bindings(_ path: String, context: ServiceContext) -> TAXII11.ServiceBindings {
        TAXII11.ServiceBindings(
            protocolBinding: protocolBinding(context), address: address(path, context: context),
            messageBindings: [context.version.messageBindingID])
    }

    /// What the Poll service supports of TAXII Default Query: the STIX vocabularies the matcher
    /// evaluates, every capability module.
    static let defaultQueryInfo: TAXII.DefaultQueryInfo? = {
        let expressions = TAXII.DefaultQuery.Matcher.supportedTargetingExpressionIDs.compactMap {
            try? TAXII.DefaultQueryInfo.TargetingExpressionInfo(targetingExpressionID: $0, allowedScope: ["**"])
        }
        return try? TAXII.DefaultQueryInfo(targetingExpressionInfos: expressions, capabilityModules: TAXII.DefaultQuery.CapabilityModule.all)
    }()

    /// The content the inbox accepts: the union of what its destination collections accept
    /// (empty: any).
    var inboxAcceptedContent: [TAXII11.ContentBinding] {
        let destinations = configuration.inboxDestinations.compactMap(configuration.collection(named:))
        if destinations.contains(where: { $0.acceptedContent.isEmpty }) { return [] }
        return destinations.flatMap(\.acceptedContent)
    }

    /// A Discovery Response listing the four services.
    func discovery(_ context: ServiceContext) -> TAXII.Message {
        let paths = configuration.paths
        switch context.version {
        case .v11:
            let queries = configuration.advertisesDefaultQuery ? Self.defaultQueryInfo.map { [TAXII11.Query($0)] } ?? [] : []
            let instances = [
                TAXII11.ServiceInstance(serviceType: .discovery, bindings: bindings(paths.discovery, context: context), available: true),
                TAXII11.ServiceInstance(serviceType: .collectionManagement, bindings: bindings(paths.collectionManagement, context: context), available: true),
                TAXII11.ServiceInstance(serviceType: .inbox, bindings: bindings(paths.inbox, context: context), available: true,
                                        inboxServiceAcceptedContent: inboxAcceptedContent),
                TAXII11.ServiceInstance(serviceType: .poll, bindings: bindings(paths.poll, context: context), available: true, supportedQueries: queries),
            ]
            return .taxii11(.discoveryResponse(TAXII11.DiscoveryResponse(inResponseTo: context.requestID, serviceInstances: instances)))
        case .v10:
            let instances = [
                TAXII10.ServiceInstance(serviceType: .discovery, bindings: bindings(paths.discovery, context: context), available: true),
                TAXII10.ServiceInstance(serviceType: .feedManagement, bindings: bindings(paths.collectionManagement, context: context), available: true),
                TAXII10.ServiceInstance(serviceType: .inbox, bindings: bindings(paths.inbox, context: context), available: true,
                                        inboxServiceAcceptedContent: inboxAcceptedContent.map(\.bindingID)),
                TAXII10.ServiceInstance(serviceType: .poll, bindings: bindings(paths.poll, context: context), available: true),
            ]
            return .taxii10(.discoveryResponse(TAXII10.DiscoveryResponse(inResponseTo: context.requestID, serviceInstances: instances)))
        }
    }

    /// How the server pushes subscriptions, in the request's version (none while push is off).
    func pushMethods(_ context: ServiceContext) -> [TAXII11.PushMethod] {
        guard configuration.push.enabled else { return [] }
        return [TAXII.VersionID.http10, TAXII.VersionID.https10].map { TAXII11.PushMethod(protocolBinding: $0, messageBindings: [context.version.messageBindingID]) }
    }

    /// A Collection Information Response (TAXII 1.0: Feed Information Response) with the
    /// collections the user may read.
    func collectionInformation(_ context: ServiceContext) async throws(TAXIIStoreError) -> TAXII.Message {
        let readable = configuration.collections.filter { context.mayRead($0.name) }
        let poll = bindings(configuration.paths.poll, context: context)
        switch context.version {
        case .v11:
            var informations: [TAXII11.CollectionInformation] = []
            for collection in readable {
                let fedByInbox = configuration.inboxDestinations.contains(collection.name)
                informations.append(TAXII11.CollectionInformation(
                    collectionName: collection.name, collectionType: collection.type, available: true, description: collection.description,
                    collectionVolume: try await store.count(BlockQuery(collection: collection.name)),
                    supportedContents: collection.acceptedContent,
                    pushMethods: pushMethods(context),
                    pollingServiceInstances: [poll],
                    subscriptionMethods: [bindings(configuration.paths.collectionManagement, context: context)],
                    receivingInboxServices: fedByInbox
                        ? [TAXII11.ReceivingInboxService(bindings: bindings(configuration.paths.inbox, context: context), supportedContents: collection.acceptedContent)]
                        : []))
            }
            return .taxii11(.collectionInformationResponse(TAXII11.CollectionInformationResponse(inResponseTo: context.requestID, collectionInformations: informations)))
        case .v10:
            let feeds = readable.map {
                TAXII10.FeedInformation(
                    feedName: $0.name, available: true, description: $0.description, supportedContents: $0.acceptedContent.map(\.bindingID),
                    pushMethods: pushMethods(context), pollingServiceInstances: [poll],
                    subscriptionMethods: [bindings(configuration.paths.collectionManagement, context: context)])
            }
            return .taxii10(.feedInformationResponse(TAXII10.FeedInformationResponse(inResponseTo: context.requestID, feedInformations: feeds)))
        }
    }
}

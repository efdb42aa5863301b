import TAXII

/// What an Inbox Message of either version brings: its destinations (TAXII 1.1) and blocks.
struct InboxContent: Sendable {
    var destinations: [String]
    var blocks: [NewContentBlock]

    init(_ message: TAXII11.InboxMessage) {
        destinations = message.destinationCollectionNames
        blocks = message.contentBlocks.map {
            NewContentBlock(
                bindingID: $0.contentBinding.bindingID, subtypeID: $0.contentBinding.subtypeIDs.first,
                content: $0.content.string, isXML: $0.content.isXML, message: $0.message)
        }
    }

    init(_ message: TAXII10.InboxMessage) {
        destinations = []
        blocks = message.contentBlocks.map {
            NewContentBlock(bindingID: $0.contentBinding, content: $0.content.string, isXML: $0.content.isXML)
        }
    }
}

extension TAXIIExchange {
    /// Stores an Inbox Message's blocks in its destination collections (or the inbox's own),
    /// all or nothing: an unknown destination, one the user may not write, or a block a
    /// destination does not accept refuses the whole message.
    func receive(_ content: InboxContent, context: ServiceContext) async throws(TAXIIStoreError) -> TAXII.Message {
        let destinations = content.destinations.isEmpty ? configuration.inboxDestinations : content.destinations
        let acceptable = configuration.inboxDestinations.filter(context.mayWrite)
        func destinationError(_ message: String) -> TAXII.Message {
            // TAXII 1.0 has no DESTINATION_COLLECTION_ERROR: its inbox has no destinations to name.
            context.version == .v11
                ? status(.destinationCollectionError, to: context.requestID, version: .v11, message: message,
                         details: acceptable.map { (TAXII.StatusDetailKey.acceptableDestination, $0) })
                : status(.failure, to: context.requestID, version: .v10, message: message)
        }
        guard !destinations.isEmpty else {
            return destinationError("the message names no destination collection and this inbox feeds none")
        }
        var collections: [TAXIICollection] = []
        for name in destinations {
            guard let collection = configuration.collection(named: name), content.destinations.isEmpty || configuration.inboxDestinations.contains(name) else {
                return destinationError("this inbox does not feed a collection named \(name)")
            }
            guard context.mayWrite(name) else {
                return status(.denied, to: context.requestID, version: context.version,
                              message: "user \(context.user?.name ?? "") may not write to collection \(name)")
            }
            collections.append(collection)
        }
        for collection in collections {
            if let refused = content.blocks.first(where: { !collection.accepts(bindingID: $0.bindingID, subtypeID: $0.subtypeID) }) {
                let named = refused.bindingID + (refused.subtypeID.map { ">" + $0 } ?? "")
                return status(
                    .unsupportedContentBinding, to: context.requestID, version: context.version,
                    message: "collection \(collection.name) does not accept content of binding \(named)",
                    details: collection.acceptedContent.map {
                        (TAXII.StatusDetailKey.supportedContent, $0.bindingID + ($0.subtypeIDs.isEmpty ? "" : ">" + $0.subtypeIDs.joined(separator: ",")))
                    })
            }
        }
        if !content.blocks.isEmpty {
            _ = try await store.insert(content.blocks, into: collections.map(\.name))
            logger.info("inbox stored content", metadata: [
                "blocks": "\(content.blocks.count)", "collections": "\(collections.map(\.name).joined(separator: ","))",
                "user": "\(context.user?.name ?? "-")",
            ])
        }
        return status(.success, to: context.requestID, version: context.version)
    }
}

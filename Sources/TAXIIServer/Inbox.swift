import BastionHTTPServer
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
    /// Stores an Inbox Message's blocks, all or nothing.
    ///
    /// Named destinations (TAXII 1.1) must each be fed by this inbox, writable by the user and
    /// accept every block. Without names, each block goes to the inbox's collections that accept
    /// it and that the user may write; a block none of them takes refuses the message.
    func receive(_ content: InboxContent, context: ServiceContext) async throws(TAXIIStoreError) -> TAXII.Message {
        let fed = configuration.inboxDestinations.compactMap(configuration.collection(named:))
        let writable = fed.filter { context.mayWrite($0.name) }
        func destinationError(_ message: String) -> TAXII.Message {
            // TAXII 1.0 has no DESTINATION_COLLECTION_ERROR: its inbox has no destinations to name.
            context.version == .v11
                ? status(.destinationCollectionError, to: context.requestID, version: .v11, message: message,
                         details: writable.map { (TAXII.StatusDetailKey.acceptableDestination, $0.name) })
                : status(.failure, to: context.requestID, version: .v10, message: message)
        }
        func unsupported(_ block: NewContentBlock, in collections: [TAXIICollection]) -> TAXII.Message {
            let named = block.bindingID + (block.subtypeID.map { ">" + $0 } ?? "")
            let supported = collections.flatMap(\.acceptedContent).map {
                $0.bindingID + ($0.subtypeIDs.isEmpty ? "" : ">" + $0.subtypeIDs.joined(separator: ","))
            }
            return status(
                .unsupportedContentBinding, to: context.requestID, version: context.version,
                message: "no destination collection accepts content of binding \(named)",
                details: supported.map { (TAXII.StatusDetailKey.supportedContent, $0) })
        }

        var placements: [Placement] = []
        if content.destinations.isEmpty {
            guard !fed.isEmpty else { return destinationError("the message names no destination collection and this inbox feeds none") }
            guard !writable.isEmpty else {
                return status(.denied, to: context.requestID, version: context.version,
                              message: "user \(context.user?.name ?? "") may not write to the collections this inbox feeds")
            }
            for block in content.blocks where !writable.contains(where: { $0.accepts(bindingID: block.bindingID, subtypeID: block.subtypeID) }) {
                return unsupported(block, in: writable)
            }
            placements = writable.map { collection in
                Placement(collection: collection.name, blocks: content.blocks.filter { collection.accepts(bindingID: $0.bindingID, subtypeID: $0.subtypeID) })
            }
        } else {
            for name in content.destinations {
                guard let collection = fed.first(where: { $0.name == name }) else {
                    return destinationError("this inbox does not feed a collection named \(name)")
                }
                guard context.mayWrite(name) else {
                    return status(.denied, to: context.requestID, version: context.version, message: "user \(context.user?.name ?? "") may not write to collection \(name)")
                }
                if let refused = content.blocks.first(where: { !collection.accepts(bindingID: $0.bindingID, subtypeID: $0.subtypeID) }) {
                    return unsupported(refused, in: [collection])
                }
                placements.append(Placement(collection: name, blocks: content.blocks))
            }
        }
        placements.removeAll { $0.blocks.isEmpty }
        if !placements.isEmpty {
            _ = try await store.insert(placements)
            for placement in placements {
                receivedBlocks.increment(placement.collection, by: placement.blocks.count)
            }
            logger.info("inbox stored content", metadata: [
                "blocks": "\(content.blocks.count)", "collections": "\(placements.map(\.collection).joined(separator: ","))",
                "user": "\(context.user?.name ?? "-")",
            ])
        }
        return status(.success, to: context.requestID, version: context.version)
    }
}

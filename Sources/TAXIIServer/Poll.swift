import Foundation
import TAXII

/// What a Poll Request of either version asks for.
struct PollQuery: Sendable {
    var collection: String
    var after: TAXII.Timestamp?
    var upTo: TAXII.Timestamp?
    var bindings: [BindingFilter]
    var countOnly = false
    var query: TAXII11.Query?
    var subscriptionID: String?
    /// Whether the requester takes a PENDING answer.
    var allowsAsynchronous = false

    init(_ request: TAXII11.PollRequest) {
        collection = request.collectionName
        after = request.exclusiveBeginTimestamp
        upTo = request.inclusiveEndTimestamp
        switch request.scope {
        case .parameters(let parameters):
            bindings = parameters.contentBindings.map { BindingFilter(bindingID: $0.bindingID, subtypeIDs: $0.subtypeIDs) }
            countOnly = parameters.responseType == .countOnly
            query = parameters.query
            allowsAsynchronous = parameters.allowAsynch
        case .subscription(let id):
            bindings = []
            subscriptionID = id
        }
    }

    init(_ request: TAXII10.PollRequest) {
        collection = request.feedName
        after = request.exclusiveBeginTimestamp
        upTo = request.inclusiveEndTimestamp
        bindings = request.contentBindings.map { BindingFilter(bindingID: $0) }
        subscriptionID = request.subscriptionID
    }
}

extension TAXIIExchange {
    /// Blocks read per batch while a Default Query is evaluated.
    static let queryBatchSize = 500

    /// Answers a Poll Request: the blocks of the window `(after, upTo]` (up to the newest block
    /// now), filtered by binding and Default Query, in parts of the collection's page size.
    func poll(_ poll: PollQuery, context: ServiceContext) async throws(TAXIIStoreError) -> TAXII.Message {
        guard let collection = configuration.collection(named: poll.collection) else {
            return status(.notFound, to: context.requestID, version: context.version, message: "no collection named \(poll.collection)",
                          details: [(TAXII.StatusDetailKey.item, poll.collection)])
        }
        guard context.mayRead(collection.name) else {
            return status(.denied, to: context.requestID, version: context.version, message: "user \(context.user?.name ?? "") may not poll collection \(collection.name)")
        }
        var poll = poll
        if let subscriptionID = poll.subscriptionID {
            // A poll under a subscription takes the subscription's parameters.
            guard let subscription = try await store.subscription(id: subscriptionID), subscription.collection == collection.name,
                  subscription.owner == context.user?.name, subscription.status != TAXII.SubscriptionStatus.unsubscribed.rawValue
            else {
                return status(.notFound, to: context.requestID, version: context.version, message: "no subscription \(subscriptionID) of yours on collection \(collection.name)",
                              details: [(TAXII.StatusDetailKey.item, subscriptionID)])
            }
            let terms = SubscriptionTerms(request: subscription.request)
            poll.bindings = terms?.bindings ?? []
            poll.countOnly = terms?.countOnly ?? false
            poll.query = terms?.query
        }
        var matcher: TAXII.DefaultQuery.Matcher?
        if let query = poll.query {
            switch compile(query, context: context) {
            case .success(let compiled): matcher = compiled
            case .failure(let refusal): return refusal.message
            }
        }
        // The window ends at the newest block now: blocks stored later get larger labels, so a
        // window's content never changes and the next poll starts where this one ended.
        let pageSize = max(1, collection.pageSize ?? configuration.pageSize)
        let requested = BlockQuery(
            collection: collection.name, after: poll.after?.microsecondsSince1970, upTo: poll.upTo?.microsecondsSince1970, bindings: poll.bindings)
        let snapshot = try await store.snapshot(requested, limit: matcher != nil || poll.countOnly ? 0 : pageSize)
        let window = snapshot.query
        let end = snapshot.latest == nil ? nil : window.upTo

        if let matcher, poll.allowsAsynchronous, context.version == .v11, snapshot.total > configuration.asynchronousPollThreshold {
            return try await answerLater(matcher, over: window, total: snapshot.total, pageSize: pageSize, context: context)
        }

        var listed: [Int64]?
        let firstPage: [StoredContentBlock]
        let total: Int
        if let matcher, snapshot.total > 0 {
            let matches = try await evaluate(matcher, over: window)
            listed = matches.map(\.id)
            total = matches.count
            firstPage = Array(matches.prefix(pageSize))
        } else {
            total = matcher == nil ? snapshot.total : 0
            firstPage = snapshot.blocks
        }
        let endTimestamp = end.map(TAXII.Timestamp.init(microsecondsSince1970:))
        switch context.version {
        case .v11:
            if poll.countOnly {
                return pollResponse11(collection.name, window: window, end: endTimestamp, total: total, blocks: [], context: context)
            }
            var resultID: String?
            if total > pageSize {
                let id = UUID().uuidString.lowercased()
                let now = clock()
                let resultSet = ResultSet(id: id, query: window, total: total, pageSize: pageSize, isListed: listed != nil, createdAt: now)
                _ = try await store.removeResultSets(createdBefore: now - Self.microseconds(configuration.resultLifetime))
                try await store.saveResultSet(resultSet, blockIDs: listed)
                resultID = id
            }
            return pollResponse11(collection.name, window: window, end: endTimestamp, total: total, blocks: firstPage,
                                  resultID: resultID, part: 1, more: resultID != nil, context: context)
        case .v10:
            // TAXII 1.0 has no parts: a response holds at most a page, and its end is the last
            // block sent, where the client's next poll begins.
            let last = total > firstPage.count ? firstPage.last.map { TAXII.Timestamp(microsecondsSince1970: $0.label) } : endTimestamp
            return .taxii10(.pollResponse(TAXII10.PollResponse(
                inResponseTo: context.requestID, feedName: collection.name, inclusiveBeginTimestamp: poll.after,
                inclusiveEndTimestamp: last ?? poll.upTo ?? TAXII.Timestamp(microsecondsSince1970: 0),
                contentBlocks: firstPage.map(Self.block10))))
        }
    }

    /// Answers a Poll Fulfillment Request with the part it asks for.
    func fulfill(_ request: TAXII11.PollFulfillmentRequest, context: ServiceContext) async throws(TAXIIStoreError) -> TAXII.Message {
        guard let resultSet = try await store.resultSet(id: request.resultID), resultSet.query.collection == request.collectionName,
              clock() - resultSet.createdAt <= Self.microseconds(configuration.resultLifetime)
        else {
            return status(.notFound, to: context.requestID, version: .v11, message: "no result \(request.resultID) of collection \(request.collectionName)",
                          details: [(TAXII.StatusDetailKey.item, request.resultID)])
        }
        guard context.mayRead(resultSet.query.collection) else {
            return status(.denied, to: context.requestID, version: .v11, message: "user \(context.user?.name ?? "") may not poll collection \(resultSet.query.collection)")
        }
        switch resultSet.state {
        case .ready: break
        case .pending: return pending(resultSet, context: context)
        case .failed(let reason):
            return status(.asynchronousPollError, to: context.requestID, version: .v11, message: "result \(resultSet.id) could not be built: \(reason)")
        }
        let part = request.resultPartNumber
        guard part >= 1, part <= resultSet.partCount else {
            return status(.invalidResponsePart, to: context.requestID, version: .v11, message: "result \(resultSet.id) has parts 1 to \(resultSet.partCount)",
                          details: [(TAXII.StatusDetailKey.maxPartNumber, String(resultSet.partCount))])
        }
        let offset = (part - 1) * resultSet.pageSize
        let blocks = resultSet.isListed
            ? try await store.listedBlocks(resultID: resultSet.id, offset: offset, limit: resultSet.pageSize)
            : try await store.blocks(resultSet.query, offset: offset, limit: resultSet.pageSize)
        let end = resultSet.query.upTo.map(TAXII.Timestamp.init(microsecondsSince1970:))
        return pollResponse11(resultSet.query.collection, window: resultSet.query, end: end, total: resultSet.total, blocks: blocks,
                              resultID: resultSet.id, part: part, more: part < resultSet.partCount, context: context)
    }

    private func pollResponse11(
        _ collection: String, window: BlockQuery, end: TAXII.Timestamp?, total: Int, blocks: [StoredContentBlock],
        resultID: String? = nil, part: Int = 1, more: Bool = false, context: ServiceContext
    ) -> TAXII.Message {
        .taxii11(.pollResponse(TAXII11.PollResponse(
            inResponseTo: context.requestID, collectionName: collection, more: more, resultID: resultID, resultPartNumber: part,
            exclusiveBeginTimestamp: window.after.map(TAXII.Timestamp.init(microsecondsSince1970:)), inclusiveEndTimestamp: end,
            recordCount: TAXII11.RecordCount(total), contentBlocks: blocks.map(Self.block11))))
    }

    /// Blocks a query is evaluated over per second, for the ESTIMATED_WAIT of a PENDING answer.
    static let evaluationRate = 20_000

    /// Answers PENDING and builds the result of `matcher` over `window` (`total` blocks) in the
    /// background; Poll Fulfillment fetches it once ready (PENDING again until then,
    /// ASYNCHRONOUS_POLL_ERROR if building it fails).
    private func answerLater(
        _ matcher: TAXII.DefaultQuery.Matcher, over window: BlockQuery, total: Int, pageSize: Int, context: ServiceContext
    ) async throws(TAXIIStoreError) -> TAXII.Message {
        let now = clock()
        let resultSet = ResultSet(
            id: UUID().uuidString.lowercased(), query: window, total: 0, pageSize: pageSize, isListed: true, createdAt: now, state: .pending)
        _ = try await store.removeResultSets(createdBefore: now - Self.microseconds(configuration.resultLifetime))
        try await store.saveResultSet(resultSet, blockIDs: nil)
        logger.info("asynchronous poll accepted", metadata: ["collection": "\(window.collection)", "result_id": "\(resultSet.id)", "blocks": "\(total)"])
        let (store, logger) = (self.store, self.logger)
        background.run {
            do {
                let matches = try await evaluate(matcher, over: window)
                try await store.finishResultSet(id: resultSet.id, total: matches.count, blockIDs: matches.map(\.id))
                logger.info("asynchronous poll result ready", metadata: ["result_id": "\(resultSet.id)", "blocks": "\(matches.count)"])
            } catch {
                logger.error("asynchronous poll failed", metadata: ["result_id": "\(resultSet.id)", "error": "\(error)"])
                try? await store.failResultSet(id: resultSet.id, reason: "\(error)")
            }
        }
        return pending(resultSet, blocks: total, context: context)
    }

    /// The PENDING answer for `resultSet`, over `blocks` blocks still to read (for the estimate).
    private func pending(_ resultSet: ResultSet, blocks: Int? = nil, context: ServiceContext) -> TAXII.Message {
        let wait = max(1, (blocks ?? 0) / Self.evaluationRate)
        return status(.pending, to: context.requestID, version: .v11, message: "the result is being built; fetch it with Poll Fulfillment", details: [
            (TAXII.StatusDetailKey.estimatedWait, String(wait)), (TAXII.StatusDetailKey.resultID, resultSet.id), (TAXII.StatusDetailKey.willPush, "false"),
        ])
    }

    /// The blocks of `window` that `matcher` selects, read in batches.
    private func evaluate(_ matcher: TAXII.DefaultQuery.Matcher, over window: BlockQuery) async throws(TAXIIStoreError) -> [StoredContentBlock] {
        var matches: [StoredContentBlock] = []
        var offset = 0
        while true {
            let batch = try await store.blocks(window, offset: offset, limit: Self.queryBatchSize)
            for stored in batch where stored.block.isXML {
                if (try? matcher.matches(xml: stored.block.content)) == true { matches.append(stored) }
            }
            guard batch.count == Self.queryBatchSize else { return matches }
            offset += batch.count
        }
    }

    /// A refusal of a query, as the Status Message to send.
    struct QueryRefusal: Error {
        let message: TAXII.Message
    }

    /// The matcher for `query`, or the Status Message that says why it cannot be evaluated.
    func compile(_ query: TAXII11.Query, context: ServiceContext) -> Result<TAXII.DefaultQuery.Matcher, QueryRefusal> {
        guard let defaultQuery = query.defaultQuery else {
            return .failure(QueryRefusal(message: status(
                .unsupportedQuery, to: context.requestID, version: .v11, message: "query format \(query.formatID) is not supported",
                details: [(TAXII.StatusDetailKey.supportedQuery, TAXII.QueryFormatID.defaultQuery10)])))
        }
        do {
            return .success(try defaultQuery.matcher())
        } catch {
            switch error.kind {
            case .unsupportedTargetingExpressionID:
                return .failure(QueryRefusal(message: status(
                    .unsupportedTargetingExpressionID, to: context.requestID, version: .v11, message: error.message,
                    details: TAXII.DefaultQuery.Matcher.supportedTargetingExpressionIDs.map { (TAXII.StatusDetailKey.targetingExpressionID, $0) })))
            case .unsupportedCapabilityModule:
                return .failure(QueryRefusal(message: status(
                    .unsupportedCapabilityModule, to: context.requestID, version: .v11, message: error.message,
                    details: TAXII.DefaultQuery.CapabilityModule.all.map { (TAXII.StatusDetailKey.capabilityModule, $0) })))
            default:
                return .failure(QueryRefusal(message: status(
                    .unsupportedQuery, to: context.requestID, version: .v11, message: "the query cannot be evaluated: \(error.message)",
                    details: [(TAXII.StatusDetailKey.supportedQuery, TAXII.QueryFormatID.defaultQuery10)])))
            }
        }
    }

    static func block11(_ stored: StoredContentBlock) -> TAXII11.ContentBlock {
        TAXII11.ContentBlock(
            contentBinding: TAXII11.ContentBinding(stored.block.bindingID, subtypeIDs: stored.block.subtypeID.map { [$0] } ?? []),
            content: stored.block.isXML ? .xml(stored.block.content) : .text(stored.block.content),
            timestampLabel: TAXII.Timestamp(microsecondsSince1970: stored.label), message: stored.block.message)
    }

    static func block10(_ stored: StoredContentBlock) -> TAXII10.ContentBlock {
        TAXII10.ContentBlock(
            contentBinding: stored.block.bindingID, content: stored.block.isXML ? .xml(stored.block.content) : .text(stored.block.content),
            timestampLabel: TAXII.Timestamp(microsecondsSince1970: stored.label))
    }

    static func microseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds.multipliedReportingOverflow(by: 1_000_000).overflow ? Int64.max : seconds * 1_000_000 + attoseconds / 1_000_000_000_000
    }
}

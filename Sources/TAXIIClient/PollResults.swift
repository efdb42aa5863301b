import TAXII

/// A part of a poll result that was not fetched.
public struct PendingPart: Sendable, Equatable {
    /// The collection the result belongs to.
    public var collection: String
    /// The result's id.
    public var resultID: String
    /// The number of the next part.
    public var partNumber: Int

    /// The Poll Fulfillment Request that fetches this part.
    public var request: TAXII.Message {
        .taxii11(.pollFulfillmentRequest(TAXII11.PollFulfillmentRequest(collectionName: collection, resultID: resultID, resultPartNumber: partNumber)))
    }
}

/// How a poll through ``TAXIIClient/poll(_:_:allParts:maximumParts:onReply:)`` ended.
public struct PollOutcome: Sendable, Equatable {
    /// The last reply: a Poll Response, or a Status Message.
    public var lastReply: TAXII.Message
    /// The replies received.
    public var replies: Int
    /// The next part, when the result has more and they were not followed.
    public var pendingPart: PendingPart?
}

extension TAXIIClient {
    /// Parts fetched at most by default, against a server that never says it is done.
    public static let defaultMaximumParts = 100_000

    /// Sends `request` (a Poll Request or a Poll Fulfillment Request) to the Poll service at
    /// `url` and hands each reply to `onReply`, in order. With `allParts`, while a TAXII 1.1
    /// Poll Response says `more`, the next part is fetched with a Poll Fulfillment Request,
    /// as cabby does; otherwise the outcome names the part not fetched.
    ///
    /// - Throws: ``TAXIIClientError`` for a failed exchange, and `.unexpectedMessage` when the
    ///   server's part numbers cannot go on (`Int.max`) or it sends more than `maximumParts`
    ///   parts; whatever `onReply` throws.
    public func poll(
        _ url: String, _ request: TAXII.Message, allParts: Bool = true, maximumParts: Int = TAXIIClient.defaultMaximumParts,
        onReply: (TAXII.Message) async throws -> Void
    ) async throws -> PollOutcome {
        var reply = try await call(url, request)
        var replies = 1
        while true {
            try await onReply(reply)
            guard case .taxii11(.pollResponse(let response)) = reply, response.more, let resultID = response.resultID else {
                return PollOutcome(lastReply: reply, replies: replies, pendingPart: nil)
            }
            // The part number comes from the server: the largest Int has no next part.
            guard response.resultPartNumber < Int.max else {
                throw TAXIIClientError(.unexpectedMessage, url: url, "result part number \(response.resultPartNumber) has no next part")
            }
            let next = PendingPart(collection: response.collectionName, resultID: resultID, partNumber: response.resultPartNumber + 1)
            guard allParts else { return PollOutcome(lastReply: reply, replies: replies, pendingPart: next) }
            guard replies < maximumParts else {
                throw TAXIIClientError(.unexpectedMessage, url: url, "stopped after \(replies) result parts: the server keeps saying there are more")
            }
            reply = try await call(url, next.request)
            replies += 1
        }
    }
}

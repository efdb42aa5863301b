import NIOConcurrencyHelpers

/// Writes the requests that arrive while a write is under way together, in one transaction: with
/// many inboxes at once, one commit (and its wait for the disk) serves them all.
///
/// No task of its own: the first caller to find nothing being written writes the batch —
/// its own request and whatever else is waiting, up to ``maximumBatch`` — then hands the next
/// batch to the first caller still waiting, so every caller's task does at most one batch of work.
/// When a batch fails, its requests are written one by one, so that one bad request (a value the
/// database refuses) fails alone and the others are written.
final class GroupCommit<Request: Sendable, Reply: Sendable>: Sendable {
    /// Writes `requests` in one transaction; returns one reply per request, in order.
    typealias Write = @Sendable (_ requests: [Request]) async throws(TAXIIStoreError) -> [Reply]

    private enum Outcome: Sendable {
        case written(Reply)
        case failed(TAXIIStoreError)
        /// Write the next batch, this caller's request first.
        case lead
    }

    private struct Waiting: Sendable {
        var ticket: Int
        var request: Request
        var continuation: CheckedContinuation<Outcome, Never>
    }

    private struct State: Sendable {
        var waiting: [Waiting] = []
        var writing = false
        var nextTicket = 0
    }

    /// Requests in one transaction at most.
    let maximumBatch: Int
    private let state = NIOLockedValueBox(State())

    init(maximumBatch: Int = 64) {
        self.maximumBatch = max(1, maximumBatch)
    }

    /// Writes `request` (with others, if they came meanwhile) and returns its reply. Every
    /// caller passes the same `write`; the one that leads a batch runs it.
    func submit(_ request: Request, writing write: Write) async throws(TAXIIStoreError) -> Reply {
        let ticket = state.withLockedValue { state in
            defer { state.nextTicket &+= 1 }
            return state.nextTicket
        }
        let outcome = await withCheckedContinuation { (continuation: CheckedContinuation<Outcome, Never>) in
            let leads = state.withLockedValue { state in
                state.waiting.append(Waiting(ticket: ticket, request: request, continuation: continuation))
                guard !state.writing else { return false }
                state.writing = true
                return true
            }
            if leads { continuation.resume(returning: .lead) }
        }
        switch outcome {
        case .written(let reply): return reply
        case .failed(let error): throw error
        case .lead: return try await lead(ticket: ticket, write: write)
        }
    }

    /// Writes a batch led by `ticket`'s request, answers the others in it, and hands on.
    private func lead(ticket: Int, write: Write) async throws(TAXIIStoreError) -> Reply {
        let batch = state.withLockedValue { state -> [Waiting] in
            guard let mine = state.waiting.firstIndex(where: { $0.ticket == ticket }) else { return [] }
            var batch = [state.waiting.remove(at: mine)]
            let others = min(maximumBatch - 1, state.waiting.count)
            batch += state.waiting.prefix(others)
            state.waiting.removeFirst(others)
            return batch
        }
        let outcomes = await outcomes(of: batch.map(\.request), write: write)
        for (waiting, outcome) in zip(batch.dropFirst(), outcomes.dropFirst()) {
            waiting.continuation.resume(returning: outcome)
        }
        let next = state.withLockedValue { state -> Waiting? in
            guard let first = state.waiting.first else {
                state.writing = false
                return nil
            }
            return first
        }
        next?.continuation.resume(returning: .lead)
        switch outcomes.first {
        case .written(let reply)?: return reply
        case .failed(let error)?: throw error
        case .lead?, nil: throw TAXIIStoreError(.unavailable, "a grouped write lost its request")
        }
    }

    /// The outcome of each request: all written together, or, when that fails, each on its own.
    private func outcomes(of requests: [Request], write: Write) async -> [Outcome] {
        do throws(TAXIIStoreError) {
            let replies = try await write(requests)
            guard replies.count == requests.count else { throw TAXIIStoreError(.unavailable, "a grouped write answered \(replies.count) of \(requests.count) requests") }
            return replies.map(Outcome.written)
        } catch {
            guard requests.count > 1 else { return [.failed(error)] }
        }
        var outcomes: [Outcome] = []
        for request in requests {
            do throws(TAXIIStoreError) {
                let replies = try await write([request])
                outcomes.append(replies.first.map(Outcome.written) ?? .failed(TAXIIStoreError(.unavailable, "a write answered nothing")))
            } catch {
                outcomes.append(.failed(error))
            }
        }
        return outcomes
    }
}

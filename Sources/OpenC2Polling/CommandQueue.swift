import Foundation
import OpenC2

/// A Command waiting for, or handled by, a polling Consumer (HTTPS WD02 polling model).
public struct QueuedCommand: Sendable, Equatable {
    /// Where a queued Command stands.
    public enum State: String, Sendable, CaseIterable {
        /// Waiting to be polled.
        case queued
        /// Handed to a poll; delivered again when its lease ends without an answer.
        case delivered
        /// The Consumer answered 102: working on it.
        case processing
        /// A final Response is stored.
        case answered
        /// Past its stop_time or expiry: never delivered.
        case expired
    }

    /// The Command's `command_id`, unique in the queue (the X-Correlation-ID of its exchanges).
    public var commandID: String
    /// The identity of the Consumer it is for (its client certificate's CN, else first SAN).
    public var consumer: String
    /// The Command, as JSON (the v1.0 bare form).
    public var command: String
    public var state: State
    /// Times in milliseconds since 1970.
    public var enqueuedAt: Int64
    public var deliveredAt: Int64?
    /// Until when the last delivery is leased (redelivered after it without an answer).
    public var leaseUntil: Int64?
    public var processingSince: Int64?
    public var answeredAt: Int64?
    /// After this it is expired, never delivered.
    public var expiresAt: Int64?
    /// The last Response (JSON), 102 or final.
    public var response: String?
    /// For a status query (`query` of target `command`), the command it asks about.
    public var statusOf: String?

    public init(
        commandID: String, consumer: String, command: String, state: State = .queued, enqueuedAt: Int64, deliveredAt: Int64? = nil,
        leaseUntil: Int64? = nil, processingSince: Int64? = nil, answeredAt: Int64? = nil, expiresAt: Int64? = nil, response: String? = nil,
        statusOf: String? = nil
    ) {
        self.commandID = commandID
        self.consumer = consumer
        self.command = command
        self.state = state
        self.enqueuedAt = enqueuedAt
        self.deliveredAt = deliveredAt
        self.leaseUntil = leaseUntil
        self.processingSince = processingSince
        self.answeredAt = answeredAt
        self.expiresAt = expiresAt
        self.response = response
        self.statusOf = statusOf
    }
}

extension QueuedCommand {
    /// A Command the Producer sent to `consumer` itself over HTTPS (the "both servers"
    /// configuration, WD02 §3.5), kept so that the Response the Consumer POSTs later is taken:
    /// delivered at `now` and without a lease, so no poll ever hands it out and no status query
    /// is queued for it (the Consumer does not poll).
    public static func pushed(commandID: String, consumer: String, command: String, at now: Int64, expiresAt: Int64? = nil) -> QueuedCommand {
        QueuedCommand(commandID: commandID, consumer: consumer, command: command, state: .delivered, enqueuedAt: now, deliveredAt: now, expiresAt: expiresAt)
    }

    /// Takes `response` (JSON) of status `status` from `consumer` at `now`: 102 marks it
    /// processing, anything else answered. Another Consumer's Response and a second final one are
    /// refused and change nothing.
    mutating func take(response: String, status: Int, from consumer: String, now: Int64) throws(CommandQueueError) {
        guard self.consumer == consumer else { throw CommandQueueError(.notYours, "command \(commandID) is not for \(consumer)") }
        guard state != .answered else { throw CommandQueueError(.alreadyAnswered, "command \(commandID) has its final Response already") }
        self.response = response
        if status == 102 {
            state = .processing
            processingSince = processingSince ?? now
        } else {
            state = .answered
            answeredAt = now
        }
    }
}

/// Why the queue refused something, or could not be used.
public struct CommandQueueError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable {
        /// No command with that id.
        case unknownCommand
        /// The command is for another Consumer.
        case notYours
        /// A final Response is stored already.
        case alreadyAnswered
        /// The command id is taken.
        case duplicate
        /// The database could not be opened or used.
        case unavailable
    }

    public var kind: Kind
    public var message: String
    public var description: String { message }

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }
}

/// The durable queue of Commands for polling Consumers: what `bastion openc2 enqueue` writes,
/// what the Producer server hands out and where Responses are kept.
public protocol CommandQueue: Sendable {
    /// Makes the queue ready to use (its schema); called once it runs.
    func prepare() async throws(CommandQueueError)
    /// Queues `command`; a `command_id` already queued is refused (`.duplicate`).
    func enqueue(_ command: QueuedCommand) async throws(CommandQueueError)
    /// Hands the oldest deliverable command of `consumer` to a poll at `now` (milliseconds),
    /// leased until `now + lease`: a queued one, or one whose lease ended without an answer.
    /// Commands past their expiry are marked expired on the way and never handed out.
    func next(for consumer: String, now: Int64, lease: Int64) async throws(CommandQueueError) -> QueuedCommand?
    /// Keeps `response` (JSON) of status `status` from `consumer` for `commandID`: 102 marks it
    /// processing, anything else answered. Unknown ids, another Consumer's command and a second
    /// final Response are refused and change nothing.
    func record(response: String, status: Int, commandID: String, from consumer: String, now: Int64) async throws(CommandQueueError) -> QueuedCommand
    /// The command with this id.
    func command(id: String) async throws(CommandQueueError) -> QueuedCommand?
    /// The commands for `consumer`, oldest first.
    func commands(for consumer: String) async throws(CommandQueueError) -> [QueuedCommand]
    /// Commands delivered to a poll and processing since before `before` that have no status query yet.
    func processing(since before: Int64) async throws(CommandQueueError) -> [QueuedCommand]
}

extension CommandQueue {
    /// Queues a `query` of target `command` about `subject` (WD02 B.2.3) and returns it.
    @discardableResult
    public func queueStatusQuery(about subject: QueuedCommand, now: Int64) async throws(CommandQueueError) -> QueuedCommand {
        let id = UUID().uuidString.lowercased()
        let query: Command
        do {
            query = Command(.query, .command(try CommandID(subject.commandID)), args: Args(responseRequested: .complete), commandID: try CommandID(id))
        } catch {
            throw CommandQueueError(.unavailable, "cannot make a status query for \(subject.commandID): \(error)")
        }
        let queued = QueuedCommand(
            commandID: id, consumer: subject.consumer, command: String(decoding: OpenC2Encoder().encode(query), as: UTF8.self),
            enqueuedAt: now, expiresAt: subject.expiresAt, statusOf: subject.commandID)
        try await enqueue(queued)
        return queued
    }
}

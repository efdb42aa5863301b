// The Producer server's request path (polling model): method, path, Accept/Content-Type,
// X-Correlation-ID, peer and body (fields split at NUL bytes) → ProducerServerExchange over a
// queue holding one delivered Command → a reply whose status is one the exchange gives; a
// refusal carries an OpenC2 Response, and a Response is stored only for the Command's own
// Consumer under its own correlation id.
import FuzzSupport
import Logging
import OpenC2
import OpenC2Polling
import OpenC2SLPF
import Foundation
import Synchronization

/// An in-memory queue for the fuzzer (the SQLite one is tested against the same protocol).
final class MemoryQueue: CommandQueue {
    let commands = Mutex<[String: QueuedCommand]>([:])

    func prepare() async throws(CommandQueueError) {}

    func enqueue(_ command: QueuedCommand) async throws(CommandQueueError) {
        try commands.withLock { (all: inout [String: QueuedCommand]) throws(CommandQueueError) in
            guard all[command.commandID] == nil else { throw CommandQueueError(.duplicate, "duplicate") }
            all[command.commandID] = command
        }
    }

    func next(for consumer: String, now: Int64, lease: Int64) async throws(CommandQueueError) -> QueuedCommand? {
        commands.withLock { all in
            guard var next = all.values.filter({ $0.consumer == consumer && $0.state == .queued }).min(by: { $0.enqueuedAt < $1.enqueuedAt }) else { return nil }
            next.state = .delivered
            all[next.commandID] = next
            return next
        }
    }

    func record(response: String, status: Int, commandID: String, from consumer: String, now: Int64) async throws(CommandQueueError) -> QueuedCommand {
        try commands.withLock { (all: inout [String: QueuedCommand]) throws(CommandQueueError) -> QueuedCommand in
            guard var command = all[commandID] else { throw CommandQueueError(.unknownCommand, "unknown") }
            guard command.consumer == consumer else { throw CommandQueueError(.notYours, "not yours") }
            guard command.state != .answered else { throw CommandQueueError(.alreadyAnswered, "answered") }
            command.state = status == 102 ? .processing : .answered
            command.response = response
            all[commandID] = command
            return command
        }
    }

    func command(id: String) async throws(CommandQueueError) -> QueuedCommand? { commands.withLock { $0[id] } }
    func commands(for consumer: String) async throws(CommandQueueError) -> [QueuedCommand] { commands.withLock { Array($0.values.filter { $0.consumer == consumer }) } }
    func processing(since before: Int64) async throws(CommandQueueError) -> [QueuedCommand] { [] }
}

let decoder = OpenC2Decoder(profiles: [SLPFProfile()])
let allowedStatuses: Set<Int> = [200, 204, 400, 403, 404, 409, 500]

FuzzDriver.run { (bytes) throws(PropertyViolation) in
    let fields = split(bytes, into: 6)
    func text(_ field: [UInt8]) -> String { String(decoding: field, as: UTF8.self) }
    let queue = MemoryQueue()
    let command = #"{"action":"deny","target":{"ipv4_net":"198.51.100.1"},"command_id":"c1"}"#
    let exchange = ProducerServerExchange(
        configuration: .init(profiles: [SLPFProfile()]), queue: queue,
        logger: { var logger = Logger(label: "fuzz"); logger.logLevel = .critical; return logger }(), clock: { 1_000 })
    let method = text(fields[0])
    let headers = [("Accept", text(fields[2])), ("Content-Type", text(fields[2])), ("X-Correlation-ID", text(fields[3]))]
        .filter { !$0.1.isEmpty }.map { (name: $0.0, value: $0.1) }
    let peer = fields[4].isEmpty ? nil : text(fields[4])
    let request = PollingRequest(method: method, path: text(fields[1]), headers: headers, body: fields[5], peer: peer)
    let reply = FuzzDriver.blocking { () async -> PollingReply in
        try? await queue.enqueue(QueuedCommand(commandID: "c1", consumer: "edge", command: command, enqueuedAt: 0))
        return await exchange.respond(to: request)
    }
    try require(allowedStatuses.contains(reply.status), "status \(reply.status)")
    if reply.status >= 400 {
        try require((try? decoder.decode(Response.self, from: reply.body)) != nil, "a refusal without an OpenC2 Response")
    }
    let stored = FuzzDriver.blocking { try? await queue.command(id: "c1") }
    if stored?.response != nil {
        try require(peer == "edge" && text(fields[3]).trimmingCharacters(in: .whitespaces) == "c1" && method == "POST", "a Response stored for the wrong request")
    }
}

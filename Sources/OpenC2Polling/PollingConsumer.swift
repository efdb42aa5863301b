import AsyncHTTPClient
import BastionHTTPClient
import Foundation
import GRDB
import Logging
import NIOCore
import NIOHTTP1
import NIOSSL
import OpenC2
import OpenC2HTTPS

/// The Commands a polling Consumer has taken on, kept so that each is executed at most once,
/// also across restarts: a redelivered Command gets the stored Response again, and one whose
/// execution was cut short (the process stopped) is answered with an error, not run twice. One
/// SQLite file in WAL mode with synchronous NORMAL: a mark survives the process crashing (only a
/// power loss can take back the last ones).
public final class ExecutedCommands: Sendable {
    let queue: DatabasePool
    public let path: String

    public init(path: String) throws(CommandQueueError) {
        self.path = path
        do {
            queue = try openStateDatabase(path: path)
            try queue.write { db in
                try db.execute(sql: "CREATE TABLE IF NOT EXISTS executed (correlation_id TEXT PRIMARY KEY, response TEXT, at INTEGER NOT NULL)")
            }
        } catch {
            throw CommandQueueError(.unavailable, "cannot open the executed-commands store \(path): \(error)")
        }
    }

    /// What the Consumer has done with `correlation`.
    enum Mark: Equatable {
        /// Never seen: it is now marked started, to be executed.
        case new
        /// Started before and never finished (the process stopped): not to be run again.
        case interrupted
        /// Finished: this is its Response.
        case answered(String)
    }

    /// Marks `correlation` started at `now` unless it was seen before, in one transaction, and
    /// says which it was.
    func begin(_ correlation: String, at now: Int64) throws -> Mark {
        try queue.write { db in
            try db.cachedStatement(sql: "INSERT INTO executed (correlation_id, at) VALUES (?, ?) ON CONFLICT (correlation_id) DO NOTHING")
                .execute(arguments: [correlation, now])
            guard db.changesCount == 0 else { return .new }
            let response = try String.fetchOne(db.cachedStatement(sql: "SELECT response FROM executed WHERE correlation_id = ?"), arguments: [correlation])
            return response.map(Mark.answered) ?? .interrupted
        }
    }

    /// Keeps the Response of `correlation`.
    func finish(_ correlation: String, response: String) throws {
        try queue.write { db in
            try db.cachedStatement(sql: "UPDATE executed SET response = ? WHERE correlation_id = ?").execute(arguments: [response, correlation])
        }
    }
}

/// `base` doubled `times` times (none for zero or less), at most `cap`: the wait before a retry.
func doubling(_ base: Duration, times: Int, cappedAt cap: Duration) -> Duration {
    min(base * (1 << min(max(0, times), 20)), cap)
}

/// A Consumer that polls a Producer server for its Commands (OpenC2 HTTPS WD02): it opens no
/// port. It GETs the next Command, executes it with `handler` (the same one a push Consumer
/// uses) and POSTs the Response with `X-Correlation-ID`; it polls again at once after a 200,
/// waits `interval` after a 204, and backs off with jitter (up to `maximumBackoff`) while the
/// Producer cannot be reached, logging that once, and once when it is back.
public struct PollingConsumer: Sendable {
    public struct Configuration: Sendable {
        /// The Producer server's OpenC2 endpoint.
        public var url: String
        /// The client certificate (the Consumer's identity) and the CA the Producer's certificate chains to.
        public var tls: TLSConfiguration
        public var interval: Duration
        public var maximumBackoff: Duration
        public var timeout: Duration

        public init(url: String, tls: TLSConfiguration, interval: Duration = .seconds(5), maximumBackoff: Duration = .seconds(60), timeout: Duration = .seconds(30)) {
            self.url = url
            self.tls = tls
            self.interval = interval
            self.maximumBackoff = maximumBackoff
            self.timeout = timeout
        }
    }

    /// What one poll did.
    public enum Outcome: Sendable, Equatable {
        /// Nothing was queued (204).
        case idle
        /// A Command was executed (or answered from the store) and its Response posted.
        case answered(correlation: String, status: Int)
        /// The exchange failed (the Producer unreachable, a refusal, a malformed Command).
        case failed(String)
    }

    public let configuration: Configuration
    let handler: any CommandHandler
    let executed: ExecutedCommands
    let client: HTTPClient
    let logger: Logger
    let decoder: OpenC2Decoder

    /// A polling Consumer using `client` (configured with the TLS settings; its owner shuts it down).
    public init(
        configuration: Configuration, handler: any CommandHandler, executed: ExecutedCommands, client: HTTPClient,
        profiles: [any OpenC2Profile] = [], logger: Logger = Logger(label: "bastion.openc2.polling-consumer")
    ) {
        self.configuration = configuration
        self.handler = handler
        self.executed = executed
        self.client = client
        self.logger = logger
        self.decoder = OpenC2Decoder(profiles: profiles)
    }

    /// An HTTP client for `configuration` (fails fast on an unreachable Producer).
    public static func makeClient(_ configuration: Configuration) -> HTTPClient {
        ResponsePost.makeClient(tls: configuration.tls, timeout: configuration.timeout)
    }

    /// Polls until the task is cancelled.
    public func run() async {
        var failures = 0
        while !Task.isCancelled {
            // A Command in hand is finished even when the loop is being cancelled.
            let outcome = await Task(operation: { await pollOnce() }).value
            if case .failed = outcome {} else if failures > 0 {
                logger.info("the Producer server is reachable again", metadata: ["url": "\(configuration.url)"])
                failures = 0
            }
            switch outcome {
            case .answered:
                break
            case .idle:
                try? await Task.sleep(for: configuration.interval)
            case .failed(let reason):
                failures += 1
                if failures == 1 { logger.warning("polling failed; retrying with back-off", metadata: ["url": "\(configuration.url)", "error": "\(reason)"]) }
                try? await Task.sleep(for: backoff(afterFailures: failures))
            }
        }
    }

    /// The wait after `failures` failures in a row: the interval doubled per failure, capped,
    /// with up to a quarter of jitter.
    func backoff(afterFailures failures: Int) -> Duration {
        doubling(configuration.interval, times: failures - 1, cappedAt: configuration.maximumBackoff) * Double.random(in: 0.75...1.0)
    }

    /// One poll: GET, execute, POST.
    public func pollOnce() async -> Outcome {
        var request = HTTPClientRequest(url: configuration.url)
        request.headers.add(name: "Accept", value: WireFormat.v1_0.requestContentType)
        let reply: HTTPClientResponse
        let body: ByteBuffer
        do {
            reply = try await client.execute(request, timeout: .init(configuration.timeout))
            body = try await reply.body.collect(upTo: 1 << 20)
        } catch {
            return .failed(TransportFailure(classifying: error, timeout: configuration.timeout, connectTimeout: nil, maximumReplySize: 1 << 20).description)
        }
        switch reply.status.code {
        case 204: return .idle
        case 200: break
        default: return .failed("the Producer server answered HTTP \(reply.status.code): \(String(buffer: body).prefix(200))")
        }
        guard let correlation = reply.headers.first(name: "X-Correlation-ID"), !correlation.isEmpty else {
            return .failed("a Command without X-Correlation-ID")
        }
        let response = await execute(Array(buffer: body), contentType: reply.headers.first(name: "Content-Type"), correlation: correlation)
        switch await ResponsePost.send(response, correlationID: correlation, to: configuration.url, client: client, timeout: configuration.timeout) {
        case .stored: break
        case .refused(let reason): return .failed("the Producer server refused the Response to \(correlation): \(reason)")
        case .failed(let reason): return .failed(reason)
        }
        let status = (try? decoder.decode(Response.self, from: response))?.status.rawValue ?? 0
        return .answered(correlation: correlation, status: status)
    }

    /// The Response (JSON) to the Command in `body`: from the store when it was taken on before,
    /// else from `handler`, kept before it is sent.
    private func execute(_ body: [UInt8], contentType: String?, correlation: String) async -> String {
        func encoded(_ response: Response) -> String { String(decoding: OpenC2Encoder().encode(response), as: UTF8.self) }
        do {
            switch try executed.begin(correlation, at: ProducerServerExchange.now()) {
            case .answered(let stored):
                logger.info("command redelivered: its stored Response is sent again", metadata: ["correlation_id": "\(correlation)"])
                return stored
            case .interrupted:
                return encoded(Response(.internalError, statusText: "the execution of \(correlation) was interrupted; it is not repeated"))
            case .new:
                break
            }
        } catch {
            return encoded(Response(.internalError, statusText: "the Consumer cannot keep its state: \(error)"))
        }
        let response: Response
        do throws(OpenC2Error) {
            response = await run(try command(in: body, contentType: contentType), correlation: correlation)
        } catch {
            response = Response(.badRequest, statusText: error.description)
        }
        let text = encoded(response)
        try? executed.finish(correlation, response: text)
        return text
    }

    /// The Command in a polled body: the v1.1 envelope or the bare v1.0 form.
    private func command(in body: [UInt8], contentType: String?) throws(OpenC2Error) -> Command {
        guard contentType.flatMap(WireFormat.init(requestContentType:)) == .v1_1 else { return try decoder.decode(Command.self, from: body) }
        guard case .request(let request) = try decoder.decode(Message.self, from: body).content else {
            throw OpenC2Error(.wrongType, "body.openc2: not a request")
        }
        return request
    }

    /// Executes `command` with the handler; an error it throws is a 500 Response.
    private func run(_ command: Command, correlation: String) async -> Response {
        let response: Response
        do {
            response = try await handler.handle(command, context: RequestContext(requestID: correlation, peer: nil))
        } catch {
            response = Response(.internalError, statusText: "\(error)")
        }
        logger.info("command", metadata: [
            "correlation_id": "\(correlation)", "action": "\(command.action.rawValue)", "target": "\(command.target.name)", "status": "\(response.status.rawValue)",
        ])
        return response
    }
}

import AsyncHTTPClient
import BastionHTTPClient
import Foundation
import GRDB
import Logging
import NIOCore
import NIOSSL
import OpenC2
import OpenC2HTTPS
import ServiceLifecycle

/// POSTs one Response (JSON) to a Producer server's OpenC2 endpoint with `X-Correlation-ID`, as
/// a polling Consumer and a Consumer forwarding asynchronous Responses both do (WD02 §3.4).
enum ResponsePost {
    enum Outcome: Equatable {
        /// 200: the Producer server kept it.
        case stored
        /// A 4xx: the Producer server will not take it (unknown command, not this Consumer's, answered already).
        case refused(String)
        /// Not delivered (unreachable, a timeout, a 5xx): worth another try.
        case failed(String)
    }

    static func send(_ response: String, correlationID: String, to url: String, client: HTTPClient, timeout: Duration) async -> Outcome {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: WireFormat.v1_0.responseContentType)
        request.headers.add(name: "X-Correlation-ID", value: correlationID)
        request.headers.add(name: "Date", value: HTTPDate.string())
        request.headers.add(name: "Cache-Control", value: "no-cache")
        request.body = .bytes(Array(response.utf8))
        do {
            let reply = try await client.execute(request, timeout: .init(timeout))
            let body = String(buffer: try await reply.body.collect(upTo: 1 << 16))
            switch reply.status.code {
            case 200: return .stored
            case 400..<500: return .refused("HTTP \(reply.status.code) \(body.prefix(200))")
            default: return .failed("HTTP \(reply.status.code) \(body.prefix(200))")
            }
        } catch {
            return .failed(TransportFailure(classifying: error, timeout: timeout, connectTimeout: nil, maximumReplySize: 1 << 16).description)
        }
    }

    /// An HTTP client for a Producer server: `tls` carries the Consumer's client certificate; it
    /// fails fast on an unreachable server.
    static func makeClient(tls: TLSConfiguration, timeout: Duration) -> HTTPClient {
        var http = HTTPClient.Configuration.failingFast(readTimeout: timeout)
        http.tlsConfiguration = tls
        return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: http)
    }
}

/// Final Responses on their way to the Producer server, kept in one SQLite file (WAL,
/// synchronous NORMAL) until the server has them, so that none is lost while it cannot be
/// reached, nor when the Consumer restarts.
public final class ForwardOutbox: Sendable {
    /// A Response waiting to be delivered.
    struct Entry: Sendable, Equatable {
        var correlationID: String
        var response: String
        var attempts: Int
    }

    let pool: DatabasePool
    /// The file.
    public let path: String

    /// Opens (making it if needed) the outbox at `path`.
    public init(path: String) throws(CommandQueueError) {
        self.path = path
        do {
            pool = try openStateDatabase(path: path)
            try pool.write { db in
                try db.execute(sql: """
                    CREATE TABLE IF NOT EXISTS outbox (
                        correlation_id TEXT PRIMARY KEY, response TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0,
                        next_attempt INTEGER NOT NULL, last_error TEXT)
                    """)
            }
        } catch {
            throw CommandQueueError(.unavailable, "cannot open the outbox of forwarded Responses \(path): \(error)")
        }
    }

    /// Keeps `response` for `correlationID`, first tried again at `retryAt` (milliseconds).
    func add(_ correlationID: String, response: String, retryAt: Int64) throws {
        try pool.write { db in
            try db.execute(sql: "INSERT OR REPLACE INTO outbox (correlation_id, response, next_attempt) VALUES (?, ?, ?)",
                           arguments: [correlationID, response, retryAt])
        }
    }

    /// The Responses due at `now`, oldest due first.
    func due(at now: Int64, limit: Int = 64) throws -> [Entry] {
        try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT correlation_id, response, attempts FROM outbox WHERE next_attempt <= ? ORDER BY next_attempt LIMIT ?",
                             arguments: [now, limit])
                .map { Entry(correlationID: $0[0], response: $0[1], attempts: $0[2]) }
        }
    }

    /// Delivered or refused: forgotten.
    func remove(_ correlationID: String) throws {
        try pool.write { db in try db.execute(sql: "DELETE FROM outbox WHERE correlation_id = ?", arguments: [correlationID]) }
    }

    /// Failed again: tried next at `retryAt`.
    func postpone(_ correlationID: String, attempts: Int, retryAt: Int64, error: String) throws {
        try pool.write { db in
            try db.execute(sql: "UPDATE outbox SET attempts = ?, next_attempt = ?, last_error = ? WHERE correlation_id = ?",
                           arguments: [attempts, retryAt, error, correlationID])
        }
    }

    /// How many Responses wait.
    public func count() throws -> Int {
        try pool.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM outbox") ?? 0 }
    }
}

/// A push Consumer's ``ResponseForwarder`` for the "both servers" configuration (OpenC2 HTTPS
/// WD02 §3.5): the final Response of a Command answered at once with 102 is POSTed to the
/// Producer's server, with the Consumer's client certificate and `X-Correlation-ID` = the
/// Command's `command_id`. Each Response is kept in a ``ForwardOutbox`` first; a Producer server
/// that cannot be reached (or answers 5xx) gets it again later, the wait doubling from
/// `firstRetry` up to `maximumRetry`, also after a restart; one that refuses it (4xx) does not.
/// Run it as a `Service` (beside the Consumer) for those later tries.
public struct ResponsePoster: ResponseForwarder, Service {
    public struct Configuration: Sendable {
        /// The Producer server's OpenC2 endpoint.
        public var url: String
        /// The Consumer's client certificate and the CA the Producer server's certificate chains to.
        public var tls: TLSConfiguration
        /// The wait before the second try; doubled for each further one.
        public var firstRetry: Duration
        /// The longest wait between two tries.
        public var maximumRetry: Duration
        /// How long one try may take.
        public var timeout: Duration

        public init(url: String, tls: TLSConfiguration, firstRetry: Duration = .seconds(1), maximumRetry: Duration = .seconds(60), timeout: Duration = .seconds(30)) {
            self.url = url
            self.tls = tls
            self.firstRetry = firstRetry
            self.maximumRetry = max(firstRetry, maximumRetry)
            self.timeout = timeout
        }
    }

    public let configuration: Configuration
    let outbox: ForwardOutbox
    let client: HTTPClient
    let logger: Logger
    let clock: @Sendable () -> Int64

    /// A poster keeping its Responses in `outbox` and using `client` (made with
    /// ``makeClient(_:)``; its owner shuts it down). `clock` gives milliseconds since 1970.
    public init(
        configuration: Configuration, outbox: ForwardOutbox, client: HTTPClient, logger: Logger = Logger(label: "bastion.openc2.response-poster"),
        clock: @escaping @Sendable () -> Int64 = ProducerServerExchange.now
    ) {
        self.configuration = configuration
        self.outbox = outbox
        self.client = client
        self.logger = logger
        self.clock = clock
    }

    /// An HTTP client for `configuration`.
    public static func makeClient(_ configuration: Configuration) -> HTTPClient {
        ResponsePost.makeClient(tls: configuration.tls, timeout: configuration.timeout)
    }

    /// Keeps `response`, then tries to deliver it at once.
    public func forward(_ response: Response, correlationID: String) async {
        let entry = ForwardOutbox.Entry(correlationID: correlationID, response: String(decoding: OpenC2Encoder().encode(response), as: UTF8.self), attempts: 0)
        do {
            // Not due for the retry loop before this first try has had its time.
            try outbox.add(entry.correlationID, response: entry.response, retryAt: clock() + ProducerServerExchange.milliseconds(configuration.timeout))
        } catch {
            logger.error("the Response cannot be kept for forwarding; trying once", metadata: ["correlation_id": "\(correlationID)", "error": "\(error)"])
        }
        await deliver(entry)
    }

    /// Tries again every Response due at `now`.
    func deliverDue(now: Int64) async {
        let entries: [ForwardOutbox.Entry]
        do { entries = try outbox.due(at: now) } catch {
            logger.error("the outbox of forwarded Responses cannot be read", metadata: ["error": "\(error)"])
            return
        }
        for entry in entries { await deliver(entry) }
    }

    /// Tries the Responses due until the task is cancelled or the service group shuts down.
    public func run() async {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                await deliverDue(now: clock())
                try? await Task.sleep(for: configuration.firstRetry)
            }
        }
    }

    private func deliver(_ entry: ForwardOutbox.Entry) async {
        let id = entry.correlationID
        switch await ResponsePost.send(entry.response, correlationID: id, to: configuration.url, client: client, timeout: configuration.timeout) {
        case .stored:
            logger.info("response forwarded to the Producer server", metadata: ["correlation_id": "\(id)", "url": "\(configuration.url)"])
            try? outbox.remove(id)
        case .refused(let reason):
            logger.warning("the Producer server refused the Response; it is dropped", metadata: ["correlation_id": "\(id)", "reason": "\(reason)"])
            try? outbox.remove(id)
        case .failed(let reason):
            if entry.attempts == 0 {
                logger.warning("forwarding the Response failed; it is kept and tried again", metadata: ["correlation_id": "\(id)", "error": "\(reason)"])
            }
            let wait = doubling(configuration.firstRetry, times: entry.attempts, cappedAt: configuration.maximumRetry)
            try? outbox.postpone(id, attempts: entry.attempts + 1, retryAt: clock() + ProducerServerExchange.milliseconds(wait), error: reason)
        }
    }
}

/// A state file of this module's (the queue, executed-command marks, the outbox): SQLite in WAL
/// mode with synchronous NORMAL (what is written survives the process crashing), its directory
/// made if needed, waiting up to 5 s for another writer.
func openStateDatabase(path: String) throws -> DatabasePool {
    try FileManager.default.createDirectory(at: URL(fileURLWithPath: path).deletingLastPathComponent(), withIntermediateDirectories: true)
    var configuration = Configuration()
    configuration.busyMode = .timeout(5)
    configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA synchronous = NORMAL") }
    return try DatabasePool(path: path, configuration: configuration)
}

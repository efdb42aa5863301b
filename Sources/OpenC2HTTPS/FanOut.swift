import AsyncHTTPClient
import NIOSSL
import OpenC2

/// One Consumer's outcome of a fan-out.
public struct FanOutResult: Sendable {
    /// The Consumer's endpoint.
    public var endpoint: String
    /// Its reply, when one came.
    public var reply: ProducerReply?
    /// Why no reply came.
    public var error: ProducerError?
    /// How long the exchange took.
    public var duration: Duration

    /// Whether the Consumer answered with a 2xx HTTP status.
    public var succeeded: Bool { (reply?.httpStatus ?? 0) / 100 == 2 }
}

extension Producer {
    /// Sends `command` to every endpoint at once (at most `concurrency` exchanges in flight),
    /// each with its own request id, and yields each Consumer's result as it comes. One Consumer
    /// that is down or slow delays no other.
    ///
    /// ```swift
    /// for await result in Producer.fanOut(command, to: urls, tls: tls) {
    ///     print(result.endpoint, result.reply?.response?.status ?? "-", result.error?.description ?? "")
    /// }
    /// ```
    public static func fanOut(
        _ command: Command, to endpoints: [String], tls: TLSConfiguration?, wireFormat: WireFormat = .v1_1, timeout: Duration = .seconds(30),
        concurrency: Int = 64, profiles: [any OpenC2Profile] = [], httpClient: HTTPClient = Producer.sharedHTTPClient
    ) -> AsyncStream<FanOutResult> {
        AsyncStream { continuation in
            let work = Task {
                await withTaskGroup(of: FanOutResult.self) { group in
                    var pending = endpoints[...]
                    func start() {
                        guard let endpoint = pending.popFirst() else { return }
                        group.addTask {
                            let producer = Producer(endpoint: endpoint, tls: tls, wireFormat: wireFormat, timeout: timeout, profiles: profiles, httpClient: httpClient)
                            let started = ContinuousClock.now
                            do {
                                let reply = try await producer.send(command)
                                return FanOutResult(endpoint: endpoint, reply: reply, error: nil, duration: ContinuousClock.now - started)
                            } catch {
                                let failure = (error as? ProducerError) ?? ProducerError(kind: .transport, message: "\(error)")
                                return FanOutResult(endpoint: endpoint, reply: nil, error: failure, duration: ContinuousClock.now - started)
                            }
                        }
                    }
                    for _ in 0..<max(1, concurrency) { start() }
                    for await result in group {
                        continuation.yield(result)
                        start()
                    }
                }
                continuation.finish()
            }
            continuation.onTermination = { _ in work.cancel() }
        }
    }
}

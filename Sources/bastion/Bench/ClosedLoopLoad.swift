import BastionHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import Synchronization

/// A closed-loop HTTP/1.1 load generator that costs the machine as little as it can, so that a
/// server sharing the cores with it is measured rather than the client: each of `connections`
/// keep-alive connections sends its next request from the event loop the moment the previous
/// reply has been read whole, with requests encoded by the caller (before the clock starts,
/// where it can) and written as they are, and replies framed in place (``HTTPResponseFramer``) and
/// checked by a closure over the raw bytes. No task, pool, HTTP codec or header list stands
/// between the socket and the next request. A server
/// that closes the connection after a reply (`Connection: close`) is connected to again.
struct ClosedLoopLoad: Sendable {
    /// Where the requests go.
    struct Target: Sendable {
        var host: String
        var port: Int
        var https: Bool

        /// The target of `url` (`http://host[:port]/…` or `https://…`).
        init(url: String) throws {
            guard let components = URLComponents(string: url), let scheme = components.scheme, ["http", "https"].contains(scheme),
                  let host = components.host, !host.isEmpty
            else { throw CLIError("not an http:// or https:// URL: \(url)") }
            self.host = host
            self.https = scheme == "https"
            self.port = components.port ?? (https ? 443 : 80)
        }
    }

    /// One request, encoded: its method (which tells how the reply is framed) and its bytes.
    struct Request: Sendable {
        var method: HTTPMethod
        var bytes: ByteBuffer

        /// The request `head` with `body` (given `Content-Length`), as HTTP/1.1 puts it on the wire.
        init(head: HTTPRequestHead, body: ByteBuffer) {
            var bytes = ByteBuffer()
            bytes.reserveCapacity(256 + body.readableBytes)
            bytes.writeString("\(head.method.rawValue) \(head.uri) HTTP/1.1\r\n")
            for (name, value) in head.headers where name.lowercased() != "content-length" {
                bytes.writeString("\(name): \(value)\r\n")
            }
            bytes.writeString("Content-Length: \(body.readableBytes)\r\n\r\n")
            bytes.writeImmutableBuffer(body)
            self.method = head.method
            self.bytes = bytes
        }
    }

    /// Makes request number `index`.
    typealias RequestMaker = @Sendable (_ index: Int) -> Request
    /// Says whether the reply to request `index` (HTTP status, whole body) is what was expected.
    typealias ReplyCheck = @Sendable (_ index: Int, _ status: Int, _ body: ByteBuffer) -> Bool

    let target: Target
    let connections: Int
    /// Event-loop threads driving the connections. One leaves the other cores to the server it
    /// shares the machine with (measured on 2 cores: 11–14 % more TAXII polls per second than
    /// with one thread per core); more are for a generator that is itself the limit.
    let threads: Int

    init(target: Target, connections: Int, threads: Int = 1) {
        self.target = target
        self.connections = connections
        self.threads = max(1, threads)
    }

    /// Sends requests `0..<count` over the connections and returns how many replies failed the check.
    func run(count: Int, request: @escaping RequestMaker, check: @escaping ReplyCheck) async throws -> Int {
        let shared = Shared(count: count, request: request, check: check)
        let sslContext = try target.https ? Self.insecureTLSContext() : nil
        let group = MultiThreadedEventLoopGroup(numberOfThreads: threads)
        do {
            let failures = try await drive(shared: shared, sslContext: sslContext, group: group)
            try await group.shutdownGracefully()
            return failures
        } catch {
            try? await group.shutdownGracefully()
            throw error
        }
    }

    /// Runs the connections on `group` until every request is answered.
    private func drive(shared: Shared, sslContext: NIOSSLContext?, group: MultiThreadedEventLoopGroup) async throws -> Int {
        let (target, connections, count) = (self.target, self.connections, shared.count)
        return try await withThrowingTaskGroup(of: Int.self) { tasks in
            for _ in 0..<max(1, min(connections, count)) {
                tasks.addTask {
                    // A server that closes connections after a reply (no keep-alive) is connected to again.
                    var failures = 0
                    while true {
                        let done = group.any().makePromise(of: Driver.Outcome.self)
                        let channel = try await ClientBootstrap(group: group)
                            .channelOption(.tcpOption(.tcp_nodelay), value: 1)
                            .channelInitializer { channel in
                                channel.eventLoop.makeCompletedFuture {
                                    if let sslContext {
                                        try channel.pipeline.syncOperations.addHandler(NIOSSLClientHandler(context: sslContext, serverHostname: nil))
                                    }
                                    try channel.pipeline.syncOperations.addHandler(Driver(shared: shared, done: done))
                                }
                            }
                            .connect(host: target.host, port: target.port).get()
                        let outcome: Driver.Outcome
                        do {
                            outcome = try await done.futureResult.get()
                        } catch {
                            try? await channel.close()
                            throw error
                        }
                        try? await channel.close()
                        failures += outcome.failures
                        if outcome.finished { return failures }
                    }
                }
            }
            return try await tasks.reduce(0, +)
        }
    }

    /// The TLS settings of a load generator: any server certificate is accepted.
    static func insecureTLSContext() throws -> NIOSSLContext {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.certificateVerification = .none
        return try NIOSSLContext(configuration: configuration)
    }

    /// What every connection shares: the next request's number, the requests, the check.
    final class Shared: Sendable {
        let count: Int
        let next = Atomic<Int>(0)
        let request: RequestMaker
        let check: ReplyCheck

        init(count: Int, request: @escaping RequestMaker, check: @escaping ReplyCheck) {
            self.count = count
            self.request = request
            self.check = check
        }
    }

    /// Drives one connection from its event loop: writes a request's bytes, frames the reply
    /// from the bytes read (``HTTPResponseFramer``), checks it and sends the next.
    final class Driver: ChannelInboundHandler, RemovableChannelHandler {
        typealias InboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer

        /// How a connection's run ended: all requests sent, or the server closing it after a reply.
        struct Outcome {
            var failures: Int
            var finished: Bool
        }

        let shared: Shared
        let done: EventLoopPromise<Outcome>
        var index = -1
        var method = HTTPMethod.GET
        var framer = HTTPResponseFramer()
        /// Bytes read and not yet framed.
        var unread = ByteBuffer()
        var failures = 0
        var finished = false

        init(shared: Shared, done: EventLoopPromise<Outcome>) {
            self.shared = shared
            self.done = done
        }

        func channelActive(context: ChannelHandlerContext) {
            sendNext(context: context)
            context.fireChannelActive()
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            var bytes = unwrapInboundIn(data)
            // Bytes read in one piece (a reply usually is) are framed as they came, not copied.
            if unread.readableBytes == 0 { unread = bytes } else { unread.writeBuffer(&bytes) }
            do {
                while !finished, let response = try framer.next(from: &unread, afterHEAD: method == .HEAD) {
                    answered(response, context: context)
                }
            } catch {
                finish(.failure(CLIError("the server's reply cannot be read: \(error)")))
                context.close(promise: nil)
            }
        }

        func errorCaught(context: ChannelHandlerContext, error: any Error) {
            finish(.failure(error))
            context.close(promise: nil)
        }

        func channelInactive(context: ChannelHandlerContext) {
            if let response = framer.connectionClosed() { answered(response, context: context) }
            finish(.failure(CLIError("the server closed the connection after \(max(0, index)) requests")))
            context.fireChannelInactive()
        }

        private func answered(_ response: HTTPResponseFramer.Response, context: ChannelHandlerContext) {
            if !shared.check(index, response.status, response.body) { failures += 1 }
            if response.keepAlive {
                sendNext(context: context)
            } else {
                finish(.success(Outcome(failures: failures, finished: false)))
            }
        }

        private func sendNext(context: ChannelHandlerContext) {
            index = shared.next.add(1, ordering: .relaxed).oldValue
            guard index < shared.count else { return finish(.success(Outcome(failures: failures, finished: true))) }
            let request = shared.request(index)
            method = request.method
            context.writeAndFlush(wrapOutboundOut(request.bytes), promise: nil)
        }

        private func finish(_ result: Result<Outcome, any Error>) {
            guard !finished else { return }
            finished = true
            done.completeWith(result)
        }
    }
}

extension ByteBuffer {
    /// How many times `needle` occurs in the readable bytes (without overlaps).
    func occurrences(of needle: [UInt8]) -> Int {
        withUnsafeReadableBytes { haystack in
            needle.withUnsafeBytes { needle in
                guard let base = haystack.baseAddress, let pattern = needle.baseAddress, needle.count > 0 else { return 0 }
                var count = 0
                var offset = 0
                while offset + needle.count <= haystack.count,
                      let hit = memchr(base + offset, Int32(needle[0]), haystack.count - offset - needle.count + 1) {
                    let at = base.distance(to: UnsafeRawPointer(hit))
                    if memcmp(base + at, pattern, needle.count) == 0 {
                        count += 1
                        offset = at + needle.count
                    } else {
                        offset = at + 1
                    }
                }
                return count
            }
        }
    }
}

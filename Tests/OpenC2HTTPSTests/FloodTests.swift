import AsyncHTTPClient
import Foundation
import Logging
import OpenC2
import Testing
import TestSupport
@testable import OpenC2HTTPS
#if canImport(Glibc)
import Glibc
#endif

/// `count` TCP connections to 127.0.0.1:`port` from `source` (an address of 127.0.0.0/8), opened
/// without waiting and then left silent: clients that never start their TLS handshake.
final class SilentFlood: Sendable {
    let descriptors: [Int32]

    init(count: Int, from source: String, to port: Int) {
        var descriptors: [Int32] = []
        for _ in 0..<count {
            let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
            guard descriptor >= 0 else { break }
            var local = sockaddr_in()
            local.sin_family = sa_family_t(AF_INET)
            local.sin_addr.s_addr = inet_addr(source)
            var remote = sockaddr_in()
            remote.sin_family = sa_family_t(AF_INET)
            remote.sin_port = in_port_t(UInt16(port).bigEndian)
            remote.sin_addr.s_addr = inet_addr("127.0.0.1")
            _ = withUnsafePointer(to: &local) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
            _ = withUnsafePointer(to: &remote) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
            descriptors.append(descriptor)
        }
        self.descriptors = descriptors
    }

    /// How many of the connections the server has closed (EOF or reset), without waiting.
    var closedCount: Int {
        descriptors.filter { descriptor in
            var byte: UInt8 = 0
            let count = recv(descriptor, &byte, 1, Int32(MSG_PEEK | MSG_DONTWAIT))
            return count == 0 || (count < 0 && errno == ECONNRESET)
        }.count
    }

    func close() { for descriptor in descriptors { _ = Glibc.close(descriptor) } }
}

@Suite("Consumer under a connection flood", .serialized)
struct FloodTests {
    /// 2,000 silent connections from one address would fill the 1,024 connection slots; the
    /// per-address limit keeps them to 64, so a Producer from another address is answered at
    /// once. The handshake deadline is set far out (60 s) for this test, so that it, not the
    /// per-address limit, cannot be what let the Producer in.
    @Test("2,000 idle connections from one address do not keep a Producer with a client certificate out")
    func floodFromOneAddress() async throws {
        let pki = TestPKI.shared
        var exchange = ConsumerExchange.Configuration()
        exchange.profiles = []
        let configuration = ConsumerConfiguration(
            transport: .https(try pki.serverTLS()), exchange: exchange, idleTimeout: .seconds(120),
            requestTimeout: .seconds(120), handshakeTimeout: .seconds(60)
        )
        try await runConsumer(configuration) { port, _ in
            let flood = SilentFlood(count: 2_000, from: "127.0.0.2", to: port)
            defer { flood.close() }
            #expect(flood.descriptors.count == 2_000)
            // The server accepts them as the listen backlog lets them in (the kernel retries the
            // rest after a second or more, so how many get through when varies) and closes each
            // beyond the 64th at once. With a global limit only, none would be closed.
            var waited = 0
            while flood.closedCount < 500, waited < 400 {
                try await Task.sleep(for: .milliseconds(50))
                waited += 1
            }
            #expect(flood.closedCount >= 500, "the per-address limit closed only \(flood.closedCount)")

            let client = HTTPClient(eventLoopGroupProvider: .singleton)
            let started = ContinuousClock.now
            let reply = try await Producer(
                endpoint: "https://127.0.0.1:\(port)/.well-known/openc2", tls: try pki.clientTLS(), timeout: .seconds(50), httpClient: client
            ).send(Command(.query, .features([])))
            let elapsed = ContinuousClock.now - started
            try await client.shutdown()
            #expect(reply.httpStatus == 200)
            // Well before the handshake deadline could have freed a slot.
            #expect(elapsed < .seconds(50), "answered after \(elapsed)")
            print("flood: a Producer was answered in \(elapsed) beside \(flood.descriptors.count - flood.closedCount) open flood connections")
            // The 64 the limit let in are still held: no deadline made room.
            #expect(flood.descriptors.count - flood.closedCount >= 64)
        }
    }

    @Test("a connection that never finishes its TLS handshake is closed after the handshake deadline")
    func handshakeDeadline() async throws {
        let configuration = ConsumerConfiguration(
            transport: .https(try TestPKI.shared.serverTLS()), requestTimeout: .seconds(120), handshakeTimeout: .milliseconds(300))
        try await runConsumer(configuration) { port, _ in
            let silent = SilentFlood(count: 1, from: "127.0.0.3", to: port)
            defer { silent.close() }
            var waited = 0
            while silent.closedCount == 0, waited < 400 {
                try await Task.sleep(for: .milliseconds(50))
                waited += 1
            }
            // Closed by the handshake deadline: the request deadline (120 s) is far away.
            #expect(silent.closedCount == 1)
        }
    }
}

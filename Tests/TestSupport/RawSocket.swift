import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A raw TCP client, to behave badly on purpose.
public struct RawSocket: Sendable {
    public let descriptor: Int32

    /// Connects to 127.0.0.1:`port`; reads wait at most 20 s for a byte.
    public init(port: Int) throws {
        descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard result == 0 else { throw LoopbackError("cannot connect to 127.0.0.1:\(port): errno \(errno)") }
        var timeout = timeval(tv_sec: 20, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    /// Sends `text` as it is (a send that fails is ignored: the reads tell).
    public func send(_ text: String) {
        _ = text.withCString { Glibc.send(descriptor, $0, strlen($0), Int32(MSG_NOSIGNAL)) }
    }

    /// Whether the server has closed the connection (or reset it), without waiting; pending data is left unread.
    public var isClosed: Bool {
        var byte: UInt8 = 0
        let count = recv(descriptor, &byte, 1, Int32(MSG_PEEK | MSG_DONTWAIT))
        return count == 0 || (count < 0 && errno == ECONNRESET)
    }

    /// Everything the server sends until it closes (or 20 s pass without a byte). The blocking
    /// reads run on a thread of their own: the server under test needs the concurrency pool.
    public func readUntilClose() async -> String {
        await Self.offThePool { readUntilCloseBlocking() }
    }

    /// Whether the server closes the connection within 20 s; what it sends is dropped.
    public func waitForClose() async -> Bool {
        await Self.offThePool { waitForCloseBlocking() }
    }

    /// What the server sends up to and including `marker` (or all it sent before closing or 20 s of silence).
    public func read(until marker: String) async -> String {
        await Self.offThePool {
            var received: [UInt8] = []
            var byte: UInt8 = 0
            while !String(decoding: received, as: UTF8.self).hasSuffix(marker), recv(descriptor, &byte, 1, 0) == 1 {
                received.append(byte)
            }
            return String(decoding: received, as: UTF8.self)
        }
    }

    private static func offThePool<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            Thread.detachNewThread { continuation.resume(returning: work()) }
        }
    }

    private func readUntilCloseBlocking() -> String {
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = recv(descriptor, &buffer, buffer.count, 0)
            if count <= 0 { return String(decoding: received, as: UTF8.self) }
            received += buffer[0..<count]
        }
    }

    private func waitForCloseBlocking() -> Bool {
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = recv(descriptor, &buffer, buffer.count, 0)
            if count == 0 { return true }
            if count < 0 { return errno == ECONNRESET }
        }
    }

    public func close() { _ = Glibc.close(descriptor) }
}

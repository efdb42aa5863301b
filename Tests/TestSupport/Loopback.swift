import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Sockets on 127.0.0.1 for tests that need a port in a given state.
public enum Loopback {
    /// A loopback port nothing listens on: bound, read back, and released.
    public static func closedPort() throws -> Int {
        let socket = try ListeningSocket(backlog: nil)
        let port = socket.port
        socket.close()
        return port
    }
}

/// A TCP socket bound to a free port of 127.0.0.1; with a backlog it listens, and the kernel
/// completes connections to it that nobody ever accepts or answers.
public final class ListeningSocket: @unchecked Sendable {
    /// The port bound.
    public let port: Int
    /// The socket, for a test that accepts connections itself.
    public let descriptor: Int32

    /// Binds a free port; listens with `backlog` when it is not `nil`.
    public init(backlog: Int32? = 16) throws {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw LoopbackError("socket() failed: errno \(errno)") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) } }
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) } }
        guard bound == 0 else {
            Glibc.close(descriptor)
            throw LoopbackError("cannot bind 127.0.0.1: errno \(errno)")
        }
        if let backlog, listen(descriptor, backlog) != 0 {
            Glibc.close(descriptor)
            throw LoopbackError("cannot listen on 127.0.0.1: errno \(errno)")
        }
        self.descriptor = descriptor
        port = Int(UInt16(bigEndian: address.sin_port))
    }

    /// Closes the socket.
    public func close() {
        Glibc.close(descriptor)
    }
}

/// A loopback socket could not be set up.
public struct LoopbackError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
@testable import BastionXML

/// Test helpers: fixtures, temporary files and a loopback listener.
enum Support {
    /// The URL of a file under `Fixtures/`.
    static func fixture(_ path: String) -> URL {
        Bundle.module.resourceURL!.appendingPathComponent("Fixtures").appendingPathComponent(path)
    }

    /// The text of a file under `Fixtures/`.
    static func fixtureText(_ path: String) throws -> String {
        try String(contentsOf: fixture(path), encoding: .utf8)
    }

    /// A new empty temporary directory.
    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("bastionxml-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Writes a file holding a fresh secret; returns its path and the secret.
    static func secretFile(in directory: URL) throws -> (path: String, secret: String) {
        let secret = "BASTION-SECRET-\(UUID().uuidString)"
        let url = directory.appendingPathComponent("secret.txt")
        try secret.write(to: url, atomically: true, encoding: .utf8)
        return (url.path, secret)
    }
}

/// A TCP listener on 127.0.0.1 (ephemeral port) that never accepts: after
/// the code under test ran, ``connectionAttempted`` says whether anything
/// connected to it (a completed connection waits in the backlog).
final class LoopbackTrap {
    let port: UInt16
    private let socketDescriptor: Int32

    init() throws {
        #if canImport(Glibc)
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
        let descriptor = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard descriptor >= 0 else { throw POSIXError(.EIO) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0, listen(descriptor, 16) == 0 else {
            close(descriptor)
            throw POSIXError(.EADDRINUSE)
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                getsockname(descriptor, $0, &length)
            }
        }
        port = UInt16(bigEndian: address.sin_port)
        _ = fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) | O_NONBLOCK)
        socketDescriptor = descriptor
    }

    /// Whether a connection is waiting to be accepted.
    var connectionAttempted: Bool {
        let accepted = accept(socketDescriptor, nil, nil)
        if accepted >= 0 {
            close(accepted)
            return true
        }
        return false
    }

    deinit {
        close(socketDescriptor)
    }
}

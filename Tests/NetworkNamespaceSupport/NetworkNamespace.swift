import Foundation
#if canImport(Glibc)
import Glibc
#endif
import SLPFActuator

/// A user + network namespace made for one test (`unshare -rn`), held open by a `sleep`
/// process so that several `nft` runs see the same firewall: each command is run inside it
/// with `nsenter --target <pid> --user --net`. The host's firewall is never touched.
public final class NetworkNamespace: @unchecked Sendable {
    private let holder: Foundation.Process

    /// Fails with a clear message when nft, unshare or nsenter is missing: these tests need the
    /// real nft (`.ci/run` installs the nftables package).
    public init() throws {
        for tool in ["nft", "unshare", "nsenter"] {
            guard ProcessCommandRunner.locate(tool) != nil else {
                throw NamespaceError("\(tool) is required for the nftables tests (apt-get install nftables util-linux)")
            }
        }
        holder = Foundation.Process()
        holder.executableURL = URL(fileURLWithPath: ProcessCommandRunner.locate("unshare")!)
        holder.arguments = ["-rn", "sleep", "600"]
        try holder.run()
        // unshare sets up the namespaces, then execs sleep in the same process.
        let deadline = Date().addingTimeInterval(5)
        while !Self.command(of: holder.processIdentifier).hasPrefix("sleep") {
            guard holder.isRunning, Date() < deadline else {
                throw NamespaceError("unshare -rn did not start a namespace (status \(holder.isRunning ? -1 : holder.terminationStatus))")
            }
            usleep(10_000)
        }
    }

    /// `/proc/<pid>/comm`, read with POSIX calls (procfs files report a size of 0).
    private static func command(of pid: Int32) -> String {
        let fd = open("/proc/\(pid)/comm", O_RDONLY)
        guard fd >= 0 else { return "" }
        defer { _ = Glibc.close(fd) }
        var buffer = [UInt8](repeating: 0, count: 64)
        let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        return count > 0 ? String(decoding: buffer.prefix(count), as: UTF8.self) : ""
    }

    /// The namespace holder's process id.
    public var pid: Int32 { holder.processIdentifier }

    /// The prefix that runs a command inside the namespace.
    public var prefix: [String] { ["nsenter", "--target", "\(holder.processIdentifier)", "--user", "--net", "--"] }

    /// Runs commands inside the namespace.
    public var runner: ProcessCommandRunner {
        ProcessCommandRunner(prefix: prefix)
    }

    /// Ends the namespace.
    public func close() {
        if holder.isRunning {
            // SIGKILL: a child started from a dispatch worker may inherit a mask blocking SIGTERM.
            kill(holder.processIdentifier, SIGKILL)
            holder.waitUntilExit()
        }
    }

    deinit { close() }
}

public struct NamespaceError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

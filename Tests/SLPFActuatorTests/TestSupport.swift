import Foundation
#if canImport(Glibc)
import Glibc
#endif
import OpenC2
import OpenC2SLPF
import Testing
@testable import SLPFActuator

/// A fresh folder under the temporary directory, removed by `cleanup()`.
struct TemporaryDirectory {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("slpf-actuator-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    func path(_ name: String) -> String { url.appendingPathComponent(name).path }

    func cleanup() { try? FileManager.default.removeItem(at: url) }
}

func ipv4(_ text: String) -> IPv4Net { try! IPv4Net(text) }
func ipv6(_ text: String) -> IPv6Net { try! IPv6Net(text) }
func at(_ milliseconds: UInt64) -> DateTime { DateTime(millisecondsSince1970: milliseconds) }

/// A rule for renderer and backend tests.
func rule(
    _ number: RuleNumber, _ action: FilterAction, _ match: FilterMatch, direction: Direction = .both,
    dropProcess: DropProcess = .silent, persistent: Bool = true
) -> SLPFRule {
    SLPFRule(
        ruleNumber: number, action: action, match: match, direction: direction, dropProcess: dropProcess,
        persistent: persistent, startTime: at(0), createdAt: at(0))
}

/// A user + network namespace made for one test (`unshare -rn`), held open by a `sleep`
/// process so that several `nft` runs see the same firewall: each command is run inside it
/// with `nsenter --target <pid> --user --net`. The host's firewall is never touched.
final class NetworkNamespace: @unchecked Sendable {
    private let holder: Foundation.Process

    /// Fails with a clear message when nft, unshare or nsenter is missing: these tests need the
    /// real nft (`.ci/run` installs the nftables package).
    init() throws {
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

    /// Runs commands inside the namespace.
    var runner: ProcessCommandRunner {
        ProcessCommandRunner(prefix: ["nsenter", "--target", "\(holder.processIdentifier)", "--user", "--net", "--"])
    }

    /// An nftables backend working inside the namespace.
    var backend: NFTablesBackend { NFTablesBackend(runner: runner) }

    /// Ends the namespace.
    func close() {
        if holder.isRunning {
            // SIGKILL: a child started from a dispatch worker may inherit a mask blocking SIGTERM.
            kill(holder.processIdentifier, SIGKILL)
            holder.waitUntilExit()
        }
    }

    deinit { close() }
}

struct NamespaceError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

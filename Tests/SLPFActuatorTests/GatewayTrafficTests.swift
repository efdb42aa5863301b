import Foundation
import NetworkNamespaceSupport
import OpenC2
import OpenC2SLPF
import Testing
@testable import SLPFActuator
#if canImport(Glibc)
import Glibc
#endif

/// Two hosts, A (10.1.0.2) and B (10.2.0.2), each a network namespace of its own, routed
/// through a third, R, which runs the firewall — all inside the user namespace the test made.
/// Traffic from A to B passes R's `forward` hook, which only a gateway ruleset filters.
final class RoutedHosts: @unchecked Sendable {
    let router: NetworkNamespace
    private var holders: [Foundation.Process] = []
    private(set) var hostA: ProcessCommandRunner!
    private(set) var hostB: ProcessCommandRunner!
    private var server: Foundation.Process?

    init() async throws {
        router = try NetworkNamespace()
        let r = router.runner
        let pidA = try startHost(), pidB = try startHost()
        hostA = ProcessCommandRunner(prefix: ["nsenter", "--target", "\(pidA)", "--user", "--net", "--"])
        hostB = ProcessCommandRunner(prefix: ["nsenter", "--target", "\(pidB)", "--user", "--net", "--"])
        for command in [
            ["ip", "link", "set", "lo", "up"],
            ["ip", "link", "add", "to-a", "type", "veth", "peer", "name", "eth0", "netns", "\(pidA)"],
            ["ip", "link", "add", "to-b", "type", "veth", "peer", "name", "eth0", "netns", "\(pidB)"],
            ["ip", "addr", "add", "10.1.0.1/24", "dev", "to-a"], ["ip", "link", "set", "to-a", "up"],
            ["ip", "addr", "add", "10.2.0.1/24", "dev", "to-b"], ["ip", "link", "set", "to-b", "up"],
            ["sh", "-c", "echo 1 > /proc/sys/net/ipv4/ip_forward"],
        ] { try await Self.run(r, command) }
        for (host, network) in [(hostA!, "10.1.0"), (hostB!, "10.2.0")] {
            for command in [
                ["ip", "link", "set", "lo", "up"], ["ip", "addr", "add", "\(network).2/24", "dev", "eth0"],
                ["ip", "link", "set", "eth0", "up"], ["ip", "route", "add", "default", "via", "\(network).1"],
            ] { try await Self.run(host, command) }
        }
    }

    static func run(_ runner: ProcessCommandRunner, _ command: [String]) async throws {
        let output = try await runner.run(command, input: "")
        guard output.status == 0 else { throw NamespaceError("\(command.joined(separator: " ")) failed: \(output.stderr)") }
    }

    /// A network namespace inside the router's user namespace, held by a `sleep`; its pid.
    private func startHost() throws -> Int32 {
        let holder = Foundation.Process()
        holder.executableURL = URL(fileURLWithPath: ProcessCommandRunner.locate("nsenter")!)
        holder.arguments = ["--target", "\(router.pid)", "--user", "--net", "--", "unshare", "-n", "sleep", "600"]
        holder.standardOutput = FileHandle.nullDevice
        holder.standardError = FileHandle.nullDevice
        try holder.run()
        holders.append(holder)
        let deadline = Date().addingTimeInterval(5)
        while Self.command(of: holder.processIdentifier) != "sleep" {
            guard holder.isRunning, Date() < deadline else { throw NamespaceError("unshare -n did not start a host namespace") }
            usleep(10_000)
        }
        return holder.processIdentifier
    }

    private static func command(of pid: Int32) -> String {
        (try? String(contentsOfFile: "/proc/\(pid)/comm", encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
    }

    /// Starts a TCP server on B, port 8080, accepting forever.
    func startServer() throws {
        let process = Foundation.Process()
        process.executableURL = URL(fileURLWithPath: ProcessCommandRunner.locate("nsenter")!)
        process.arguments = Array(hostB.prefix.dropFirst()) + ["python3", "-c", """
            import socket
            server = socket.socket()
            server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            server.bind(("0.0.0.0", 8080))
            server.listen(64)
            while True:
                connection, _ = server.accept()
                connection.close()
            """]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        server = process
    }

    /// From A, connects to B:8080: `connected`, `timeout` or `refused`.
    func connectAToB() async throws -> String {
        let probe = """
            import socket, time
            for attempt in range(20):
                client = socket.socket()
                client.settimeout(1.0)
                try:
                    client.connect(("10.2.0.2", 8080))
                    print("connected"); break
                except socket.timeout:
                    print("timeout"); break
                except ConnectionRefusedError:
                    # B's server may still be starting: try again shortly, then report it.
                    if attempt == 19: print("refused")
                    time.sleep(0.1)
            """
        let output = try await hostA.run(["python3", "-c", probe], input: "")
        return String(output.stdout.trimmingTrailingNewlines)
    }

    func close() {
        if let server, server.isRunning { kill(server.processIdentifier, SIGKILL) }
        for holder in holders where holder.isRunning { kill(holder.processIdentifier, SIGKILL) }
        router.close()
    }
}

@Suite("Gateway: SLPF rules on routed traffic", .serialized)
struct GatewayTrafficTests {
    @Test("with gateway, ingress rules drop forwarded packets by source, egress by destination; without it, forwarded traffic passes")
    func forwardedTraffic() async throws {
        let hosts = try await RoutedHosts()
        defer { hosts.close() }
        try hosts.startServer()
        #expect(try await hosts.connectAToB() == "connected")

        let host = NFTablesBackend(runner: hosts.router.runner)
        let fromA = rule(1, .deny, .ipv4Net(ipv4("10.1.0.2")), direction: .ingress)
        // A host-only ruleset does not see routed traffic.
        try await host.applyAll([fromA])
        #expect(try await hosts.connectAToB() == "connected")

        let gateway = NFTablesBackend(runner: hosts.router.runner, gateway: true)
        try await gateway.applyAll([fromA])
        #expect(try await hosts.connectAToB() == "timeout")
        try await gateway.apply(.remove(fromA))
        #expect(try await hosts.connectAToB() == "connected")

        let toB = rule(2, .deny, .ipv4Net(ipv4("10.2.0.0/24")), direction: .egress, dropProcess: .reject)
        try await gateway.apply(.add(toB))
        let rejected = try await hosts.connectAToB()
        let ruleset = try await hosts.router.runner.run(["nft", "list", "ruleset"], input: "").stdout
        #expect(rejected == "refused", "\(ruleset)")
        // A stateless filter: an ingress rule for B's address also drops B's replies to A.
        try await gateway.applyAll([rule(3, .deny, .ipv4Net(ipv4("10.2.0.2")), direction: .ingress)])
        #expect(try await hosts.connectAToB() == "timeout")
        // A rule for another address leaves A and B alone.
        try await gateway.applyAll([rule(4, .deny, .ipv4Net(ipv4("10.9.0.0/16")), direction: .both)])
        let passed = try await hosts.connectAToB()
        #expect(passed == "connected", "\(passed)")

        // The table lists back with its forward chain.
        let listing = try await hosts.router.runner.run(["nft", "list", "chain", "inet", "bastion", "forward"], input: "")
        #expect(listing.stdout.contains("hook forward"), "\(listing.stdout) \(listing.stderr)")
    }
}

import Foundation
import OpenC2
import OpenC2SLPF
import NetworkNamespaceSupport
import Testing
@testable import SLPFActuator

/// Shows real packets dropped and rejected: a TCP listener and a client on the loopback
/// interface of a namespace the test makes, before and after a deny rule.
@Suite("Traffic through real nft in a namespace", .serialized)
struct TrafficTests {
    /// Listens on 127.0.0.1:8080, connects to it, and prints connected, timeout or refused.
    static let probe = """
        import socket
        server = socket.socket()
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        server.bind(("127.0.0.1", 8080))
        server.listen()
        client = socket.socket()
        client.settimeout(1.0)
        try:
            client.connect(("127.0.0.1", 8080))
            print("connected")
        except socket.timeout:
            print("timeout")
        except ConnectionRefusedError:
            print("refused")
        """

    func connect(_ runner: ProcessCommandRunner) async throws -> String {
        let output = try await runner.run(["python3", "-c", Self.probe], input: "")
        #expect(output.status == 0, "python3 probe failed: \(output.stderr)")
        return String(output.stdout.trimmingTrailingNewlines)
    }

    @Test("deny drops, deny with reject resets, delete restores")
    func denyDropsTraffic() async throws {
        let namespace = try NetworkNamespace()
        defer { namespace.close() }
        let runner = namespace.runner
        #expect(ProcessCommandRunner.locate("python3") != nil, "python3 is required for the traffic test")
        #expect(try await runner.run(["ip", "link", "set", "lo", "up"], input: "").status == 0)
        let backend = namespace.backend
        try await backend.applyAll([])
        #expect(try await connect(runner) == "connected")

        let connection = IPv4Connection(destinationAddress: ipv4("127.0.0.1"), destinationPort: 8080, protocol: .tcp)
        let drop = rule(1, .deny, .ipv4Connection(connection), direction: .ingress)
        try await backend.apply(.add(drop))
        #expect(try await connect(runner) == "timeout")

        try await backend.apply(.remove(drop))
        let reject = rule(2, .deny, .ipv4Connection(connection), direction: .ingress, dropProcess: .reject)
        try await backend.apply(.add(reject))
        #expect(try await connect(runner) == "refused")

        // An allow rule wins over the deny rule.
        let allow = rule(3, .allow, .ipv4Net(ipv4("127.0.0.0/8")), direction: .ingress)
        try await backend.apply(.add(allow))
        #expect(try await connect(runner) == "connected")

        try await backend.applyAll([])
        #expect(try await connect(runner) == "connected")
    }
}

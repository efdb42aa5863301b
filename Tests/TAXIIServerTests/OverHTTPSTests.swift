import BastionHTTPServer
import BastionTLS
import Foundation
import Logging
import ServiceLifecycle
import TAXII
import TAXIIClient
import Testing
import TestSupport
@testable import TAXIIServer

/// The server on 127.0.0.1 with real TLS, used by Bastion's own TAXII client.
@Suite("TAXII server over HTTPS with Basic authentication")
struct OverHTTPSTests {
    @Test("discovery, inbox, and a poll whose parts the client follows to the end")
    func clientRoundTrip() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try SQLiteTAXIIStore(path: directory.path("taxii.sqlite"))
        let user = TAXIIUser(name: "analyst", password: try PasswordHash(hashing: "s3cret", cost: 1 << 10))
        let configuration = TAXIIServerConfiguration(users: [user], pageSize: 3)
        let tls = try TLSPolicy.server(certificatePath: TestPKI.shared.path(.serverCertificate), keyPath: TestPKI.shared.path(.serverPrivateKey), clientCAPath: nil)
        let quiet = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }
        let (ports, portSink) = AsyncStream.makeStream(of: Int.self)
        let server = TAXIIServer(
            configuration: configuration, store: store, http: HTTPServerConfiguration(name: "taxii", port: 0, transport: .https(tls)),
            logger: quiet, onListening: { portSink.yield($0) })
        let group = ServiceGroup(services: [server], gracefulShutdownSignals: [], logger: quiet)
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            var iterator = ports.makeAsyncIterator()
            let base = "https://127.0.0.1:\(try #require(await iterator.next()))/services"
            try await TAXIIClient.with(auth: .basic(username: "analyst", password: "s3cret"), proxy: .none, tls: .ca(path: TestPKI.shared.path(.caCertificate))) { client in
                let discovery = try await client.call(base + "/discovery", TAXII11.DiscoveryRequest())
                #expect(discovery.messageType == .discoveryResponse)
                let blocks = (1...7).map { TAXII11.ContentBlock(contentBinding: "urn:example:text", content: .text("block \($0)")) }
                let inbox = try await client.call(base + "/inbox", TAXII11.InboxMessage(contentBlocks: blocks))
                #expect(inbox.status?.type == .success)
                var received: [String] = []
                let outcome = try await client.poll(base + "/poll", PollSelection().request(version: .v11)) { reply in
                    if case .taxii11(.pollResponse(let response)) = reply { received += response.contentBlocks.map(\.content.string) }
                }
                #expect(received == (1...7).map { "block \($0)" })
                #expect(outcome.replies == 3)
            }
            try await TAXIIClient.with(auth: .basic(username: "analyst", password: "wrong"), proxy: .none, tls: .ca(path: TestPKI.shared.path(.caCertificate))) { client in
                let refused = try await client.call(base + "/poll", PollSelection().request(version: .v11))
                #expect(refused.status?.type == .unauthorized)
            }
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
    }
}

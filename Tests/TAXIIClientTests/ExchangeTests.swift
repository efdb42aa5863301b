import NIOCore
import NIOHTTP1
import Testing
import TestSupport
import TAXII
@testable import TAXIIClient

@Suite("TAXIIClient over HTTP")
struct ExchangeTests {
    @Test("TAXII 1.1 Discovery: POST with the binding's headers, the Discovery Response parsed")
    func discovery11() async throws {
        try await TestServer.with(respond: { Replies.discovery11(to: $0) }) { server in
            let request = TAXII11.DiscoveryRequest()
            let reply = try await withClient { try await $0.call(server.url, request) }
            guard case .taxii11(.discoveryResponse(let response)) = reply else {
                Issue.record("unexpected reply \(reply)")
                return
            }
            #expect(response.inResponseTo == request.messageID)
            let received = try #require(server.requests.first)
            #expect(received.method == "POST")
            #expect(received.uri == "/services/test")
            #expect(received.header("Content-Type") == "application/xml")
            #expect(received.header("Accept") == "application/xml")
            #expect(received.header("X-TAXII-Content-Type") == TAXII.VersionID.xml11)
            #expect(received.header("X-TAXII-Accept") == TAXII.VersionID.xml11)
            #expect(received.header("X-TAXII-Services") == TAXII.VersionID.services11)
            #expect(received.header("X-TAXII-Protocol") == TAXII.VersionID.http10)
            #expect(received.header("User-Agent") == "bastion-taxii")
            #expect(received.header("Authorization") == nil)
            #expect(try TAXII.message(fromXML: received.body) == .taxii11(.discoveryRequest(request)))
        }
    }

    @Test("TAXII 1.0 Feed Information: 1.0 headers, the 1.0 response parsed")
    func feedInformation10() async throws {
        try await TestServer.with(respond: { request in
            let id = (try? TAXII.message(fromXML: request.body))?.message.messageID ?? "0"
            return .taxii(.taxii10(.feedInformationResponse(TAXII10.FeedInformationResponse(inResponseTo: id))))
        }) { server in
            let reply = try await withClient { try await $0.call(server.url, TAXII.Message.taxii10(.feedInformationRequest(TAXII10.FeedInformationRequest()))) }
            #expect(reply.version == .v10)
            #expect(reply.messageType == .feedInformationResponse)
            #expect(server.requests.first?.header("X-TAXII-Content-Type") == TAXII.VersionID.xml10)
            #expect(server.requests.first?.header("X-TAXII-Services") == TAXII.VersionID.services10)
        }
    }

    @Test("Basic authentication: accepted with the right credentials, UNAUTHORIZED status otherwise")
    func basicAuthentication() async throws {
        let expected = TAXIIClient.Authentication.basic(username: "taxii", password: "s3cret").authorizationHeader
        try await TestServer.with(respond: { request in
            request.header("Authorization") == expected ? Replies.discovery11(to: request) : Replies.status11(.unauthorized, to: request)
        }) { server in
            let accepted = try await withClient(auth: .basic(username: "taxii", password: "s3cret")) { try await $0.call(server.url, TAXII11.DiscoveryRequest()) }
            #expect(accepted.messageType == .discoveryResponse)
            let refused = try await withClient(auth: .basic(username: "taxii", password: "wrong")) { try await $0.call(server.url, TAXII11.DiscoveryRequest()) }
            guard case .taxii11(.statusMessage(let status)) = refused else {
                Issue.record("not a status: \(refused)")
                return
            }
            #expect(status.statusType == .unauthorized)
        }
    }

    @Test("HTTP 500 with an HTML body: httpStatus error")
    func serverError() async throws {
        try await TestServer.with(respond: { _ in .plain(.internalServerError, "<h1>Internal Server Error</h1>") }) { server in
            let error = await clientError { _ = try await withClient { try await $0.call(server.url, TAXII11.DiscoveryRequest()) } }
            #expect(error?.kind == .httpStatus)
            #expect(error?.httpStatus == 500)
            #expect(error?.description == "\(server.url): HTTP 500 Internal Server Error without a TAXII message: '<h1>Internal Server Error</h1>'")
        }
    }

    @Test("HTTP 200 without TAXII headers: a FAILURE Status Message, as libtaxii")
    func notTAXII() async throws {
        try await TestServer.with(respond: { _ in .plain(.ok, "hello") }) { server in
            let reply = try await withClient { try await $0.call(server.url, TAXII11.DiscoveryRequest()) }
            guard case .taxii11(.statusMessage(let status)) = reply else {
                Issue.record("not a status: \(reply)")
                return
            }
            #expect(status.statusType == .failure)
            #expect(status.message?.hasSuffix("\r\n\r\nhello") == true)
        }
    }

    @Test("TAXII headers but a body that is not XML: malformedReply")
    func notXML() async throws {
        try await TestServer.with(respond: { _ in
            var reply = CannedReply.plain(.ok, "{\"oops\": true}", contentType: "application/xml")
            reply.headers.append(("X-TAXII-Content-Type", TAXII.VersionID.xml11))
            return reply
        }) { server in
            let error = await clientError { _ = try await withClient { try await $0.call(server.url, TAXII11.DiscoveryRequest()) } }
            #expect(error?.kind == .malformedReply)
            #expect(error?.message.hasPrefix("HTTP 200: the reply is not XML") == true)
        }
    }

    @Test("a reply of the wrong message type: unexpectedMessage")
    func wrongType() async throws {
        try await TestServer.with(respond: { _ in .taxii(.taxii11(.pollResponse(TAXII11.PollResponse(inResponseTo: "1", collectionName: "x")))) }) { server in
            let error = await clientError { _ = try await withClient { try await $0.call(server.url, TAXII11.DiscoveryRequest()) } }
            #expect(error?.kind == .unexpectedMessage)
            #expect(error?.message.contains("answered with a TAXII 1.1 Poll_Response") == true)
        }
    }

    @Test("an unsupported reply binding: unsupportedBinding")
    func unsupportedBinding() async throws {
        try await TestServer.with(respond: { _ in CannedReply(headers: [("X-TAXII-Content-Type", TAXII.VersionID.certEUJSON10)], body: Array("{}".utf8)) }) { server in
            let error = await clientError { _ = try await withClient { try await $0.call(server.url, TAXII11.DiscoveryRequest()) } }
            #expect(error?.kind == .unsupportedBinding)
        }
    }

    @Test("a server slower than the timeout: timeout error")
    func timeout() async throws {
        try await TestServer.with(respond: { request in
            var reply = Replies.discovery11(to: request)
            // Longer than any test run: a reply here means the timeout did not fire.
            reply.delay = .seconds(600)
            return reply
        }) { server in
            let clock = ContinuousClock()
            let start = clock.now
            let error = await clientError { _ = try await withClient(timeout: .milliseconds(500)) { try await $0.call(server.url, TAXII11.DiscoveryRequest()) } }
            #expect(error?.kind == .timeout)
            #expect(error?.message == "no reply within 0.5 s")
            // Not given up early (a busy machine can only make it later).
            #expect(clock.now - start >= .milliseconds(500))
        }
    }

    @Test("nothing listening: connectionRefused, at once")
    func refused() async throws {
        let url = "http://127.0.0.1:\(try Loopback.closedPort())/services/discovery"
        let clock = ContinuousClock()
        let start = clock.now
        let error = await clientError { _ = try await withClient(timeout: .seconds(600)) { try await $0.call(url, TAXII11.DiscoveryRequest()) } }
        #expect(error?.kind == .connectionRefused, "\(String(describing: error))")
        #expect(error?.description == "\(url): connection refused: nothing listens there")
        // Not retried until the 600 s deadline (half of it as the bound: a loaded machine took 40 s).
        #expect(clock.now - start < .seconds(300))
    }

    @Test("URLs that are not http(s): invalidURL", arguments: ["ftp://example.com/x", "example.com/services", "http://"])
    func invalidURL(_ url: String) async throws {
        let error = await clientError { _ = try await withClient { try await $0.call(url, TAXII11.DiscoveryRequest()) } }
        #expect(error?.kind == .invalidURL)
    }

    @Test("unreadable certificate files: configuration error at creation")
    func badCertificate() {
        #expect(throws: TAXIIClientError.self) {
            _ = try TAXIIClient(auth: .certificate(certificatePath: "/nonexistent/cert.pem", keyPath: "/nonexistent/key.pem"), proxy: .none)
        }
    }
}

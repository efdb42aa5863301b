import NIOConcurrencyHelpers
import TAXII
import Testing
import TestSupport
@testable import TAXIIClient

/// A Poll service whose result has `parts` parts: a Poll Request gets part 1, a Poll Fulfillment
/// Request the part it names; each part carries one content block naming its number.
private func multipartPollService(parts: Int, partNumberOverride: Int? = nil) -> @Sendable (ReceivedRequest) -> CannedReply {
    { request in
        let part: Int
        let id: String
        switch try? TAXII.message(fromXML: request.body) {
        case .taxii11(.pollRequest(let poll))?:
            (part, id) = (1, poll.messageID)
        case .taxii11(.pollFulfillmentRequest(let fulfillment))?:
            (part, id) = (fulfillment.resultPartNumber, fulfillment.messageID)
        default:
            return .plain(.badRequest, "not a poll")
        }
        let block = TAXII11.ContentBlock(contentBinding: TAXII11.ContentBinding("urn:example:text"), content: .text("part \(part)"))
        let response = TAXII11.PollResponse(
            inResponseTo: id, collectionName: "feed", more: part < parts, resultID: "result-1",
            resultPartNumber: partNumberOverride ?? part, contentBlocks: [block])
        return .taxii(.taxii11(.pollResponse(response)))
    }
}

@Suite("TAXIIClient.poll: Poll Requests of both versions, result parts followed to the end")
struct PollTests {
    @Test("a selection becomes the Poll Request of each version")
    func selectionRequests() throws {
        let begin = try #require(TAXII.Timestamp(isoFormat: "2026-01-01T00:00:00Z"))
        let selection = PollSelection(collection: "feed", exclusiveBegin: begin, contentBindings: ["urn:stix.mitre.org:xml:1.1.1"])
        guard case .taxii11(.pollRequest(let v11)) = selection.request(version: .v11) else {
            Issue.record("not a 1.1 Poll Request")
            return
        }
        #expect(v11.collectionName == "feed" && v11.exclusiveBeginTimestamp == begin && v11.inclusiveEndTimestamp == nil)
        guard case .parameters(let parameters) = v11.scope else {
            Issue.record("no poll parameters")
            return
        }
        #expect(parameters.contentBindings == [TAXII11.ContentBinding("urn:stix.mitre.org:xml:1.1.1")])
        var subscribed = selection
        subscribed.subscriptionID = "s-1"
        guard case .taxii10(.pollRequest(let v10)) = subscribed.request(version: .v10),
              case .taxii11(.pollRequest(let v11Subscribed)) = subscribed.request(version: .v11) else {
            Issue.record("not Poll Requests")
            return
        }
        #expect(v10.feedName == "feed" && v10.subscriptionID == "s-1" && v10.contentBindings == ["urn:stix.mitre.org:xml:1.1.1"])
        #expect(v11Subscribed.scope == .subscription(id: "s-1"))
    }

    @Test("allParts: every part is fetched with Poll Fulfillment, in order")
    func allParts() async throws {
        try await TestServer.with(respond: multipartPollService(parts: 3)) { server in
            let seen = NIOLockedValueBox<[String]>([])
            let outcome = try await withClient { client in
                try await client.poll(server.url, PollSelection(collection: "feed").request(version: .v11)) { reply in
                    guard case .taxii11(.pollResponse(let response)) = reply else { return }
                    seen.withLockedValue { $0 += response.contentBlocks.map(\.content.string) }
                }
            }
            #expect(seen.withLockedValue { $0 } == ["part 1", "part 2", "part 3"])
            #expect(outcome.replies == 3 && outcome.pendingPart == nil)
            #expect(server.requests.count == 3)
        }
    }

    @Test("without allParts the outcome names the next part, and its request fetches it")
    func firstPartOnly() async throws {
        try await TestServer.with(respond: multipartPollService(parts: 2)) { server in
            let outcome = try await withClient { client in
                try await client.poll(server.url, PollSelection(collection: "feed").request(version: .v11), allParts: false) { _ in }
            }
            #expect(outcome.replies == 1)
            #expect(outcome.pendingPart == PendingPart(collection: "feed", resultID: "result-1", partNumber: 2))
        }
    }

    @Test("a server that never stops saying 'more', or whose part number cannot go on: a typed error")
    func endlessParts() async throws {
        try await TestServer.with(respond: multipartPollService(parts: .max)) { server in
            let error = await clientError {
                _ = try await withClient { client in
                    try await client.poll(server.url, PollSelection(collection: "feed").request(version: .v11), maximumParts: 5) { _ in }
                }
            }
            #expect(error?.kind == .unexpectedMessage)
            #expect(error?.message.contains("stopped after 5 result parts") == true, "\(String(describing: error))")
            #expect(server.requests.count == 5)
        }
        try await TestServer.with(respond: multipartPollService(parts: 2, partNumberOverride: .max)) { server in
            let error = await clientError {
                _ = try await withClient { client in
                    try await client.poll(server.url, PollSelection(collection: "feed").request(version: .v11)) { _ in }
                }
            }
            #expect(error?.message.contains("result part number 9223372036854775807 has no next part") == true, "\(String(describing: error))")
        }
    }

    @Test("a Status Message ends the poll and is the last reply, read the same in both versions")
    func statusEnds() async throws {
        try await TestServer.with(respond: { Replies.status11(.unauthorized, to: $0, message: "who are you\nsecond line") }) { server in
            let outcome = try await withClient { client in
                try await client.poll(server.url, PollSelection().request(version: .v11)) { _ in }
            }
            #expect(outcome.lastReply.status == TAXII.StatusSummary(type: .unauthorized, message: "who are you\nsecond line"))
            #expect(outcome.lastReply.status?.firstLine == "who are you")
        }
        let v10 = TAXII.Message.taxii10(.statusMessage(TAXII10.StatusMessage(inResponseTo: "1", statusType: .failure, statusDetail: "detail")))
        #expect(v10.status == TAXII.StatusSummary(type: .failure, message: "detail"))
    }
}

@Suite("TAXIIClient lifetime")
struct ClientLifetimeTests {
    @Test("shutdown closes the shared connections once; a second call returns, requests after it fail")
    func shutdownOnce() async throws {
        let client = try TAXIIClient(proxy: .none)
        let copy = client
        try await client.shutdown()
        try await copy.shutdown()
        let error = await clientError { _ = try await copy.call("http://127.0.0.1:\(try Loopback.closedPort())/x", TAXII11.DiscoveryRequest()) }
        #expect(error != nil)
    }
}

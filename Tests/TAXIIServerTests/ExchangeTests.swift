import Foundation
import TAXII
import Testing
@testable import TAXIIServer

@Suite("TAXII server exchange: services, parts, errors, both versions")
struct ExchangeTests {
    @Test("discovery lists the four services at the address the client used, in its version, with the Default Query it supports when asked")
    func discovery() async throws {
        let harness = try ExchangeHarness(TAXIIServerConfiguration(advertisesDefaultQuery: true))
        let reply = try await harness.send(.taxii11(.discoveryRequest(TAXII11.DiscoveryRequest())), to: "/services/discovery")
        #expect(reply.status == 200)
        #expect(reply.headers.contains { $0.name == "X-TAXII-Content-Type" && $0.value == TAXII.VersionID.xml11 })
        guard case .taxii11(.discoveryResponse(let response)) = try harness.message(reply) else {
            Issue.record("not a Discovery Response")
            return
        }
        #expect(response.serviceInstances.map(\.serviceType) == [.discovery, .collectionManagement, .inbox, .poll])
        #expect(response.serviceInstances.map(\.bindings.address).last == "http://taxii.test:9000/services/poll")
        #expect(response.serviceInstances.last?.supportedQueries.first?.defaultQueryInfo?.capabilityModules == TAXII.DefaultQuery.CapabilityModule.all)

        let v10 = try harness.message(try await harness.send(.taxii10(.discoveryRequest(TAXII10.DiscoveryRequest())), to: "/services/discovery", https: true))
        guard case .taxii10(.discoveryResponse(let response10)) = v10 else {
            Issue.record("not a TAXII 1.0 Discovery Response")
            return
        }
        #expect(response10.serviceInstances.map(\.serviceType) == [.discovery, .feedManagement, .inbox, .poll])
        #expect(response10.serviceInstances.first?.bindings.protocolBinding == TAXII.VersionID.https10)

        // Header names are matched whatever their case: the version comes from x-taxii-content-type.
        let lowercased = try await harness.send(
            .taxii10(.discoveryRequest(TAXII10.DiscoveryRequest())), to: "/services/discovery",
            headers: [("x-taxii-content-type", TAXII.VersionID.xml10), ("x-taxii-services", TAXII.VersionID.services10), ("x-taxii-protocol", TAXII.VersionID.http10)])
        guard case .taxii10(.discoveryResponse) = try harness.message(lowercased) else {
            Issue.record("lowercased header names: not a TAXII 1.0 Discovery Response")
            return
        }
    }

    @Test("inbox then poll: the blocks come back with increasing labels; the window's end is where the next poll begins")
    func inboxAndPoll() async throws {
        let harness = try ExchangeHarness()
        #expect(try await harness.inbox([textBlock("one"), textBlock("two")]).status?.type == .success)
        let first = try #require(try await harness.poll().pollResponse11)
        #expect(first.contentBlocks.map(\.content.string) == ["one", "two"])
        #expect(first.recordCount == TAXII11.RecordCount(2) && !first.more)
        let labels = first.contentBlocks.compactMap(\.timestampLabel)
        #expect(labels.count == 2 && labels[0].microsecondsSince1970 < labels[1].microsecondsSince1970)
        #expect(first.inclusiveEndTimestamp == labels[1])

        #expect(try await harness.inbox([textBlock("three")]).status?.type == .success)
        let next = try #require(try await harness.poll(begin: first.inclusiveEndTimestamp).pollResponse11)
        #expect(next.contentBlocks.map(\.content.string) == ["three"])
        let none = try #require(try await harness.poll(begin: next.inclusiveEndTimestamp).pollResponse11)
        #expect(none.contentBlocks.isEmpty && none.recordCount == TAXII11.RecordCount(0))
    }

    @Test("result parts: More, Result_ID and part numbers; every part by fulfillment; a part past the end is INVALID_RESPONSE_PART")
    func parts() async throws {
        let harness = try ExchangeHarness(TAXIIServerConfiguration(pageSize: 2))
        _ = try await harness.inbox((1...5).map { textBlock("b\($0)") })
        let first = try #require(try await harness.poll().pollResponse11)
        #expect(first.more && first.resultPartNumber == 1 && first.recordCount == TAXII11.RecordCount(5))
        #expect(first.contentBlocks.map(\.content.string) == ["b1", "b2"])
        let resultID = try #require(first.resultID)

        var contents: [String] = []
        for part in [3, 2] {
            let request = TAXII11.PollFulfillmentRequest(collectionName: "default", resultID: resultID, resultPartNumber: part)
            let response = try #require(try harness.message(try await harness.send(.taxii11(.pollFulfillmentRequest(request)), to: "/services/poll")).pollResponse11)
            #expect(response.more == (part < 3) && response.resultPartNumber == part)
            contents = response.contentBlocks.map(\.content.string) + contents
        }
        #expect(contents == ["b3", "b4", "b5"])

        let past = TAXII11.PollFulfillmentRequest(collectionName: "default", resultID: resultID, resultPartNumber: 4)
        let refusal = try #require(try harness.message(try await harness.send(.taxii11(.pollFulfillmentRequest(past)), to: "/services/poll")).statusAndDetails)
        #expect(refusal.0 == .invalidResponsePart && refusal.1["MAX_PART_NUMBER"] == ["3"])
        let unknown = TAXII11.PollFulfillmentRequest(collectionName: "default", resultID: "nope", resultPartNumber: 1)
        let notFound = try #require(try harness.message(try await harness.send(.taxii11(.pollFulfillmentRequest(unknown)), to: "/services/poll")).statusAndDetails)
        #expect(notFound.0 == .notFound && notFound.1["ITEM"] == ["nope"])
    }

    @Test("COUNT_ONLY answers the count without blocks; a binding filter selects by binding and subtype")
    func countAndBindings() async throws {
        let harness = try ExchangeHarness()
        _ = try await harness.inbox([textBlock("x1", binding: "urn:x"), textBlock("y1", binding: "urn:y", subtype: "s"), textBlock("x2", binding: "urn:x")])
        let count = try #require(try await harness.poll(parameters: TAXII11.PollParameters(responseType: .countOnly)).pollResponse11)
        #expect(count.recordCount == TAXII11.RecordCount(3) && count.contentBlocks.isEmpty)
        let onlyX = try #require(try await harness.poll(parameters: TAXII11.PollParameters(contentBindings: [TAXII11.ContentBinding("urn:x")])).pollResponse11)
        #expect(onlyX.contentBlocks.map(\.content.string) == ["x1", "x2"])
        let subtype = try #require(try await harness.poll(parameters: TAXII11.PollParameters(contentBindings: [TAXII11.ContentBinding("urn:y", subtypeIDs: ["s"])])).pollResponse11)
        #expect(subtype.contentBlocks.map(\.content.string) == ["y1"])
        #expect(subtype.contentBlocks.first?.contentBinding.subtypeIDs == ["s"])
    }

    @Test("a Default Query selects the matching blocks; an unsupported vocabulary or format is refused with what is supported")
    func defaultQuery() async throws {
        let harness = try ExchangeHarness(TAXIIServerConfiguration(pageSize: 1))
        func stix(_ address: String) -> TAXII11.ContentBlock {
            TAXII11.ContentBlock(contentBinding: "urn:stix.mitre.org:xml:1.1.1", content: .xml("""
                <stix:STIX_Package xmlns:stix="http://stix.mitre.org/stix-1" xmlns:indicator="http://stix.mitre.org/Indicator-2" \
                xmlns:cybox="http://cybox.mitre.org/cybox-2" xmlns:AddressObj="http://cybox.mitre.org/objects#AddressObject-2"><stix:Indicators>\
                <stix:Indicator><indicator:Observable><cybox:Object><cybox:Properties><AddressObj:Address_Value>\(address)</AddressObj:Address_Value>\
                </cybox:Properties></cybox:Object></indicator:Observable></stix:Indicator></stix:Indicators></stix:STIX_Package>
                """))
        }
        _ = try await harness.inbox([stix("198.51.100.1"), stix("203.0.113.9"), stix("198.51.100.2"), textBlock("not xml")])
        let test = try TAXII.DefaultQuery.Test(
            capabilityID: TAXII.DefaultQuery.CapabilityModule.core, relationship: .beginsWith, parameters: ["value": "198.51.100.", "case_sensitive": false])
        let query = TAXII.DefaultQuery(
            targetingExpressionID: TAXII.DefaultQuery.TargetingExpressionID.stixXML111,
            criteria: try TAXII.DefaultQuery.Criteria(.and, criterion: [TAXII.DefaultQuery.Criterion(target: "**/Address_Value", test: test)]))
        let first = try #require(try await harness.poll(parameters: TAXII11.PollParameters(query: TAXII11.Query(query))).pollResponse11)
        #expect(first.recordCount == TAXII11.RecordCount(2) && first.more)
        #expect(first.contentBlocks.first?.content.string.contains("198.51.100.1") == true)
        let second = TAXII11.PollFulfillmentRequest(collectionName: "default", resultID: try #require(first.resultID), resultPartNumber: 2)
        let part2 = try #require(try harness.message(try await harness.send(.taxii11(.pollFulfillmentRequest(second)), to: "/services/poll")).pollResponse11)
        #expect(part2.contentBlocks.first?.content.string.contains("198.51.100.2") == true)

        var other = query
        other.targetingExpressionID = "urn:example:vocabulary"
        let refused = try #require(try await harness.poll(parameters: TAXII11.PollParameters(query: TAXII11.Query(other))).statusAndDetails)
        #expect(refused.0 == .unsupportedTargetingExpressionID)
        #expect(refused.1["TARGETING_EXPRESSION_ID"]?.contains(TAXII.DefaultQuery.TargetingExpressionID.stixXML12) == true)
        let format = TAXII11.Query(formatID: "urn:example:query", body: .xml(nil))
        let unsupported = try #require(try await harness.poll(parameters: TAXII11.PollParameters(query: format)).statusAndDetails)
        #expect(unsupported.0 == .unsupportedQuery && unsupported.1["SUPPORTED_QUERY"] == [TAXII.QueryFormatID.defaultQuery10])
    }

    @Test("TAXII 1.0: inbox and poll of a feed, with 1.0 answers")
    func taxii10() async throws {
        let harness = try ExchangeHarness()
        let inbox = TAXII10.InboxMessage(contentBlocks: [TAXII10.ContentBlock(contentBinding: "urn:x", content: .text("old"))])
        let status = try harness.message(try await harness.send(.taxii10(.inboxMessage(inbox)), to: "/services/inbox"))
        #expect(status.version == .v10 && status.status?.type == .success)
        let reply = try harness.message(try await harness.send(.taxii10(.pollRequest(TAXII10.PollRequest(feedName: "default"))), to: "/services/poll"))
        guard case .taxii10(.pollResponse(let response)) = reply else {
            Issue.record("not a TAXII 1.0 Poll Response: \(reply)")
            return
        }
        #expect(response.contentBlocks.map(\.content.string) == ["old"])
        #expect(response.inclusiveEndTimestamp == response.contentBlocks.first?.timestampLabel)
    }
}

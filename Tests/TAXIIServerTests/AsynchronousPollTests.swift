import Foundation
import TAXII
import Testing
@testable import TAXIIServer

@Suite("TAXII server: asynchronous polling")
struct AsynchronousPollTests {
    static func stix(_ address: String) -> TAXII11.ContentBlock {
        TAXII11.ContentBlock(contentBinding: "urn:stix.mitre.org:xml:1.1.1", content: .xml("""
            <stix:STIX_Package xmlns:stix="http://stix.mitre.org/stix-1" xmlns:indicator="http://stix.mitre.org/Indicator-2" \
            xmlns:cybox="http://cybox.mitre.org/cybox-2" xmlns:AddressObj="http://cybox.mitre.org/objects#AddressObject-2"><stix:Indicators>\
            <stix:Indicator><indicator:Observable><cybox:Object><cybox:Properties><AddressObj:Address_Value>\(address)</AddressObj:Address_Value>\
            </cybox:Properties></cybox:Object></indicator:Observable></stix:Indicator></stix:Indicators></stix:STIX_Package>
            """))
    }

    static func query() throws -> TAXII11.Query {
        let test = try TAXII.DefaultQuery.Test(
            capabilityID: TAXII.DefaultQuery.CapabilityModule.core, relationship: .beginsWith, parameters: ["value": "198.51.100.", "case_sensitive": false])
        return TAXII11.Query(TAXII.DefaultQuery(
            targetingExpressionID: TAXII.DefaultQuery.TargetingExpressionID.stixXML111,
            criteria: try TAXII.DefaultQuery.Criteria(.and, criterion: [TAXII.DefaultQuery.Criterion(target: "**/Address_Value", test: test)])))
    }

    func fulfill(_ harness: ExchangeHarness, _ resultID: String, part: Int = 1) async throws -> TAXII.Message {
        let request = TAXII11.PollFulfillmentRequest(collectionName: "default", resultID: resultID, resultPartNumber: part)
        return try harness.message(try await harness.send(.taxii11(.pollFulfillmentRequest(request)), to: "/services/poll"))
    }

    @Test("allow_asynch over a large window: PENDING with ESTIMATED_WAIT, RESULT_ID, WILL_PUSH; the result is then fetched part by part")
    func pendingThenFulfilled() async throws {
        let harness = try ExchangeHarness(TAXIIServerConfiguration(pageSize: 2, asynchronousPollThreshold: 3))
        _ = try await harness.inbox([Self.stix("198.51.100.1"), Self.stix("203.0.113.9"), Self.stix("198.51.100.2"), Self.stix("198.51.100.3"), textBlock("x")])
        let pending = try await harness.poll(parameters: TAXII11.PollParameters(allowAsynch: true, query: try Self.query()))
        let (type, details) = try #require(pending.statusAndDetails)
        #expect(type == .pending)
        #expect(details["ESTIMATED_WAIT"].flatMap { $0.first.flatMap(Int.init) } == 1)
        #expect(details["WILL_PUSH"] == ["false"])
        let resultID = try #require(details["RESULT_ID"]?.first)

        await harness.exchange.background.waitForAll()
        let first = try #require(try await fulfill(harness, resultID).pollResponse11)
        #expect(first.recordCount == TAXII11.RecordCount(3) && first.more && first.resultPartNumber == 1)
        #expect(first.contentBlocks.map(\.content.string).allSatisfy { $0.contains("198.51.100.") })
        let second = try #require(try await fulfill(harness, resultID, part: 2).pollResponse11)
        #expect(second.contentBlocks.count == 1 && !second.more)
        #expect(try await fulfill(harness, resultID, part: 3).statusAndDetails?.0 == .invalidResponsePart)
    }

    @Test("no PENDING without allow_asynch, without a query, or over a small window")
    func answeredAtOnce() async throws {
        let harness = try ExchangeHarness(TAXIIServerConfiguration(pageSize: 10, asynchronousPollThreshold: 3))
        _ = try await harness.inbox((1...4).map { Self.stix("198.51.100.\($0)") })
        #expect(try await harness.poll(parameters: TAXII11.PollParameters(query: try Self.query())).pollResponse11?.contentBlocks.count == 4)
        #expect(try await harness.poll(parameters: TAXII11.PollParameters(allowAsynch: true)).pollResponse11?.contentBlocks.count == 4)
        let small = try ExchangeHarness(TAXIIServerConfiguration(asynchronousPollThreshold: 10))
        _ = try await small.inbox([Self.stix("198.51.100.1")])
        #expect(try await small.poll(parameters: TAXII11.PollParameters(allowAsynch: true, query: try Self.query())).pollResponse11?.contentBlocks.count == 1)
    }

    @Test("a result still being built answers PENDING again; one that failed answers ASYNCHRONOUS_POLL_ERROR", arguments: StoreKind.allCases)
    func states(_ kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let window = BlockQuery(collection: "default", upTo: 10)
            for id in ["r-pending", "r-failed", "r-ready"] {
                try await store.saveResultSet(ResultSet(id: id, query: window, total: 0, pageSize: 5, isListed: true, createdAt: SQLiteTAXIIStore.now(), state: .pending), blockIDs: nil)
            }
            let labels = try await store.insert([Placement(collection: "default", blocks: [block(1), block(2)])])
            let ids = try await store.blocks(BlockQuery(collection: "default"), offset: 0, limit: 10).map(\.id)
            #expect(labels.first?.count == 2)
            try await store.failResultSet(id: "r-failed", reason: "the query ran out of memory")
            try await store.finishResultSet(id: "r-ready", total: 2, blockIDs: ids.reversed())
            try await store.failResultSet(id: "r-ready", reason: "too late")
            #expect(try await store.resultSet(id: "r-pending")?.state == .pending)
            #expect(try await store.resultSet(id: "r-failed")?.state == .failed("the query ran out of memory"))
            let ready = try #require(try await store.resultSet(id: "r-ready"))
            #expect(ready.state == .ready && ready.total == 2, "a finished result stays finished")
            #expect(try await store.listedBlocks(resultID: "r-ready", offset: 0, limit: 5).map(\.id) == ids.reversed())

            let exchange = TAXIIExchange(configuration: TAXIIServerConfiguration(), store: store)
            let context = ServiceContext(version: .v11, requestID: "1", user: nil, https: false, host: nil)
            func fulfill(_ id: String) async throws -> TAXII.Message {
                try await exchange.fulfill(TAXII11.PollFulfillmentRequest(collectionName: "default", resultID: id, resultPartNumber: 1), context: context)
            }
            let again = try #require(try await fulfill("r-pending").statusAndDetails)
            #expect(again.0 == .pending && again.1["RESULT_ID"] == ["r-pending"])
            let failed = try await fulfill("r-failed")
            #expect(failed.status?.type == .asynchronousPollError)
            #expect(failed.status?.firstLine?.contains("ran out of memory") == true)
            #expect(try await fulfill("r-ready").pollResponse11?.contentBlocks.count == 2)
        }
    }
}

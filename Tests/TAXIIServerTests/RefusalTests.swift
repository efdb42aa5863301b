import Foundation
import TAXII
import Testing
@testable import TAXIIServer

/// Bad requests get their Status Message and change nothing.
@Suite("TAXII server refusals: authentication, permissions, hostile and malformed requests")
struct RefusalTests {
    /// A server with a reader, a writer of `default` only, and a second collection.
    static func guarded() throws -> ExchangeHarness {
        let cost = 1 << 10  // a cheap hash: these tests are about the checks, not the KDF
        return try ExchangeHarness(TAXIIServerConfiguration(
            collections: [TAXIICollection(name: "default"), TAXIICollection(name: "stix", acceptedContent: [TAXII11.ContentBinding("urn:stix.mitre.org:xml:1.1.1")])],
            users: [
                TAXIIUser(name: "reader", password: try PasswordHash(hashing: "r-pass", cost: cost), canRead: .all, canWrite: .only([])),
                TAXIIUser(name: "writer", password: try PasswordHash(hashing: "w-pass", cost: cost), canRead: .only(["default"]), canWrite: .only(["default"])),
            ]))
    }

    func storedCount(_ harness: ExchangeHarness) async throws -> Int {
        try await harness.store.count(BlockQuery(collection: "default")) + harness.store.count(BlockQuery(collection: "stix"))
    }

    @Test("with users: no or wrong credentials are UNAUTHORIZED (discovery stays open); a read-only user's inbox is DENIED")
    func authentication() async throws {
        let harness = try Self.guarded()
        #expect(try await harness.inbox([textBlock("x")]).status?.type == .unauthorized)
        #expect(try await harness.inbox([textBlock("x")], user: ("writer", "wrong")).status?.type == .unauthorized)
        #expect(try await harness.inbox([textBlock("x")], user: ("nobody", "w-pass")).status?.type == .unauthorized)
        #expect(try await harness.inbox([textBlock("x")], user: ("reader", "r-pass")).status?.type == .denied)
        #expect(try await storedCount(harness) == 0)
        #expect(try await harness.inbox([textBlock("x")], user: ("writer", "w-pass")).status?.type == .success)
        #expect(try await harness.inbox([textBlock("y")], user: ("writer", "w-pass")).status?.type == .success)  // the cached check

        let discovery = try harness.message(try await harness.send(.taxii11(.discoveryRequest(TAXII11.DiscoveryRequest())), to: "/services/discovery"))
        #expect(discovery.messageType == .discoveryResponse)
        #expect(try await harness.poll("stix", user: ("writer", "w-pass")).status?.type == .denied)
        #expect(try await harness.poll(user: ("reader", "r-pass")).pollResponse11?.contentBlocks.count == 2)

        let information = try harness.message(try await harness.send(
            .taxii11(.collectionInformationRequest(TAXII11.CollectionInformationRequest())), to: "/services/collection-management", user: ("writer", "w-pass")))
        guard case .taxii11(.collectionInformationResponse(let response)) = information else {
            Issue.record("not a Collection Information Response: \(information)")
            return
        }
        #expect(response.collectionInformations.map(\.collectionName) == ["default"], "only what the user may read")
        #expect(response.collectionInformations.first?.collectionVolume == 2)
    }

    @Test("content a collection does not accept: UNSUPPORTED_CONTENT listing what it does; an unknown destination: DESTINATION_COLLECTION_ERROR; nothing stored")
    func inboxRefusals() async throws {
        let harness = try ExchangeHarness(TAXIIServerConfiguration(collections: [
            TAXIICollection(name: "default"), TAXIICollection(name: "stix", acceptedContent: [TAXII11.ContentBinding("urn:stix.mitre.org:xml:1.1.1", subtypeIDs: ["a"])]),
        ]))
        let unsupported = try #require(try await harness.inbox([textBlock("ok"), textBlock("bad", binding: "urn:x")], destinations: ["default", "stix"]).statusAndDetails)
        #expect(unsupported.0 == .unsupportedContentBinding)
        #expect(unsupported.1["SUPPORTED_CONTENT"] == ["urn:stix.mitre.org:xml:1.1.1>a"])
        let unknown = try #require(try await harness.inbox([textBlock("ok")], destinations: ["nope"]).statusAndDetails)
        #expect(unknown.0 == .destinationCollectionError && unknown.1["ACCEPTABLE_DESTINATION"] == ["default", "stix"])
        #expect(try await storedCount(harness) == 0)

        let noInbox = try ExchangeHarness(TAXIIServerConfiguration(inboxDestinations: []))
        #expect(try await noInbox.inbox([textBlock("x")]).statusAndDetails?.0 == .destinationCollectionError)
    }

    @Test("hostile XML (external entities, entity expansion), malformed XML and oversized bodies: BAD_MESSAGE, nothing stored, the server answers on")
    func hostileBodies() async throws {
        let harness = try ExchangeHarness()
        let xxe = """
            <?xml version="1.0"?><!DOCTYPE m [<!ENTITY x SYSTEM "file:///etc/passwd">]>
            <taxii_11:Inbox_Message xmlns:taxii_11="http://taxii.mitre.org/messages/taxii_xml_binding-1.1" message_id="1">
            <taxii_11:Content_Block><taxii_11:Content_Binding binding_id="urn:x"/><taxii_11:Content>&x;</taxii_11:Content></taxii_11:Content_Block>
            </taxii_11:Inbox_Message>
            """
        let laughs = """
            <?xml version="1.0"?><!DOCTYPE m [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>
            <taxii_11:Inbox_Message xmlns:taxii_11="http://taxii.mitre.org/messages/taxii_xml_binding-1.1" message_id="1">
            <taxii_11:Content_Block><taxii_11:Content_Binding binding_id="urn:x"/><taxii_11:Content>&c;</taxii_11:Content></taxii_11:Content_Block>
            </taxii_11:Inbox_Message>
            """
        for body in [xxe, laughs, "<not-closed", "{\"json\": true}", ""] {
            let reply = try await harness.sendRaw(Array(body.utf8), to: "/services/inbox")
            #expect(reply.status == 200)
            #expect(try harness.message(reply).status?.type == .badMessage, "\(body.prefix(40))")
        }
        let oversized = try await harness.sendRaw(nil, to: "/services/inbox")
        #expect(try harness.message(oversized).status?.type == .badMessage)
        #expect(try await storedCount(harness) == 0)
        #expect(try await harness.inbox([textBlock("still serving")]).status?.type == .success)
    }

    @Test("a timestamp with a thousand fraction digits is read (microseconds kept), not a crash")
    func longTimestamp() async throws {
        let harness = try ExchangeHarness()
        _ = try await harness.inbox([textBlock("x")])
        let poll = """
            <taxii_11:Poll_Request xmlns:taxii_11="http://taxii.mitre.org/messages/taxii_xml_binding-1.1" message_id="7" collection_name="default">
            <taxii_11:Exclusive_Begin_Timestamp>2000-01-01T00:00:00.\(String(repeating: "9", count: 1000))Z</taxii_11:Exclusive_Begin_Timestamp>
            <taxii_11:Poll_Parameters/></taxii_11:Poll_Request>
            """
        let response = try harness.message(try await harness.sendRaw(Array(poll.utf8), to: "/services/poll"))
        #expect(response.pollResponse11?.contentBlocks.count == 1)
    }

    @Test("wrong or missing TAXII headers, a wrong protocol, an unknown service, a GET: each answered, nothing stored")
    func headersAndPaths() async throws {
        let harness = try ExchangeHarness()
        let inbox = TAXII.Message.taxii11(.inboxMessage(TAXII11.InboxMessage(contentBlocks: [textBlock("x")])))
        let missing = try harness.message(try await harness.send(inbox, to: "/services/inbox", headers: [("X-TAXII-Content-Type", "")]))
        #expect(missing.statusAndDetails?.0 == .unsupportedMessageBinding)
        #expect(missing.statusAndDetails?.1["SUPPORTED_BINDING"] == [TAXII.VersionID.xml11, TAXII.VersionID.xml10])
        let json = try harness.message(try await harness.send(inbox, to: "/services/inbox", headers: [("X-TAXII-Content-Type", TAXII.VersionID.certEUJSON10)]))
        #expect(json.statusAndDetails?.0 == .unsupportedMessageBinding)
        let https = try harness.message(try await harness.send(inbox, to: "/services/inbox", headers: [("X-TAXII-Protocol", TAXII.VersionID.https10)]))
        #expect(https.statusAndDetails?.0 == .unsupportedProtocol && https.statusAndDetails?.1["SUPPORTED_PROTOCOL"] == [TAXII.VersionID.http10])
        let unknown = try harness.message(try await harness.send(inbox, to: "/services/elsewhere"))
        #expect(unknown.statusAndDetails?.0 == .notFound && unknown.statusAndDetails?.1["ITEM"] == ["/services/elsewhere"])
        let wrongService = try harness.message(try await harness.send(inbox, to: "/services/poll"))
        #expect(wrongService.status?.type == .badMessage)
        let get = try await harness.sendRaw(nil, to: "/services/inbox", method: "GET")
        #expect(get.status == 405 && get.headers.contains { $0.name == "Allow" && $0.value == "POST" })
        #expect(try await storedCount(harness) == 0)
    }
}

@Suite("TAXII server regressions found by fuzzing")
struct TAXIIServerRegressionTests {
    /// A control character in X-TAXII-Content-Type was quoted into the Status Message, which
    /// then could not be written as XML: the server answered HTTP 500.
    @Test("request text quoted in a Status Message is made writable as XML")
    func controlCharacterInHeader() async throws {
        let harness = try ExchangeHarness()
        let reply = try await harness.sendRaw(Array("<x/>".utf8), to: "/services/inbox", headers: [("X-TAXII-Content-Type", "\u{1}bad\u{FFFF}")])
        #expect(reply.status == 200)
        let status = try #require(try harness.message(reply).statusAndDetails)
        #expect(status.0 == .unsupportedMessageBinding)
    }
}

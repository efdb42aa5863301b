import Foundation
import TAXII
import TAXIIHTTP
import TestSupport
@testable import TAXIIServer

/// An exchange over a fresh SQLite store, and helpers to talk to it as a client would.
struct ExchangeHarness {
    let directory: TemporaryDirectory
    let store: SQLiteTAXIIStore
    let exchange: TAXIIExchange

    init(_ configuration: TAXIIServerConfiguration = TAXIIServerConfiguration()) throws {
        directory = try TemporaryDirectory()
        store = try SQLiteTAXIIStore(path: directory.path("taxii.sqlite"))
        exchange = TAXIIExchange(configuration: configuration, store: store)
    }

    /// The reply to `message` posted to `path` with the binding's headers (`headers` replace or add).
    func send(
        _ message: TAXII.Message, to path: String, user: (String, String)? = nil, headers: [(String, String)] = [], https: Bool = false
    ) async throws -> TAXIIReply {
        try await sendRaw(Array(try message.xml().utf8), version: message.version, to: path, user: user, headers: headers, https: https)
    }

    /// The reply to `body` posted to `path`.
    func sendRaw(
        _ body: [UInt8]?, version: TAXII.Version = .v11, to path: String, user: (String, String)? = nil, headers extra: [(String, String)] = [],
        https: Bool = false, method: String = "POST"
    ) async throws -> TAXIIReply {
        let authorization = user.map { "Basic " + Data("\($0.0):\($0.1)".utf8).base64EncodedString() }
        var headers = TAXIIHTTPBinding.requestHeaders(version: version, https: https, authorization: authorization)
        for (name, value) in extra {
            headers.removeAll { $0.name.lowercased() == name.lowercased() }
            if !value.isEmpty { headers.append((name, value)) }
        }
        headers.append(("Host", "taxii.test:9000"))
        return await exchange.respond(to: TAXIIRequest(method: method, path: path, headers: headers, body: body, https: https))
    }

    /// The TAXII message a reply carries.
    func message(_ reply: TAXIIReply) throws -> TAXII.Message {
        try TAXII.message(fromXML: reply.body)
    }

    /// Inbox `blocks` (TAXII 1.1) and return the reply's message.
    func inbox(_ blocks: [TAXII11.ContentBlock], destinations: [String] = [], user: (String, String)? = nil) async throws -> TAXII.Message {
        try message(try await send(.taxii11(.inboxMessage(TAXII11.InboxMessage(destinationCollectionNames: destinations, contentBlocks: blocks))),
                                   to: "/services/inbox", user: user))
    }

    /// Poll `collection` (TAXII 1.1).
    func poll(_ collection: String = "default", parameters: TAXII11.PollParameters = TAXII11.PollParameters(), begin: TAXII.Timestamp? = nil,
              user: (String, String)? = nil) async throws -> TAXII.Message {
        let request = TAXII11.PollRequest(collectionName: collection, exclusiveBeginTimestamp: begin, scope: .parameters(parameters))
        return try message(try await send(.taxii11(.pollRequest(request)), to: "/services/poll", user: user))
    }
}

/// A STIX-ish text block of binding `binding`.
func textBlock(_ text: String, binding: String = "urn:example:text", subtype: String? = nil) -> TAXII11.ContentBlock {
    TAXII11.ContentBlock(contentBinding: TAXII11.ContentBinding(binding, subtypeIDs: subtype.map { [$0] } ?? []), content: .text(text))
}

extension TAXII.Message {
    /// The Status Message's type and details, if this is one.
    var statusAndDetails: (TAXII.StatusType, [String: [String]])? {
        guard case .taxii11(.statusMessage(let status)) = self else { return nil }
        return (status.statusType, Dictionary(grouping: status.statusDetails, by: \.name).mapValues { $0.map(\.value) })
    }

    /// The 1.1 Poll Response, if this is one.
    var pollResponse11: TAXII11.PollResponse? {
        if case .taxii11(.pollResponse(let response)) = self { return response }
        return nil
    }
}

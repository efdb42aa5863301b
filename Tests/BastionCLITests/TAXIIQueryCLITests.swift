import Foundation
import TAXII
import Testing
import TestSupport

/// TAXII 1.1 services scripted over ``ScriptedHTTPServer``: each answers a request with what
/// `answer` makes of its body, as a TAXII 1.1 XML message with the binding's headers.
enum ScriptedTAXIIService {
    static func start(answer: @escaping @Sendable (String) throws -> String) async throws -> ScriptedHTTPServer {
        try await ScriptedHTTPServer.start { request in
            let reply = (try? answer(request.text)) ?? "not a request this service answers"
            return CannedReply(
                headers: [
                    ("Content-Type", "application/xml"), ("X-TAXII-Content-Type", TAXII.VersionID.xml11),
                    ("X-TAXII-Protocol", TAXII.VersionID.http10), ("X-TAXII-Services", TAXII.VersionID.services11),
                ],
                body: Array(reply.utf8)
            )
        }
    }

    /// A Poll Service that evaluates the request's Default Query with TAXII's matcher over
    /// `blocks` and answers a Poll Response with the blocks that match.
    static func start(blocks: [String]) async throws -> ScriptedHTTPServer {
        try await start { body in try answer(body, blocks: blocks) }
    }

    private static func answer(_ body: String, blocks: [String]) throws -> String {
        guard case .taxii11(.pollRequest(let poll)) = try TAXII.message(fromXML: body),
              let query = poll.pollParameters?.query?.defaultQuery else { throw CLI.CLIToolMissing(description: "no Default Query in the request") }
        let matcher = try query.matcher()
        let matching = try blocks.filter { try matcher.matches(xml: $0) }
        let response = TAXII11.PollResponse(
            inResponseTo: poll.messageID, collectionName: poll.collectionName,
            contentBlocks: try matching.map { try TAXII11.ContentBlock(contentBinding: .init(TAXII.ContentBindingID.stixXML111), xml: $0) })
        return try TAXII.Message.taxii11(.pollResponse(response)).xml()
    }
}

@Suite("bastion taxii query against a Default Query service")
struct TAXIIQueryCLITests {
    static func indicator(id: String, address: String) -> String {
        """
        <stix:STIX_Package xmlns:stix="http://stix.mitre.org/stix-1" xmlns:indicator="http://stix.mitre.org/Indicator-2" \
        xmlns:cybox="http://cybox.mitre.org/cybox-2" xmlns:AddressObj="http://cybox.mitre.org/objects#AddressObject-2" id="example:package-\(id)" version="1.1.1">\
        <stix:Indicators><stix:Indicator xsi:type="indicator:IndicatorType" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" id="example:indicator-\(id)">\
        <indicator:Observable id="example:observable-\(id)"><cybox:Object><cybox:Properties xsi:type="AddressObj:AddressObjectType" category="ipv4-addr">\
        <AddressObj:Address_Value>\(address)</AddressObj:Address_Value></cybox:Properties></cybox:Object></indicator:Observable>\
        </stix:Indicator></stix:Indicators></stix:STIX_Package>
        """
    }

    /// Runs `bastion taxii query` with `options` against a service holding two indicators, and
    /// returns the request the service received and the contents of the files the CLI wrote.
    func query(_ options: [String]) async throws -> (request: String, files: [String]) {
        let service = try await ScriptedTAXIIService.start(blocks: [
            Self.indicator(id: "a", address: "198.51.100.7"), Self.indicator(id: "b", address: "203.0.113.9"),
        ])
        defer { service.channel.close(promise: nil) }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("bastion-query-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let result = try CLI.run(["taxii", "query", "--url", service.url("/services/poll"), "--collection", "indicators", "--dest-dir", directory.path] + options)
        #expect(service.requests.count == 1)
        let request = try #require(service.requests.first?.text)
        #expect(result.status == 0, "\(result.output)\n\(result.error)")
        #expect(request.contains("collection_name=\"indicators\""))
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        let files = try names.map { try String(contentsOf: directory.appendingPathComponent($0), encoding: .utf8) }
        return (request, files)
    }

    @Test("--ip: the Default Query goes over the wire, the service's matcher selects the block, the CLI writes it")
    func queryByAddress() async throws {
        let (request, files) = try await query(["--ip", "198.51.100.7"])
        #expect(request.contains("STIX_Package/Indicators/Indicator/Observable/Object/Properties/Address_Value"))
        #expect(request.contains(">198.51.100.7<"))
        #expect(files.count == 1)
        #expect(files.first?.contains("198.51.100.7") == true)
        #expect(files.first?.contains("203.0.113.9") == false)
    }

    @Test("the general form: a regex test on **/Address_Value")
    func queryByRegex() async throws {
        let (request, files) = try await query(["--target", "**/Address_Value", "--cm", "regex", "--rel", "matches", "--value", #"^203\.0\.113\."#, "--case-sensitive", "true"])
        #expect(request.contains("urn:taxii.mitre.org:query:capability:regex-1"))
        #expect(files.count == 1)
        #expect(files.first?.contains("203.0.113.9") == true)
    }
}

@Suite("bastion taxii poll against a hostile Poll Service")
struct TAXIIHostilePollCLITests {
    /// A result part number of Int.max with more="true": asking for the next part once trapped.
    @Test("a result part number with no next part is an error, not a crash")
    func lastPartNumber() async throws {
        let service = try await ScriptedTAXIIService.start { body in
            guard case .taxii11(.pollRequest(let poll)) = try TAXII.message(fromXML: body) else { return "" }
            return """
                <taxii_11:Poll_Response xmlns:taxii_11="http://taxii.mitre.org/messages/taxii_xml_binding-1.1" \
                message_id="1" in_response_to="\(poll.messageID)" collection_name="\(poll.collectionName)" more="true" \
                result_id="r" result_part_number="9223372036854775807"/>
                """
        }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("bastion-poll-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        defer { service.channel.close(promise: nil) }
        let result = try CLI.run(["taxii", "poll", "--url", service.url("/services/poll"), "--collection", "c", "--all-parts", "--dest-dir", directory.path])
        #expect(service.requests.count == 1)
        #expect(result.status == 3, "\(result.output)\n\(result.error)")
        #expect(result.error.contains("result part number 9223372036854775807 has no next part"), "\(result.error)")
    }
}

import Foundation
import Synchronization
import TAXII
import Testing
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

/// A TAXII 1.1 service on 127.0.0.1 for one request, on a thread of its own: it reads the
/// request and answers what `answer` makes of its body. ``init(blocks:)`` makes a Poll Service
/// that evaluates the request's Default Query with TAXII's matcher over `blocks` and answers a
/// Poll Response with the blocks that match.
final class OneRequestTAXIIService: Sendable {
    let url: String
    private let listener: ListeningSocket
    private let request = Mutex<String?>(nil)
    private let done = DispatchSemaphore(value: 0)

    convenience init(blocks: [String]) throws {
        try self.init { body in try Self.answer(body, blocks: blocks) }
    }

    init(answer: @escaping @Sendable (String) throws -> String) throws {
        listener = try ListeningSocket(backlog: 1)
        url = "http://127.0.0.1:\(listener.port)/services/poll"
        Thread.detachNewThread { [self] in
            defer { done.signal() }
            let connection = accept(listener.descriptor, nil, nil)
            guard connection >= 0 else { return }
            defer { close(connection) }
            var timeout = timeval(tv_sec: 20, tv_usec: 0)
            setsockopt(connection, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            let body = Self.readRequestBody(connection)
            request.withLock { $0 = body }
            let reply = (try? answer(body)) ?? "not a request this service answers"
            let head = "HTTP/1.1 200 OK\r\nContent-Type: application/xml\r\nX-TAXII-Content-Type: \(TAXII.VersionID.xml11)\r\n"
                + "X-TAXII-Protocol: \(TAXII.VersionID.http10)\r\nX-TAXII-Services: \(TAXII.VersionID.services11)\r\n"
                + "Content-Length: \(reply.utf8.count)\r\nConnection: close\r\n\r\n"
            let bytes = Array((head + reply).utf8)
            _ = bytes.withUnsafeBytes { send(connection, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        }
    }

    /// The body of the request the service received, once it has answered it.
    func receivedRequest() -> String? {
        _ = done.wait(timeout: .now() + 30)
        listener.close()
        return request.withLock { $0 }
    }

    private static func readRequestBody(_ connection: Int32) -> String {
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 16_384)
        func headerEnd() -> Int? {
            guard received.count >= 4 else { return nil }
            return (0...(received.count - 4)).first { received[$0..<($0 + 4)].elementsEqual(Array("\r\n\r\n".utf8)) }.map { $0 + 4 }
        }
        while true {
            if let end = headerEnd() {
                let head = String(decoding: received[..<end], as: UTF8.self).lowercased()
                let length = head.split(separator: "\r\n").first { $0.hasPrefix("content-length:") }
                    .flatMap { Int($0.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) } ?? 0
                if received.count - end >= length { return String(decoding: received[end..<(end + length)], as: UTF8.self) }
            }
            let count = recv(connection, &buffer, buffer.count, 0)
            if count <= 0 { return "" }
            received += buffer[0..<count]
        }
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
    func query(_ options: [String]) throws -> (request: String, files: [String]) {
        let service = try OneRequestTAXIIService(blocks: [
            Self.indicator(id: "a", address: "198.51.100.7"), Self.indicator(id: "b", address: "203.0.113.9"),
        ])
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("bastion-query-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let result = try CLI.run(["taxii", "query", "--url", service.url, "--collection", "indicators", "--dest-dir", directory.path] + options)
        let request = try #require(service.receivedRequest())
        #expect(result.status == 0, "\(result.output)\n\(result.error)")
        #expect(request.contains("collection_name=\"indicators\""))
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        let files = try names.map { try String(contentsOf: directory.appendingPathComponent($0), encoding: .utf8) }
        return (request, files)
    }

    @Test("--ip: the Default Query goes over the wire, the service's matcher selects the block, the CLI writes it")
    func queryByAddress() throws {
        let (request, files) = try query(["--ip", "198.51.100.7"])
        #expect(request.contains("STIX_Package/Indicators/Indicator/Observable/Object/Properties/Address_Value"))
        #expect(request.contains(">198.51.100.7<"))
        #expect(files.count == 1)
        #expect(files.first?.contains("198.51.100.7") == true)
        #expect(files.first?.contains("203.0.113.9") == false)
    }

    @Test("the general form: a regex test on **/Address_Value")
    func queryByRegex() throws {
        let (request, files) = try query(["--target", "**/Address_Value", "--cm", "regex", "--rel", "matches", "--value", #"^203\.0\.113\."#, "--case-sensitive", "true"])
        #expect(request.contains("urn:taxii.mitre.org:query:capability:regex-1"))
        #expect(files.count == 1)
        #expect(files.first?.contains("203.0.113.9") == true)
    }
}

@Suite("bastion taxii poll against a hostile Poll Service")
struct TAXIIHostilePollCLITests {
    /// A result part number of Int.max with more="true": asking for the next part once trapped.
    @Test("a result part number with no next part is an error, not a crash")
    func lastPartNumber() throws {
        let service = try OneRequestTAXIIService { body in
            guard case .taxii11(.pollRequest(let poll)) = try TAXII.message(fromXML: body) else { return "" }
            return """
                <taxii_11:Poll_Response xmlns:taxii_11="http://taxii.mitre.org/messages/taxii_xml_binding-1.1" \
                message_id="1" in_response_to="\(poll.messageID)" collection_name="\(poll.collectionName)" more="true" \
                result_id="r" result_part_number="9223372036854775807"/>
                """
        }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("bastion-poll-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let result = try CLI.run(["taxii", "poll", "--url", service.url, "--collection", "c", "--all-parts", "--dest-dir", directory.path])
        #expect(service.receivedRequest() != nil)
        #expect(result.status == 3, "\(result.output)\n\(result.error)")
        #expect(result.error.contains("result part number 9223372036854775807 has no next part"), "\(result.error)")
    }
}

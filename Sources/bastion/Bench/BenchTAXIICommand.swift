import ArgumentParser
import Foundation
import NIOCore
import NIOHTTP1
import Synchronization
import TAXIIHTTP
import TAXII
import TAXIIClient

/// `bastion bench taxii`: inbox and poll throughput of any TAXII 1.1 server.
struct BenchTAXIICommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "taxii",
        abstract: "Measure a TAXII 1.1 server: inbox messages per second, then poll requests per second.",
        discussion: """
        Inbox: --inbox messages, each one STIX 1.1.1 content block of about 2 KB, over --concurrency \
        keep-alive connections. Poll: --poll Poll Requests over as many, each for a time window holding \
        exactly --blocks-per-poll of the blocks just pushed (their timestamp labels are read back first, \
        following every result part). Each connection sends its next request as soon as the previous \
        reply is in; requests are made before the clock starts where they can be, and replies are \
        checked on their bytes (SUCCESS, the number of blocks), so the load generator takes little of a \
        machine it shares with the server. Works against any TAXII 1.1 server, for side-by-side figures.
        """
    )

    @Option(help: ArgumentHelp("The services' base URL, e.g. http://127.0.0.1:9000/services (inbox and poll are appended).", valueName: "url"))
    var url: String

    @Option(help: "The collection to push to and poll.")
    var collection = "default"

    @Flag(name: .customLong("name-destination"), help: "Name the collection as the Inbox Message's destination (some servers, OpenTAXII among them, refuse destinations their inbox does not require).")
    var nameDestination = false

    @Option(help: ArgumentHelp("Inbox messages to send.", valueName: "count"))
    var inbox = 2_000

    @Option(help: ArgumentHelp("Poll Requests to send.", valueName: "count"))
    var poll = 2_000

    @Option(name: .customLong("blocks-per-poll"), help: ArgumentHelp("Content blocks each poll's window holds.", valueName: "count"))
    var blocksPerPoll = 10

    @Option(help: ArgumentHelp("Requests in flight at once.", valueName: "count"))
    var concurrency = 8

    @Option(help: ArgumentHelp(
        "Event-loop threads of the load generator. One leaves the other cores to a server on the same machine; raise it when the generator itself is the limit (many connections, HTTPS).",
        valueName: "count"))
    var threads = 1

    @Option(help: ArgumentHelp("HTTP Basic user name.", valueName: "name"))
    var username: String?

    @Option(name: .customLong("pass"), help: ArgumentHelp("HTTP Basic password.", valueName: "password"))
    var password: String?

    @Flag(help: "Print one JSON object instead of text.")
    var json = false

    func validate() throws {
        guard url.hasPrefix("http://") || url.hasPrefix("https://") else { throw ValidationError("--url must be an http:// or https:// URL") }
        guard (1...1_000_000).contains(inbox), (0...1_000_000).contains(poll) else { throw ValidationError("--inbox must be 1…1000000 and --poll 0…1000000") }
        guard (1...1_000).contains(blocksPerPoll), inbox > blocksPerPoll || poll == 0 else {
            throw ValidationError("--blocks-per-poll must be 1…1000 and below --inbox")
        }
        guard (1...1_024).contains(concurrency) else { throw ValidationError("--concurrency must be 1…1024") }
        guard (1...64).contains(threads) else { throw ValidationError("--threads must be 1…64") }
        if (username == nil) != (password == nil) { throw ValidationError("--username and --pass go together") }
    }

    func run() async throws {
        let base = url.hasSuffix("/") ? String(url.dropLast()) : url
        let auth: TAXIIClient.Authentication = username.map { .basic(username: $0, password: password ?? "") } ?? .none
        try await TAXIIClient.with(auth: auth, proxy: .none, tls: .insecure, timeout: .seconds(60)) { client in
            try await measure(base: base, client: client, auth: auth)
        }
    }

    /// Pushes, reads the labels back, polls, and prints the figures.
    private func measure(base: String, client: TAXIIClient, auth: TAXIIClient.Authentication) async throws {
        let clock = ContinuousClock()
        let startedAt = TAXII.Timestamp(date: Date().addingTimeInterval(-1))
        let load = ClosedLoopLoad(target: try ClosedLoopLoad.Target(url: base), connections: concurrency, threads: threads)
        let basePath = URLComponents(string: base)?.path ?? ""
        var headers = HTTPHeaders(TAXIIHTTPBinding.requestHeaders(version: .v11, https: load.target.https, authorization: auth.authorizationHeader))
        headers.add(name: "Host", value: "\(load.target.host):\(load.target.port)")
        let requestHeaders = headers
        @Sendable func post(_ path: String, _ body: ByteBuffer) -> ClosedLoopLoad.Request {
            ClosedLoopLoad.Request(head: HTTPRequestHead(version: .http1_1, method: .POST, uri: basePath + path, headers: requestHeaders), body: body)
        }

        // Inbox.
        try checkInboxTemplate()
        let (collection, nameDestination) = (self.collection, self.nameDestination)
        let inboxStart = clock.now
        let inboxErrors = try await load.run(count: inbox) { index in
            post("/inbox", ByteBuffer(string: Self.inboxMessage(index, destination: nameDestination ? collection : nil)))
        } check: { _, status, body in
            status == 200 && body.occurrences(of: Self.success) == 1
        }
        let inboxSeconds = Self.seconds(clock.now - inboxStart)

        // The labels of what was pushed, for windows of exactly blocksPerPoll blocks.
        var found: [TAXII.Timestamp] = []
        _ = try await client.poll(base + "/poll", PollSelection(collection: collection, exclusiveBegin: startedAt).request(version: .v11)) { reply in
            if case .taxii11(.pollResponse(let response)) = reply { found += response.contentBlocks.compactMap(\.timestampLabel) }
        }
        let labels = found.sorted { $0.microsecondsSince1970 < $1.microsecondsSince1970 }
        guard poll == 0 || labels.count > blocksPerPoll else {
            throw CLIError("the server holds \(labels.count) blocks from this run; a poll window needs more than \(blocksPerPoll)")
        }
        // The Poll Requests, made before the clock starts: one per window the run uses.
        let windows = max(1, labels.count - blocksPerPoll)
        let pollRequests = try (0..<min(windows, poll)).map { first in
            let selection = PollSelection(collection: collection, exclusiveBegin: labels[first], inclusiveEnd: labels[first + blocksPerPoll])
            return post("/poll", ByteBuffer(string: try selection.request(version: .v11).xml()))
        }
        let (expectedBlocks, blocksReceived) = (blocksPerPoll, SharedCount())
        let pollStart = clock.now
        let pollErrors = poll == 0 ? 0 : try await load.run(count: poll) { index in
            pollRequests[index % pollRequests.count]
        } check: { _, status, body in
            // Counted, not parsed: a block's start and end tags both end in "Content_Block>".
            let blocks = body.occurrences(of: Self.blockTagEnd) / 2
            blocksReceived.value.add(blocks, ordering: .relaxed)
            return status == 200 && blocks == expectedBlocks
        }
        let pollSeconds = Self.seconds(clock.now - pollStart)

        let inboxRate = Double(inbox) / inboxSeconds
        let pollRate = poll == 0 ? 0 : Double(poll) / pollSeconds
        if json {
            print(#"{"url":"\#(url)","inbox":\#(inbox),"inbox_per_second":\#(Self.rounded(inboxRate)),"inbox_errors":\#(inboxErrors),"poll":\#(poll),"poll_per_second":\#(Self.rounded(pollRate)),"poll_errors":\#(pollErrors),"blocks_per_poll":\#(blocksPerPoll),"concurrency":\#(concurrency)}"#)
        } else {
            print("""
            TAXII server \(url), collection \(collection), \(concurrency) requests in flight
              inbox: \(inbox) messages (one ~2 KB STIX block each) in \(String(format: "%.2f", inboxSeconds)) s = \(Self.rounded(inboxRate)) messages/s, \(inboxErrors) not SUCCESS
              poll:  \(poll) requests (\(blocksPerPoll) blocks each) in \(String(format: "%.2f", pollSeconds)) s = \(Self.rounded(pollRate)) requests/s, \(pollErrors) not as expected (\(blocksReceived.value.load(ordering: .relaxed)) blocks received)
            """)
        }
        if inboxErrors > 0 || pollErrors > 0 { throw ExitCode(1) }
    }

    /// Inbox Message number `index` as XML: one content block holding ``package(_:)``, written
    /// from a template (the load generator must cost little); ``checkInboxTemplate()`` proves it
    /// is the message the TAXII library writes.
    static func inboxMessage(_ index: Int, destination: String?) -> String {
        let names = destination.map { "<taxii_11:Destination_Collection_Name>\($0)</taxii_11:Destination_Collection_Name>" } ?? ""
        return """
            <taxii_11:Inbox_Message xmlns:taxii_11="http://taxii.mitre.org/messages/taxii_xml_binding-1.1" message_id="bench-\(index)">\
            \(names)<taxii_11:Content_Block><taxii_11:Content_Binding binding_id="\(TAXII.ContentBindingID.stixXML111)"/>\
            <taxii_11:Content>\(package(index))</taxii_11:Content></taxii_11:Content_Block></taxii_11:Inbox_Message>
            """
    }

    /// Refuses to measure with an Inbox Message template that the TAXII library reads differently
    /// from the message it would write itself.
    private func checkInboxTemplate() throws {
        let block = TAXII11.ContentBlock(contentBinding: TAXII11.ContentBinding(TAXII.ContentBindingID.stixXML111), content: .xml(Self.package(7)))
        let expected = TAXII11.InboxMessage(messageID: "bench-7", destinationCollectionNames: nameDestination ? [collection] : [], contentBlocks: [block])
        let read = try TAXII.message(fromXML: Self.inboxMessage(7, destination: nameDestination ? collection : nil))
        guard case .taxii11(.inboxMessage(let message)) = read, message == expected else {
            throw CLIError("the load generator's Inbox Message template does not read back as the message it stands for")
        }
    }

    /// What a SUCCESS Status Message carries.
    static let success = Array(#"status_type="SUCCESS""#.utf8)

    /// Runs `work` for indexes 0..<count, `concurrency` at a time; returns how many returned false.
    static func inParallel(count: Int, concurrency: Int, _ work: @escaping @Sendable (Int) async throws -> Bool) async throws -> Int {
        let next = SharedCount()
        return try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<concurrency {
                group.addTask {
                    var failures = 0
                    while true {
                        let index = next.value.add(1, ordering: .relaxed).oldValue
                        guard index < count else { return failures }
                        if try await !work(index) { failures += 1 }
                    }
                }
            }
            return try await group.reduce(0, +)
        }
    }

    /// A STIX 1.1.1 package of about 2 KB, unique by `index`.
    static func package(_ index: Int) -> String {
        let description = String(repeating: "Seen scanning the perimeter from this address. ", count: 24)
        return """
        <stix:STIX_Package xmlns:stix="http://stix.mitre.org/stix-1" xmlns:indicator="http://stix.mitre.org/Indicator-2" \
        xmlns:cybox="http://cybox.mitre.org/cybox-2" xmlns:AddressObj="http://cybox.mitre.org/objects#AddressObject-2" \
        xmlns:bench="https://bastion.example/bench" id="bench:Package-\(index)" version="1.1.1"><stix:Indicators>\
        <stix:Indicator id="bench:Indicator-\(index)"><indicator:Description>\(description)</indicator:Description>\
        <indicator:Observable><cybox:Object><cybox:Properties><AddressObj:Address_Value>10.\(index >> 16 & 255).\(index >> 8 & 255).\(index & 255)</AddressObj:Address_Value>\
        </cybox:Properties></cybox:Object></indicator:Observable></stix:Indicator></stix:Indicators></stix:STIX_Package>
        """
    }

    /// How a TAXII content block's start and end tags end (any namespace prefix).
    static let blockTagEnd = Array("Content_Block>".utf8)

    static func seconds(_ duration: Duration) -> Double {
        let (seconds, attoseconds) = duration.components
        return max(1e-9, Double(seconds) + Double(attoseconds) / 1e18)
    }

    static func rounded(_ value: Double) -> Double { (value * 10).rounded() / 10 }
}

/// A count that concurrent tasks share.
final class SharedCount: Sendable {
    let value = Atomic<Int>(0)
}

import ArgumentParser
import TAXII
import TAXIIClient

/// What a poll asks for: the collection (feed), the time window, a subscription, content bindings.
struct PollSelectionOptions: ParsableArguments {
    @Option(help: ArgumentHelp("The collection to poll (TAXII 1.0: the feed).", valueName: "name"))
    var collection: String?

    @Option(help: ArgumentHelp("The feed to poll (TAXII 1.0's name for --collection).", valueName: "name"))
    var feed: String?

    @Option(name: .customLong("begin-timestamp"), help: ArgumentHelp("Only content after this time (exclusive), e.g. 2024-01-31T12:00:00Z; a timezone is required.", valueName: "time"))
    var beginTimestamp: String?

    @Option(name: .customLong("end-timestamp"), help: ArgumentHelp("Only content up to this time (inclusive); a timezone is required.", valueName: "time"))
    var endTimestamp: String?

    @Option(name: .customLong("subscription-id"), help: ArgumentHelp("Poll under this subscription.", valueName: "id"))
    var subscriptionID: String?

    @Option(name: .customLong("content-binding"), help: ArgumentHelp("Only content of this binding (repeatable; default: any).", valueName: "binding"))
    var contentBindings: [String] = []

    /// The collection (or feed) name; libtaxii's default is `default`.
    func collectionName(default fallback: String = "default") -> String { collection ?? feed ?? fallback }

    /// The time window, each a timestamp with a timezone.
    func window() throws -> (begin: TAXII.Timestamp?, end: TAXII.Timestamp?) {
        func parse(_ text: String?, _ option: String) throws -> TAXII.Timestamp? {
            guard let text else { return nil }
            guard let timestamp = TAXII.Timestamp(isoFormat: text) else {
                throw ValidationError("--\(option) '\(text)' is not a date and time with a timezone (YYYY-MM-DDTHH:MM:SS[.ffffff]±hh:mm or Z)")
            }
            return timestamp
        }
        return (try parse(beginTimestamp, "begin-timestamp"), try parse(endTimestamp, "end-timestamp"))
    }

    /// The selection; `parameters` are the TAXII 1.1 Poll Parameters (used without a subscription).
    func selection(parameters: TAXII11.PollParameters = TAXII11.PollParameters(), defaultCollection: String = "default") throws -> PollSelection {
        let (begin, end) = try window()
        return PollSelection(
            collection: collectionName(default: defaultCollection), exclusiveBegin: begin, inclusiveEnd: end,
            subscriptionID: subscriptionID, contentBindings: contentBindings, parameters: parameters)
    }
}

/// `bastion taxii poll` (libtaxii's poll_client and poll_client_10)
struct TAXIIPollCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "poll",
        abstract: "Poll a collection (TAXII 1.0: a feed) and write its content blocks to files.",
        discussion: """
        Sends a Poll Request, prints the Poll Response, and writes each content block to a file named as
        libtaxii's poll_client names it (collection, STIX format, timestamp label; .xml for STIX). With
        --all-parts, a multi-part result is fetched to the end with Poll Fulfillment requests.
        --count-only asks for the number of records only (TAXII 1.1).

        Exit status: 0 on success, 1 when the service answers with an error status, 3 when no usable
        reply came (network, TLS, HTTP error, not a TAXII reply).
        """
    )

    @OptionGroup var connection: TAXIIClientOptions
    @OptionGroup var selection: PollSelectionOptions

    @Flag(name: .customLong("count-only"), help: "Ask for the record count only (TAXII 1.1).")
    var countOnly = false

    @Flag(name: .customLong("allow-asynch"), help: "Let the service answer asynchronously (PENDING; fetch the result later with fulfillment).")
    var allowAsynch = false

    @OptionGroup var results: PollResultOptions

    func validate() throws {
        if connection.version == .v10, countOnly || allowAsynch || results.allParts {
            throw ValidationError("--count-only, --allow-asynch and --all-parts need TAXII 1.1")
        }
    }

    func run() async throws {
        let request = try selection.selection(parameters: TAXII11.PollParameters(allowAsynch: allowAsynch, responseType: countOnly ? .countOnly : .full))
            .request(version: connection.version)
        try await connection.withSession { session in
            try await results.poll(request, session: session)
        }
    }
}

/// `bastion taxii fulfillment` (libtaxii's fulfillment_client)
struct TAXIIFulfillmentCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fulfillment",
        abstract: "Fetch one part of a poll result (TAXII 1.1 Poll Fulfillment) and write its content blocks to files.",
        discussion: "With --all-parts, the parts after it are fetched too."
    )

    @OptionGroup var connection: TAXIIClientOptions

    @Option(help: ArgumentHelp("The collection the result belongs to.", valueName: "name"))
    var collection: String = "default"

    @Option(name: [.customLong("result-id"), .customLong("result_id")], help: ArgumentHelp("The result's id.", valueName: "id"))
    var resultID: String

    @Option(name: [.customLong("result-part-number"), .customLong("result_part_number")], help: ArgumentHelp("The part to fetch.", valueName: "n"))
    var resultPartNumber: Int = 1

    @OptionGroup var results: PollResultOptions

    func validate() throws {
        guard connection.version == .v11 else { throw ValidationError("Poll Fulfillment exists in TAXII 1.1 only") }
        guard resultPartNumber >= 1 else { throw ValidationError("--result-part-number must be 1 or more") }
    }

    func run() async throws {
        let request = TAXII11.PollFulfillmentRequest(collectionName: collection, resultID: resultID, resultPartNumber: resultPartNumber)
        try await connection.withSession { session in
            try await results.poll(.taxii11(.pollFulfillmentRequest(request)), session: session)
        }
    }
}

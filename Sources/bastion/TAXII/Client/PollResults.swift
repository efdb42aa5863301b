import ArgumentParser
import TAXII

/// What to do with the content of Poll Responses: libtaxii's `--dest-dir` and `--write`, and
/// `--all-parts` (follow `more`/`result_id` with Poll Fulfillment requests, as cabby does).
struct PollResultOptions: ParsableArguments {
    @Option(name: .customLong("dest-dir"), help: ArgumentHelp("The directory to write content blocks to (default: the current directory).", valueName: "dir"))
    var destDir: String = ""

    @Option(help: ArgumentHelp("What to do with files that exist: clobber, skip, prompt, or none (write nothing).", valueName: "mode"))
    var write: WriteMode = .clobber

    @Flag(name: .customLong("all-parts"), help: "When the result has more parts, fetch them all with Poll Fulfillment requests (TAXII 1.1).")
    var allParts = false

    /// Parts fetched at most, against a server that never says it is done.
    static let maximumParts = 100_000

    /// Prints and writes the content of `reply` and, with `--all-parts`, of every further part;
    /// then fails if the last reply is an error status.
    func handle(_ first: TAXII.Message, session: TAXIISession) async throws {
        var files = ContentBlockFiles(directory: destDir, mode: write) { line in
            if session.options.json { TAXIIOutput.warn(line) } else { print(line) }
        }
        var reply = first
        var parts = 1
        while true {
            switch reply {
            case .taxii11(.pollResponse(let response)):
                try files.write(response.contentBlocks.map { .init(bindingID: $0.contentBinding.bindingID, content: $0.content.string, timestampLabel: $0.timestampLabel) },
                                collection: response.collectionName)
                guard response.more, let resultID = response.resultID else { return }
                // The part number comes from the server: the largest Int has no next part.
                guard response.resultPartNumber < Int.max else {
                    throw TAXIIOutput.failure("\(session.url): result part number \(response.resultPartNumber) has no next part")
                }
                let next = response.resultPartNumber + 1
                guard allParts else {
                    TAXIIOutput.note("more parts: bastion taxii fulfillment --url \(session.url) --collection \(response.collectionName) --result-id \(resultID) --result-part-number \(next) (or poll with --all-parts)")
                    return
                }
                guard parts < Self.maximumParts, next > response.resultPartNumber else {
                    throw TAXIIOutput.failure("\(session.url): stopped after \(parts) result parts")
                }
                parts += 1
                let request = TAXII11.PollFulfillmentRequest(collectionName: response.collectionName, resultID: resultID, resultPartNumber: next)
                reply = try await session.exchange(.taxii11(.pollFulfillmentRequest(request)))
            case .taxii10(.pollResponse(let response)):
                try files.write(response.contentBlocks.map { .init(bindingID: $0.contentBinding, content: $0.content.string, timestampLabel: $0.timestampLabel) },
                                collection: response.feedName)
                return
            default:
                try session.requireSuccess(reply)
                return
            }
        }
    }
}

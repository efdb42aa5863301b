import ArgumentParser
import Foundation
import TAXII
import TAXIIClient

extension ContentBlockFiles.WriteMode: ExpressibleByArgument {}

/// What to do with the content of Poll Responses: libtaxii's `--dest-dir` and `--write`, and
/// `--all-parts` (follow `more`/`result_id` with Poll Fulfillment requests, as cabby does).
struct PollResultOptions: ParsableArguments {
    @Option(name: .customLong("dest-dir"), help: ArgumentHelp("The directory to write content blocks to (default: the current directory).", valueName: "dir"))
    var destDir: String = ""

    @Option(help: ArgumentHelp("What to do with files that exist: clobber, skip, prompt, or none (write nothing).", valueName: "mode"))
    var write: ContentBlockFiles.WriteMode = .clobber

    @Flag(name: .customLong("all-parts"), help: "When the result has more parts, fetch them all with Poll Fulfillment requests (TAXII 1.1).")
    var allParts = false

    /// Sends `request` (Poll or Poll Fulfillment), prints each reply, writes the content of
    /// Poll Responses and, with `--all-parts`, fetches every further part; then fails if the
    /// last reply is an error status.
    func poll(_ request: TAXII.Message, session: TAXIISession) async throws {
        var files = ContentBlockFiles(directory: destDir, mode: write, confirm: Self.confirm) { line in
            if session.options.json { TAXIIOutput.warn(line) } else { print(line) }
        }
        let outcome: PollOutcome
        do {
            outcome = try await session.client.poll(session.url, request, allParts: allParts) { reply in
                try session.show(reply)
                try files.write(reply)
            }
        } catch let error as TAXIIClientError {
            throw TAXIIOutput.failure(error.description)
        } catch let error as ContentBlockFiles.WriteError {
            throw TAXIIOutput.failure(error.description)
        }
        if let next = outcome.pendingPart {
            TAXIIOutput.note("more parts: bastion taxii fulfillment --url \(session.url) --collection \(next.collection) --result-id \(next.resultID) --result-part-number \(next.partNumber) (or poll with --all-parts)")
        }
        try session.requireSuccess(outcome.lastReply)
    }

    /// Asks on the terminal until the answer is y or n.
    static func confirm(_ question: String) -> Bool {
        while true {
            FileHandle.standardError.write(Data(question.utf8))
            guard let answer = readLine() else { return false }
            if answer == "y" { return true }
            if answer == "n" { return false }
        }
    }
}

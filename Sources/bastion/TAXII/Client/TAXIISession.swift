import ArgumentParser
import Foundation
import TAXII
import TAXIIClient

/// One command's conversation with a TAXII service: sends requests, prints replies in the
/// chosen form, and turns failures into a one-line cause and an exit status.
struct TAXIISession {
    let client: TAXIIClient
    let url: String
    let options: TAXIIClientOptions

    /// The TAXII version spoken.
    var version: TAXII.Version { options.version }

    /// Sends `request` to the service and prints the reply. A client error (network, TLS, HTTP,
    /// not a TAXII reply) prints its cause and exits with status 3.
    func exchange(_ request: TAXII.Message) async throws -> TAXII.Message {
        let reply: TAXII.Message
        do {
            reply = try await client.call(url, request)
        } catch {
            throw TAXIIOutput.failure(error.description)
        }
        try show(reply)
        return reply
    }

    /// Prints `message` as text, XML (`--xml-output`) or one line of JSON (`--json`).
    func show(_ message: TAXII.Message) throws {
        if options.json {
            print(message.json())
        } else if options.xmlOutput {
            do {
                print(try message.xml(prettyPrinted: true))
            } catch {
                throw TAXIIOutput.failure("cannot write the reply as XML: \(error)")
            }
        } else {
            print(message.text, terminator: "")
        }
    }

    /// Exits with status 1, after a line naming the status, when `reply` is a Status Message
    /// other than SUCCESS (or PENDING, which says where to fetch the result later).
    func requireSuccess(_ reply: TAXII.Message) throws {
        guard let status = reply.status, status.type != .success else { return }
        if status.type == .pending {
            TAXIIOutput.note("the result is pending; fetch it later with `bastion taxii fulfillment --result-id \(status.resultID ?? "?")`")
            return
        }
        let text = status.firstLine.map { ": " + $0 } ?? ""
        throw TAXIIOutput.failure("\(url): TAXII status \(status.type.rawValue)\(text)", exitCode: 1)
    }
}

/// Writing notes and errors to standard error.
enum TAXIIOutput {
    /// Writes one line to standard error.
    static func warn(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }

    /// Writes a note to standard error.
    static func note(_ line: String) {
        warn("note: " + line)
    }

    /// Prints `error: <cause>` and returns the exit status to throw (3 unless told otherwise).
    static func failure(_ cause: String, exitCode: Int32 = 3) -> ExitCode {
        warn("error: " + cause)
        return ExitCode(exitCode)
    }
}

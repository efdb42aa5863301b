import ArgumentParser
import Foundation
import OpenC2
import OpenC2SLPF

/// `bastion openc2 validate FILE…`
struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check OpenC2 messages: is each a valid Command, a valid Response, a valid envelope, or invalid, and why.",
        discussion: """
        Each FILE holds one JSON document: a bare Command, a bare Response, or an HTTPS v1.1
        message envelope ({"headers": …, "body": {"openc2": …}}). The kind is told by the required
        member it has (action, status or body). Validation follows the OpenC2 Language v1.0 and the
        SLPF v1.0 profile: strict JSON (no duplicate keys, no unsafe numbers), every type's rules,
        unknown fields refused. For an invalid document it prints the rule broken and where, as a
        JSON path: `target.ipv4_net: prefix 33 is out of range 0…32 (out-of-range)`.

        Exit status: 0 when every document is valid, 1 when any is invalid or unreadable.
        """
    )

    @Argument(help: ArgumentHelp("The files to check; - reads standard input.", valueName: "file"))
    var files: [String]

    @Flag(help: "Print the results as JSON, one object per file.")
    var json = false

    /// Documents larger than this are refused unread.
    static let maximumSize = 16 << 20

    func run() throws {
        let decoder = OpenC2Decoder(profiles: [SLPFProfile()])
        var report: [JSONValue] = []
        var allValid = true
        for file in files {
            let outcome = Self.check(file, decoder: decoder)
            if case .invalid = outcome.result { allValid = false }
            if json {
                report.append(outcome.json)
            } else {
                print(outcome.line)
            }
        }
        if json {
            print(JSONWriter(prettyPrinted: true).string(.array(report)))
        }
        if !allValid { throw ExitCode(1) }
    }

    struct Outcome {
        enum Result {
            case valid(kind: String)
            case invalid(OpenC2Error)
            case unreadable(String)
        }

        let file: String
        let result: Result

        var line: String {
            switch result {
            case .valid(let kind): "\(file): valid \(kind)"
            case .invalid(let error): "\(file): invalid: \(error) (\(error.code.rawValue))"
            case .unreadable(let reason): "\(file): unreadable: \(reason)"
            }
        }

        var json: JSONValue {
            var object: JSONObject = ["file": .string(file)]
            switch result {
            case .valid(let kind):
                object["valid"] = .bool(true)
                object["kind"] = .string(kind)
            case .invalid(let error):
                object["valid"] = .bool(false)
                object["error"] = .object(["code": .string(error.code.rawValue), "path": .string(error.path.description), "message": .string(error.message)])
            case .unreadable(let reason):
                object["valid"] = .bool(false)
                object["error"] = .object(["code": .string("unreadable"), "path": .string(""), "message": .string(reason)])
            }
            return .object(object)
        }
    }

    static func check(_ file: String, decoder: OpenC2Decoder) -> Outcome {
        let data: Data
        do {
            data = try read(file)
        } catch {
            return Outcome(file: file, result: .unreadable(error.localizedDescription))
        }
        guard data.count <= maximumSize else {
            return Outcome(file: file, result: .unreadable("larger than \(maximumSize >> 20) MiB"))
        }
        do {
            let document = try decoder.decode(OpenC2Document.self, from: data)
            return Outcome(file: file, result: .valid(kind: document.kindName))
        } catch {
            return Outcome(file: file, result: .invalid(error))
        }
    }

    static func read(_ file: String) throws -> Data {
        if file == "-" { return FileHandle.standardInput.readDataToEndOfFile() }
        return try Data(contentsOf: URL(fileURLWithPath: file))
    }
}

import ArgumentParser
import Foundation
import TAXII

/// `bastion taxii convert FILE --to json|xml|text`
struct TAXIIConvertCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "convert",
        abstract: "Convert a TAXII message between XML, JSON (libtaxii's dictionary form) and text (libtaxii's to_text).",
        discussion: """
        FILE holds one TAXII message, as XML (version told by the namespace) or as JSON in libtaxii's
        to_dict() form (a document starting with "{"; give its version with --version, default 1.1).
        --to xml writes it as XML (pretty printed unless --compact), --to json as JSON with libtaxii's keys,
        --to text as libtaxii's to_text() prints it. Content blocks keep their content exactly.
        """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case json, xml, text
    }

    @Argument(help: ArgumentHelp("The message; - reads standard input.", valueName: "file"))
    var file: String

    @Option(help: "The output form.")
    var to: Format

    @Option(help: ArgumentHelp("The TAXII version of a JSON input (1.0 or 1.1).", valueName: "version"))
    var version: String = "1.1"

    @Flag(help: "Write XML or JSON without indentation.")
    var compact = false

    /// Inputs larger than this are refused unread.
    static let maximumSize = 16 << 20

    func run() throws {
        let bytes = try Self.read(file)
        let message: TAXII.Message
        do {
            if bytes.first(where: { ![0x20, 0x09, 0x0A, 0x0D].contains($0) }) == UInt8(ascii: "{") {
                guard let taxiiVersion = TAXII.Version(rawValue: version) else {
                    throw ValidationError("--version must be 1.0 or 1.1")
                }
                message = try TAXII.message(fromJSON: String(decoding: bytes, as: UTF8.self), version: taxiiVersion)
            } else {
                message = try TAXII.message(fromXML: bytes)
            }
        } catch let error as TAXIIError {
            throw CLIError("\(file): \(error)")
        }
        switch to {
        case .json: print(message.json(prettyPrinted: !compact))
        case .text: print(message.text, terminator: "")
        case .xml:
            do {
                print(try message.xml(prettyPrinted: !compact))
            } catch {
                throw CLIError("\(file): \(error)")
            }
        }
    }

    /// The bytes of `file` (`-`: standard input), refusing more than ``maximumSize``.
    static func read(_ file: String) throws -> [UInt8] {
        let data = file == "-" ? FileHandle.standardInput.readDataToEndOfFile() : try Data(contentsOf: URL(fileURLWithPath: file))
        guard data.count <= maximumSize else { throw CLIError("\(file): larger than \(maximumSize >> 20) MiB") }
        return [UInt8](data)
    }
}

import ArgumentParser
import Foundation
import OpenC2
import OpenC2SLPF

/// `bastion openc2 example NAME`
struct ExampleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "example",
        abstract: "Print a well-formed OpenC2 message to start from.",
        discussion: "Names: " + ExampleCatalog.all.map(\.name).joined(separator: ", ") + ". Use --list for what each is."
    )

    @Argument(help: "The example to print.")
    var name: String?

    @Flag(help: "List the examples with a line on each.")
    var list = false

    @Flag(help: "Print compact JSON on one line instead of indented JSON.")
    var compact = false

    func validate() throws {
        if !list, name == nil {
            throw ValidationError("Name an example, or use --list. Examples: \(ExampleCatalog.all.map(\.name).joined(separator: ", "))")
        }
        if let name, ExampleCatalog.named(name) == nil {
            throw ValidationError("No example named '\(name)'. Examples: \(ExampleCatalog.all.map(\.name).joined(separator: ", "))")
        }
    }

    func run() throws {
        if list {
            let width = ExampleCatalog.all.map(\.name.count).max() ?? 0
            for example in ExampleCatalog.all {
                print(example.name.padding(toLength: width + 2, withPad: " ", startingAt: 0) + example.summary)
            }
            return
        }
        guard let name, let example = ExampleCatalog.named(name) else { return }
        print(OpenC2Encoder(prettyPrinted: !compact).string(example.document))
    }
}

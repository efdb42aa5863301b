import ArgumentParser

/// `bastion taxii …`
struct TAXIIGroup: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "taxii",
        abstract: "Work with TAXII 1.1 and 1.0 messages: validate them, convert them to JSON (libtaxii's dictionary form), XML or text.",
        subcommands: [TAXIIValidateCommand.self, TAXIIConvertCommand.self]
    )
}

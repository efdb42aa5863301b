import ArgumentParser

@main
struct Bastion: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bastion",
        abstract: "Automated cyber defense: OpenC2 command and control, TAXII threat intelligence.",
        subcommands: []
    )
}

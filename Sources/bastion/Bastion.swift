import ArgumentParser

@main
struct Bastion: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bastion",
        abstract: "Automated cyber defense: OpenC2 command and control, TAXII threat intelligence.",
        discussion: """
        Start with `bastion openc2 example --list` to see well-formed OpenC2 messages, and
        `bastion openc2 validate FILE…` to check your own.
        """,
        subcommands: [OpenC2Group.self]
    )
}

import ArgumentParser

@main
struct Bastion: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bastion",
        abstract: "Automated cyber defense: OpenC2 command and control, TAXII threat intelligence.",
        discussion: """
        `bastion serve` runs an OpenC2 Consumer on 127.0.0.1:8443 with mutual TLS and a development
        PKI it makes itself. `bastion openc2 example --list` shows well-formed OpenC2 messages and
        `bastion openc2 validate FILE…` checks your own.
        """,
        subcommands: [ServeCommand.self, OpenC2Group.self, TAXIIGroup.self, CertsGroup.self, BenchGroup.self]
    )

    /// Runs the command line, with the options of `--from-file` files added for the TAXII commands.
    static func main() async {
        var arguments = Array(CommandLine.arguments.dropFirst())
        if arguments.first == "taxii" {
            do {
                arguments = try OptionsFile.expand(arguments)
            } catch {
                exit(withError: error)
            }
        }
        await main(arguments)
    }
}

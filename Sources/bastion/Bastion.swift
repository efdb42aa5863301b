import ArgumentParser
import BastionLogging
import Foundation
import Logging

@main
struct Bastion: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bastion",
        abstract: "Automated cyber defense: OpenC2 command and control, TAXII threat intelligence.",
        discussion: """
        `bastion serve` runs an OpenC2 Consumer on 127.0.0.1:8443 with mutual TLS and a development
        PKI it makes itself. `bastion openc2 example --list` shows well-formed OpenC2 messages and
        `bastion openc2 validate FILE…` checks your own.

        Logs go to standard error; BASTION_LOG_LEVEL (trace, debug, info, notice, warning, error,
        critical; default info) sets how much.
        """,
        subcommands: [ServeCommand.self, OpenC2Group.self, TAXIIGroup.self, BridgeGroup.self, CertsGroup.self, BenchGroup.self]
    )

    /// Runs the command line: logging set up from BASTION_LOG_LEVEL, and the options of
    /// `--from-file` files added for the TAXII commands.
    static func main() async {
        let level = ProcessInfo.processInfo.environment["BASTION_LOG_LEVEL"].flatMap { Logger.Level(rawValue: $0.lowercased()) } ?? .info
        LoggingSystem.bootstrap { label in LineLogHandler(label: label, level: level) }
        do {
            var arguments = Array(CommandLine.arguments.dropFirst())
            if arguments.first == "taxii" { arguments = try OptionsFile.expand(arguments) }
            var command = try parseAsRoot(arguments)
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            exit(withError: error)
        }
    }
}

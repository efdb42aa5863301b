import ArgumentParser

/// `bastion bench …`: load generators.
struct BenchGroup: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Load generators: measure how many OpenC2 commands a server answers per second, and how fast.",
        subcommands: [BenchConsumerCommand.self]
    )
}

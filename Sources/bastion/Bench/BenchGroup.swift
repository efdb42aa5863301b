import ArgumentParser

/// `bastion bench …`: load generators.
struct BenchGroup: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Benchmarks: OpenC2 Consumer load (consumer) and SLPF enforcement speed (slpf).",
        subcommands: [BenchConsumerCommand.self, BenchSLPFCommand.self]
    )
}

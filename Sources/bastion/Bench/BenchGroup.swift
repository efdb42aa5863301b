import ArgumentParser

/// `bastion bench …`: load generators.
struct BenchGroup: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Benchmarks: OpenC2 Consumer load (consumer), SLPF enforcement speed (slpf), TAXII server throughput (taxii), large collections (taxii-store), indicators to denies (bridge).",
        subcommands: [BenchConsumerCommand.self, BenchSLPFCommand.self, BenchTAXIICommand.self, BenchTAXIIStoreCommand.self, BenchBridgeCommand.self]
    )
}

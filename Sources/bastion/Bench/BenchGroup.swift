import ArgumentParser

/// `bastion bench …`: load generators.
struct BenchGroup: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Benchmarks: OpenC2 Consumer load (consumer), SLPF enforcement speed (slpf), TAXII server throughput (taxii), large collections (taxii-store), indicators to denies (bridge), fan-out (fanout) and the polling model (polling).",
        subcommands: [BenchConsumerCommand.self, BenchSLPFCommand.self, BenchTAXIICommand.self, BenchTAXIIStoreCommand.self, BenchBridgeCommand.self, BenchFanOutCommand.self, BenchPollingCommand.self]
    )
}

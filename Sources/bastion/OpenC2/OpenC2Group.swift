import ArgumentParser

/// `bastion openc2 …`
struct OpenC2Group: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "openc2",
        abstract: "Work with OpenC2 Language v1.0 messages (Commands, Responses, v1.1 envelopes) and the SLPF profile.",
        subcommands: [ConsumerCommand.self, SendCommand.self, FeaturesCommand.self, ProducerServerCommand.self, EnqueueCommand.self, QueueStatusCommand.self, ValidateCommand.self, ExampleCommand.self, RulesGroup.self]
    )
}

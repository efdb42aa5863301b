import ArgumentParser

/// `bastion taxii …`
struct TAXIIGroup: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "taxii",
        abstract: "Work with TAXII 1.1 and 1.0: talk to TAXII services as a client, run a TAXII server, validate and convert messages.",
        discussion: """
        The client commands take libtaxii's script options (--url, --cert/--key, --username/--pass,
        --proxy, --xml-output, --verify-server, --from-file) and --taxii-version 1.0 for TAXII 1.0 services.
        """,
        subcommands: [
            TAXIIDiscoveryCommand.self, TAXIICollectionsCommand.self, TAXIIPollCommand.self, TAXIIFulfillmentCommand.self,
            TAXIIInboxCommand.self, TAXIIQueryCommand.self, TAXIISubscribeCommand.self, TAXIIUnsubscribeCommand.self,
            TAXIIPauseCommand.self, TAXIIResumeCommand.self, TAXIISubscriptionStatusCommand.self, TAXIIValidateCommand.self, TAXIIConvertCommand.self,
            TAXIIServerGroup.self,
        ]
    )
}

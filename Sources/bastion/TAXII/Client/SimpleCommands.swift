import ArgumentParser
import TAXII

/// `bastion taxii discovery` (libtaxii's discovery_client and discovery_client_10)
struct TAXIIDiscoveryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "discovery",
        abstract: "Ask a Discovery Service which TAXII services it offers."
    )

    @OptionGroup var connection: TAXIIClientOptions

    func run() async throws {
        try await connection.send(connection.version == .v11
            ? .taxii11(.discoveryRequest(TAXII11.DiscoveryRequest())) : .taxii10(.discoveryRequest(TAXII10.DiscoveryRequest())))
    }
}

/// `bastion taxii collections` (libtaxii's collection_information_client and feed_information_client_10)
struct TAXIICollectionsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "collections",
        abstract: "Ask a Collection Management Service which collections it offers (TAXII 1.0: a Feed Management Service, which feeds)."
    )

    @OptionGroup var connection: TAXIIClientOptions

    func run() async throws {
        try await connection.send(connection.version == .v11
            ? .taxii11(.collectionInformationRequest(TAXII11.CollectionInformationRequest())) : .taxii10(.feedInformationRequest(TAXII10.FeedInformationRequest())))
    }
}

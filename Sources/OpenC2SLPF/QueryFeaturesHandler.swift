import OpenC2

/// A ``CommandHandler`` that executes only what needs no actuator: it answers `query features`
/// truthfully for the capabilities it is given and refuses everything else with the 400/501
/// Response the SLPF profile prescribes. With the default capabilities it reports only
/// `query features`, which is the truth for a Consumer without a firewall backend.
public struct QueryFeaturesHandler: CommandHandler {
    /// What the Consumer reports and accepts.
    public let capabilities: SLPFCapabilities

    /// A handler reporting `capabilities`.
    public init(capabilities: SLPFCapabilities = .queryOnly) {
        self.capabilities = capabilities
    }

    public func handle(_ command: Command, context: RequestContext) async throws -> Response {
        switch SLPFInterpreter(capabilities: capabilities).interpret(command) {
        case .execute(.queryFeatures(let features)):
            return capabilities.featuresResponse(for: features)
        case .execute:
            // Accepted by the capabilities, but this handler has no actuator to act with.
            return Response(.notImplemented, statusText: SLPFInterpreter.StatusText.commandNotSupported)
        case .respond(let response):
            return response
        }
    }
}

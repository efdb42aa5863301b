#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// What a transfer knows about a Command besides its content.
public struct RequestContext: Sendable {
    /// The message's `request_id` (or the HTTP `X-Request-ID`), if any.
    public var requestID: String?
    /// The authenticated identity of the Producer (the TLS client certificate's subject), if any.
    public var peer: String?
    /// The `from` header of the message, if any.
    public var from: String?
    /// When the message says it was created, if it does.
    public var created: DateTime?
    /// When the Consumer received the Command.
    public var receivedAt: Date

    /// A context; `receivedAt` defaults to now.
    public init(requestID: String? = nil, peer: String? = nil, from: String? = nil, created: DateTime? = nil, receivedAt: Date = Date()) {
        self.requestID = requestID
        self.peer = peer
        self.from = from
        self.created = created
        self.receivedAt = receivedAt
    }

    /// The Command's identifier: its `command_id`, or else the request id (Language §3.3.1).
    public func commandID(of command: Command) -> String? {
        command.commandID?.rawValue ?? requestID
    }
}

/// Executes Commands: what a Consumer transfer calls for every valid Command it receives.
///
/// The transfer has already decoded and validated the Command and handles `response_requested`
/// (it may run the handler after answering `ack`). The handler returns the Response to send;
/// an error it throws becomes a 500 Response whose status text is the error's description.
public protocol CommandHandler: Sendable {
    /// Executes `command` and returns its Response.
    func handle(_ command: Command, context: RequestContext) async throws -> Response
}

/// A ``CommandHandler`` made from a closure.
public struct ClosureCommandHandler: CommandHandler {
    private let body: @Sendable (Command, RequestContext) async throws -> Response

    /// A handler that runs `body`.
    public init(_ body: @escaping @Sendable (Command, RequestContext) async throws -> Response) {
        self.body = body
    }

    public func handle(_ command: Command, context: RequestContext) async throws -> Response {
        try await body(command, context)
    }
}

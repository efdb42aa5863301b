import BastionHTTPClient

extension TAXIIClientError {
    /// The client error for a failed exchange with `url`.
    init(_ failure: TransportFailure, url: String) {
        let kind: Kind = switch failure.kind {
        case .connectTimeout, .timeout: .timeout
        case .connectionRefused: .connectionRefused
        case .tls: .tls
        case .proxy: .proxy
        case .replyTooLarge: .replyTooLarge
        case .unknownHost, .closedWithoutReply, .other: .transport
        }
        self.init(kind, url: url, failure.message)
    }
}

import BastionPKI
import Foundation
import TAXII
import TestSupport
@testable import TAXIIClient

extension TestPKI {
    /// The client certificate authentication of our PKI (or the other one's).
    func certificateAuth(other: Bool = false) -> TAXIIClient.Authentication {
        .certificate(certificatePath: path(.clientCertificate, other: other), keyPath: path(.clientPrivateKey, other: other))
    }
}

/// Answers of a well-behaved TAXII service.
enum Replies {
    static func discovery11(to request: ReceivedRequest, https: Bool = false) -> CannedReply {
        let id = (try? TAXII.message(fromXML: request.body))?.message.messageID ?? "0"
        let response = TAXII11.DiscoveryResponse(inResponseTo: id, serviceInstances: [])
        return .taxii(.taxii11(.discoveryResponse(response)), https: https)
    }

    static func status11(_ type: TAXII.StatusType, to request: ReceivedRequest, message: String? = nil) -> CannedReply {
        let id = (try? TAXII.message(fromXML: request.body))?.message.messageID ?? "0"
        return .taxii(.taxii11(.statusMessage(TAXII11.StatusMessage(inResponseTo: id, statusType: type, message: message))))
    }
}

/// Runs `body` with a client, shutting it down afterwards.
func withClient<T: Sendable>(
    auth: TAXIIClient.Authentication = .none, proxy: TAXIIClient.Proxy = .none, tls: TAXIIClient.ServerTrust = .system,
    timeout: Duration = .seconds(10), _ body: (TAXIIClient) async throws -> T
) async throws -> T {
    try await TAXIIClient.with(auth: auth, proxy: proxy, tls: tls, timeout: timeout, body)
}

/// The error `body` throws, if it is a ``TAXIIClientError``.
func clientError(_ body: () async throws -> Void) async -> TAXIIClientError? {
    do {
        try await body()
        return nil
    } catch let error as TAXIIClientError {
        return error
    } catch {
        return nil
    }
}


#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension TAXIIClient {
    /// How the client proves who it is (libtaxii's `AUTH_NONE`, `AUTH_BASIC`, `AUTH_CERT`, `AUTH_CERT_BASIC`).
    public enum Authentication: Sendable, Equatable {
        /// No credentials.
        case none
        /// HTTP Basic authentication (RFC 7617) on every request.
        case basic(username: String, password: String)
        /// A TLS client certificate: PEM files of the certificate (chain, leaf first) and its private key.
        case certificate(certificatePath: String, keyPath: String)
        /// A TLS client certificate and HTTP Basic authentication together.
        case both(username: String, password: String, certificatePath: String, keyPath: String)

        /// The `Authorization` header value, for Basic authentication.
        public var authorizationHeader: String? {
            switch self {
            case .basic(let username, let password), .both(let username, let password, _, _):
                "Basic " + Data("\(username):\(password)".utf8).base64EncodedString()
            case .none, .certificate:
                nil
            }
        }

        /// The client certificate and key files, for certificate authentication.
        public var certificateFiles: (certificatePath: String, keyPath: String)? {
            switch self {
            case .certificate(let certificatePath, let keyPath), .both(_, _, let certificatePath, let keyPath):
                (certificatePath, keyPath)
            case .none, .basic:
                nil
            }
        }
    }
}

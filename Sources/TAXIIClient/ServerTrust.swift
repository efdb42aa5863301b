extension TAXIIClient {
    /// How an `https` server's certificate is checked.
    public enum ServerTrust: Sendable, Equatable {
        /// Against the system's root certificates, with the host name (the default).
        case system
        /// Against the CA certificates in a PEM file (libtaxii's `--verify-server CA`), with the host name.
        case ca(path: String)
        /// Not at all. For testing only: anyone can impersonate the server.
        case insecure
    }
}

import AsyncHTTPClient
import NIOCore

extension HTTPClient.Configuration {
    /// The connect timeout Bastion's clients use unless told otherwise.
    public static let defaultConnectTimeout: Duration = .seconds(5)

    /// A client configuration that reports an unreachable server at once.
    ///
    /// async-http-client's default retries a failed connection until the request's deadline, so
    /// a refused connection, an unknown host or a failed TLS handshake would only be reported
    /// when the whole timeout has passed. Here a failed connection attempt fails the request,
    /// and `connectTimeout` bounds a connect that hangs (packets dropped). Redirects are not
    /// followed: an OpenC2 or TAXII endpoint that redirects is misconfigured.
    ///
    /// - Parameters:
    ///   - connectTimeout: how long one connection attempt may take, TLS handshake excluded.
    ///   - readTimeout: how long the client waits for bytes of a reply; `nil` leaves it to the
    ///     request's deadline.
    public static func failingFast(connectTimeout: Duration = defaultConnectTimeout, readTimeout: Duration? = nil) -> Self {
        var configuration = HTTPClient.Configuration()
        configuration.timeout = .init(connect: TimeAmount(connectTimeout), read: readTimeout.map(TimeAmount.init))
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.redirectConfiguration = .disallow
        return configuration
    }
}

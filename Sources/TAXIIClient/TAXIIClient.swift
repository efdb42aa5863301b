import AsyncHTTPClient
import BastionHTTPClient
import BastionTLS
import NIOCore
import NIOHTTP1
import NIOSSL
import Synchronization
import TAXII
import TAXIIHTTP

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A client for TAXII 1.1 and 1.0 services over HTTP and HTTPS (libtaxii's `HttpClient`):
/// posts a message with the HTTP binding's headers and returns the message that answers it.
///
/// ```swift
/// let client = try TAXIIClient(auth: .basic(username: "user", password: "secret"), proxy: .none, tls: .ca(path: "ca.pem"))
/// defer { Task { try? await client.shutdown() } }  // or use TAXIIClient.with(…) { client in … }
/// let reply = try await client.call("https://taxii.example.com/services/discovery", TAXII11.DiscoveryRequest())
/// print(reply.text)
/// ```
///
/// The client owns async-http-client connections: call ``shutdown()`` once done, or use
/// ``with(auth:proxy:tls:timeout:userAgent:_:)``, which does it for you. It is a class: every
/// reference shares the connections, and the first ``shutdown()`` closes them.
public final class TAXIIClient: Sendable {
    /// The credentials sent.
    public let auth: Authentication
    /// The proxy setting.
    public let proxy: Proxy
    /// How `https` servers are checked.
    public let tls: ServerTrust
    /// How long one exchange (connecting, sending, receiving) may take.
    public let timeout: Duration
    /// How long connecting may take (never more than ``timeout``): a server that drops packets
    /// is reported after this, a refused connection or a failed handshake at once.
    public let connectTimeout: Duration
    /// Sent as `User-Agent`.
    public let userAgent: String
    /// Replies larger than this many bytes are refused.
    public let maximumReplySize: Int
    /// The proxy in use, if any, and the hosts that bypass it.
    let resolvedProxy: ResolvedProxy?
    /// Connections that go direct (`nil` when every request goes through a proxy).
    let direct: HTTPClient?
    /// Connections through the proxy (`nil` without one).
    let proxied: HTTPClient?
    /// Whether ``shutdown()`` has run.
    private let isShutDown = Atomic<Bool>(false)

    /// A client; `environment` supplies the variables `.system` reads (the process's by default).
    ///
    /// - Throws: ``TAXIIClientError`` `.configuration` when a certificate, key or CA file is
    ///   unusable or the proxy address is malformed.
    public init(
        auth: Authentication = .none,
        proxy: Proxy = .system,
        tls: ServerTrust = .system,
        timeout: Duration = .seconds(30),
        connectTimeout: Duration = HTTPClient.Configuration.defaultConnectTimeout,
        userAgent: String = TAXIIHTTPBinding.defaultUserAgent,
        maximumReplySize: Int = 64 << 20,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(TAXIIClientError) {
        self.auth = auth
        self.proxy = proxy
        self.tls = tls
        self.timeout = timeout
        self.connectTimeout = min(connectTimeout, timeout)
        self.userAgent = userAgent
        self.maximumReplySize = maximumReplySize
        let resolved = try ResolvedProxy.resolve(proxy, environment: environment)
        resolvedProxy = resolved
        var configuration = HTTPClient.Configuration.failingFast(connectTimeout: connectTimeout, readTimeout: timeout)
        configuration.tlsConfiguration = try Self.tlsConfiguration(auth: auth, trust: tls)
        configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = 64
        // Only a `.system` proxy with `no_proxy` exclusions needs both kinds of connections.
        direct = resolved == nil || !(resolved?.bypass.isEmpty ?? true) ? HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration) : nil
        if let resolved {
            configuration.proxy = resolved.proxy
            proxied = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
        } else {
            proxied = nil
        }
    }

    /// Runs `body` with a new client and shuts the client down afterwards, whether `body` succeeds or throws.
    public static func with<T: Sendable>(
        auth: Authentication = .none,
        proxy: Proxy = .system,
        tls: ServerTrust = .system,
        timeout: Duration = .seconds(30),
        userAgent: String = TAXIIHTTPBinding.defaultUserAgent,
        _ body: (TAXIIClient) async throws -> T
    ) async throws -> T {
        let client = try TAXIIClient(auth: auth, proxy: proxy, tls: tls, timeout: timeout, userAgent: userAgent)
        let result: T
        do {
            result = try await body(client)
        } catch {
            try? await client.shutdown()
            throw error
        }
        try await client.shutdown()
        return result
    }

    /// Closes the client's connections, once: later calls return at once. Call it when done
    /// with the client; requests after it fail.
    public func shutdown() async throws {
        guard !isShutDown.exchange(true, ordering: .acquiringAndReleasing) else { return }
        try await direct?.shutdown()
        try await proxied?.shutdown()
    }

    /// Posts `message` to the service at `url` and returns the message that answers it.
    ///
    /// A reply without `X-TAXII-Content-Type` comes back as a `FAILURE` Status Message, as libtaxii
    /// makes it (see ``TAXIIHTTPBinding/message(from:version:inResponseTo:url:)``). A TAXII status
    /// (`UNAUTHORIZED`, `NOT_FOUND`, …) is a reply like any other: look at its status type.
    ///
    /// - Throws: ``TAXIIClientError`` for a bad URL, a network, TLS or proxy failure, a timeout,
    ///   an HTTP error status, a reply in an unsupported binding or not a TAXII message, or a message
    ///   that does not answer the request (another response type or version).
    public func call(_ url: String, _ message: some TAXIIMessage) async throws(TAXIIClientError) -> TAXII.Message {
        let version = type(of: message).version
        let xml: [UInt8]
        do {
            xml = try message.xmlBytes()
        } catch {
            throw TAXIIClientError(.configuration, url: url, "cannot write the request: \(error)")
        }
        let reply = try await post(url, body: xml, version: version)
        let answer: TAXII.Message
        do throws(TAXIIBindingError) {
            answer = try TAXIIHTTPBinding.message(from: reply, version: version, inResponseTo: message.messageID)
            try TAXIIHTTPBinding.check(answer, answers: type(of: message).messageType, version: version)
        } catch {
            throw TAXIIClientError(error, url: url)
        }
        return answer
    }

    /// Posts `message` (of either version) to the service at `url`; see ``call(_:_:)-(String,TAXIIMessage)``.
    public func call(_ url: String, _ message: TAXII.Message) async throws(TAXIIClientError) -> TAXII.Message {
        try await call(url, message.message)
    }

    /// Posts `body`, a message of `version`, with the binding's headers and returns the HTTP reply as it came.
    public func post(_ url: String, body: [UInt8], version: TAXII.Version) async throws(TAXIIClientError) -> TAXIIHTTPBinding.Reply {
        guard let parsed = URL(string: url), let scheme = parsed.scheme?.lowercased(), scheme == "http" || scheme == "https",
              let host = parsed.host, !host.isEmpty
        else {
            throw TAXIIClientError(.invalidURL, url: url, "not an absolute http:// or https:// URL")
        }
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        for header in TAXIIHTTPBinding.requestHeaders(version: version, https: scheme == "https", authorization: auth.authorizationHeader, userAgent: userAgent) {
            request.headers.add(name: header.name, value: header.value)
        }
        request.body = .bytes(ByteBuffer(bytes: body))
        let client = route(host: host.hasPrefix("[") ? String(host.dropFirst().dropLast()) : host)
        do {
            let response = try await client.execute(request, timeout: TimeAmount(timeout))
            var buffer = try await response.body.collect(upTo: maximumReplySize)
            return TAXIIHTTPBinding.Reply(
                status: Int(response.status.code),
                reason: response.status.reasonPhrase,
                headers: response.headers.map { TAXIIHTTPBinding.Reply.Header(name: $0.name, value: $0.value) },
                body: buffer.readBytes(length: buffer.readableBytes) ?? []
            )
        } catch {
            let failure = TransportFailure(
                classifying: error, timeout: timeout, connectTimeout: connectTimeout,
                proxy: client === proxied ? resolvedProxy?.address : nil, maximumReplySize: maximumReplySize)
            throw TAXIIClientError(failure, url: url)
        }
    }

    /// The connections to use for `host`: through the proxy unless `no_proxy` lists it.
    func route(host: String) -> HTTPClient {
        if let proxied, let resolvedProxy, !resolvedProxy.bypasses(host) { return proxied }
        return direct ?? proxied!
    }

    /// The TLS configuration for `https` URLs: ``TLSPolicy``'s rules, the server trust, the client certificate.
    static func tlsConfiguration(auth: Authentication, trust: ServerTrust) throws(TAXIIClientError) -> TLSConfiguration {
        let files = auth.certificateFiles
        let caPath: String? = if case .ca(let path) = trust { path } else { nil }
        do {
            return try TLSPolicy.client(caPath: caPath, certificatePath: files?.certificatePath, keyPath: files?.keyPath, verifyServer: trust != .insecure)
        } catch {
            throw TAXIIClientError(.configuration, url: "", error.description)
        }
    }
}

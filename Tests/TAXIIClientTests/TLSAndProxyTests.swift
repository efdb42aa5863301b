import BastionTLS
import NIOSSL
import Testing
import TestSupport
import TAXII
@testable import TAXIIClient

@Suite("TAXIIClient over HTTPS and through proxies")
struct TLSAndProxyTests {
    let pki = TestPKI.shared

    func mutualTLSServer() throws -> TLSConfiguration {
        try TLSPolicy.server(certificatePath: pki.path(.serverCertificate), keyPath: pki.path(.serverPrivateKey), clientCAPath: pki.path(.caCertificate))
    }

    @Test("HTTPS with a client certificate: the exchange works, X-TAXII-Protocol says https")
    func clientCertificate() async throws {
        try await TestServer.with(tls: try mutualTLSServer(), respond: { Replies.discovery11(to: $0, https: true) }) { server in
            let reply = try await withClient(auth: pki.certificateAuth(), tls: .ca(path: pki.path(.caCertificate))) {
                try await $0.call(server.url, TAXII11.DiscoveryRequest())
            }
            #expect(reply.messageType == .discoveryResponse)
            #expect(server.requests.first?.header("X-TAXII-Protocol") == TAXII.VersionID.https10)
        }
    }

    @Test("HTTPS with certificate and Basic authentication together")
    func both() async throws {
        try await TestServer.with(tls: try mutualTLSServer(), respond: { Replies.discovery11(to: $0, https: true) }) { server in
            let auth = TAXIIClient.Authentication.both(
                username: "u", password: "p", certificatePath: pki.path(.clientCertificate), keyPath: pki.path(.clientPrivateKey))
            _ = try await withClient(auth: auth, tls: .ca(path: pki.path(.caCertificate))) { try await $0.call(server.url, TAXII11.DiscoveryRequest()) }
            #expect(server.requests.first?.header("Authorization") == auth.authorizationHeader)
        }
    }

    @Test("without a client certificate, or with one from another CA: a TLS error")
    func refusedClient() async throws {
        try await TestServer.with(tls: try mutualTLSServer(), respond: { Replies.discovery11(to: $0, https: true) }) { server in
            for auth in [TAXIIClient.Authentication.none, pki.certificateAuth(other: true)] {
                let error = await clientError {
                    _ = try await withClient(auth: auth, tls: .ca(path: pki.path(.caCertificate))) { try await $0.call(server.url, TAXII11.DiscoveryRequest()) }
                }
                #expect(error?.kind == .tls || error?.kind == .transport, "\(String(describing: error))")
            }
            #expect(server.requests.isEmpty)
        }
    }

    @Test("a server certificate from an untrusted CA: a TLS error; --insecure-like trust accepts it")
    func untrustedServer() async throws {
        try await TestServer.with(tls: try mutualTLSServer(), respond: { Replies.discovery11(to: $0, https: true) }) { server in
            let error = await clientError {
                _ = try await withClient(auth: pki.certificateAuth(), tls: .ca(path: pki.path(.caCertificate, other: true))) { try await $0.call(server.url, TAXII11.DiscoveryRequest()) }
            }
            #expect(error?.kind == .tls, "\(String(describing: error))")
            let reply = try await withClient(auth: pki.certificateAuth(), tls: .insecure) { try await $0.call(server.url, TAXII11.DiscoveryRequest()) }
            #expect(reply.messageType == .discoveryResponse)
        }
    }

    @Test("plain HTTP through a proxy: tunnelled with CONNECT")
    func forwardProxy() async throws {
        try await TestProxy.with { proxy in
            try await TestServer.with(respond: { Replies.discovery11(to: $0) }) { server in
                let reply = try await withClient(proxy: .url(proxy.url)) { try await $0.call(server.url, TAXII11.DiscoveryRequest()) }
                #expect(reply.messageType == .discoveryResponse)
                #expect(proxy.requestLines == ["CONNECT 127.0.0.1:\(server.port) HTTP/1.1"])
                #expect(server.requests.count == 1)
            }
        }
    }

    @Test("HTTPS with a client certificate through a CONNECT proxy")
    func connectProxy() async throws {
        try await TestProxy.with { proxy in
            try await TestServer.with(tls: try mutualTLSServer(), respond: { Replies.discovery11(to: $0, https: true) }) { server in
                let reply = try await withClient(auth: pki.certificateAuth(), proxy: .url(proxy.url), tls: .ca(path: pki.path(.caCertificate))) {
                    try await $0.call(server.url, TAXII11.DiscoveryRequest())
                }
                #expect(reply.messageType == .discoveryResponse)
                #expect(proxy.requestLines == ["CONNECT 127.0.0.1:\(server.port) HTTP/1.1"])
            }
        }
    }

    @Test("the system proxy from the environment, and no_proxy bypassing it")
    func systemProxy() async throws {
        try await TestProxy.with { proxy in
            try await TestServer.with(respond: { Replies.discovery11(to: $0) }) { server in
                let viaProxy = try TAXIIClient(proxy: .system, environment: ["http_proxy": proxy.url])
                _ = try await viaProxy.call(server.url, TAXII11.DiscoveryRequest())
                try await viaProxy.shutdown()
                #expect(proxy.requestLines.count == 1)
                let bypassing = try TAXIIClient(proxy: .system, environment: ["http_proxy": proxy.url, "no_proxy": "127.0.0.1"])
                _ = try await bypassing.call(server.url, TAXII11.DiscoveryRequest())
                try await bypassing.shutdown()
                #expect(proxy.requestLines.count == 1)
                #expect(server.requests.count == 2)
            }
        }
    }

    @Test("a proxy requiring credentials: accepted with them in the proxy URL, a proxy error without")
    func proxyAuthentication() async throws {
        try await TestProxy.with(requiredAuthorization: "Basic cHg6cHhwYXNz") { proxy in
            try await TestServer.with(respond: { Replies.discovery11(to: $0) }) { server in
                let withCredentials = "http://px:pxpass@127.0.0.1:\(proxy.port)"
                let reply = try await withClient(proxy: .url(withCredentials)) { try await $0.call(server.url, TAXII11.DiscoveryRequest()) }
                #expect(reply.messageType == .discoveryResponse)
                let error = await clientError { _ = try await withClient(proxy: .url(proxy.url)) { try await $0.call(server.url, TAXII11.DiscoveryRequest()) } }
                #expect(error?.kind == .proxy, "\(String(describing: error))")
                #expect(error?.message == "the proxy \(proxy.url) requires authentication (407)")
            }
        }
    }

    @Test("a proxy that is not there: connectionRefused naming the proxy")
    func proxyDown() async throws {
        let proxyURL = "http://127.0.0.1:\(try Loopback.closedPort())"
        let error = await clientError {
            _ = try await withClient(proxy: .url(proxyURL)) { try await $0.call("http://192.0.2.1/services/discovery", TAXII11.DiscoveryRequest()) }
        }
        #expect(error?.kind == .connectionRefused, "\(String(describing: error))")
        #expect(error?.message == "connection refused by proxy \(proxyURL)")
    }
}

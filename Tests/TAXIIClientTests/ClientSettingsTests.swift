import Foundation
import Testing
import TAXII
@testable import TAXIIClient

@Suite("Client credentials")
struct CredentialTests {
    @Test("Basic credentials are base64 of user:password")
    func basic() {
        #expect(TAXIIClient.Authentication.basic(username: "Aladdin", password: "open sesame").authorizationHeader == "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==")
        #expect(TAXIIClient.Authentication.certificate(certificatePath: "c", keyPath: "k").authorizationHeader == nil)
    }
}

@Suite("Proxy settings")
struct ProxySettingTests {
    @Test("system: https_proxy first, no_proxy honoured")
    func system() throws {
        let resolved = try #require(try ResolvedProxy.resolve(.system, environment: ["HTTP_PROXY": "http://a:1", "https_proxy": "http://b:3128", "no_proxy": "localhost, .internal.example,10.0.0.1"]))
        #expect(resolved.proxy == .server(host: "b", port: 3128))
        #expect(resolved.bypasses("localhost"))
        #expect(resolved.bypasses("taxii.internal.example"))
        #expect(resolved.bypasses("10.0.0.1"))
        #expect(!resolved.bypasses("taxii.example.com"))
        #expect(try ResolvedProxy.resolve(.system, environment: [:]) == nil)
        #expect(try ResolvedProxy.resolve(.none, environment: ["http_proxy": "http://a:1"]) == nil)
    }

    @Test("an explicit URL with credentials, default port, socks5")
    func explicit() throws {
        let withCredentials = try #require(try ResolvedProxy.resolve(.url("http://user:p%40ss@proxy.example.com:8080/"), environment: [:]))
        #expect(withCredentials.proxy == .server(host: "proxy.example.com", port: 8080, authorization: .basic(username: "user", password: "p@ss")))
        #expect(try ResolvedProxy.resolve(.url("proxy.example.com"), environment: [:])?.proxy == .server(host: "proxy.example.com", port: 80))
        #expect(try ResolvedProxy.resolve(.url("socks5://[::1]:9050"), environment: [:])?.proxy == .socksServer(host: "::1", port: 9050))
    }

    @Test("malformed proxies are configuration errors", arguments: ["ftp://proxy:21", "http://proxy:99999", "http://:80", "http://proxy:80/path"])
    func malformed(_ address: String) {
        #expect(throws: TAXIIClientError.self) { try ResolvedProxy.resolve(.url(address), environment: [:]) }
    }
}

@Suite("Timestamps and Foundation dates")
struct TimestampDateTests {
    @Test("a Date becomes a timestamp in libtaxii's form, and back")
    func dates() throws {
        let timestamp = TAXII.Timestamp(date: Date(timeIntervalSince1970: 1_420_070_400.25))
        #expect(timestamp.lexicalForm == "2015-01-01T00:00:00.250000+00:00")
        let parsed = try #require(TAXII.Timestamp("2015-01-01T05:30:00.5+05:30"))
        #expect(parsed.date == Date(timeIntervalSince1970: 1_420_070_400.5))
    }
}

import ArgumentParser
import AsyncHTTPClient
import BastionHTTPClient
import Foundation
import NIOSSL
import OpenC2
import OpenC2HTTPS

/// Options that say how a Producer reaches a Consumer.
struct ProducerOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The Consumer: https://host:port (the path defaults to /.well-known/openc2).", valueName: "url"))
    var to: String

    @Option(help: ArgumentHelp("The Producer's client certificate (PEM), for mutual TLS.", valueName: "file"))
    var cert: String?

    @Option(help: ArgumentHelp("The client certificate's private key (PEM).", valueName: "file"))
    var key: String?

    @Option(help: ArgumentHelp("The CA that signed the Consumer's certificate (PEM); system roots when omitted.", valueName: "file"))
    var ca: String?

    @Option(help: "The HTTPS transfer version: v1.1 (message envelope) or v1.0 (bare command).")
    var wire: WireFormat = .v1_1

    @Option(help: ArgumentHelp("Seconds to wait for the reply once connected.", valueName: "seconds"))
    var timeout: Int = 30

    @Option(name: .customLong("connect-timeout"), help: ArgumentHelp(
        "Seconds to wait for a connection when the Consumer's host drops packets. A refused connection, an unknown host or a failed TLS handshake is reported at once.",
        valueName: "seconds"))
    var connectTimeout: Int = 5

    @Flag(help: "Do not verify the Consumer's certificate. For testing only: anyone can impersonate the Consumer.")
    var insecure = false

    @Flag(help: "Print the reply as compact JSON (and nothing else).")
    var json = false

    /// The endpoint URL with the default path added when there is none.
    var endpoint: String {
        guard let schemeEnd = to.range(of: "://") else { return to }
        let rest = to[schemeEnd.upperBound...]
        return rest.contains("/") ? to : to + "/.well-known/openc2"
    }

    func validate() throws {
        guard to.hasPrefix("https://") || to.hasPrefix("http://") else {
            throw ValidationError("--to must be an http:// or https:// URL, got '\(to)'")
        }
        if (cert == nil) != (key == nil) { throw ValidationError("--cert and --key go together") }
        guard (1...86_400).contains(timeout) else { throw ValidationError("--timeout must be 1…86400 seconds") }
        guard (1...86_400).contains(connectTimeout) else { throw ValidationError("--connect-timeout must be 1…86400 seconds") }
    }

    /// The TLS settings for an `https` Consumer (`nil` for `http`).
    func tlsConfiguration() throws -> TLSConfiguration? {
        guard to.hasPrefix("https://") else { return nil }
        return try TLSPolicy.client(caPath: ca, certificatePath: cert, keyPath: key, verifyServer: !insecure)
    }

    /// The client configuration: fails fast on a connection that cannot be made, and carries
    /// the TLS settings (so the connection pool does not hash them for every request).
    func clientConfiguration() throws -> HTTPClient.Configuration {
        var configuration = HTTPClient.Configuration.failingFast(connectTimeout: .seconds(connectTimeout))
        configuration.tlsConfiguration = try tlsConfiguration()
        return configuration
    }

    /// Runs `body` with a Producer for the Consumer, and closes its connections afterwards.
    func withProducer<T: Sendable>(profiles: [any OpenC2Profile] = [], _ body: (Producer) async throws -> T) async throws -> T {
        let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: try clientConfiguration())
        let producer = Producer(endpoint: endpoint, wireFormat: wire, timeout: .seconds(timeout), profiles: profiles, httpClient: client)
        let result: T
        do {
            result = try await body(producer)
        } catch {
            try? await client.shutdown()
            throw error
        }
        try await client.shutdown()
        return result
    }

    /// Sends `command`, prints the reply, and exits with a status reflecting the OpenC2 status:
    /// 0 for 200/102, 4 for a 4xx, 5 for a 5xx, 3 when no valid reply came.
    func send(_ command: Command) async throws {
        if insecure { FileHandleOutput.warn("warning: --insecure: the Consumer's certificate is not verified") }
        let reply: ProducerReply
        do {
            reply = try await withProducer { producer in try await producer.send(command) }
        } catch {
            FileHandleOutput.warn("error: \(error)")
            throw ExitCode(3)
        }
        guard let response = reply.response else {
            if !json { print("HTTP \(reply.httpStatus), no response body (response_requested: none) — request \(reply.requestID)") }
            throw reply.httpStatus / 100 == 2 ? ExitCode.success : ExitCode(Int32(reply.httpStatus / 100))
        }
        if json {
            print(OpenC2Encoder().string(response))
        } else {
            print("\(response.status) — request \(reply.requestID)")
            print(OpenC2Encoder(prettyPrinted: true).string(response))
        }
        switch response.status.rawValue / 100 {
        case 1, 2: return
        case let hundreds: throw ExitCode(Int32(hundreds))
        }
    }
}

extension WireFormat: ExpressibleByArgument {}

/// Writing to standard error.
enum FileHandleOutput {
    static func warn(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }
}

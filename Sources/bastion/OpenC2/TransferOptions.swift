import ArgumentParser
import AsyncHTTPClient
import BastionHTTPClient
import Foundation
import NIOSSL
import OpenC2
import OpenC2HTTPS
import OpenC2SLPF

/// Options that say how a Producer reaches a Consumer.
struct ProducerOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The Consumer: https://host:port (the path defaults to /.well-known/openc2); repeat to send to several at once.", valueName: "url"))
    var to: [String] = []

    @Option(name: .customLong("to-file"), help: ArgumentHelp("A file of Consumer URLs, one per line (# comments): send to all of them at once.", valueName: "file"))
    var toFile: String?

    @Option(help: ArgumentHelp("With several Consumers: exchanges in flight at once.", valueName: "count"))
    var concurrency: Int = 64

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

    /// The first Consumer's endpoint (the one Consumer of a single exchange).
    var endpoint: String { (try? endpoints())?.first ?? "" }

    /// Every Consumer's endpoint, the default path added where there is none: the `--to`s, then the `--to-file` lines.
    func endpoints() throws -> [String] {
        var urls = to
        if let toFile {
            let text: String
            do { text = try String(contentsOfFile: toFile, encoding: .utf8) } catch { throw CLIError("--to-file \(toFile): \(error.localizedDescription)") }
            for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                let url = (line.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? "").trimmingCharacters(in: .whitespaces)
                guard !url.isEmpty else { continue }
                guard url.hasPrefix("https://") || url.hasPrefix("http://") else { throw CLIError("\(toFile):\(index + 1): '\(url)' is not an http:// or https:// URL") }
                urls.append(url)
            }
        }
        return urls.map { url in
            guard let schemeEnd = url.range(of: "://") else { return url }
            return url[schemeEnd.upperBound...].contains("/") ? url : url + "/.well-known/openc2"
        }
    }

    func validate() throws {
        guard !to.isEmpty || toFile != nil else { throw ValidationError("name the Consumer with --to (or --to-file)") }
        if let bad = to.first(where: { !($0.hasPrefix("https://") || $0.hasPrefix("http://")) }) {
            throw ValidationError("--to must be an http:// or https:// URL, got '\(bad)'")
        }
        guard (1...10_000).contains(concurrency) else { throw ValidationError("--concurrency must be 1…10000") }
        if (cert == nil) != (key == nil) { throw ValidationError("--cert and --key go together") }
        guard (1...86_400).contains(timeout) else { throw ValidationError("--timeout must be 1…86400 seconds") }
        guard (1...86_400).contains(connectTimeout) else { throw ValidationError("--connect-timeout must be 1…86400 seconds") }
    }

    /// The TLS settings for `https` Consumers (`nil` when every one is `http`).
    func tlsConfiguration() throws -> TLSConfiguration? {
        guard try endpoints().contains(where: { $0.hasPrefix("https://") }) else { return nil }
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

    /// Sends `command`, hands the reply to `keep`, prints it, and exits with a status reflecting
    /// the OpenC2 status: 0 for 200/102, 4 for a 4xx, 5 for a 5xx, 3 when no valid reply came.
    func send(_ command: Command, keep: (ProducerReply) async -> Void = { _ in }) async throws {
        if insecure { FileHandleOutput.warn("warning: --insecure: the Consumer's certificate is not verified") }
        let endpoints = try endpoints()
        if endpoints.count > 1 || toFile != nil { return try await fanOut(command, to: endpoints) }
        let reply: ProducerReply
        do {
            reply = try await withProducer { producer in try await producer.send(command) }
        } catch {
            FileHandleOutput.warn("error: \(error)")
            throw ExitCode(3)
        }
        await keep(reply)
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

extension ProducerOptions {
    /// Sends `command` to every endpoint at once; one line per Consumer (URL, HTTP status, OpenC2
    /// status, result or error, milliseconds), or a JSON array; exit 0 only if all answered 2xx.
    func fanOut(_ command: Command, to endpoints: [String]) async throws {
        let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: try clientConfiguration())
        var results: [FanOutResult] = []
        for await result in Producer.fanOut(
            command, to: endpoints, tls: try tlsConfiguration(), wireFormat: wire, timeout: .seconds(timeout), concurrency: concurrency,
            profiles: [SLPFProfile()], httpClient: client
        ) {
            results.append(result)
            if !json { print(Self.line(result)) }
        }
        try? await client.shutdown()
        if json {
            let objects: [[String: Any]] = results.map { result in
                [
                    "url": result.endpoint, "http_status": result.reply?.httpStatus as Any,
                    "status": result.reply?.response.map { Int($0.status.rawValue) } as Any,
                    "rule_number": result.reply?.response?.results?.slpf?.ruleNumber as Any,
                    "status_text": result.reply?.response?.statusText as Any, "error": result.error?.description as Any,
                    "milliseconds": Self.milliseconds(result.duration),
                ]
            }
            print(String(decoding: try JSONSerialization.data(withJSONObject: objects, options: [.sortedKeys, .withoutEscapingSlashes]), as: UTF8.self))
        }
        let failed = results.filter { !$0.succeeded }.count
        if failed > 0 {
            FileHandleOutput.warn("error: \(failed) of \(results.count) Consumers did not answer 2xx")
            throw ExitCode(results.contains { $0.reply == nil } ? 3 : 4)
        }
    }

    static func line(_ result: FanOutResult) -> String {
        let time = "\(milliseconds(result.duration)) ms"
        guard let reply = result.reply else { return "\(result.endpoint)  -  -  \(result.error?.description ?? "no reply")  \(time)" }
        let response = reply.response
        let detail = response?.results?.slpf?.ruleNumber.map { "rule_number \($0)" } ?? response?.statusText ?? ""
        return "\(result.endpoint)  HTTP \(reply.httpStatus)  \(response.map { String($0.status.rawValue) } ?? "-")  \(detail)  \(time)"
    }

    static func milliseconds(_ duration: Duration) -> Int {
        let (seconds, attoseconds) = duration.components
        return Int(seconds * 1000 + attoseconds / 1_000_000_000_000_000)
    }
}

extension WireFormat: ExpressibleByArgument {}

/// Writing to standard error.
enum FileHandleOutput {
    static func warn(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }
}

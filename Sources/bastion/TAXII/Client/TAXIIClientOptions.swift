import ArgumentParser
import Foundation
import TAXII
import TAXIIClient

/// The options every `bastion taxii` client command takes: libtaxii's script options
/// (`--url`, `--xml-output`, `--from-file`, the deprecated `--host/--port/--path/--https`, and
/// the connection's: `--cert`, `--key`, `--username`, `--pass`, `--proxy`, `--verify-server`)
/// and Bastion's (`--taxii-version`, `--json`, `--timeout`, `--insecure`).
struct TAXIIClientOptions: ParsableArguments {
    @Option(name: [.customShort("u"), .long], help: ArgumentHelp("The TAXII service's URL, e.g. https://taxii.example.com/services/discovery.", valueName: "url"))
    var url: String?

    @OptionGroup var connection: TAXIIConnectionOptions

    @Flag(name: .customLong("xml-output"), help: "Print the reply as XML rather than as text.")
    var xmlOutput = false

    @Flag(help: "Print each reply as one line of JSON (libtaxii's dictionary form).")
    var json = false

    @Option(name: .customLong("taxii-version"), help: ArgumentHelp("The TAXII version to speak: 1.1 or 1.0.", valueName: "version"))
    var taxiiVersion: String = "1.1"

    @Option(name: .customLong("from-file"), help: ArgumentHelp("Read options from this file: a [libtaxii] section of `name = value` lines (libtaxii's format); they take precedence over the command line.", valueName: "file"))
    var fromFile: String?

    @Option(help: .hidden) var host: String?
    @Option(help: .hidden) var port: Int?
    @Option(help: .hidden) var path: String?
    @Option(help: .hidden) var https: String?

    /// The TAXII version asked for.
    var version: TAXII.Version { TAXII.Version(rawValue: taxiiVersion) ?? .v11 }

    func validate() throws {
        guard TAXII.Version(rawValue: taxiiVersion) != nil else { throw ValidationError("--taxii-version must be 1.1 or 1.0, got '\(taxiiVersion)'") }
        if json && xmlOutput { throw ValidationError("give --json or --xml-output, not both") }
        if url != nil, deprecatedGiven { throw ValidationError("give --url or the deprecated --host/--port/--path/--https, not both") }
        if url == nil, !deprecatedGiven { throw ValidationError("give the service's URL with --url") }
    }

    private var deprecatedGiven: Bool { host != nil || port != nil || path != nil || https != nil }

    /// The service URL: `--url`, or one made of the deprecated options (with a warning).
    func serviceURL() throws -> String {
        if let url { return url }
        for (name, given) in [("host", host != nil), ("port", port != nil), ("path", path != nil), ("https", https != nil)] where given {
            TAXIIOutput.warn("warning: --\(name) is deprecated; use --url")
        }
        let secure = ["true", "yes", "1"].contains(https?.lowercased() ?? "false")
        let made = "\(secure ? "https" : "http")://\(host ?? "localhost")\(port.map { ":\($0)" } ?? "")\(path ?? "/")"
        TAXIIOutput.warn("warning: deprecated options read as --url \(made)")
        return made
    }

    /// Sends `request`, prints the reply, and fails (exit 1) unless it is a success.
    func send(_ request: TAXII.Message) async throws {
        try await withSession { session in
            try session.requireSuccess(try await session.exchange(request))
        }
    }

    /// Runs `body` with a session on the service, shutting the client down afterwards. Client
    /// errors print one line on standard error and exit with status 3.
    func withSession(_ body: (TAXIISession) async throws -> Void) async throws {
        let url = try serviceURL()
        let client = try connection.client(for: url)
        let session = TAXIISession(client: client, url: url, options: self)
        do {
            try await body(session)
        } catch {
            try? await client.shutdown()
            throw error
        }
        try? await client.shutdown()
    }
}

/// How a TAXII client connects: credentials, proxy, server trust, timeout (the options
/// `bastion taxii` client commands and `bastion bridge` share).
struct TAXIIConnectionOptions: ParsableArguments {
    @Option(help: ArgumentHelp("The client certificate (PEM) for TLS client authentication; needs --key.", valueName: "file"))
    var cert: String?

    @Option(help: ArgumentHelp("The client certificate's private key (PEM).", valueName: "file"))
    var key: String?

    @Option(help: ArgumentHelp("The user name for HTTP Basic authentication; needs --pass.", valueName: "name"))
    var username: String?

    @Option(name: .customLong("pass"), help: ArgumentHelp("The password for HTTP Basic authentication.", valueName: "password"))
    var password: String?

    @Option(help: ArgumentHelp("The proxy: http://[user:pass@]host:port, socks5://host:port, 'noproxy' for none, 'system' (the default: http(s)_proxy and no_proxy from the environment).", valueName: "proxy"))
    var proxy: String = "system"

    @Option(name: .customLong("verify-server"), help: ArgumentHelp("Verify the server's certificate against this CA file (PEM) rather than the system's roots.", valueName: "ca-file"))
    var verifyServer: String?

    @Flag(help: "Do not verify the server's certificate. For testing only: anyone can impersonate the server.")
    var insecure = false

    @Option(help: ArgumentHelp("Seconds to wait for each reply.", valueName: "seconds"))
    var timeout: Int = 30

    func validate() throws {
        if (cert == nil) != (key == nil) { throw ValidationError("--cert and --key go together") }
        if (username == nil) != (password == nil) { throw ValidationError("--username and --pass go together") }
        guard timeout > 0 else { throw ValidationError("--timeout must be positive") }
    }

    /// The authentication the options ask for.
    var authentication: TAXIIClient.Authentication {
        switch (cert.flatMap { c in key.map { (c, $0) } }, username.flatMap { u in password.map { (u, $0) } }) {
        case let (files?, credentials?): .both(username: credentials.0, password: credentials.1, certificatePath: files.0, keyPath: files.1)
        case let (files?, nil): .certificate(certificatePath: files.0, keyPath: files.1)
        case let (nil, credentials?): .basic(username: credentials.0, password: credentials.1)
        case (nil, nil): .none
        }
    }

    /// The proxy setting (`noproxy`/`none` → none, `system`/`None` → the environment's, else a URL).
    var proxySetting: TAXIIClient.Proxy {
        switch proxy {
        case "noproxy", "none": .none
        case "system", "None", "": .system
        default: .url(proxy)
        }
    }

    /// How the server's certificate is checked.
    var trust: TAXIIClient.ServerTrust { insecure ? .insecure : verifyServer.map { .ca(path: $0) } ?? .system }

    /// A client for `url`, with warnings for what is unsafe; a client error prints one line and exits 3.
    func client(for url: String) throws -> TAXIIClient {
        if insecure { TAXIIOutput.warn("warning: --insecure: the server's certificate is not verified") }
        if authentication.authorizationHeader != nil, url.lowercased().hasPrefix("http://") {
            TAXIIOutput.warn("warning: Basic authentication over plain HTTP sends the password in clear text")
        }
        do {
            return try TAXIIClient(auth: authentication, proxy: proxySetting, tls: trust, timeout: .seconds(timeout))
        } catch {
            throw TAXIIOutput.failure(error.description)
        }
    }
}

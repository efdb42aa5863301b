import ArgumentParser
import BastionConfig
import BastionHTTPServer
import BastionMetrics
import BastionTLS
import Foundation
import Logging
import ServiceLifecycle
import Synchronization
import TAXII
import TAXIIServer

/// `bastion taxii server …`
struct TAXIIServerGroup: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "server",
        abstract: "Run a TAXII 1.1 server (answering TAXII 1.0 too): discovery, collection management, inbox, poll.",
        subcommands: [TAXIIServerRunCommand.self, TAXIIHashPasswordCommand.self],
        defaultSubcommand: TAXIIServerRunCommand.self
    )
}

/// `bastion taxii server [run]`
struct TAXIIServerRunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Serve TAXII until SIGINT or SIGTERM.",
        discussion: """
        Serves /services/discovery, /services/collection-management, /services/inbox and /services/poll.
        Without options: one data-feed collection `default` that accepts any content, kept in
        ./bastion-taxii.sqlite, served anonymously over plain HTTP on 127.0.0.1:9000. Each --user adds a
        user; HTTP Basic authentication is then required on collection management, inbox and poll.
        --config reads the settings (collections, users with password hashes, paths, HTTPS) from a YAML
        file; --init-config FILE writes a commented one. Options given here win over the file.
        """
    )

    @Option(help: ArgumentHelp("A YAML settings file (see --init-config).", valueName: "file"))
    var config: String?

    @Option(name: .customLong("init-config"), help: ArgumentHelp("Write a commented settings file and exit.", valueName: "file"))
    var initConfig: String?

    @Option(help: ArgumentHelp("Where content is kept: sqlite:PATH (default sqlite:bastion-taxii.sqlite), or postgres://user:password@host:port/database for several servers sharing one database.", valueName: "url"))
    var database: String?

    @Option(help: "The address to listen on (default 127.0.0.1).")
    var host: String?

    @Option(help: "The port to listen on (default 9000).")
    var port: Int?

    @Option(help: ArgumentHelp("The server's certificate (PEM): serve HTTPS.", valueName: "file"))
    var cert: String?

    @Option(help: ArgumentHelp("The certificate's private key (PEM).", valueName: "file"))
    var key: String?

    @Option(name: .customLong("client-ca"), help: ArgumentHelp("Require client certificates from this CA (PEM).", valueName: "file"))
    var clientCA: String?

    @Option(name: .customLong("user"), help: ArgumentHelp("A user NAME:PASSWORD (repeatable; may read and write every collection); users make authentication required.", valueName: "name:password"))
    var users: [String] = []

    @Option(name: .customLong("collection"), help: ArgumentHelp("A data-feed collection accepting any content (repeatable; replaces the file's collections).", valueName: "name"))
    var collections: [String] = []

    @Option(name: .customLong("page-size"), help: ArgumentHelp("Content blocks per Poll Response part (default 100).", valueName: "count"))
    var pageSize: Int?

    @Option(name: .customLong("max-body"), help: ArgumentHelp("The largest request accepted, in bytes (default 16 MiB).", valueName: "bytes"))
    var maxBody: Int?

    @Flag(name: .customLong("advertise-query"), help: "List the TAXII Default Query support in Discovery (cabby cannot read a Discovery Response that has it).")
    var advertiseQuery = false

    @Flag(name: .customLong("access-log"), help: "Log every request at info: peer, method, path, status, duration.")
    var accessLog = false

    @Option(help: ArgumentHelp("Serve GET /metrics (Prometheus text format) and GET /health over plain HTTP on this address, e.g. 127.0.0.1:9465. Off by default.", valueName: "host:port"))
    var metrics: String?

    func validate() throws {
        if let metrics {
            do { _ = try HostAndPort(parsing: metrics, key: "--metrics") } catch { throw ValidationError(error.description) }
        }
        if (cert == nil) != (key == nil) { throw ValidationError("--cert and --key go together") }
        for user in users where !user.contains(":") || user.hasPrefix(":") {
            throw ValidationError("--user takes NAME:PASSWORD, got '\(user)'")
        }
        if let database, !TAXIIServerSettings.isDatabaseURL(database) {
            throw ValidationError("--database must be sqlite:PATH or postgres://user:password@host:port/database, got '\(database)'")
        }
    }

    /// The file's settings with the command line's on top.
    func settings() throws -> TAXIIServerSettings {
        var settings: TAXIIServerSettings
        do {
            settings = try config.map { try TAXIIServerSettings.load(yamlFile: $0) } ?? TAXIIServerSettings.decode(yaml: "", file: "(defaults)")
        } catch {
            throw CLIError("\(error)")
        }
        if let host { settings.host = host }
        if let port { settings.port = port }
        if let database { settings.database = database }
        if let pageSize { settings.pageSize = pageSize }
        if let maxBody { settings.maxBody = maxBody }
        if advertiseQuery { settings.advertiseDefaultQuery = true }
        if accessLog { settings.accessLog = true }
        if let cert, let key { settings.tls = TAXIIServerSettings.TLSSettings(cert: cert, key: key, clientCA: clientCA ?? settings.tls?.clientCA) }
        return settings
    }

    func run() async throws {
        if let initConfig {
            guard !FileManager.default.fileExists(atPath: initConfig) else { throw CLIError("\(initConfig) already exists; not overwriting it") }
            do { try TAXIIServerSettings.example.write(toFile: initConfig, atomically: true, encoding: .utf8) } catch {
                throw CLIError("cannot write \(initConfig): \(error.localizedDescription)")
            }
            print("wrote \(initConfig); run `bastion taxii server --config \(initConfig)`")
            return
        }
        let logger = Logger(label: "bastion.taxii.server")
        let settings = try settings()
        var configuration: TAXIIServerConfiguration
        do { configuration = try settings.configuration(file: config) } catch { throw CLIError("\(error)") }
        if !collections.isEmpty {
            configuration.collections = collections.map { TAXIICollection(name: $0, description: "Any content, as it arrives.") }
            configuration.inboxDestinations = collections
        }
        for user in users {
            let colon = user.firstIndex(of: ":")!
            do {
                configuration.users.append(TAXIIUser(name: String(user[..<colon]), password: try PasswordHash(hashing: String(user[user.index(after: colon)...]))))
            } catch {
                throw CLIError("cannot hash the password of \(user[..<colon]): \(error)")
            }
        }
        let transport: HTTPServerConfiguration.Transport
        if let tls = settings.tls {
            do {
                transport = .https(try TLSPolicy.server(certificatePath: tls.cert, keyPath: tls.key, clientCAPath: tls.clientCA))
            } catch {
                throw CLIError("\(error)")
            }
        } else {
            transport = .plainHTTP
        }
        let serving = ServingFlag()
        let database = settings.database ?? "sqlite:bastion-taxii.sqlite"
        let store: any TAXIIStore
        let location: String
        var services: [any Service] = []
        do {
            if database.hasPrefix("sqlite:") {
                let sqlite = try SQLiteTAXIIStore(path: String(database.dropFirst("sqlite:".count)))
                (store, location) = (sqlite, sqlite.path)
            } else {
                let postgres = try PostgresTAXIIStore(url: database, logger: logger)
                (store, location) = (postgres, postgres.location)
                services.append(postgres)
            }
        } catch {
            throw CLIError("\(error)")
        }
        let host = settings.host ?? "127.0.0.1"
        let http = HTTPServerConfiguration(
            name: "taxii", host: host, port: settings.port ?? 9000, transport: transport, maximumBodySize: settings.maxBody ?? 16 << 20,
            accessLog: settings.accessLog ?? false)
        let scheme = settings.tls == nil ? "http" : "https"
        let access = configuration.users.isEmpty ? "anonymous" : "\(configuration.users.count) user(s), Basic authentication"
        let collection = configuration.collections.first?.name ?? "default"
        let server = TAXIIServer(configuration: configuration, store: store, http: http, logger: logger) { port in
            serving.value.store(true, ordering: .relaxed)
            FileHandle.standardOutput.write(Data("""
                TAXII server on \(scheme)://\(host):\(port) (database \(location); \(access))
                  bastion taxii discovery --url \(scheme)://\(host):\(port)/services/discovery
                  bastion taxii inbox --url \(scheme)://\(host):\(port)/services/inbox
                  bastion taxii poll --url \(scheme)://\(host):\(port)/services/poll --collection \(collection)

                """.utf8))
        }
        if let metrics {
            let address = try HostAndPort(parsing: metrics, key: "--metrics")
            let endpoint = MetricsEndpoint(registry: MetricsEndpoint.bootstrap()) { serving.value.load(ordering: .relaxed) }
            services.append(endpoint.server(host: address.host, port: address.port, logger: logger) { port in
                FileHandle.standardOutput.write(Data("Metrics: http://\(address.host):\(port)/metrics (health: /health)\n".utf8))
            })
        }
        do {
            try await ServiceGroup(services: services + [server], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger).run()
        } catch let error as HTTPServerError {
            throw CLIError(error.message)
        } catch let error as TAXIIStoreError {
            throw CLIError(error.message)
        }
    }
}

/// Whether the TAXII server listens, for /health.
final class ServingFlag: Sendable {
    let value = Atomic<Bool>(false)
}

/// `bastion taxii server hash-password`
struct TAXIIHashPasswordCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hash-password",
        abstract: "Print a password hash (scrypt) for a TAXII server configuration file.",
        discussion: "Reads the password from standard input (one line), so that it stays out of the shell's history."
    )

    func run() throws {
        guard let line = readLine(strippingNewline: true), !line.isEmpty else {
            throw CLIError("no password on standard input")
        }
        do {
            print(try PasswordHash(hashing: line))
        } catch {
            throw CLIError("\(error)")
        }
    }
}

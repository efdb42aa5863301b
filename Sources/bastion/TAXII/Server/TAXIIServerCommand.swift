import ArgumentParser
import BastionHTTPServer
import BastionTLS
import Foundation
import Logging
import ServiceLifecycle
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
        """
    )

    @Option(help: ArgumentHelp("Where content is kept: sqlite:PATH.", valueName: "url"))
    var database = "sqlite:bastion-taxii.sqlite"

    @Option(help: "The address to listen on.")
    var host = "127.0.0.1"

    @Option(help: "The port to listen on.")
    var port = 9000

    @Option(help: ArgumentHelp("The server's certificate (PEM): serve HTTPS.", valueName: "file"))
    var cert: String?

    @Option(help: ArgumentHelp("The certificate's private key (PEM).", valueName: "file"))
    var key: String?

    @Option(name: .customLong("client-ca"), help: ArgumentHelp("Require client certificates from this CA (PEM).", valueName: "file"))
    var clientCA: String?

    @Option(name: .customLong("user"), help: ArgumentHelp("A user NAME:PASSWORD (repeatable); users make authentication required.", valueName: "name:password"))
    var users: [String] = []

    @Option(name: .customLong("collection"), help: ArgumentHelp("A data-feed collection accepting any content (repeatable; default: one named default).", valueName: "name"))
    var collections: [String] = []

    @Option(name: .customLong("page-size"), help: ArgumentHelp("Content blocks per Poll Response part.", valueName: "count"))
    var pageSize = 100

    @Option(name: .customLong("max-body"), help: ArgumentHelp("The largest request accepted, in bytes.", valueName: "bytes"))
    var maxBody = 16 << 20

    @Flag(name: .customLong("advertise-query"), help: "List the TAXII Default Query support in Discovery (cabby cannot read a Discovery Response that has it).")
    var advertiseQuery = false

    @Flag(name: .customLong("access-log"), help: "Log every request at info: peer, method, path, status, duration.")
    var accessLog = false

    func validate() throws {
        guard (0...65_535).contains(port) else { throw ValidationError("--port must be 0…65535") }
        guard (1...100_000).contains(pageSize) else { throw ValidationError("--page-size must be 1…100000") }
        guard (1_024...(1 << 30)).contains(maxBody) else { throw ValidationError("--max-body must be 1024 bytes…1 GiB") }
        if (cert == nil) != (key == nil) { throw ValidationError("--cert and --key go together") }
        if clientCA != nil, cert == nil { throw ValidationError("--client-ca needs --cert and --key (HTTPS)") }
        for user in users where !user.contains(":") || user.hasPrefix(":") {
            throw ValidationError("--user takes NAME:PASSWORD, got '\(user)'")
        }
        _ = try databasePath()
    }

    /// The SQLite file `--database` names.
    func databasePath() throws -> String {
        if database.hasPrefix("sqlite:") {
            let path = String(database.dropFirst("sqlite:".count))
            guard !path.isEmpty else { throw ValidationError("--database sqlite:PATH needs a path") }
            return path
        }
        if database.hasPrefix("postgres://") || database.hasPrefix("postgresql://") {
            throw ValidationError("--database: PostgreSQL is not supported yet; use sqlite:PATH")
        }
        throw ValidationError("--database must be sqlite:PATH, got '\(database)'")
    }

    func run() async throws {
        let logger = Logger(label: "bastion.taxii.server")
        var taxiiUsers: [TAXIIUser] = []
        for user in users {
            let colon = user.firstIndex(of: ":")!
            do {
                taxiiUsers.append(TAXIIUser(name: String(user[..<colon]), password: try PasswordHash(hashing: String(user[user.index(after: colon)...]))))
            } catch {
                throw CLIError("cannot hash the password of \(user[..<colon]): \(error)")
            }
        }
        var configuration = collections.isEmpty
            ? TAXIIServerConfiguration(users: taxiiUsers, pageSize: pageSize)
            : TAXIIServerConfiguration(
                collections: collections.map { TAXIICollection(name: $0, description: "Any content, as it arrives.") },
                users: taxiiUsers, pageSize: pageSize)
        configuration.advertisesDefaultQuery = advertiseQuery
        let access = taxiiUsers.isEmpty ? "anonymous" : "\(taxiiUsers.count) user(s), Basic authentication"
        let transport: HTTPServerConfiguration.Transport
        if let cert, let key {
            do {
                transport = .https(try TLSPolicy.server(certificatePath: cert, keyPath: key, clientCAPath: clientCA))
            } catch {
                throw CLIError("\(error)")
            }
        } else {
            transport = .plainHTTP
        }
        let store: SQLiteTAXIIStore
        do {
            store = try SQLiteTAXIIStore(path: try databasePath())
        } catch {
            throw CLIError("\(error)")
        }
        let http = HTTPServerConfiguration(name: "taxii", host: host, port: port, transport: transport, maximumBodySize: maxBody, accessLog: accessLog)
        let scheme = cert == nil ? "http" : "https"
        let (host, collection) = (self.host, configuration.collections.first?.name ?? "default")
        let server = TAXIIServer(configuration: configuration, store: store, http: http, logger: logger) { port in
            FileHandle.standardOutput.write(Data("""
                TAXII server on \(scheme)://\(host):\(port) (database \(store.path); \(access))
                  bastion taxii discovery --url \(scheme)://\(host):\(port)/services/discovery
                  bastion taxii inbox --url \(scheme)://\(host):\(port)/services/inbox
                  bastion taxii poll --url \(scheme)://\(host):\(port)/services/poll --collection \(collection)

                """.utf8))
        }
        do {
            try await ServiceGroup(services: [server], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger).run()
        } catch let error as HTTPServerError {
            throw CLIError(error.message)
        }
    }
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

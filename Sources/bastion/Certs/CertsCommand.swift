import ArgumentParser
import BastionPKI
import Foundation

/// `bastion certs …`
struct CertsGroup: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "certs",
        abstract: "Make a development PKI (CA, Consumer server certificate, Producer client certificate) for mutual TLS.",
        discussion: """
        Everything is made in-process (ECDSA P-256, swift-certificates); no openssl is needed. \
        The certificates are for development and tests: the keys are not encrypted, and whoever \
        holds ca-key.pem can issue certificates that your Consumer and Producer trust.
        """,
        subcommands: [CertsInitCommand.self]
    )
}

/// `bastion certs init DIR`
struct CertsInitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Create a development CA and a server and a client certificate signed by it, as PEM files in DIR.",
        discussion: """
        Writes six files: ca.pem and ca-key.pem (the CA), server.pem and server-key.pem (the \
        OpenC2 Consumer's certificate, with SANs for each --server-host), client.pem and \
        client-key.pem (the OpenC2 Producer's client certificate). Private keys are PKCS#8 PEM \
        with mode 0600; certificates have mode 0644. DIR is created with mode 0700 if it is missing.

        Existing files are never replaced unless --force is given.

        Exit status: 0 when the files were written, 1 on an error (files exist, bad host, I/O).
        """
    )

    @Argument(help: ArgumentHelp("The directory to write the PEM files into.", valueName: "dir"))
    var directory: String

    @Option(
        name: .customLong("server-host"),
        help: ArgumentHelp(
            "A DNS name or IPv4/IPv6 address the Consumer is reached at; repeat for several. The first is also the certificate's CN. (default: localhost and 127.0.0.1)",
            valueName: "host"
        )
    )
    var serverHosts: [String] = []

    @Option(help: ArgumentHelp("The common name of the Producer's client certificate: the identity a Consumer sees.", valueName: "name"))
    var clientName: String = DevelopmentPKI.defaultClientCommonName

    @Flag(help: "Replace existing PEM files in DIR.")
    var force = false

    func run() throws {
        let hosts = serverHosts.isEmpty ? DevelopmentPKI.defaultServerHosts : serverHosts
        let existing = DevelopmentPKI.existingFiles(inDirectory: directory)
        if !existing.isEmpty, !force {
            throw CertsError("\(directory) already holds \(existing.map(\.name).joined(separator: ", ")); refusing to overwrite. Use --force to replace the development PKI there.")
        }
        let pki: DevelopmentPKI
        do throws(PKIError) {
            pki = try DevelopmentPKI.generate(DevelopmentPKI.Options(serverHosts: hosts, clientCommonName: clientName))
        } catch {
            throw CertsError(error.description)
        }
        do throws(PKIError) {
            try pki.write(toDirectory: directory, overwrite: force)
        } catch let error where error.kind == .fileExists {
            throw CertsError("\(error.subject ?? directory) already exists; refusing to overwrite. Use --force to replace the development PKI in \(directory).")
        } catch {
            throw CertsError(error.description)
        }
        print(Self.summary(of: pki, in: directory, hosts: hosts))
    }

    /// What was written, which file is for what, and how to use them.
    static func summary(of pki: DevelopmentPKI, in directory: String, hosts: [String]) -> String {
        func path(_ file: DevelopmentPKI.File) -> String { file.path(inDirectory: directory) }
        let width = DevelopmentPKI.File.allCases.map { path($0).count }.max() ?? 0
        var lines = ["Wrote a development PKI to \(directory):"]
        for file in DevelopmentPKI.File.allCases {
            let mode = "0" + String(file.permissions, radix: 8)
            lines.append("  \(path(file).padding(toLength: width, withPad: " ", startingAt: 0))  \(mode)  \(file.purpose)")
        }
        let date = Date.ISO8601FormatStyle().year().month().day()
        let caName = PeerIdentity.identity(of: pki.authority.certificate)
        let fingerprint = (try? CertificateFingerprint.sha256(of: pki.authority.certificate)) ?? "unavailable"
        lines.append("")
        lines.append("CA:     \(caName), valid until \(pki.authority.certificate.notValidAfter.formatted(date))")
        lines.append("        SHA-256 fingerprint \(fingerprint)")
        lines.append("Server: CN=\(PeerIdentity.identity(of: pki.server.certificate)), subjectAltName \(PeerIdentity.subjectAlternativeNames(of: pki.server.certificate).joined(separator: ", ")), valid until \(pki.server.certificate.notValidAfter.formatted(date))")
        lines.append("Client: CN=\(PeerIdentity.identity(of: pki.client.certificate)), valid until \(pki.client.certificate.notValidAfter.formatted(date))")

        var host = hosts.first ?? "localhost"
        if host.contains(":"), !host.hasPrefix("[") { host = "[\(host)]" }
        lines.append("")
        lines.append("Consumer (OpenC2 server): --cert \(path(.serverCertificate)) --key \(path(.serverPrivateKey)) --client-ca \(path(.caCertificate))")
        lines.append("  bastion openc2 consumer --port 8443 --cert \(path(.serverCertificate)) --key \(path(.serverPrivateKey)) --client-ca \(path(.caCertificate))")
        lines.append("Producer (OpenC2 client): --cert \(path(.clientCertificate)) --key \(path(.clientPrivateKey)) --ca \(path(.caCertificate))")
        lines.append("  bastion openc2 features --to https://\(host):8443 --cert \(path(.clientCertificate)) --key \(path(.clientPrivateKey)) --ca \(path(.caCertificate))")
        lines.append("")
        lines.append("Keep \(path(.caPrivateKey)) private: anyone with it can issue certificates both sides trust.")
        return lines.joined(separator: "\n")
    }
}

/// An error of a `bastion certs` command: its message is printed after "Error: ".
struct CertsError: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) {
        self.description = description
    }
}

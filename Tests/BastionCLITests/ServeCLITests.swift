import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import NetworkNamespaceSupport
import TestSupport
import Testing

@Suite("bastion serve and the Producer commands against it")
struct ServeCLITests {
    /// Starts `bastion serve` on a free port in a fresh directory and returns the process, the
    /// URL it listens on and the lines it printed.
    func startServe(
        in directory: URL, firewall: String? = "dry-run", prefix: [String] = [], logTo log: URL? = nil, logLevel: String? = nil, extra: [String] = []
    ) throws -> (process: Process, url: String, banner: String) {
        let process = try CLI.process(
            ["serve", "--dir", directory.appendingPathComponent("pki").path, "--port", "0", "--metrics", "127.0.0.1:0", "--taxii-port", "0"]
                + (firewall.map { ["--firewall", $0] } ?? []) + extra,
            prefix: prefix)
        if let logLevel { process.environment = ProcessInfo.processInfo.environment.merging(["BASTION_LOG_LEVEL": logLevel]) { $1 } }
        process.currentDirectoryURL = directory
        let output = Pipe()
        process.standardOutput = output
        if let log {
            _ = FileManager.default.createFile(atPath: log.path, contents: nil)
            process.standardError = try FileHandle(forWritingTo: log)
        } else {
            process.standardError = FileHandle.nullDevice
        }
        try process.run()
        var banner = ""
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline, !banner.contains("curl ") || !banner.contains("taxii poll") {
            let data = output.fileHandleForReading.availableData
            if data.isEmpty { break }
            banner += String(decoding: data, as: UTF8.self)
        }
        guard let range = banner.range(of: #"Consumer on https://127\.0\.0\.1:\d+"#, options: .regularExpression) else {
            process.terminate()
            throw CLIFailure(message: "serve printed no URL: \(banner)")
        }
        return (process, String(banner[range].dropFirst("Consumer on ".count)), banner)
    }

    struct CLIFailure: Error { let message: String }

    @Test("serve makes a PKI with private keys 0600, serves mTLS, and the printed commands work; SIGTERM stops it cleanly")
    func serveEndToEnd() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("bastion-serve-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let (process, url, banner) = try startServe(in: directory)
        defer { if process.isRunning { process.terminate() } }
        let pki = directory.appendingPathComponent("pki").path
        let keyMode = try FileManager.default.attributesOfItem(atPath: pki + "/client-key.pem")[.posixPermissions] as? Int
        #expect(keyMode == 0o600)
        #expect(banner.contains("openc2 features --to \(url)"))

        let tls = ["--ca", pki + "/ca.pem", "--cert", pki + "/client.pem", "--key", pki + "/client-key.pem"]
        let features = try CLI.run(["openc2", "features", "--to", url, "--json"] + tls)
        #expect(features.status == 0, "\(features.error)")
        #expect(features.output.contains(#""versions":["1.0"]"#))
        #expect(features.output.contains(#""query":["features"]"#))
        #expect(features.output.contains(#""deny":["ipv4_net","ipv6_net","ipv4_connection","ipv6_connection"]"#))
        #expect(features.output.contains(#""update":["file"]"#))
        #expect(banner.contains("SLPF rules: dry-run"))

        let v10 = try CLI.run(["openc2", "features", "--to", url, "--wire", "v1.0", "--json"] + tls)
        #expect(v10.status == 0)

        // The SLPF status paths over HTTPS.
        func send(_ arguments: [String]) throws -> CLI.Result { try CLI.run(["openc2", "send", "--to", url] + tls + arguments) }
        let deny = try send(["deny", "ipv4_net", "198.51.100.0/24", "--response-requested", "complete"])
        #expect(deny.status == 0, "\(deny.output)")
        #expect(deny.output.contains(#""rule_number": 1"#), "\(deny.output)")
        let inUse = try send(["deny", "ipv4_net", "198.51.100.7", "--insert-rule", "1", "--response-requested", "complete"])
        #expect(inUse.status == 5)
        #expect(inUse.output.contains("Rule number currently in use"), "\(inUse.output)")
        let falseAck = try send(["deny", "ipv4_net", "198.51.100.7", "--drop-process", "false_ack"])
        #expect(falseAck.status == 5)
        #expect(falseAck.output.contains("Option not supported"))
        let missingFile = try send(["update", "file", "missing.json"])
        #expect(missingFile.status == 5)
        #expect(missingFile.output.contains("Cannot access file"), "\(missingFile.output)")
        #expect(try send(["delete", "slpf:rule_number", "1"]).status == 0)
        let deletedTwice = try send(["delete", "slpf:rule_number", "1"])
        #expect(deletedTwice.status == 5)
        #expect(deletedTwice.output.contains("Firewall rule not removed or updated"))
        let rules = try CLI.run(["openc2", "rules", "list", "--state", pki + "/slpf.sqlite"])
        #expect(rules.output.contains("no rules"), "\(rules.output)")

        let invalid = try CLI.run(["openc2", "send", "--to", url] + tls + ["deny", "ipv4_net", "198.51.100.0/33"])
        #expect(invalid.status != 0)
        #expect(invalid.error.contains("target.ipv4_net: prefix 33 is out of range 0…32"))

        // Argument options apply to a --file Command too; --actuator addresses a profile.
        let file = directory.appendingPathComponent("query.json")
        try Data(#"{"action":"query","target":{"features":["versions"]}}"#.utf8).write(to: file)
        let silent = try CLI.run(["openc2", "send", "--to", url] + tls + ["--file", file.path, "--response-requested", "none"])
        #expect(silent.status == 0)
        #expect(silent.output.contains("no response body"), "\(silent.output)")
        let addressed = try CLI.run(["openc2", "features", "--to", url, "--actuator", "slpf", "--json"] + tls)
        #expect(addressed.status == 0)

        // The TAXII server beside it takes what its printed lines push, and gives it back.
        let taxiiRange = try #require(banner.range(of: #"https://127\.0\.0\.1:\d+/services"#, options: .regularExpression), "\(banner)")
        let taxii = String(banner[taxiiRange])
        let pushed = try CLI.run(["taxii", "inbox", "--url", taxii + "/inbox", "--verify-server", pki + "/ca.pem"])
        #expect(pushed.status == 0, "\(pushed.output)\(pushed.error)")
        let polled = try CLI.run(["taxii", "poll", "--url", taxii + "/poll", "--collection", "default", "--verify-server", pki + "/ca.pem", "--write", "none"])
        #expect(polled.status == 0 && polled.output.contains("Record Count: 1"), "\(polled.output)\(polled.error)")

        let noCertificate = try CLI.run(["openc2", "features", "--to", url, "--ca", pki + "/ca.pem", "--timeout", "2"])
        #expect(noCertificate.status == 3, "without a client certificate there is no reply: \(noCertificate.output)")

        // The metrics endpoint the banner names counts what happened above.
        let metricsRange = try #require(banner.range(of: #"http://127\.0\.0\.1:\d+/metrics"#, options: .regularExpression), "\(banner)")
        let metricsURL = String(banner[metricsRange])
        let (metricsStatus, metrics) = try httpGet(metricsURL)
        #expect(metricsStatus == 200)
        for expected in [
            #"bastion_http_requests_total{server="openc2-consumer",status="200"}"#,
            #"bastion_openc2_commands_total{action="deny",target="ipv4_net",status="200"}"#,
            #"bastion_http_request_duration_seconds_bucket{server="openc2-consumer""#,
            #"bastion_http_connections_open{server="openc2-consumer"}"#,
            #"bastion_tls_handshake_failures_total{server="openc2-consumer",reason="no_client_certificate"}"#,
            "bastion_slpf_rules_active 0", "bastion_slpf_firewall_change_duration_seconds_count",
        ] {
            #expect(metrics.contains(expected), "\(expected) not in\n\(metrics)")
        }
        let (healthStatus, health) = try httpGet(metricsURL.replacingOccurrences(of: "/metrics", with: "/health"))
        #expect(healthStatus == 200 && health == "ok\n")

        process.terminate()  // SIGTERM
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
    }

    @Test("serve --firewall auto enforces with nftables where it may change the ruleset, else says dry-run; without --firewall it never touches the firewall")
    func automaticFirewall() throws {
        let namespace = try NetworkNamespace()
        defer { namespace.close() }
        for (prefix, firewall, expected) in [
            (namespace.prefix, "auto", "SLPF rules: nftables (libnftables; chosen by --firewall auto)"),
            // Without capabilities (a non-root user has none anyway).
            (["setpriv", "--bounding-set=-all", "--inh-caps=-all", "--"], "auto", "SLPF rules: dry-run, chosen by --firewall auto"),
            // The default, even where nftables could be changed: a quick start changes nothing on the host.
            (namespace.prefix, nil, "This machine's firewall is not changed; to enforce, run with --firewall nftables"),
        ] {
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("bastion-serve-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: directory) }
            let (process, _, banner) = try startServe(in: directory, firewall: firewall, prefix: prefix)
            if firewall == nil { #expect(banner.contains("SLPF rules: dry-run"), "\(banner)") }
            #expect(banner.contains(expected), "\(banner)")
            process.terminate()
            process.waitUntilExit()
        }
    }

    @Test("serve's bridge: a STIX file inboxed to its TAXII server becomes denies on its Consumer; bastion bridge status and run --once --dry-run")
    func bridgeInServe() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("bastion-serve-bridge-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let (process, url, banner) = try startServe(in: directory, extra: ["--bridge-interval", "1"])
        defer { if process.isRunning { process.terminate() } }
        let pki = directory.appendingPathComponent("pki").path
        let inboxRange = try #require(banner.range(of: #"https://127\.0\.0\.1:\d+/services/inbox"#, options: .regularExpression))
        let inbox = String(banner[inboxRange])
        #expect(banner.contains("bastion bridge status --state \(pki)/bridge.sqlite"))
        let stix = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("BridgeTests/Fixtures/stix12-indicators.xml").path
        let sent = try CLI.run(["taxii", "inbox", "--url", inbox, "--verify-server", pki + "/ca.pem", "--content-file", stix])
        #expect(sent.status == 0, "\(sent.output)\(sent.error)")

        // The bridge runs every second: wait for its denies, up to 20 s.
        var rules = ""
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline {
            rules = try CLI.run(["openc2", "rules", "list", "--state", pki + "/slpf.sqlite"]).output
            if rules.split(separator: "\n").count >= 9 { break }
            Thread.sleep(forTimeInterval: 0.2)
        }
        #expect(rules.contains(#"{"ipv4_net":"198.51.100.7/32"}"#) && rules.contains(#"{"ipv6_net":"2001:db8::5/128"}"#), "\(rules)")
        #expect(!rules.contains("198.51.100.99"), "an expired indicator is not denied")
        #expect(rules.split(separator: "\n").count == 9, "\(rules)")

        let status = try CLI.run(["bridge", "status", "--state", pki + "/bridge.sqlite", "--json"])
        #expect(status.status == 0, "\(status.error)")
        let indicators = try #require(try JSONSerialization.jsonObject(with: Data(status.output.utf8)) as? [[String: Any]])
        let ipv4 = try #require(indicators.first { $0["indicator"] as? String == "example:indicator-ipv4" })
        #expect(ipv4["addresses"] as? [String] == ["198.51.100.7/32"])
        let consumers = try #require(ipv4["consumers"] as? [[String: Any]])
        #expect(consumers.count == 1 && consumers.first?["name"] as? String == "serve" && consumers.first?["rule_number"] is Int)

        // A bridge of its own over the same services, dry-run, with an allow-list.
        let fleet = directory.appendingPathComponent("fleet.yaml")
        try """
            defaults: {cert: \(pki)/client.pem, key: \(pki)/client-key.pem, ca: \(pki)/ca.pem}
            consumers:
              - {name: local, url: "\(url)"}
            """.write(to: fleet, atomically: true, encoding: .utf8)
        let allow = directory.appendingPathComponent("allow.txt")
        try "# ours\n10.0.0.0/8\n".write(to: allow, atomically: true, encoding: .utf8)
        let once = try CLI.run([
            "bridge", "run", "--once", "--dry-run", "--taxii-url", inbox.replacingOccurrences(of: "/inbox", with: "/poll"), "--collection", "default",
            "--verify-server", pki + "/ca.pem", "--consumers", fleet.path, "--allow-list", allow.path,
            "--state", directory.appendingPathComponent("own.sqlite").path,
        ])
        #expect(once.status == 0, "\(once.output)\(once.error)")
        #expect(once.output.contains("polled 1 block(s)") && once.output.contains("denied 8, removed 0, failed 0"), "\(once.output)")
        #expect(once.error.contains("allow-listed"), "the allow-listed address is logged as skipped")
        let badFleet = try CLI.run(["bridge", "run", "--once", "--taxii-url", "https://127.0.0.1:1/p", "--collection", "c", "--consumers", allow.path])
        #expect(badFleet.status != 0 && badFleet.error.contains(allow.path), "\(badFleet.error)")
    }

    @Test("serve's bridge with --firewall nftables (in a network namespace): inboxed STIX addresses become nftables rules")
    func bridgeEnforcesWithNFTables() throws {
        let namespace = try NetworkNamespace()
        defer { namespace.close() }
        // Loopback starts down in a new network namespace.
        let up = Process()
        up.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        up.arguments = namespace.prefix + ["ip", "link", "set", "lo", "up"]
        try up.run()
        up.waitUntilExit()
        #expect(up.terminationStatus == 0, "ip link set lo up failed in the namespace")
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("bastion-serve-nft-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let (process, _, banner) = try startServe(in: directory, firewall: "nftables", prefix: namespace.prefix, extra: ["--bridge-interval", "1"])
        defer { if process.isRunning { process.terminate() } }
        let pki = directory.appendingPathComponent("pki").path
        let inboxRange = try #require(banner.range(of: #"https://127\.0\.0\.1:\d+/services/inbox"#, options: .regularExpression))
        let stix = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("BridgeTests/Fixtures/stix111-indicators.xml").path
        let sent = try CLI.run(
            ["taxii", "inbox", "--url", String(banner[inboxRange]), "--verify-server", pki + "/ca.pem", "--content-file", stix], prefix: namespace.prefix)
        #expect(sent.status == 0, "\(sent.output)\(sent.error)")
        var ruleset = ""
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline {
            let listed = Process()
            listed.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            listed.arguments = namespace.prefix + ["nft", "list", "table", "inet", "bastion"]
            let output = Pipe()
            listed.standardOutput = output
            listed.standardError = FileHandle.nullDevice
            try listed.run()
            ruleset = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            listed.waitUntilExit()
            if ruleset.contains("2001:db8::5") && ruleset.contains("198.51.100.7") && ruleset.contains("203.0.113.0") { break }
            Thread.sleep(forTimeInterval: 0.2)
        }
        #expect(ruleset.contains("198.51.100.7") && ruleset.contains("2001:db8::5") && ruleset.contains("203.0.113.0") && ruleset.contains("@drop4_both_24"), "\(ruleset)")
        #expect(!ruleset.contains("198.51.100.99"), "the expired indicator is not enforced")
    }

    @Test("send to several Consumers at once (--to repeated, --to-file): one line each, exit 0 only if every one answered 2xx")
    func fanOut() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("bastion-fanout-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let (process, url, _) = try startServe(in: directory, extra: ["--bridge-interval", "off"])
        defer { if process.isRunning { process.terminate() } }
        let pki = directory.appendingPathComponent("pki").path
        let tls = ["--ca", pki + "/ca.pem", "--cert", pki + "/client.pem", "--key", pki + "/client-key.pem"]
        let both = try CLI.run(["openc2", "send", "--to", url, "--to", url + "/.well-known/openc2", "--json"] + tls
            + ["deny", "ipv4_net", "198.51.100.77", "--response-requested", "complete"])
        #expect(both.status == 0, "\(both.error)")
        let results = try #require(try JSONSerialization.jsonObject(with: Data(both.output.utf8)) as? [[String: Any]])
        #expect(results.count == 2 && results.allSatisfy { $0["http_status"] as? Int == 200 && $0["rule_number"] is Int })
        let list = directory.appendingPathComponent("consumers.txt")
        let closed = try Loopback.closedPort()
        try "# the fleet\n\(url)\nhttps://127.0.0.1:\(closed)\n".write(to: list, atomically: true, encoding: .utf8)
        let partial = try CLI.run(["openc2", "send", "--to-file", list.path] + tls + ["query", "features", "versions"])
        #expect(partial.status == 3, "one Consumer down: \(partial.output)\(partial.error)")
        let lines = partial.output.split(separator: "\n")
        #expect(lines.count == 2 && lines.contains { $0.contains("HTTP 200") } && lines.contains { $0.contains("refused") }, "\(partial.output)")
        #expect(partial.error.contains("1 of 2 Consumers did not answer 2xx"))
    }

    @Test("BASTION_LOG_LEVEL sets how much is logged")
    func logLevel() throws {
        for (level, expectInfo) in [("info", true), ("warning", false)] {
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("bastion-serve-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: directory) }
            let log = directory.appendingPathComponent("serve.log")
            let (process, _, _) = try startServe(in: directory, logTo: log, logLevel: level)
            process.terminate()
            process.waitUntilExit()
            let text = try String(contentsOf: log, encoding: .utf8)
            #expect(text.contains("SLPF actuator started") == expectInfo, "\(level): \(text)")
        }
    }

    @Test("serve refuses a partial PKI directory, naming what is missing")
    func partialPKI() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("bastion-serve-\(UUID().uuidString)")
        let pki = directory.appendingPathComponent("pki")
        try FileManager.default.createDirectory(at: pki, withIntermediateDirectories: true)
        try Data("x".utf8).write(to: pki.appendingPathComponent("ca.pem"))
        let result = try CLI.run(["serve", "--dir", pki.path, "--port", "0"])
        #expect(result.status != 0)
        #expect(result.error.contains("partial PKI"))
    }

    /// GET `url` (plain HTTP): status and body.
    func httpGet(_ url: String) throws -> (Int, String) {
        guard let target = URL(string: url) else { throw CLIFailure(message: "not a URL: \(url)") }
        let session = URLSession(configuration: .ephemeral)
        let semaphore = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var outcome: (Int, String) = (0, "")
        session.dataTask(with: target) { data, response, _ in
            outcome = ((response as? HTTPURLResponse)?.statusCode ?? 0, data.map { String(decoding: $0, as: UTF8.self) } ?? "")
            semaphore.signal()
        }.resume()
        semaphore.wait()
        return outcome
    }
}

import BastionConfig
import BastionConsumer
import Logging
import OpenC2HTTPS
import Testing

@Suite("Consumer settings from YAML")
struct ConsumerSettingsTests {
    func decode(_ yaml: String) throws(SettingsError) -> ConsumerSettings {
        try ConsumerSettings.decode(yaml: yaml, file: "consumer.yaml")
    }

    @Test("every key is read; defaults fill the rest")
    func readsAndDefaults() throws {
        let settings = try decode("""
            host: 0.0.0.0
            port: 8443
            testing_http: true
            max_body: 2000
            allow_peers: [producer.example]
            firewall: dry-run
            """)
        #expect(settings.port == 8443 && settings.maxBody == 2000 && settings.firewall == .dryRun)
        #expect(settings.allowPeers == ["producer.example"])
        let configuration = try settings.configuration(logger: Logger(label: "test"))
        #expect(configuration.host == "0.0.0.0" && configuration.port == 8443)
        #expect(configuration.exchange.maximumBodySize == 2000)
        #expect(configuration.idleTimeout == .seconds(ConsumerSettings.Defaults.idleTimeout))
        #expect(configuration.maximumConnections == ConsumerSettings.Defaults.maxConnections)
        #expect(try decode("").overridden(by: ConsumerSettings(port: 1)).port == 1)
    }

    @Test("numbers out of range are refused with the key, never trap", arguments: [
        ("port: 65536", "'port' must be 0…65535"),
        ("port: -1", "'port' must be 0…65535"),
        ("idle_timeout: 9223372036854775807", "'idle_timeout' must be 1…86400"),
        ("request_timeout: 0", "'request_timeout' must be 1…86400"),
        ("max_body: 4294967296", "'max_body' must be 1…1073741824"),
        ("max_connections: 0", "'max_connections' must be 1…1000000"),
        ("port: 99999999999999999999", "'port' has the wrong type"),
        ("port: 0x7fffffffffffffffff", "'port' has the wrong type"),
    ])
    func outOfRange(yaml: String, expected: String) {
        let error = #expect(throws: SettingsError.self) { try decode(yaml) }
        #expect(error?.file == "consumer.yaml")
        #expect(error?.description.contains(expected) == true, "\(String(describing: error))")
    }

    @Test("what a settings file never needs, and would make reading it unsafe, is refused", arguments: [
        // Base 60: YAML 1.1 reads 1:30 as 90; these overflow a 64-bit integer (the decoder traps).
        ("port: 1:1:1:1:1:1:1:1:1:1:1:1", "base-60 number too large"),
        ("port: 153722867280912931:0", "base-60 number too large"),
        ("port: -x:-9223372036854775808", "base-60 number too large"),
        ("identity: 1:2:3:4:5:6:7:8:9:10:11:12:13", "quote it if it is text"),
        ("a: &x [1]\nb: *x", "anchors and aliases"),
        ("allow_peers: " + String(repeating: "[", count: 100_000), "nested deeper than 32 levels"),
        ("allow_peers:\n" + (0..<40).map { String(repeating: "  ", count: $0) + "-\n" }.joined(), "nested deeper than 32 levels"),
    ])
    func unsafeShapes(yaml: String, expected: String) {
        let error = #expect(throws: SettingsError.self) { try decode(yaml) }
        #expect(error?.description.contains(expected) == true, "\(String(describing: error))")
        #expect(error?.description.hasPrefix("consumer.yaml: ") == true)
    }

    @Test("base-60 integers that fit are still read as YAML 1.1 reads them")
    func base60() throws {
        #expect(try decode("port: 1:30").port == 90)
        #expect(try decode("identity: '1:2:3:4:5:6:7:8:9:10:11:12:13'").identity == "1:2:3:4:5:6:7:8:9:10:11:12:13")
    }

    @Test("unknown keys, wrong types and broken YAML name the file", arguments: [
        ("prot: 1", "unknown setting 'prot'"),
        ("port: abc", "'port' has the wrong type"),
        ("port: [1", "is not valid YAML"),
        ("- port", "must be a mapping"),
        ("firewall: iptables", "'firewall' cannot be read"),
    ])
    func badFiles(yaml: String, expected: String) {
        let error = #expect(throws: SettingsError.self) { try decode(yaml) }
        #expect(error?.description.contains(expected) == true, "\(String(describing: error))")
    }

    @Test("the combination is checked: testing HTTP alone, HTTPS with a certificate and a client CA")
    func combinations() {
        let mixed = #expect(throws: SettingsError.self) { try ConsumerSettings(cert: "a.pem", testingHTTP: true).validate() }
        #expect(mixed?.description.contains("cannot be combined") == true)
        let noCA = #expect(throws: SettingsError.self) { try ConsumerSettings(cert: "a.pem", key: "b.pem").validate() }
        #expect(noCA?.description.contains("Mutual TLS needs --client-ca") == true)
        #expect(throws: Never.self) { try ConsumerSettings(cert: "a.pem", key: "b.pem", noClientAuth: true).validate() }
        let missing = #expect(throws: SettingsError.self) {
            try ConsumerSettings(cert: "/nonexistent/a.pem", key: "/nonexistent/b.pem", noClientAuth: true).configuration(logger: Logger(label: "t"))
        }
        #expect(missing?.description.contains("/nonexistent/a.pem") == true, "\(String(describing: missing))")
    }

    @Test("respond_to and its certificate are read, overridden like the rest, and checked")
    func respondTo() throws {
        let settings = try decode("""
            respond_to: https://producer.example:8444
            respond_cert: edge-client.pem
            respond_key: edge-client-key.pem
            """)
        #expect(settings.respondTo == "https://producer.example:8444" && settings.respondCert == "edge-client.pem" && settings.respondCA == nil)
        #expect(settings.overridden(by: ConsumerSettings(respondCA: "ca.pem")).respondCA == "ca.pem")
        let plain = #expect(throws: SettingsError.self) { try decode("respond_to: http://producer.example") }
        #expect(plain?.description.contains("'respond_to' must be an https:// URL") == true, "\(String(describing: plain))")
        let alone = #expect(throws: SettingsError.self) { try decode("respond_key: k.pem") }
        #expect(alone?.description.contains("'respond_key' goes with respond_to") == true, "\(String(describing: alone))")
    }

    @Test("a file that cannot be read, or is too large, is refused with its path")
    func files() throws {
        let error = #expect(throws: SettingsError.self) { try ConsumerSettings.load(yamlFile: "/nonexistent/consumer.yaml") }
        #expect(error?.description.hasPrefix("/nonexistent/consumer.yaml: cannot be read") == true)
        let big = #expect(throws: SettingsError.self) {
            try YAMLSettings.decode(ConsumerSettings.self, from: String(repeating: "#", count: YAMLSettings.maximumSize + 1), file: "big.yaml", knownKeys: [])
        }
        #expect(big?.description.contains("larger than") == true)
    }
}

import BastionConfig
import TAXII
import Testing
@testable import TAXIIServer

@Suite("TAXII server settings file")
struct SettingsTests {
    @Test("the example file makes the default configuration")
    func example() throws {
        let configuration = try TAXIIServerSettings.decode(yaml: TAXIIServerSettings.example, file: "example.yaml").configuration(file: "example.yaml")
        #expect(configuration.collections == [TAXIICollection(name: "default", description: "Any content, as it arrives.")])
        #expect(configuration.inboxDestinations == ["default"] && configuration.users.isEmpty && configuration.pageSize == 100)
        #expect(configuration.paths == TAXIIServerConfiguration.ServicePaths())
        #expect(configuration.push == PushSettings())
    }

    @Test("collections, users with hashes and permissions, paths and limits are read")
    func full() throws {
        let hash = try PasswordHash(hashing: "pw", cost: 1 << 4)
        let yaml = """
            port: 9443
            database: sqlite:/var/lib/bastion/taxii.sqlite
            tls: {cert: s.pem, key: k.pem, client_ca: ca.pem}
            paths: {discovery: /d, collection_management: /cm, inbox: /in, poll: /p}
            discovery_requires_authentication: yes
            page_size: 50
            result_lifetime: 600
            async_poll_above: 50
            collections:
              - {name: feed, accepted_content: [urn:stix.mitre.org:xml:1.1.1, "urn:x>a,b"], page_size: 10}
              - {name: set, type: DATA_SET, description: A set.}
            inbox_destinations: [feed]
            push: {interval: 2, retry_base: 3, retry_limit: 60, timeout: 9, ca: subscribers.pem}
            users:
              - {name: alice, password_hash: "\(hash)", read: all, write: [feed]}
              - {name: bob, password_hash: "\(hash)", read: [set]}
            """
        let settings = try TAXIIServerSettings.decode(yaml: yaml, file: "s.yaml")
        #expect(settings.tls?.clientCA == "ca.pem" && settings.port == 9443)
        let configuration = try settings.configuration(file: "s.yaml")
        #expect(configuration.paths == TAXIIServerConfiguration.ServicePaths(discovery: "/d", collectionManagement: "/cm", inbox: "/in", poll: "/p"))
        #expect(configuration.collections[0].acceptedContent == [TAXII11.ContentBinding("urn:stix.mitre.org:xml:1.1.1"), TAXII11.ContentBinding("urn:x", subtypeIDs: ["a", "b"])])
        #expect(configuration.collections[0].pageSize == 10 && configuration.collections[1].type == .dataSet)
        #expect(configuration.inboxDestinations == ["feed"] && configuration.discoveryRequiresAuthentication)
        #expect(configuration.users.map(\.name) == ["alice", "bob"])
        #expect(configuration.users[0].canWrite == .only(["feed"]) && configuration.users[1].canWrite == .only([]))
        #expect(configuration.users[1].canRead == .only(["set"]))
        #expect(configuration.users[0].password.verify("pw"))
        #expect(configuration.resultLifetime == .seconds(600) && configuration.asynchronousPollThreshold == 50)
        #expect(configuration.push == PushSettings(interval: .seconds(2), retryBase: .seconds(3), retryLimit: .seconds(60), trust: .ca(path: "subscribers.pem"), timeout: .seconds(9)))
    }

    @Test("each mistake stops startup with the file, the key and the problem", arguments: [
        ("collections:\n  - {name: a, colour: red}\n", "x.yaml: 'collections[0].colour' cannot be read (not a known setting"),
        ("tls: {cert: a}\n", "x.yaml: 'tls.key' is required"),
        ("page_size: 0\n", "x.yaml: 'page_size' must be 1…100000, got 0"),
        ("database: mysql://x\n", "x.yaml: 'database' must be sqlite:PATH or postgres://"),
        ("collections:\n  - {name: a}\n  - {name: a}\n", "x.yaml: 'collections[1].name' 'a' is named twice"),
        ("collections:\n  - {name: a, type: STREAM}\n", "x.yaml: 'collections[0].type' must be DATA_FEED or DATA_SET"),
        // Found by the taxii-server-settings fuzz target (an empty entry was an index out of range).
        ("collections:\n  - {name: a, accepted_content: ['']}\n", "x.yaml: 'collections[0].accepted_content[0]' must be BINDING_ID or BINDING_ID>SUBTYPE,SUBTYPE, got ''"),
        ("collections:\n  - {name: a, accepted_content: [urn:x, '>sub']}\n", "x.yaml: 'collections[0].accepted_content[1]' must be BINDING_ID"),
        ("collections:\n  - {name: a, accepted_content: ['urn:x>a,']}\n", "x.yaml: 'collections[0].accepted_content[0]' must be BINDING_ID"),
        ("inbox_destinations: [nope]\n", "x.yaml: 'inbox_destinations[0]' names no collection ('nope')"),
        ("users:\n  - {name: u, password_hash: plain}\n", "x.yaml: 'users[0].password_hash' not a password hash"),
        ("users:\n  - {name: u, password_hash: 'scrypt$1048576000$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA='}\n",
         "x.yaml: 'users[0].password_hash' password hash parameters out of range"),
        ("paths: {inbox: /same, poll: /same}\n", "x.yaml: 'paths' each service needs a path of its own"),
        ("push: {retry_base: 60, retry_limit: 5}\n", "x.yaml: 'push.retry_limit' must not be shorter than push.retry_base (60)"),
        ("push: {interval: 0}\n", "x.yaml: 'push.interval' must be 1…86400, got 0"),
        ("push: {every: 5}\n", "x.yaml: 'push.every' cannot be read (not a known setting"),
        ("paths: {inbox: relative}\n", "x.yaml: 'paths' a service path must start with '/'"),
        ("users:\n  - {name: u, password_hash: x, read: some}\n", "x.yaml: 'users[0].read' cannot be read (must be `all` or a list"),
    ])
    func mistakes(_ yaml: String, _ expected: String) {
        do {
            _ = try TAXIIServerSettings.decode(yaml: yaml, file: "x.yaml").configuration(file: "x.yaml")
            Issue.record("accepted: \(yaml)")
        } catch {
            #expect(error.description.hasPrefix(expected), "\(error.description)")
        }
    }

    @Test("password hashes: verify the password, refuse others, read back what they write")
    func passwordHashes() throws {
        let hash = try PasswordHash(hashing: "correct horse", cost: 1 << 4)
        #expect(hash.verify("correct horse") && !hash.verify("correct horse ") && !hash.verify(""))
        let reread = try PasswordHash(encoded: hash.description)
        #expect(reread == hash && reread.verify("correct horse"))
        let other = try PasswordHash(hashing: "correct horse", cost: 1 << 4)
        #expect(other.salt != hash.salt, "each hash has a salt of its own")
    }
}

import Foundation
import OpenC2
import OpenC2SLPF
import GRDB
import Testing
import TestSupport
@testable import SLPFActuator

@Suite("RuleStore")
struct RuleStoreTests {
    @Test("migrates an empty file and reports its migrations")
    func migratesEmptyFile() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path("empty.sqlite")
        #expect(FileManager.default.createFile(atPath: path, contents: Data()))
        let store = try RuleStore(path: path)
        #expect(try store.appliedMigrations() == RuleStore.migrationIdentifiers)
        #expect(try store.list().isEmpty)
        // Opening again applies nothing twice.
        let again = try RuleStore(path: path)
        #expect(try again.appliedMigrations() == ["v1", "v2"])
    }

    @Test("a version 1 store migrates to version 2, keeping its rules")
    func migratesV1() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path("v1.sqlite")
        do {
            let queue = try DatabaseQueue(path: path)
            try queue.write { db in
                try db.execute(sql: """
                    CREATE TABLE grdb_migrations (identifier TEXT NOT NULL PRIMARY KEY);
                    INSERT INTO grdb_migrations VALUES ('v1');
                    CREATE TABLE rule (
                        rule_number INTEGER PRIMARY KEY AUTOINCREMENT, action TEXT NOT NULL, target_type TEXT NOT NULL,
                        target_json TEXT NOT NULL, direction TEXT NOT NULL, drop_process TEXT NOT NULL,
                        persistent INTEGER NOT NULL, start_time INTEGER NOT NULL, stop_time INTEGER,
                        created_at INTEGER NOT NULL, state TEXT NOT NULL);
                    INSERT INTO rule VALUES (5, 'deny', 'ipv4_net', '{"ipv4_net":"10.0.0.0/8"}', 'both', 'none', 1, 0, NULL, 0, 'active');
                    """)
            }
        }
        let store = try RuleStore(path: path)
        #expect(try store.appliedMigrations() == ["v1", "v2"])
        let rule = try #require(try store.get(5))
        #expect(rule.match == .ipv4Net(ipv4("10.0.0.0/8")))
        #expect(rule.source == nil)
        let before = try store.generation()
        try store.remove(5)
        #expect(try store.generation() == before + 1)
        #expect(store.lastWrite.before == before)
        #expect(store.lastWrite.after == before + 1)
    }

    @Test("allocates increasing rule numbers that are never reused")
    func allocation() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try RuleStore(path: directory.path("rules.sqlite"))
        let first = try store.add(FilterRuleRequest(action: .deny, match: .ipv4Net(ipv4("10.0.0.0/8"))), receivedAt: at(1_000))
        let second = try store.add(FilterRuleRequest(action: .allow, match: .ipv6Net(ipv6("2001:db8::/32"))), receivedAt: at(2_000))
        #expect(first.ruleNumber == 1)
        #expect(second.ruleNumber == 2)
        #expect(try store.remove(2)?.ruleNumber == 2)
        let third = try store.add(FilterRuleRequest(action: .deny, match: .ipv4Net(ipv4("192.0.2.1"))), receivedAt: at(3_000))
        #expect(third.ruleNumber == 3)
        #expect(try store.list().map(\.ruleNumber) == [1, 3])
    }

    @Test("stores every field and reads it back")
    func roundTrip() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try RuleStore(path: directory.path("rules.sqlite"))
        let connection = IPv4Connection(sourceAddress: ipv4("192.0.2.0/24"), destinationPort: 22, protocol: .tcp)
        let request = FilterRuleRequest(
            action: .deny, match: .ipv4Connection(connection), direction: .ingress, dropProcess: .reject,
            persistent: false, startTime: at(5_000), duration: 60_000)
        let added = try store.add(request, receivedAt: at(4_000), state: .scheduled)
        #expect(added.startTime == at(5_000))
        #expect(added.stopTime == at(65_000))
        #expect(added.createdAt == at(4_000))
        #expect(try store.get(added.ruleNumber) == added)
        #expect(try store.get(99) == nil)
        #expect(try store.setState(.active, of: added.ruleNumber))
        #expect(try store.get(added.ruleNumber)?.state == .active)
        #expect(try store.remove(99) == nil)
    }

    @Test("insert_rule takes the asked number, and refuses one in use")
    func insertRule() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try RuleStore(path: directory.path("rules.sqlite"))
        let asked = try store.add(
            FilterRuleRequest(action: .deny, match: .ipv4Net(ipv4("10.0.0.0/8")), insertRule: 42), receivedAt: at(0))
        #expect(asked.ruleNumber == 42)
        #expect(throws: RuleStoreError.ruleNumberInUse(42)) {
            try store.add(FilterRuleRequest(action: .allow, match: .ipv4Net(ipv4("10.0.0.1")), insertRule: 42), receivedAt: at(0))
        }
        #expect(try store.list().count == 1)
        // Allocation continues after the highest number used.
        #expect(try store.add(FilterRuleRequest(action: .allow, match: .ipv4Net(ipv4("10.0.0.1"))), receivedAt: at(0)).ruleNumber == 43)
        // A freed number may be asked for again.
        try store.remove(42)
        #expect(try store.add(FilterRuleRequest(action: .allow, match: .ipv4Net(ipv4("10.0.0.2")), insertRule: 42), receivedAt: at(0)).ruleNumber == 42)
    }

    @Test("rules persist across reopening; non-persistent rules are not restored")
    func persistence() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path("rules.sqlite")
        do {
            let store = try RuleStore(path: path)
            try store.add(FilterRuleRequest(action: .deny, match: .ipv4Net(ipv4("10.0.0.0/8"))), receivedAt: at(0))
            try store.add(FilterRuleRequest(action: .deny, match: .ipv4Net(ipv4("10.9.9.9")), persistent: false), receivedAt: at(0))
            try store.add(
                FilterRuleRequest(action: .allow, match: .ipv6Connection(IPv6Connection(destinationPort: 443, protocol: .tcp))),
                receivedAt: at(0))
        }
        let reopened = try RuleStore(path: path)
        #expect(try reopened.list().map(\.ruleNumber) == [1, 2, 3])
        #expect(try reopened.rulesToRestore().map(\.ruleNumber) == [1, 3])
        #expect(try reopened.discardNonPersistent().map(\.ruleNumber) == [2])
        #expect(try reopened.list().map(\.ruleNumber) == [1, 3])
        #expect(try reopened.get(3)?.match == .ipv6Connection(IPv6Connection(destinationPort: 443, protocol: .tcp)))
    }

    @Test("expired and due rules")
    func temporal() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try RuleStore(path: directory.path("rules.sqlite"))
        let net = FilterMatch.ipv4Net(ipv4("10.0.0.0/8"))
        try store.add(FilterRuleRequest(action: .deny, match: net), receivedAt: at(0))  // 1: forever
        try store.add(FilterRuleRequest(action: .deny, match: net, duration: 1_000), receivedAt: at(0))  // 2: stops at 1000
        try store.add(FilterRuleRequest(action: .deny, match: net, stopTime: at(5_000)), receivedAt: at(0))  // 3: stops at 5000
        try store.add(FilterRuleRequest(action: .deny, match: net, startTime: at(3_000)), receivedAt: at(0), state: .scheduled)  // 4
        #expect(try store.expired(at: at(999)).isEmpty)
        #expect(try store.expired(at: at(1_000)).map(\.ruleNumber) == [2])
        #expect(try store.expired(at: at(10_000)).map(\.ruleNumber) == [2, 3])
        #expect(try store.due(at: at(2_999)).isEmpty)
        #expect(try store.due(at: at(3_000)).map(\.ruleNumber) == [4])
        #expect(try store.get(2)?.isExpired(at: at(1_000)) == true)
    }

    @Test("a file that is not a database is a typed error")
    func notADatabase() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path("garbage.sqlite")
        #expect(FileManager.default.createFile(atPath: path, contents: Data(repeating: 0x41, count: 4096)))
        #expect {
            _ = try RuleStore(path: path)
        } throws: { error in
            guard (error as? RuleStoreError)?.kind == .database else { return false }
            return true
        }
    }

    /// SQLite stores any type in any column: a damaged or hand-edited file can hold text or a
    /// huge real where an integer belongs. Reading such a row once trapped in the row decoder.
    @Test("a row with a value of the wrong type is a corrupt rule, not a trap", arguments: [
        "UPDATE rule SET start_time = 'soon'", "UPDATE rule SET created_at = 1e30",
        "UPDATE rule SET persistent = 'yes'", "UPDATE rule SET stop_time = x'00ff'", "UPDATE rule SET action = 7",
    ])
    func wrongTypes(sql: String) throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path("rules.sqlite")
        let added = try RuleStore(path: path).add(
            FilterRuleRequest(action: .deny, match: .ipv4Net(ipv4("198.51.100.0/24"))), receivedAt: at(1_000))
        do {
            let queue = try DatabaseQueue(path: path)
            try queue.write { db in
                try db.execute(sql: "PRAGMA ignore_check_constraints = ON")
                try db.execute(sql: sql)
            }
        }
        let store = try RuleStore(path: path)
        #expect {
            _ = try store.list()
        } throws: { error in
            guard let error = error as? RuleStoreError, error.kind == .corruptRule, let number = error.ruleNumber else { return false }
            return number == added.ruleNumber
        }
    }
}

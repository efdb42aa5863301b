import Bridge
import Foundation
import Testing

/// The content of a fixture made with python-stix (Fixtures/make-stix-fixtures.sh).
func fixture(_ name: String) throws -> String {
    let url = try #require(Bundle.module.url(forResource: "Fixtures/\(name)", withExtension: "xml"))
    return try String(contentsOf: url, encoding: .utf8)
}

@Suite("STIX 1.x observables: what the bridge acts on")
struct ObservablesTests {
    @Test("python-stix packages: addresses by category, ANY lists, compositions, package observables, validity", arguments: ["stix12", "stix111"])
    func fromPythonSTIX(_ version: String) throws {
        let extraction = STIXObservables.extract(xml: try fixture("\(version)-indicators"))
        func addresses(_ id: String) -> [String]? {
            extraction.indicators.first { $0.id == id }.map { $0.addresses.map(\.description) }
        }
        #expect(addresses("example:indicator-ipv4") == ["198.51.100.7/32"])
        #expect(addresses("example:indicator-ipv6") == ["2001:db8::5/128"])
        #expect(addresses("example:indicator-cidr") == ["203.0.113.0/24"])
        #expect(addresses("example:indicator-any-list") == ["192.0.2.10/32", "192.0.2.11/32"])
        #expect(addresses("example:indicator-composition") == ["198.18.0.1/32", "198.18.0.2/32"])
        #expect(addresses("example:indicator-allow-listed") == ["10.1.2.3/32"], "the allow-list is the bridge's business, not the reader's")
        #expect(extraction.indicators.contains { $0.addresses.map(\.description) == ["198.19.0.1/32"] }, "an Observable at package level")

        let ipv4 = try #require(extraction.indicators.first { $0.id == "example:indicator-ipv4" })
        #expect(ipv4.validFrom == 1_577_836_800_000_000 && ipv4.validUntil == 4_070_908_800_000_000)
        let expired = try #require(extraction.indicators.first { $0.id == "example:indicator-expired" })
        #expect(expired.validUntil == 1_609_459_200_000_000)

        let reasons = Dictionary(extraction.skipped.map { ($0.value, $0.reason) }, uniquingKeysWith: { first, _ in first })
        #expect(reasons["999.1.1.1"]?.contains("is not an ipv4-addr address") == true)
        #expect(reasons["bad@example.com"]?.contains("is not an IP address") == true)
        #expect(reasons["198.51."]?.contains("condition StartsWith") == true)
        #expect(addresses("example:indicator-malformed") == nil && addresses("example:indicator-email") == nil)
    }

    @Test("a republished Indicator whose End_Time has passed is read with its end (a revocation)", arguments: ["stix12", "stix111"])
    func revocation(_ version: String) throws {
        let extraction = STIXObservables.extract(xml: try fixture("\(version)-revocation"))
        #expect(extraction.indicators.map(\.id) == ["example:indicator-ipv4"])
        #expect(extraction.indicators.first?.validUntil == 1_609_459_200_000_000)
    }

    @Test("an idref to a package-level Observable belongs to the Indicator alone")
    func idref() {
        let xml = """
            <stix:STIX_Package xmlns:stix="http://stix.mitre.org/stix-1" xmlns:indicator="http://stix.mitre.org/Indicator-2" \
            xmlns:cybox="http://cybox.mitre.org/cybox-2" xmlns:AddressObj="http://cybox.mitre.org/objects#AddressObject-2" id="p">
            <stix:Observables><cybox:Observable id="o1"><cybox:Object><cybox:Properties category="ipv4-addr">
            <AddressObj:Address_Value>198.51.100.1</AddressObj:Address_Value></cybox:Properties></cybox:Object></cybox:Observable></stix:Observables>
            <stix:Indicators><stix:Indicator id="i1"><indicator:Observable idref="o1"/></stix:Indicator></stix:Indicators>
            </stix:STIX_Package>
            """
        let extraction = STIXObservables.extract(xml: xml)
        #expect(extraction.indicators.map(\.id) == ["i1"])
        #expect(extraction.indicators.first?.addresses.map(\.description) == ["198.51.100.1/32"])
    }

    @Test("no category: the value decides; a time without a zone is UTC")
    func noCategory() {
        let xml = """
            <stix:STIX_Package xmlns:stix="http://stix.mitre.org/stix-1" xmlns:indicator="http://stix.mitre.org/Indicator-2" \
            xmlns:AddressObj="http://cybox.mitre.org/objects#AddressObject-2">
            <stix:Indicators><stix:Indicator><indicator:Valid_Time_Position><indicator:End_Time>2030-01-01T00:00:00</indicator:End_Time></indicator:Valid_Time_Position>
            <indicator:Observable><AddressObj:Address_Value>2001:db8::/32</AddressObj:Address_Value></indicator:Observable></stix:Indicator></stix:Indicators>
            </stix:STIX_Package>
            """
        let indicator = STIXObservables.extract(xml: xml).indicators.first
        #expect(indicator?.addresses.map(\.description) == ["2001:db8::/32"])
        #expect(indicator?.validUntil == 1_893_456_000_000_000)
        #expect(indicator?.id.hasPrefix("package#indicator-") == true)
    }

    @Test("not STIX, not XML, hostile XML: no indicator and one reason", arguments: [
        ("just text", "not XML"),
        ("<a:Other xmlns:a=\"urn:x\"/>", "not a STIX 1.x package"),
        ("<!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]><stix:STIX_Package xmlns:stix=\"http://stix.mitre.org/stix-1\">&e;</stix:STIX_Package>", "not XML"),
    ])
    func refused(_ content: String, _ reason: String) {
        let extraction = STIXObservables.extract(xml: content)
        #expect(extraction.indicators.isEmpty)
        #expect(extraction.skipped.count == 1 && extraction.skipped.first?.reason.hasPrefix(reason) == true, "\(extraction.skipped)")
    }
}

@Suite("The allow-list and address ranges")
struct AllowListTests {
    @Test("a file of addresses and ranges with comments; loopback is always in; overlaps count")
    func file() throws {
        let list = try AllowList(contentsOf: "# ours\n10.0.0.0/8   # the office\n\n2001:db8:1::/48\n", file: "allow.txt")
        #expect(list.protection(of: NetworkAddress("10.1.2.3")!)?.contains("allow.txt:2") == true)
        #expect(list.protection(of: NetworkAddress("0.0.0.0/0")!) != nil, "a range holding a protected address would block it")
        #expect(list.protection(of: NetworkAddress("2001:db8:1:2::9")!) != nil)
        #expect(list.protection(of: NetworkAddress("127.0.0.53")!)?.contains("loopback") == true)
        #expect(list.protection(of: NetworkAddress("::1")!) != nil)
        #expect(list.protection(of: NetworkAddress("198.51.100.7")!) == nil)
        #expect(list.protection(of: NetworkAddress("2001:db8:2::1")!) == nil)
    }

    @Test("a line that is no address stops with the file and line")
    func badLine() {
        #expect(throws: BridgeError(.configuration, "allow.txt:2: '10.0.0.0/33' is not an IPv4 or IPv6 address or CIDR range")) {
            try AllowList(contentsOf: "10.0.0.0/8\n10.0.0.0/33\n", file: "allow.txt")
        }
    }
}

@Suite("The fleet file")
struct FleetTests {
    @Test("defaults fill what an entry leaves out; the OpenC2 path is added to a bare URL")
    func defaults() throws {
        let fleet = try Fleet(yaml: """
            defaults: {cert: p.pem, key: p.key, ca: ca.pem}
            consumers:
              - {name: a, url: "https://10.0.0.1:8443"}
              - {name: b, url: "https://edge-b:8443/custom", ca: other.pem}
            """, file: "fleet.yaml")
        #expect(fleet.members == [
            Fleet.Member(name: "a", url: "https://10.0.0.1:8443/.well-known/openc2", certificate: "p.pem", key: "p.key", ca: "ca.pem"),
            Fleet.Member(name: "b", url: "https://edge-b:8443/custom", certificate: "p.pem", key: "p.key", ca: "other.pem"),
        ])
    }

    @Test("a polling Consumer is given by its queue and identity")
    func queueMember() throws {
        let fleet = try Fleet(yaml: "consumers:\n  - {name: nat-1, queue: 'sqlite:producer.sqlite', consumer: edge-7}\n", file: "fleet.yaml")
        #expect(fleet.members == [Fleet.Member(name: "nat-1", queue: "sqlite:producer.sqlite", consumer: "edge-7")])
    }

    @Test("each mistake names the file and the key", arguments: [
        ("consumers: []\n", "fleet.yaml: 'consumers' must list at least one Consumer"),
        ("consumers:\n  - {name: a, url: 'http://x', cert: c, key: k, ca: a}\n", "fleet.yaml: 'consumers[0].url' must be an https URL"),
        ("consumers:\n  - {name: a, url: 'https://x', key: k, ca: a}\n", "fleet.yaml: 'consumers[0].cert' is required"),
        ("consumers:\n  - {name: a, url: 'https://x', cert: c, key: k, ca: a}\n  - {name: a, url: 'https://y', cert: c, key: k, ca: a}\n", "fleet.yaml: 'consumers[1].name' 'a' is named twice"),
        ("consumers:\n  - {name: a, queue: 'sqlite:q'}\n", "fleet.yaml: 'consumers[0].consumer' is required with queue"),
        ("consumers:\n  - {name: a, queue: 'mysql://q', consumer: x}\n", "fleet.yaml: 'consumers[0].queue' must be sqlite:PATH or postgres://"),
        ("consumers:\n  - {name: a, uri: 'https://x'}\n", "fleet.yaml: 'consumers[0].uri' cannot be read (not a known setting"),
    ])
    func mistakes(_ yaml: String, _ message: String) {
        do {
            _ = try Fleet(yaml: yaml, file: "fleet.yaml")
            Issue.record("accepted: \(yaml)")
        } catch {
            #expect(error.description.hasPrefix(message), "\(error.description)")
        }
    }
}

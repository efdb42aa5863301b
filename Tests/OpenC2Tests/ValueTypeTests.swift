import OpenC2
import Testing

@Suite("Addresses and binary forms (Language §3.1.5)")
struct ValueTypeTests {
    @Test("IPv6 is written as RFC 5952 recommends", arguments: [
        ("2001:0DB8:0000:0000:0000:0000:0000:0001", "2001:db8::1"),
        ("2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"),
        ("2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"),
        ("0:0:0:0:0:0:0:0", "::"),
        ("::1", "::1"),
        ("fe80::", "fe80::"),
        ("2001:db8::0:1", "2001:db8::1"),
        ("3ffe:1900:4545:3:200:f8ff:fe21:67cf", "3ffe:1900:4545:3:200:f8ff:fe21:67cf"),
        ("::ffff:192.0.2.1", "::ffff:192.0.2.1"),
        ("::FFFF:C000:0201", "::ffff:192.0.2.1"),
        ("1:0:0:2:0:0:0:3", "1:0:0:2::3"),
    ])
    func ipv6Canonical(input: String, expected: String) throws {
        #expect(try IPv6Address(input).description == expected)
    }

    @Test("invalid IPv6 texts are refused", arguments: ["", ":", ":::", "1::2::3", "1:2:3:4:5:6:7:8:9", "12345::", "fe80::1%eth0", "g::", "1:2:3:4:5:6:7", "::1.2.3", "1::2:"])
    func ipv6Invalid(text: String) {
        #expect(IPv6Address(parsing: Substring(text)) == nil)
    }

    @Test("IPv4 is strict dotted-quad", arguments: [("1.2.3.4", true), ("255.255.255.255", true), ("0.0.0.0", true), ("256.1.1.1", false), ("01.2.3.4", false), ("1.2.3", false), ("1.2.3.4.5", false), ("1..3.4", false), (" 1.2.3.4", false)])
    func ipv4(text: String, valid: Bool) {
        #expect((IPv4Address(parsing: Substring(text)) != nil) == valid)
    }

    @Test("address ranges: prefix optional and bounded")
    func networks() throws {
        #expect(try IPv4Net("192.168.17.0/24").prefixLength == 24)
        #expect(try IPv4Net("192.168.17.1").prefixLength == nil)
        #expect(try IPv6Net("2001:DB8::/32").description == "2001:db8::/32")
        #expect(throws: OpenC2Error.self) { try IPv4Net("1.2.3.4/33") }
        #expect(throws: OpenC2Error.self) { try IPv6Net("::/129") }
        #expect(throws: OpenC2Error.self) { try IPv4Net("1.2.3.4/") }
        #expect(throws: OpenC2Error.self) { try IPv4Net("1.2.3.4/2x") }
        do {
            _ = try IPv4Net("10.0.0.0/33")
        } catch {
            #expect(error.description == "prefix 33 is out of range 0…32")
        }
    }

    @Test("base64url round-trips and refuses standard base64")
    func base64url() {
        #expect(BinaryCoding.base64URL([1, 2, 3, 4]) == "AQIDBA")
        #expect(BinaryCoding.decodeBase64URL("AQIDBA") == [1, 2, 3, 4])
        #expect(BinaryCoding.decodeBase64URL("AQIDBA==") == [1, 2, 3, 4])
        #expect(BinaryCoding.decodeBase64URL("xjNkEQ") == [0xC6, 0x33, 0x64, 0x11])
        #expect(BinaryCoding.decodeBase64URL("+/8=") == nil)
        #expect(BinaryCoding.decodeBase64URL("-_8") == [0xFB, 0xFF])
        #expect(BinaryCoding.decodeBase64URL("AQIDB") == nil)
        for length in 0..<40 {
            let bytes = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
            #expect(BinaryCoding.decodeBase64URL(BinaryCoding.base64URL(bytes)) == bytes)
        }
    }

    @Test("hex reads both cases and writes uppercase")
    func hex() {
        #expect(BinaryCoding.decodeHex("0aFf") == [0x0A, 0xFF])
        #expect(BinaryCoding.hex([0x0A, 0xFF]) == "0AFF")
        #expect(BinaryCoding.decodeHex("0aF") == nil)
        #expect(BinaryCoding.decodeHex("zz") == nil)
    }

    @Test("MAC addresses: EUI-48 and EUI-64 in colon hex")
    func mac() throws {
        #expect(try MACAddress("00:1A:2b:3c:4d:5e").description == "00:1a:2b:3c:4d:5e")
        #expect(try MACAddress("00:1a:2b:3c:4d:5e:6f:70").octets.count == 8)
        #expect(throws: OpenC2Error.self) { try MACAddress("00-1a-2b-3c-4d-5e") }
        #expect(throws: OpenC2Error.self) { try MACAddress("00:1a:2b:3c:4d") }
    }

    @Test("semantic string constraints")
    func strings() {
        #expect((try? Hostname("example.com")) != nil)
        #expect((try? Hostname("-bad.example")) == nil)
        #expect((try? IDNHostname("münchen.example")) != nil)
        #expect((try? IDNHostname("münchen..example")) == nil)
        #expect((try? EmailAddress("user.name+tag@example.com")) != nil)
        #expect((try? EmailAddress("a@@b.example")) == nil)
        #expect((try? IDNEmailAddress("用户@例子.广告")) != nil)
        #expect((try? URI("https://example.com/a?b=c#d")) != nil)
        #expect((try? URI("http://exämple.com")) == nil)
        #expect((try? IRI("http://exämple.com")) != nil)
        #expect((try? IRI("no scheme")) == nil)
        #expect((try? MediaType("text/plain; charset=utf-8")) != nil)
        #expect((try? MediaType("textplain")) == nil)
        #expect((try? CommandID(String(repeating: "a", count: 36))) != nil)
        #expect((try? CommandID(String(repeating: "a", count: 37))) == nil)
        #expect(Version("1.0").isMajorMinor)
        #expect(Version("1.0-draft-2019-02").rawValue == "1.0-draft-2019-02")
        #expect(!Version("1.0-draft-2019-02").isMajorMinor)
        #expect(!Version("1").isMajorMinor && !Version("1.0.0").isMajorMinor && !Version("v1.0").isMajorMinor && !Version("").isMajorMinor)
        #expect((try? Nsid("x-acme")) != nil)
        #expect((try? Nsid("X-ACME")) == nil)
        #expect((try? Nsid("x-this_is_too_long")) == nil)
    }
}

import OpenC2
import Testing

@Suite("Strict JSON parser (RFC 8259 + I-JSON)")
struct JSONParserTests {
    let parser = JSONParser()

    @Test("parses every JSON type and keeps member order")
    func parsesAllTypes() throws {
        let value = try parser.parse(#"{"b": [1, -2.5, 1e3, true, false, null], "a": "x\u00e9\ud83d\ude00\n"}"#)
        guard case .object(let object) = value else { Issue.record("not an object"); return }
        #expect(object.keys == ["b", "a"])
        #expect(object["b"] == .array([.integer(1), .number(-2.5), .number(1000), .bool(true), .bool(false), .null]))
        #expect(object["a"] == .string("xé😀\n"))
    }

    @Test("syntax errors name the line and column")
    func lineAndColumn() {
        #expect(throws: OpenC2Error.self) { try parser.parse("{\n  \"a\": 1,\n}") }
        do {
            _ = try parser.parse("{\n  \"a\": 1,\n}")
        } catch {
            #expect(error.code == .malformedJSON)
            #expect(error.message.contains("line 3, column 1"), "\(error)")
        }
    }

    @Test("duplicate keys are refused with their path")
    func duplicateKeys() {
        do {
            _ = try parser.parse(#"{"target": {"ipv4_net": "1.2.3.4", "ipv4_net": "5.6.7.8"}}"#)
            Issue.record("accepted a duplicate key")
        } catch {
            #expect(error.code == .duplicateKey)
            #expect(error.path.description == "target.ipv4_net")
        }
    }

    @Test("duplicate keys are found in large objects too")
    func duplicateKeysInLargeObjects() {
        let members = (0..<40).map { "\"k\($0)\": \($0)" } + ["\"k7\": 0"]
        #expect(throws: OpenC2Error.self) { try parser.parse("{" + members.joined(separator: ",") + "}") }
    }

    @Test("integers beyond 2^53 − 1 are refused, the largest safe one accepted")
    func safeIntegers() throws {
        #expect(try parser.parse("9007199254740991") == .integer(9_007_199_254_740_991))
        #expect(try parser.parse("-9007199254740991") == .integer(-9_007_199_254_740_991))
        for text in [
            "9007199254740992", "-9007199254740993", "123456789012345678901234567890", "1e400",
            // Int64's own limits: the smallest has no positive counterpart (its magnitude once trapped).
            "-9223372036854775808", "9223372036854775807", "-9223372036854775809",
        ] {
            do {
                _ = try parser.parse(text)
                Issue.record("accepted \(text)")
            } catch {
                #expect(error.code == .unsafeNumber)
            }
        }
    }

    @Test("numbers compare numerically: 2, 2.0 and 2e0 are one value, and so are 0 and -0.0")
    func numericEquality() throws {
        #expect(try parser.parse("2") == parser.parse("2.0"))
        #expect(try parser.parse("2e0") == parser.parse("2"))
        #expect(try parser.parse("-0.0") == parser.parse("0"))
        #expect(try parser.parse("2") != parser.parse("2.5"))
        #expect(try parser.parse("[1.0, {\"a\": 0.0}]") == parser.parse("[1, {\"a\": -0}]"))
        #expect(JSONValue.integer(9_007_199_254_740_991) != .number(9_007_199_254_740_992))
        #expect(Set([JSONValue.integer(2), .number(2), .number(-0.0), .integer(0)]).count == 2)
        // What the writer makes of an integral fraction reads back equal.
        let value = try parser.parse("{\"v\": -0.0, \"w\": 2.0}")
        #expect(try parser.parse(JSONWriter().string(value)) == value)
    }

    @Test("nesting is limited")
    func depthLimit() throws {
        let ok = String(repeating: "[", count: 64) + String(repeating: "]", count: 64)
        #expect(throws: Never.self) { try parser.parse(ok) }
        let deep = String(repeating: "[", count: 65) + String(repeating: "]", count: 65)
        do {
            _ = try parser.parse(deep)
            Issue.record("accepted 65 levels")
        } catch {
            #expect(error.code == .tooDeep)
        }
        // A hostile, very deep document fails fast instead of overflowing the stack.
        #expect(throws: OpenC2Error.self) { try parser.parse(String(repeating: "[", count: 1_000_000)) }
    }

    @Test("malformed inputs", arguments: [
        "", "{", "{\"a\" 1}", "{\"a\":1,}", "[1,]", "{'a':1}", "{a:1}", "01", "1.", "-", "+1", ".5", "NaN", "Infinity",
        "tru", "nul", "\"abc", "\"\\x\"", "\"\\u12\"", "\"\\ud800\"", "\"\\udc00x\"", "\"a\u{01}b\"", "{} {}", "[1] x",
    ])
    func malformed(text: String) {
        do {
            _ = try parser.parse(text)
            Issue.record("accepted \(text.debugDescription)")
        } catch {
            #expect(error.code == .malformedJSON, "\(text.debugDescription): \(error)")
        }
    }

    @Test("invalid UTF-8 is refused")
    func invalidUTF8() {
        #expect(throws: OpenC2Error.self) { try parser.parse([0x22, 0xC3, 0x28, 0x22]) }
        #expect(throws: OpenC2Error.self) { try parser.parse([0x22, 0xFF, 0x22]) }
    }

    @Test("a leading byte order mark is skipped")
    func byteOrderMark() throws {
        #expect(try parser.parse([0xEF, 0xBB, 0xBF] + Array("{}".utf8)) == .object(JSONObject()))
    }

    @Test("the writer escapes what JSON requires and round-trips")
    func writerRoundTrip() throws {
        let value = JSONValue.object(["s": .string("quote\" back\\ nl\n tab\t ctl\u{01} é"), "n": .number(0.577216), "i": .number(30), "big": .number(1e300)])
        let text = JSONWriter().string(value)
        #expect(text == #"{"s":"quote\" back\\ nl\n tab\t ctl\u0001 é","n":0.577216,"i":30,"big":1e+300}"#)
        #expect(try parser.parse(text) == .object(["s": .string("quote\" back\\ nl\n tab\t ctl\u{01} é"), "n": .number(0.577216), "i": .integer(30), "big": .number(1e300)]))
    }
}

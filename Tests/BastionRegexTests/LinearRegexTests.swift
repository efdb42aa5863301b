import Testing
@testable import BastionRegex

@Suite("Regular expressions without backtracking (regex capability module)")
struct LinearRegexTests {
    struct Case: Sendable, CustomStringConvertible {
        var pattern: String
        var text: String
        var expected: Bool
        var caseSensitive = true
        var description: String { "/\(pattern)/ on \"\(text)\"" }
    }

    static let cases: [Case] = [
        .init(pattern: "abc", text: "xxabcxx", expected: true),
        .init(pattern: "^abc", text: "xxabc", expected: false),
        .init(pattern: "abc$", text: "xxabc", expected: true),
        .init(pattern: "abc$", text: "abc\n", expected: true),
        .init(pattern: #"abc\z"#, text: "abc\n", expected: false),
        .init(pattern: #"\Aab"#, text: "ab", expected: true),
        .init(pattern: "a.c", text: "a\nc", expected: false),
        .init(pattern: "a.c", text: "aéc", expected: true),
        .init(pattern: "^[0-9a-f]{64}$", text: String(repeating: "ab", count: 32), expected: true),
        .init(pattern: "^[0-9a-f]{64}$", text: String(repeating: "ab", count: 31), expected: false),
        .init(pattern: "^[0-9a-f]{64}$", text: String(repeating: "AB", count: 32), expected: false),
        .init(pattern: "^[0-9a-f]{64}$", text: String(repeating: "AB", count: 32), expected: true, caseSensitive: false),
        .init(pattern: #"^(\d{1,3}\.){3}\d{1,3}$"#, text: "198.51.100.7", expected: true),
        .init(pattern: #"^(\d{1,3}\.){3}\d{1,3}$"#, text: "198.51.1000.7", expected: false),
        .init(pattern: #"^(?:\d{1,3}\.){3}\d{1,3}/\d{1,2}$"#, text: "10.0.0.0/8", expected: true),
        .init(pattern: "(?<host>[a-z]+)\\.example\\.(com|org)", text: "mail.example.org", expected: true),
        .init(pattern: "(?P<host>[a-z]+)\\.example\\.(com|org)", text: "mail.example.net", expected: false),
        .init(pattern: "colou?r", text: "color", expected: true),
        .init(pattern: "a{2,}", text: "a", expected: false),
        .init(pattern: "a{2,}", text: "xaay", expected: true),
        .init(pattern: "^a{0,2}$", text: "aaa", expected: false),
        .init(pattern: "a{,2}", text: "a{,2}", expected: true),  // not a quantifier: literal
        .init(pattern: "x*?y+?z??", text: "yy", expected: true),
        .init(pattern: #"\bevil\b"#, text: "an evil.exe", expected: true),
        .init(pattern: #"\bevil\b"#, text: "devilish", expected: false),
        .init(pattern: #"\Bvil"#, text: "devil", expected: true),
        .init(pattern: #"[^\d\s]+"#, text: "12 34", expected: false),
        .init(pattern: #"[\D]"#, text: "12a", expected: true),
        .init(pattern: "[[:upper:]][[:digit:]]", text: "xA1", expected: true),
        .init(pattern: "[a-]", text: "-", expected: true),
        .init(pattern: "[]a]", text: "]", expected: true),
        .init(pattern: #"\x41\u0042\x{43}"#, text: "ABC", expected: true),
        .init(pattern: #"\.exe"#, text: "a.exe", expected: true),
        .init(pattern: #"\.exe"#, text: "aXexe", expected: false),
        .init(pattern: "zeus|spyeye", text: "Zeus dropper", expected: false),
        .init(pattern: "zeus|spyeye", text: "Zeus dropper", expected: true, caseSensitive: false),
        .init(pattern: "ÉTÉ", text: "été", expected: true, caseSensitive: false),
        .init(pattern: "", text: "", expected: true),
        .init(pattern: "()", text: "x", expected: true),
        .init(pattern: "((a*)*)*b", text: "aaac", expected: false),
    ]

    @Test("matches as PCRE does", arguments: cases)
    func matches(_ testCase: Case) throws {
        let regex = try LinearRegex(testCase.pattern, caseSensitive: testCase.caseSensitive)
        #expect(regex.matches(anywhereIn: testCase.text) == testCase.expected)
    }

    /// Patterns that make a backtracking engine take time exponential (or high polynomial) in
    /// the text; here they cost one pass. A backtracking engine would not finish these.
    @Test("hostile patterns are answered in one pass over the text", arguments: [
        (#"(a+)+$"#, String(repeating: "a", count: 20_000) + "b"),
        (#"(a|aa)*c"#, String(repeating: "a", count: 20_000)),
        (#"(x+x+)+y"#, String(repeating: "x", count: 20_000)),
        (#"^(\w+\s?)*$"#, String(repeating: "word ", count: 4_000) + "!"),
        (#"(.*a){20}"#, String(repeating: "a", count: 19) + String(repeating: "b", count: 20_000)),
    ])
    func hostile(_ pattern: String, _ text: String) throws {
        #expect(try LinearRegex(pattern).matches(anywhereIn: text) == false)
    }

    /// Repeated empty groups compile to nothing, so the size limit never saw them: nested
    /// counted repetitions of one once spun through 10^20 empty copies while compiling.
    @Test("repeated empty groups compile at once and match the empty text", arguments: [
        "((((){99999}){99999}){99999}){99999}", "(?:(?:){100000}){100000}", "x((){99999}){99999}y",
    ])
    func repeatedEmptyGroups(_ pattern: String) throws {
        let regex = try LinearRegex(pattern)
        #expect(regex.matches(anywhereIn: pattern.hasPrefix("x") ? "axyb" : "anything"))
        #expect(!pattern.hasPrefix("x") || !regex.matches(anywhereIn: "x-y"))
    }

    @Test("what needs backtracking, or is malformed, is refused with its reason", arguments: [
        (#"(a)\1"#, "back-references"),
        ("(?=a)b", "look-around"),
        ("(?<=a)b", "look-around"),
        ("(?!a)b", "look-around"),
        ("(?i)abc", "inline flags"),
        ("a*+", "possessive"),
        ("*a", "nothing to repeat"),
        ("a**", "nothing to repeat"),
        ("a{2}{3}", "nothing to repeat"),
        ("^*", "nothing to repeat"),
        ("(ab", "missing ')'"),
        ("ab)", "unmatched ')'"),
        ("[ab", "missing ']'"),
        ("[z-a]", "range out of order"),
        (#"\q"#, "unknown escape"),
        ("a{3,1}", "below the minimum"),
        ("(a{100}){100}", "too large"),
        ("[[:nope:]]", "unknown class"),
        (#"\x{110000}"#, "out of range"),
        ("a\\", "at the end"),
    ])
    func refused(_ pattern: String, _ reason: String) {
        let error = #expect(throws: LinearRegex.SyntaxError.self) { try LinearRegex(pattern) }
        #expect(error?.message.contains(reason) == true, "\(String(describing: error))")
    }

    /// Every pattern of one or two quantified pieces, and every quantified alternation of two
    /// pieces, over a small alphabet, checked on every text of up to three characters against
    /// Swift's own (backtracking) `Regex`, which gives the same syntax the same meaning.
    @Test("agrees with Swift Regex on every small pattern and text")
    func agreesWithSwiftRegex() throws {
        let atoms = ["a", "b", ".", "[ab]", "[^a]", #"\w"#, #"\W"#]
        let assertions = ["^", "$", #"\b"#, #"\B"#]
        let quantifiers = ["", "*", "+", "?", "{2}", "{1,2}", "*?"]
        let pieces = atoms.flatMap { atom in quantifiers.map { atom + $0 } } + assertions
        let alternations = atoms.flatMap { first in atoms.flatMap { second in quantifiers.map { "(\(first)|\(second))\($0)" } } }
        let patterns = pieces + pieces.flatMap { first in pieces.map { first + $0 } } + alternations
        var texts = [""]
        for _ in 0..<3 { texts += texts.filter { $0.count == texts.last!.count }.flatMap { text in ["a", "b", "-"].map { text + $0 } } }

        var disagreements: [String] = []
        for pattern in patterns {
            // Simple word boundaries: \w next to not-\w, as PCRE (Swift's default follows UAX #29).
            let reference = try Regex(pattern).wordBoundaryKind(.simple)
            let regex = try LinearRegex(pattern)
            for text in texts where regex.matches(anywhereIn: text) != (try reference.firstMatch(in: text) != nil) {
                disagreements.append("/\(pattern)/ on \"\(text)\"")
            }
        }
        #expect(patterns.count == 3_205 && texts.count == 40)
        #expect(disagreements.isEmpty, "\(disagreements.prefix(20))")
    }
}

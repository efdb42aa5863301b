// LinearRegex: a pattern and a text (split at the first NUL byte) are compiled and matched as
// given. Then the same bytes, read as tokens of the syntax that Swift's own Regex shares
// (atoms a b . [ab] [^a] \w \W, quantifiers, anchors, word boundaries, groups, alternation),
// make a small pattern and text on which both must agree. Swift's Regex backtracks, so these
// are kept short, and the texts have no newline: before a final newline `$` matches in PCRE
// and Python (and LinearRegex), not in Swift's Regex.
import FuzzSupport
import BastionRegex

let atoms = ["a", "b", ".", "[ab]", "[^a]", #"\w"#, #"\W"#, "-"]
let quantifiers = ["*", "+", "?", "{2}", "{1,2}", "*?", "+?", "{0,1}"]
let others = ["^", "$", #"\b"#, #"\B"#, "(", ")", "|", "(?:"]
let tokens = atoms + quantifiers + others
let textCharacters: [Character] = ["a", "b", "-", " ", "A"]

FuzzDriver.run { (bytes) throws(PropertyViolation) in
    let parts = split(bytes, into: 2)
    let pattern = String(decoding: parts[0], as: UTF8.self)
    let text = String(decoding: parts[1], as: UTF8.self)
    if let regex = try? LinearRegex(pattern) { _ = regex.matches(anywhereIn: text) }
    if let regex = try? LinearRegex(pattern, caseSensitive: false) { _ = regex.matches(anywhereIn: text) }

    let smallPattern = parts[0].prefix(10).map { tokens[Int($0) % tokens.count] }.joined()
    let smallText = String(parts[1].prefix(10).map { textCharacters[Int($0) % textCharacters.count] })
    guard let reference = try? Regex(smallPattern).wordBoundaryKind(.simple),
          let regex = try? LinearRegex(smallPattern)
    else { return }
    guard let expected = try? reference.firstMatch(in: smallText) != nil else { return }
    let found = regex.matches(anywhereIn: smallText)
    try require(found == expected, "/\(smallPattern)/ on \(smallText.debugDescription): LinearRegex says \(found), Swift Regex \(expected)")
}

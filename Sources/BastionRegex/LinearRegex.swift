/// A regular expression whose matching takes time linear in the text, whatever the pattern:
/// the pattern is compiled to a program for a Pike virtual machine, which runs every
/// alternative in step over the text's Unicode scalars instead of backtracking. A hostile
/// pattern such as `(a+)+$` costs what an ordinary one does.
///
/// The syntax is the common core of PCRE, Python `re` and XML Schema: literals; `.` (any
/// character but a newline); classes `[…]`, `[^…]` with ranges, `\d \w \s` and their
/// negations, and `[:alpha:]`-style names; groups `(…)`, `(?:…)`, `(?<name>…)`,
/// `(?P<name>…)`; alternation `|`; quantifiers `* + ? {m} {m,} {m,n}` and their lazy forms;
/// anchors `^ $ \A \z \Z \b \B`; escapes `\t \n \r \f \v \e \0 \xHH \x{H…} \uHHHH` and escaped
/// punctuation. Back-references, look-around, possessive quantifiers and inline flags need
/// backtracking and are refused with an error that names them. `\d`, `\w` and `\s` are ASCII,
/// as in PCRE without UCP.
///
/// The TAXII Default Query regex capability module matches with it; it is public so that other
/// code taking patterns from outside can do the same.
public struct LinearRegex: Sendable {
    /// Why a pattern was refused.
    public struct SyntaxError: Error, Equatable, CustomStringConvertible {
        /// What is wrong with the pattern.
        public let message: String
        /// Where, counted in Unicode scalars from 0.
        public let offset: Int
        public var description: String { "\(message) at offset \(offset)" }
    }

    /// The most instructions a pattern may compile to (counted repetitions are expanded): it
    /// bounds the work per character of text.
    public static let maximumProgramSize = 2_000

    private let program: [Instruction]
    private let caseSensitive: Bool

    /// Compiles `pattern`; `caseSensitive: false` lets letters match in either case.
    public init(_ pattern: String, caseSensitive: Bool = true) throws(SyntaxError) {
        var parser = Parser(Array(pattern.unicodeScalars))
        let tree = try parser.parse()
        var compiler = Compiler(caseSensitive: caseSensitive)
        try compiler.emit(tree)
        compiler.program.append(.match)
        program = compiler.program
        self.caseSensitive = caseSensitive
    }

    /// Whether the expression matches somewhere in `text` (a search, not a whole-text match).
    public func matches(anywhereIn text: String) -> Bool {
        let scalars = Array(text.unicodeScalars)
        var current = ThreadList(size: program.count)
        var next = ThreadList(size: program.count)
        var stack: [Int] = []
        for position in 0...scalars.count {
            // A new attempt starts at every position: the search is unanchored.
            if add(0, at: position, in: scalars, to: &current, stack: &stack) { return true }
            guard position < scalars.count else { break }
            let scalar = scalars[position]
            for pc in current.members where accepts(program[pc], scalar) {
                if add(pc + 1, at: position + 1, in: scalars, to: &next, stack: &stack) { return true }
            }
            swap(&current, &next)
            next.removeAll()
        }
        return false
    }

    /// Adds the thread at `pc` and every thread it reaches without reading (jumps, splits,
    /// assertions that hold) to `list`; returns whether one of them is a match.
    private func add(_ pc: Int, at position: Int, in scalars: [Unicode.Scalar], to list: inout ThreadList, stack: inout [Int]) -> Bool {
        stack.append(pc)
        while let pc = stack.popLast() {
            guard list.insert(pc) else { continue }
            switch program[pc] {
            case .match:
                stack.removeAll()
                return true
            case .jump(let target):
                stack.append(target)
            case .split(let first, let second):
                stack.append(second)
                stack.append(first)
            case .assert(let assertion):
                if assertion.holds(at: position, in: scalars) { stack.append(pc + 1) }
            case .scalar, .set, .any:
                break  // waits in the list for the next scalar
            }
        }
        return false
    }

    private func accepts(_ instruction: Instruction, _ scalar: Unicode.Scalar) -> Bool {
        switch instruction {
        case .scalar(let expected): scalar == expected
        case .set(let set): caseSensitive ? set.contains(scalar) : CaseFolding.variants(of: scalar).contains { set.contains($0) }
        case .any: scalar != "\n"
        case .match, .jump, .split, .assert: false
        }
    }
}

// MARK: - Program

extension LinearRegex {
    enum Instruction: Sendable {
        case scalar(Unicode.Scalar)
        case set(ScalarSet)
        case any
        case split(Int, Int)
        case jump(Int)
        case assert(Assertion)
        case match
    }

    enum Assertion: Sendable {
        case textStart, textEnd, textEndOrFinalNewline, wordBoundary, notWordBoundary

        func holds(at position: Int, in scalars: [Unicode.Scalar]) -> Bool {
            switch self {
            case .textStart: return position == 0
            case .textEnd: return position == scalars.count
            case .textEndOrFinalNewline: return position == scalars.count || (position == scalars.count - 1 && scalars[position] == "\n")
            case .wordBoundary, .notWordBoundary:
                let before = position > 0 && ScalarSet.word.contains(scalars[position - 1])
                let after = position < scalars.count && ScalarSet.word.contains(scalars[position])
                return (before != after) == (self == .wordBoundary)
            }
        }
    }

    /// A set of Unicode scalars as sorted, merged ranges of code points, possibly negated.
    struct ScalarSet: Sendable, Equatable {
        var ranges: [ClosedRange<UInt32>]
        var negated = false

        static let digit = ScalarSet(ranges: [48...57])
        static let word = ScalarSet(ranges: [48...57, 65...90, 95...95, 97...122])
        static let space = ScalarSet(ranges: [9...13, 32...32])

        func contains(_ scalar: Unicode.Scalar) -> Bool {
            let value = scalar.value
            return ranges.contains { $0.contains(value) } != negated
        }

        /// The ranges of the scalars this set holds, negation applied.
        var effectiveRanges: [ClosedRange<UInt32>] {
            guard negated else { return ranges }
            var result: [ClosedRange<UInt32>] = []
            var start: UInt32 = 0
            for range in Self.merged(ranges) {
                if range.lowerBound > start { result.append(start...(range.lowerBound - 1)) }
                start = range.upperBound + 1
            }
            if start <= 0x10FFFF { result.append(start...0x10FFFF) }
            return result
        }

        static func merged(_ ranges: [ClosedRange<UInt32>]) -> [ClosedRange<UInt32>] {
            var result: [ClosedRange<UInt32>] = []
            for range in ranges.sorted(by: { $0.lowerBound < $1.lowerBound }) {
                if let last = result.last, range.lowerBound <= last.upperBound &+ 1 {
                    result[result.count - 1] = last.lowerBound...max(last.upperBound, range.upperBound)
                } else {
                    result.append(range)
                }
            }
            return result
        }
    }

    /// Simple case variants of a scalar, for case-insensitive matching.
    enum CaseFolding {
        static func variants(of scalar: Unicode.Scalar) -> [Unicode.Scalar] {
            let value = scalar.value
            if value < 128 {
                if (65...90).contains(value) { return [scalar, Unicode.Scalar(value + 32)!] }
                if (97...122).contains(value) { return [scalar, Unicode.Scalar(value - 32)!] }
                return [scalar]
            }
            var result = [scalar]
            for mapping in [scalar.properties.lowercaseMapping, scalar.properties.uppercaseMapping] {
                let mapped = mapping.unicodeScalars
                if mapped.count == 1, let other = mapped.first, !result.contains(other) { result.append(other) }
            }
            return result
        }
    }

    /// The threads at one position: a sparse set of program counters, kept in insertion order.
    struct ThreadList {
        private(set) var members: [Int] = []
        private var index: [Int]

        init(size: Int) {
            index = Array(repeating: -1, count: size)
            members.reserveCapacity(size)
        }

        /// Inserts `pc`; `false` if it was already there.
        mutating func insert(_ pc: Int) -> Bool {
            let slot = index[pc]
            if slot >= 0, slot < members.count, members[slot] == pc { return false }
            index[pc] = members.count
            members.append(pc)
            return true
        }

        mutating func removeAll() { members.removeAll(keepingCapacity: true) }
    }
}

// MARK: - Parsing

extension LinearRegex {
    indirect enum Node {
        case empty
        case scalar(Unicode.Scalar)
        case set(ScalarSet)
        case any
        case assertion(Assertion)
        case sequence([Node])
        case alternatives([Node])
        case repetition(Node, minimum: Int, maximum: Int?)
    }

    struct Parser {
        private let scalars: [Unicode.Scalar]
        private var position = 0
        private var depth = 0

        init(_ scalars: [Unicode.Scalar]) { self.scalars = scalars }

        mutating func parse() throws(SyntaxError) -> Node {
            let node = try alternatives()
            if position < scalars.count { throw error("unmatched ')'") }
            return node
        }

        private var peek: Unicode.Scalar? { position < scalars.count ? scalars[position] : nil }

        private func error(_ message: String, at offset: Int? = nil) -> SyntaxError {
            SyntaxError(message: message, offset: offset ?? position)
        }

        private mutating func take(_ expected: Unicode.Scalar) -> Bool {
            guard peek == expected else { return false }
            position += 1
            return true
        }

        private mutating func alternatives() throws(SyntaxError) -> Node {
            var branches = [try sequence()]
            while take("|") { branches.append(try sequence()) }
            return branches.count == 1 ? branches[0] : .alternatives(branches)
        }

        private mutating func sequence() throws(SyntaxError) -> Node {
            var items: [Node] = []
            while let next = peek, next != "|", next != ")" {
                items.append(try quantified())
            }
            return items.isEmpty ? .empty : items.count == 1 ? items[0] : .sequence(items)
        }

        private mutating func quantified() throws(SyntaxError) -> Node {
            let start = position
            let node = try atom()
            guard let (minimum, maximum) = try quantifier() else { return node }
            if case .assertion = node { throw error("nothing to repeat", at: start) }
            if take("+") { throw error("possessive quantifiers are not supported", at: position - 1) }
            _ = take("?")  // lazy: the same set of matches
            if let next = peek, "*+?".unicodeScalars.contains(next) { throw error("nothing to repeat") }
            if lookAheadBraces() != nil { throw error("nothing to repeat") }
            return .repetition(node, minimum: minimum, maximum: maximum)
        }

        /// `{m}`, `{m,}` or `{m,n}` at the current position, without consuming it.
        private func lookAheadBraces() -> (Int, Int?, end: Int)? {
            guard peek == "{" else { return nil }
            var index = position + 1
            func number() -> Int? {
                let start = index
                var value = 0
                while index < scalars.count, let digit = Int(String(scalars[index])), scalars[index].isASCII {
                    value = min(value * 10 + digit, 100_000)
                    index += 1
                }
                return index > start ? value : nil
            }
            guard let minimum = number() else { return nil }
            var maximum: Int? = minimum
            if index < scalars.count, scalars[index] == "," {
                index += 1
                maximum = number()
            }
            guard index < scalars.count, scalars[index] == "}" else { return nil }
            return (minimum, maximum, index + 1)
        }

        private mutating func quantifier() throws(SyntaxError) -> (Int, Int?)? {
            switch peek {
            case "*": position += 1; return (0, nil)
            case "+": position += 1; return (1, nil)
            case "?": position += 1; return (0, 1)
            case "{":
                guard let (minimum, maximum, end) = lookAheadBraces() else { return nil }  // a literal '{'
                if let maximum, maximum < minimum { throw error("{\(minimum),\(maximum)}: the maximum is below the minimum") }
                position = end
                return (minimum, maximum)
            default: return nil
            }
        }

        private mutating func atom() throws(SyntaxError) -> Node {
            let start = position
            guard let scalar = peek else { throw error("unexpected end of the expression") }
            position += 1
            switch scalar {
            case "(": return try group(start: start)
            case "[": return .set(try bracketSet(start: start))
            case ".": return .any
            case "^": return .assertion(.textStart)
            case "$": return .assertion(.textEndOrFinalNewline)
            case "\\": return try escape(inSet: false)
            case "*", "+", "?": throw error("nothing to repeat", at: start)
            default: return .scalar(scalar)
            }
        }

        private mutating func group(start: Int) throws(SyntaxError) -> Node {
            if take("?") {
                if take(":") {
                } else if take("P"), take("<") {
                    try skipGroupName()
                } else if take("<"), let next = peek, next != "=", next != "!" {
                    try skipGroupName()
                } else {
                    throw error("(?…) groups other than (?:…) and named groups (look-around, inline flags, conditionals) are not supported", at: start)
                }
            }
            depth += 1
            guard depth <= 200 else { throw error("groups nested more than 200 deep", at: start) }
            let inner = try alternatives()
            depth -= 1
            guard take(")") else { throw error("missing ')'", at: start) }
            return inner
        }

        private mutating func skipGroupName() throws(SyntaxError) {
            let start = position
            while let next = peek, next != ">" {
                guard next.properties.isAlphabetic || ("0"..."9").contains(next) || next == "_" else { throw error("bad group name") }
                position += 1
            }
            guard position > start, take(">") else { throw error("bad group name", at: start) }
        }

        private mutating func escape(inSet: Bool) throws(SyntaxError) -> Node {
            let start = position - 1
            guard let scalar = peek else { throw error("'\\' at the end of the expression", at: start) }
            position += 1
            switch scalar {
            case "d": return .set(.digit)
            case "D": return .set(ScalarSet(ranges: ScalarSet.digit.ranges, negated: true))
            case "w": return .set(.word)
            case "W": return .set(ScalarSet(ranges: ScalarSet.word.ranges, negated: true))
            case "s": return .set(.space)
            case "S": return .set(ScalarSet(ranges: ScalarSet.space.ranges, negated: true))
            case "t": return .scalar("\t")
            case "n": return .scalar("\n")
            case "r": return .scalar("\r")
            case "f": return .scalar("\u{0C}")
            case "v": return .scalar("\u{0B}")
            case "e": return .scalar("\u{1B}")
            case "0": return .scalar("\0")
            case "b" where inSet: return .scalar("\u{08}")
            case "b": return .assertion(.wordBoundary)
            case "B" where !inSet: return .assertion(.notWordBoundary)
            case "A" where !inSet: return .assertion(.textStart)
            case "z" where !inSet: return .assertion(.textEnd)
            case "Z" where !inSet: return .assertion(.textEndOrFinalNewline)
            case "x": return .scalar(try hexScalar(start: start, braced: take("{"), digits: 2))
            case "u": return .scalar(try hexScalar(start: start, braced: false, digits: 4))
            case "1"..."9": throw error("back-references need backtracking and are not supported", at: start)
            default:
                if scalar.isASCII, scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) {
                    throw error("unknown escape \\\(scalar)", at: start)
                }
                return .scalar(scalar)  // escaped punctuation, or any non-ASCII character
            }
        }

        private mutating func hexScalar(start: Int, braced: Bool, digits: Int) throws(SyntaxError) -> Unicode.Scalar {
            var value: UInt32 = 0
            var count = 0
            while let next = peek, next.isASCII, let digit = UInt32(String(next), radix: 16) {
                if !braced, count == digits { break }
                value = value * 16 + digit
                count += 1
                position += 1
                guard value <= 0x10FFFF else { throw error("code point out of range", at: start) }
            }
            if braced, !take("}") { throw error("missing '}' in \\x{…}", at: start) }
            guard braced ? count > 0 : count == digits, let scalar = Unicode.Scalar(value) else {
                throw error("bad hexadecimal escape", at: start)
            }
            return scalar
        }

        private static let namedClasses: [String: [ClosedRange<UInt32>]] = [
            "alpha": [65...90, 97...122], "digit": [48...57], "alnum": [48...57, 65...90, 97...122],
            "upper": [65...90], "lower": [97...122], "space": [9...13, 32...32], "xdigit": [48...57, 65...70, 97...102],
            "word": [48...57, 65...90, 95...95, 97...122], "punct": [33...47, 58...64, 91...96, 123...126],
        ]

        private mutating func bracketSet(start: Int) throws(SyntaxError) -> ScalarSet {
            var set = ScalarSet(ranges: [], negated: take("^"))
            var first = true
            while true {
                guard let scalar = peek else { throw error("missing ']'", at: start) }
                if scalar == "]", !first {
                    position += 1
                    break
                }
                first = false
                let low: UInt32
                if scalar == "[", position + 1 < scalars.count, scalars[position + 1] == ":" {
                    set.ranges += try namedClass()
                    continue
                } else if scalar == "\\" {
                    position += 1
                    switch try escape(inSet: true) {
                    case .scalar(let escaped): low = escaped.value
                    case .set(let inner):
                        set.ranges += inner.effectiveRanges
                        continue
                    default: throw error("only characters and classes belong in [...]", at: position - 2)
                    }
                } else {
                    position += 1
                    low = scalar.value
                }
                // A range low-high, unless '-' ends the set.
                if peek == "-", position + 1 < scalars.count, scalars[position + 1] != "]" {
                    position += 1
                    var high = scalars[position].value
                    position += 1
                    if scalars[position - 1] == "\\" {
                        guard case .scalar(let escaped) = try escape(inSet: true) else { throw error("a class cannot end a range", at: position - 2) }
                        high = escaped.value
                    }
                    guard low <= high else { throw error("range out of order in [...]", at: position - 1) }
                    set.ranges.append(low...high)
                } else {
                    set.ranges.append(low...low)
                }
            }
            set.ranges = ScalarSet.merged(set.ranges)
            return set
        }

        private mutating func namedClass() throws(SyntaxError) -> [ClosedRange<UInt32>] {
            let start = position
            position += 2  // "[:"
            var name = ""
            while let next = peek, next != ":" {
                name.unicodeScalars.append(next)
                position += 1
            }
            guard take(":"), take("]") else { throw error("bad [:class:] name", at: start) }
            guard let ranges = Self.namedClasses[name] else { throw error("unknown class [:\(name):]", at: start) }
            return ranges
        }
    }
}

// MARK: - Compiling

extension LinearRegex {
    struct Compiler {
        let caseSensitive: Bool
        var program: [Instruction] = []

        private mutating func append(_ instruction: Instruction) throws(SyntaxError) {
            guard program.count < LinearRegex.maximumProgramSize else {
                throw SyntaxError(message: "the expression is too large once its repetitions are expanded (over \(LinearRegex.maximumProgramSize) steps)", offset: 0)
            }
            program.append(instruction)
        }

        mutating func emit(_ node: Node) throws(SyntaxError) {
            switch node {
            case .empty:
                break
            case .scalar(let scalar):
                let variants = caseSensitive ? [scalar] : CaseFolding.variants(of: scalar)
                if variants.count == 1 {
                    try append(.scalar(scalar))
                } else {
                    try append(.set(ScalarSet(ranges: variants.map { $0.value...$0.value })))
                }
            case .set(let set): try append(.set(set))
            case .any: try append(.any)
            case .assertion(let assertion): try append(.assert(assertion))
            case .sequence(let items):
                for item in items { try emit(item) }
            case .alternatives(let branches):
                // split L1, next; L1: branch; jump end; next: split L2, … ; last branch; end:
                var jumps: [Int] = []
                for (index, branch) in branches.enumerated() {
                    if index < branches.count - 1 {
                        let split = program.count
                        try append(.split(split + 1, -1))
                        try emit(branch)
                        jumps.append(program.count)
                        try append(.jump(-1))
                        program[split] = .split(split + 1, program.count)
                    } else {
                        try emit(branch)
                    }
                }
                for jump in jumps { program[jump] = .jump(program.count) }
            case .repetition(let inner, let minimum, let maximum):
                if minimum > 0 {
                    let start = program.count
                    try emit(inner)
                    // A part that compiles to nothing (an empty group) matches only the empty
                    // text, however often it is repeated: one copy stands for all of them. The
                    // size limit never sees such copies, so `((){99999}){99999}` would otherwise
                    // spin through 10^10 of them.
                    if program.count == start { return }
                    for _ in 1..<minimum { try emit(inner) }
                }
                if let maximum {
                    // Each optional copy may be skipped to the end.
                    var skips: [Int] = []
                    for _ in minimum..<maximum {
                        skips.append(program.count)
                        try append(.split(program.count + 1, -1))
                        try emit(inner)
                    }
                    for skip in skips { program[skip] = .split(skip + 1, program.count) }
                } else {
                    let loop = program.count
                    try append(.split(loop + 1, -1))
                    try emit(inner)
                    try append(.jump(loop))
                    program[loop] = .split(loop + 1, program.count)
                }
            }
        }
    }
}

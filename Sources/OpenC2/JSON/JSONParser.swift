/// A strict JSON reader: RFC 8259 syntax with the I-JSON restrictions of RFC 7493.
///
/// Refused, each with a clear ``OpenC2Error``: syntax errors (with line and column), invalid
/// UTF-8, lone surrogate escapes, duplicate member names, integers beyond ±(2⁵³ − 1), numbers
/// that overflow a double, and nesting deeper than ``maximumDepth``. A leading UTF-8 byte
/// order mark is skipped.
public struct JSONParser: Sendable {
    /// The deepest nesting of arrays and objects accepted.
    public var maximumDepth: Int

    /// A parser accepting at most `maximumDepth` levels of nesting.
    public init(maximumDepth: Int = 64) {
        self.maximumDepth = maximumDepth
    }

    /// Parses one JSON text.
    public func parse(_ bytes: some Collection<UInt8>) throws(OpenC2Error) -> JSONValue {
        let result: Result<JSONValue, OpenC2Error>? = bytes.withContiguousStorageIfAvailable { buffer in
            parse(buffer: buffer)
        }
        if let result { return try result.get() }
        let copy = Array(bytes)
        return try copy.withUnsafeBufferPointer { parse(buffer: $0) }.get()
    }

    /// Parses one JSON text.
    public func parse(_ text: String) throws(OpenC2Error) -> JSONValue {
        var text = text
        return try text.withUTF8 { parse(buffer: $0) }.get()
    }

    private func parse(buffer: UnsafeBufferPointer<UInt8>) -> Result<JSONValue, OpenC2Error> {
        var reader = Reader(bytes: buffer, maximumDepth: maximumDepth)
        do throws(OpenC2Error) {
            if buffer.starts(with: [0xEF, 0xBB, 0xBF]) { reader.offset = 3 }
            let value = try reader.parseValue(depth: 0)
            reader.skipWhitespace()
            if reader.offset != buffer.count {
                throw reader.syntaxError("unexpected data after the JSON value")
            }
            return .success(value)
        } catch {
            return .failure(error)
        }
    }
}

private struct Reader {
    let bytes: UnsafeBufferPointer<UInt8>
    let maximumDepth: Int
    var offset = 0

    init(bytes: UnsafeBufferPointer<UInt8>, maximumDepth: Int) {
        self.bytes = bytes
        self.maximumDepth = maximumDepth
    }

    // MARK: Errors

    func syntaxError(_ what: String, at position: Int? = nil) -> OpenC2Error {
        let position = min(position ?? offset, bytes.count)
        var line = 1
        var column = 1
        for byte in bytes[..<position] {
            if byte == UInt8(ascii: "\n") {
                line += 1
                column = 1
            } else if byte & 0xC0 != 0x80 {
                column += 1
            }
        }
        return OpenC2Error(.malformedJSON, "malformed JSON at line \(line), column \(column): \(what)")
    }

    func unexpected(_ expectation: String) -> OpenC2Error {
        guard offset < bytes.count else { return syntaxError("unexpected end of input, expected \(expectation)") }
        let byte = bytes[offset]
        let found = (0x21...0x7E).contains(byte) ? "'\(Character(Unicode.Scalar(byte)))'" : "byte 0x" + String(byte, radix: 16, uppercase: true).leftPadded(2)
        return syntaxError("expected \(expectation), found \(found)")
    }

    // MARK: Structure

    mutating func skipWhitespace() {
        while offset < bytes.count {
            switch bytes[offset] {
            case 0x20, 0x09, 0x0A, 0x0D: offset += 1
            default: return
            }
        }
    }

    mutating func parseValue(depth: Int) throws(OpenC2Error) -> JSONValue {
        skipWhitespace()
        guard offset < bytes.count else { throw unexpected("a JSON value") }
        switch bytes[offset] {
        case UInt8(ascii: "{"): return .object(try parseObject(depth: depth + 1))
        case UInt8(ascii: "["): return .array(try parseArray(depth: depth + 1))
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): try expectLiteral("true"); return .bool(true)
        case UInt8(ascii: "f"): try expectLiteral("false"); return .bool(false)
        case UInt8(ascii: "n"): try expectLiteral("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try parseNumber()
        default: throw unexpected("a JSON value")
        }
    }

    mutating func expectLiteral(_ literal: StaticString) throws(OpenC2Error) {
        let count = literal.utf8CodeUnitCount
        let start = offset
        let matches = start + count <= bytes.count && literal.withUTF8Buffer { expected in
            (0..<count).allSatisfy { bytes[start + $0] == expected[$0] }
        }
        guard matches else { throw unexpected("a JSON value") }
        offset += count
    }

    mutating func enter(_ depth: Int) throws(OpenC2Error) {
        if depth > maximumDepth {
            throw OpenC2Error(.tooDeep, "the document nests deeper than \(maximumDepth) levels")
        }
        offset += 1
    }

    mutating func parseObject(depth: Int) throws(OpenC2Error) -> JSONObject {
        try enter(depth)
        var members: [JSONObject.Member] = []
        var seen: Set<String>? = nil  // built only for large objects
        skipWhitespace()
        if offset < bytes.count, bytes[offset] == UInt8(ascii: "}") {
            offset += 1
            return JSONObject(uniqueMembers: members)
        }
        while true {
            skipWhitespace()
            guard offset < bytes.count, bytes[offset] == UInt8(ascii: "\"") else {
                throw unexpected("a member name in double quotes")
            }
            let key = try parseString()
            let isDuplicate: Bool
            if members.count < 16 {
                isDuplicate = members.contains { $0.key == key }
            } else {
                if seen == nil { seen = Set(members.map(\.key)) }
                isDuplicate = !seen!.insert(key).inserted
            }
            if isDuplicate {
                throw OpenC2Error(.duplicateKey, "member '\(key)' appears more than once", at: JSONPath([.key(key)]))
            }
            skipWhitespace()
            guard offset < bytes.count, bytes[offset] == UInt8(ascii: ":") else { throw unexpected("':' after a member name") }
            offset += 1
            let value = try within(key) { () throws(OpenC2Error) in try parseValue(depth: depth) }
            members.append((key, value))
            skipWhitespace()
            guard offset < bytes.count else { throw unexpected("',' or '}'") }
            switch bytes[offset] {
            case UInt8(ascii: ","): offset += 1
            case UInt8(ascii: "}"): offset += 1; return JSONObject(uniqueMembers: members)
            default: throw unexpected("',' or '}'")
            }
        }
    }

    mutating func parseArray(depth: Int) throws(OpenC2Error) -> [JSONValue] {
        try enter(depth)
        var items: [JSONValue] = []
        skipWhitespace()
        if offset < bytes.count, bytes[offset] == UInt8(ascii: "]") {
            offset += 1
            return items
        }
        while true {
            let index = items.count
            items.append(try within(index: index) { () throws(OpenC2Error) in try parseValue(depth: depth) })
            skipWhitespace()
            guard offset < bytes.count else { throw unexpected("',' or ']'") }
            switch bytes[offset] {
            case UInt8(ascii: ","): offset += 1
            case UInt8(ascii: "]"): offset += 1; return items
            default: throw unexpected("',' or ']'")
            }
        }
    }

    // MARK: Strings

    mutating func parseString() throws(OpenC2Error) -> String {
        let start = offset
        offset += 1  // opening quote
        let contentStart = offset
        var hasEscapes = false
        var isASCII = true
        while true {
            guard offset < bytes.count else { throw syntaxError("unterminated string", at: start) }
            let byte = bytes[offset]
            if byte == UInt8(ascii: "\"") { break }
            if byte == UInt8(ascii: "\\") {
                hasEscapes = true
                offset += 2
                continue
            }
            if byte < 0x20 { throw syntaxError("control character U+00\(String(byte, radix: 16, uppercase: true).leftPadded(2)) must be escaped in a string") }
            if byte >= 0x80 { isASCII = false }
            offset += 1
        }
        let content = UnsafeBufferPointer(rebasing: bytes[contentStart..<offset])
        offset += 1  // closing quote
        if !hasEscapes {
            if isASCII { return String(decoding: content, as: UTF8.self) }
            guard let string = String(validating: content, as: UTF8.self) else {
                throw syntaxError("invalid UTF-8 in a string", at: contentStart)
            }
            return string
        }
        return try unescape(content, startingAt: contentStart)
    }

    func unescape(_ content: UnsafeBufferPointer<UInt8>, startingAt base: Int) throws(OpenC2Error) -> String {
        var output: [UInt8] = []
        output.reserveCapacity(content.count)
        var index = 0
        func hex4(_ at: Int) -> UInt16? {
            guard at + 4 <= content.count else { return nil }
            var value: UInt16 = 0
            for byte in content[at..<(at + 4)] {
                guard let digit = hexDigitValue(byte) else { return nil }
                value = value << 4 | UInt16(digit)
            }
            return value
        }
        while index < content.count {
            let byte = content[index]
            guard byte == UInt8(ascii: "\\") else {
                output.append(byte)
                index += 1
                continue
            }
            guard index + 1 < content.count else { throw syntaxError("unterminated escape", at: base + index) }
            let escape = content[index + 1]
            index += 2
            switch escape {
            case UInt8(ascii: "\""): output.append(0x22)
            case UInt8(ascii: "\\"): output.append(0x5C)
            case UInt8(ascii: "/"): output.append(0x2F)
            case UInt8(ascii: "b"): output.append(0x08)
            case UInt8(ascii: "f"): output.append(0x0C)
            case UInt8(ascii: "n"): output.append(0x0A)
            case UInt8(ascii: "r"): output.append(0x0D)
            case UInt8(ascii: "t"): output.append(0x09)
            case UInt8(ascii: "u"):
                guard let unit = hex4(index) else { throw syntaxError("\\u must be followed by four hex digits", at: base + index - 2) }
                index += 4
                var scalarValue = UInt32(unit)
                if (0xD800...0xDBFF).contains(unit) {
                    guard index + 6 <= content.count, content[index] == UInt8(ascii: "\\"), content[index + 1] == UInt8(ascii: "u"),
                          let low = hex4(index + 2), (0xDC00...0xDFFF).contains(low)
                    else { throw syntaxError("lone UTF-16 surrogate \\u\(String(unit, radix: 16))", at: base + index - 6) }
                    index += 6
                    scalarValue = 0x10000 + ((UInt32(unit) - 0xD800) << 10) + (UInt32(low) - 0xDC00)
                } else if (0xDC00...0xDFFF).contains(unit) {
                    throw syntaxError("lone UTF-16 surrogate \\u\(String(unit, radix: 16))", at: base + index - 6)
                }
                output.append(contentsOf: String(Character(Unicode.Scalar(scalarValue)!)).utf8)
            default:
                throw syntaxError("invalid escape sequence", at: base + index - 2)
            }
        }
        guard let string = String(validating: output, as: UTF8.self) else {
            throw syntaxError("invalid UTF-8 in a string", at: base)
        }
        return string
    }

    // MARK: Numbers

    mutating func parseNumber() throws(OpenC2Error) -> JSONValue {
        let start = offset
        if bytes[offset] == UInt8(ascii: "-") { offset += 1 }
        guard offset < bytes.count, isDigit(bytes[offset]) else { throw unexpected("a digit") }
        if bytes[offset] == UInt8(ascii: "0") {
            offset += 1
            if offset < bytes.count, isDigit(bytes[offset]) { throw syntaxError("numbers must not have leading zeros", at: start) }
        } else {
            while offset < bytes.count, isDigit(bytes[offset]) { offset += 1 }
        }
        var isInteger = true
        if offset < bytes.count, bytes[offset] == UInt8(ascii: ".") {
            isInteger = false
            offset += 1
            guard offset < bytes.count, isDigit(bytes[offset]) else { throw unexpected("a digit after the decimal point") }
            while offset < bytes.count, isDigit(bytes[offset]) { offset += 1 }
        }
        if offset < bytes.count, bytes[offset] | 0x20 == UInt8(ascii: "e") {
            isInteger = false
            offset += 1
            if offset < bytes.count, bytes[offset] == UInt8(ascii: "+") || bytes[offset] == UInt8(ascii: "-") { offset += 1 }
            guard offset < bytes.count, isDigit(bytes[offset]) else { throw unexpected("a digit in the exponent") }
            while offset < bytes.count, isDigit(bytes[offset]) { offset += 1 }
        }
        let literal = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<offset]), as: UTF8.self)
        if isInteger {
            guard let value = Int64(literal), value.magnitude <= JSONValue.maximumSafeInteger.magnitude else {
                throw OpenC2Error(.unsafeNumber, "integer \(literal) is beyond ±(2^53 − 1), the range JSON carries exactly")
            }
            return .integer(value)
        }
        guard let value = Double(literal), value.isFinite else {
            throw OpenC2Error(.unsafeNumber, "number \(literal) does not fit a double")
        }
        return .number(value)
    }
}

@inline(__always) private func isDigit(_ byte: UInt8) -> Bool { byte &- UInt8(ascii: "0") < 10 }

@inline(__always) func hexDigitValue(_ byte: UInt8) -> UInt8? {
    switch byte {
    case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
    case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
    case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
    default: nil
    }
}

extension String {
    func leftPadded(_ width: Int, with pad: Character = "0") -> String {
        count >= width ? self : String(repeating: pad, count: width - count) + self
    }
}

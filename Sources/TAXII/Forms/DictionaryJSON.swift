extension TAXII.DictionaryValue {
    /// The value as JSON text: object keys sorted, strings escaped per RFC 8259
    /// (non-ASCII characters written as is), two-space indentation when pretty printed.
    public func json(prettyPrinted: Bool = false) -> String {
        var output = ""
        output.reserveCapacity(256)
        writeJSON(to: &output, pretty: prettyPrinted, indent: 0)
        return output
    }

    private func writeJSON(to output: inout String, pretty: Bool, indent: Int) {
        switch self {
        case .string(let value): Self.writeJSONString(value, to: &output)
        case .integer(let value): output += String(value)
        case .bool(let value): output += value ? "true" : "false"
        case .null: output += "null"
        case .list(let items):
            guard !items.isEmpty else {
                output += "[]"
                return
            }
            output += "["
            for (index, item) in items.enumerated() {
                if index > 0 { output += "," }
                if pretty { Self.newline(&output, indent + 1) }
                item.writeJSON(to: &output, pretty: pretty, indent: indent + 1)
            }
            if pretty { Self.newline(&output, indent) }
            output += "]"
        case .dictionary(let members):
            guard !members.isEmpty else {
                output += "{}"
                return
            }
            output += "{"
            for (index, key) in members.keys.sorted().enumerated() {
                if index > 0 { output += "," }
                if pretty { Self.newline(&output, indent + 1) }
                Self.writeJSONString(key, to: &output)
                output += pretty ? ": " : ":"
                members[key]!.writeJSON(to: &output, pretty: pretty, indent: indent + 1)
            }
            if pretty { Self.newline(&output, indent) }
            output += "}"
        }
    }

    private static func newline(_ output: inout String, _ level: Int) {
        output += "\n"
        output += String(repeating: "  ", count: level)
    }

    private static func writeJSONString(_ value: String, to output: inout String) {
        output += "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": output += "\\\""
            case "\\": output += "\\\\"
            case "\n": output += "\\n"
            case "\r": output += "\\r"
            case "\t": output += "\\t"
            case "\u{08}": output += "\\b"
            case "\u{0C}": output += "\\f"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    output += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    output.unicodeScalars.append(scalar)
                }
            }
        }
        output += "\""
    }

    /// Parses JSON text (RFC 8259) into a dictionary-form value.
    ///
    /// Strict: no trailing commas, comments or duplicate object keys; numbers
    /// must be integers that fit in `Int` (the dictionary form has no
    /// fractions); nesting is limited to 512 levels.
    ///
    /// - Throws: ``TAXIIError`` of kind `.malformedJSON`, naming the byte offset.
    public init(json: String) throws(TAXIIError) {
        var parser = JSONTextParser(bytes: Array(json.utf8))
        self = try parser.parseDocument()
    }

    /// Parses JSON bytes (UTF-8); see ``init(json:)``.
    public init(json bytes: [UInt8]) throws(TAXIIError) {
        var parser = JSONTextParser(bytes: bytes)
        self = try parser.parseDocument()
    }
}

/// A small strict JSON reader producing ``TAXII/DictionaryValue``s.
private struct JSONTextParser {
    let bytes: [UInt8]
    var index = 0
    var depth = 0
    static let maximumDepth = 512

    init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    func failure(_ message: String) -> TAXIIError {
        TAXIIError(.malformedJSON, path: "", "\(message) at byte offset \(index)")
    }

    mutating func parseDocument() throws(TAXIIError) -> TAXII.DictionaryValue {
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { index = 3 }
        let value = try parseValue()
        skipWhitespace()
        guard index == bytes.count else { throw failure("unexpected text after the JSON value") }
        return value
    }

    mutating func skipWhitespace() {
        while index < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[index]) { index += 1 }
    }

    mutating func parseValue() throws(TAXIIError) -> TAXII.DictionaryValue {
        skipWhitespace()
        guard index < bytes.count else { throw failure("unexpected end of JSON") }
        switch bytes[index] {
        case UInt8(ascii: "{"): return try parseObject()
        case UInt8(ascii: "["): return try parseArray()
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): try literal("true"); return .bool(true)
        case UInt8(ascii: "f"): try literal("false"); return .bool(false)
        case UInt8(ascii: "n"): try literal("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try parseNumber()
        default: throw failure("unexpected character \"\(Character(UnicodeScalar(bytes[index])))\"")
        }
    }

    mutating func literal(_ word: String) throws(TAXIIError) {
        let expected = Array(word.utf8)
        guard index + expected.count <= bytes.count, Array(bytes[index..<index + expected.count]) == expected else {
            throw failure("invalid literal (expected \(word))")
        }
        index += expected.count
    }

    mutating func enter() throws(TAXIIError) {
        depth += 1
        if depth > Self.maximumDepth { throw failure("JSON nested deeper than \(Self.maximumDepth) levels") }
    }

    mutating func parseObject() throws(TAXIIError) -> TAXII.DictionaryValue {
        try enter()
        defer { depth -= 1 }
        index += 1
        var members: [String: TAXII.DictionaryValue] = [:]
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
            index += 1
            return .dictionary(members)
        }
        while true {
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw failure("expected a string key") }
            let key = try parseString()
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw failure("expected \":\" after a key") }
            index += 1
            let value = try parseValue()
            guard members.updateValue(value, forKey: key) == nil else { throw failure("duplicate key \"\(key)\"") }
            skipWhitespace()
            guard index < bytes.count else { throw failure("unterminated object") }
            if bytes[index] == UInt8(ascii: ",") {
                index += 1
            } else if bytes[index] == UInt8(ascii: "}") {
                index += 1
                return .dictionary(members)
            } else {
                throw failure("expected \",\" or \"}\" in an object")
            }
        }
    }

    mutating func parseArray() throws(TAXIIError) -> TAXII.DictionaryValue {
        try enter()
        defer { depth -= 1 }
        index += 1
        var items: [TAXII.DictionaryValue] = []
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
            index += 1
            return .list(items)
        }
        while true {
            items.append(try parseValue())
            skipWhitespace()
            guard index < bytes.count else { throw failure("unterminated array") }
            if bytes[index] == UInt8(ascii: ",") {
                index += 1
            } else if bytes[index] == UInt8(ascii: "]") {
                index += 1
                return .list(items)
            } else {
                throw failure("expected \",\" or \"]\" in an array")
            }
        }
    }

    mutating func parseNumber() throws(TAXIIError) -> TAXII.DictionaryValue {
        let start = index
        if bytes[index] == UInt8(ascii: "-") { index += 1 }
        let digitsStart = index
        while index < bytes.count, bytes[index] >= 0x30, bytes[index] <= 0x39 { index += 1 }
        guard index > digitsStart else { throw failure("invalid number") }
        if bytes[digitsStart] == 0x30, index - digitsStart > 1 { throw failure("leading zero in a number") }
        if index < bytes.count, [UInt8(ascii: "."), UInt8(ascii: "e"), UInt8(ascii: "E")].contains(bytes[index]) {
            throw failure("only integers are allowed in the dictionary form")
        }
        guard let value = Int(String(decoding: bytes[start..<index], as: UTF8.self)) else {
            throw failure("integer out of range")
        }
        return .integer(value)
    }

    mutating func hex4() throws(TAXIIError) -> UInt32 {
        guard index + 4 <= bytes.count, let value = UInt32(String(decoding: bytes[index..<index + 4], as: UTF8.self), radix: 16) else {
            throw failure("invalid \\u escape")
        }
        index += 4
        return value
    }

    mutating func parseString() throws(TAXIIError) -> String {
        index += 1
        var scalars = String.UnicodeScalarView()
        var runStart = index
        func flush(_ parser: JSONTextParser, upTo end: Int, into scalars: inout String.UnicodeScalarView) {
            if end > runStart {
                scalars.append(contentsOf: String(decoding: parser.bytes[runStart..<end], as: UTF8.self).unicodeScalars)
            }
        }
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                flush(self, upTo: index, into: &scalars)
                index += 1
                return String(scalars)
            }
            if byte < 0x20 { throw failure("control character in a string") }
            if byte == UInt8(ascii: "\\") {
                flush(self, upTo: index, into: &scalars)
                index += 1
                guard index < bytes.count else { break }
                let escape = bytes[index]
                index += 1
                switch escape {
                case UInt8(ascii: "\""): scalars.append("\"")
                case UInt8(ascii: "\\"): scalars.append("\\")
                case UInt8(ascii: "/"): scalars.append("/")
                case UInt8(ascii: "b"): scalars.append("\u{08}")
                case UInt8(ascii: "f"): scalars.append("\u{0C}")
                case UInt8(ascii: "n"): scalars.append("\n")
                case UInt8(ascii: "r"): scalars.append("\r")
                case UInt8(ascii: "t"): scalars.append("\t")
                case UInt8(ascii: "u"):
                    var code = try hex4()
                    if (0xD800...0xDBFF).contains(code) {
                        guard index + 2 <= bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") else {
                            throw failure("unpaired surrogate in a \\u escape")
                        }
                        index += 2
                        let low = try hex4()
                        guard (0xDC00...0xDFFF).contains(low) else { throw failure("unpaired surrogate in a \\u escape") }
                        code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                    }
                    guard let scalar = Unicode.Scalar(code) else { throw failure("unpaired surrogate in a \\u escape") }
                    scalars.append(scalar)
                default:
                    throw failure("invalid escape in a string")
                }
                runStart = index
                continue
            }
            index += 1
        }
        throw failure("unterminated string")
    }
}

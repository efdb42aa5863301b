extension TAXII {
    /// A value of a message's dictionary form: what libtaxii's `to_dict()`
    /// returns and `from_dict()` reads, with the same key names, as a JSON-like
    /// tree (see ``TAXII/DictionaryValue/json(prettyPrinted:)`` and
    /// ``TAXII/DictionaryValue/init(json:)``).
    ///
    /// Dictionaries are unordered (as Python's `dict` compares); JSON output
    /// writes their keys sorted, so the same value always gives the same text.
    /// Timestamps are ISO 8601 strings as Python's `isoformat()` writes them
    /// (`2015-01-01T00:00:00+00:00`).
    public enum DictionaryValue: Sendable, Hashable, CustomStringConvertible,
        ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral,
        ExpressibleByNilLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral
    {
        /// A string (Python `str`).
        case string(String)
        /// An integer (Python `int`).
        case integer(Int)
        /// A boolean (Python `bool`).
        case bool(Bool)
        /// No value (Python `None`, JSON `null`).
        case null
        /// A list (Python `list`, JSON array).
        case list([DictionaryValue])
        /// A dictionary with string keys (Python `dict`, JSON object).
        case dictionary([String: DictionaryValue])

        /// Wraps a string literal.
        public init(stringLiteral value: String) { self = .string(value) }
        /// Wraps an integer literal.
        public init(integerLiteral value: Int) { self = .integer(value) }
        /// Wraps a boolean literal.
        public init(booleanLiteral value: Bool) { self = .bool(value) }
        /// `nil` is ``null``.
        public init(nilLiteral: ()) { self = .null }
        /// Wraps an array literal.
        public init(arrayLiteral elements: DictionaryValue...) { self = .list(elements) }
        /// Wraps a dictionary literal (a later duplicate key wins).
        public init(dictionaryLiteral elements: (String, DictionaryValue)...) {
            self = .dictionary(Dictionary(elements, uniquingKeysWith: { _, last in last }))
        }

        /// `.string(value)`, or ``null`` for `nil`.
        public init(_ value: String?) { self = value.map { .string($0) } ?? .null }

        /// The string, if this is a string.
        public var stringValue: String? {
            if case .string(let value) = self { return value }
            return nil
        }

        /// The dictionary, if this is a dictionary.
        public var dictionaryValue: [String: DictionaryValue]? {
            if case .dictionary(let value) = self { return value }
            return nil
        }

        /// The list, if this is a list.
        public var listValue: [DictionaryValue]? {
            if case .list(let value) = self { return value }
            return nil
        }

        /// The value at `key`, if this is a dictionary holding it.
        public subscript(key: String) -> DictionaryValue? {
            dictionaryValue?[key]
        }

        /// The name of the value's type as error messages use it (`string`, `integer`, …).
        public var typeName: String {
            switch self {
            case .string: "string"
            case .integer: "integer"
            case .bool: "boolean"
            case .null: "null"
            case .list: "list"
            case .dictionary: "dictionary"
            }
        }

        /// Compact JSON.
        public var description: String { json() }
    }
}

extension TAXII.DefaultQuery {
    /// The value of a test parameter (`Parameter`), typed as libtaxii types
    /// it: `value` is a string, a number (core `greater_than` … `less_than_or_equal`)
    /// or a timestamp (timestamp module); `match_type` is a string;
    /// `case_sensitive` is a boolean.
    ///
    /// Literals make tests short to write: `["value": "10.0.0.1", "match_type": "case_sensitive_string"]`,
    /// `["value": 5.0]`, `["case_sensitive": false]`.
    public enum ParameterValue: Sendable, Equatable, CustomStringConvertible,
        ExpressibleByStringLiteral, ExpressibleByBooleanLiteral, ExpressibleByFloatLiteral, ExpressibleByIntegerLiteral
    {
        /// Text.
        case string(String)
        /// A number (compared as a double).
        case number(Double)
        /// A boolean, written `true` / `false`.
        case boolean(Bool)
        /// A timestamp (compared by instant).
        case timestamp(TAXII.Timestamp)

        /// A string value.
        public init(stringLiteral value: String) { self = .string(value) }
        /// A boolean value.
        public init(booleanLiteral value: Bool) { self = .boolean(value) }
        /// A number value.
        public init(floatLiteral value: Double) { self = .number(value) }
        /// A number value.
        public init(integerLiteral value: Int) { self = .number(Double(value)) }

        /// The text written in XML: the string, `true`/`false`, the number as
        /// Python writes a float (`5.0`, `0.25`, `1e+20`), the timestamp's lexical form.
        public var description: String {
            switch self {
            case .string(let text): text
            case .number(let number): String(number)
            case .boolean(let flag): flag ? "true" : "false"
            case .timestamp(let timestamp): timestamp.lexicalForm
            }
        }

        /// The kind's name, for error messages.
        var kindName: String {
            switch self {
            case .string: "a string"
            case .number: "a number"
            case .boolean: "a boolean"
            case .timestamp: "a timestamp"
            }
        }
    }

    /// The type a parameter's value must have, from the capability module,
    /// the relationship and the parameter name.
    enum ParameterKind: Sendable, Equatable {
        /// Any text.
        case string
        /// Text that is a regular expression.
        case regularExpression
        /// One of the `match_type` values.
        case matchType
        /// A finite number.
        case number
        /// A boolean.
        case boolean
        /// A timestamp.
        case timestamp

        init(capabilityID: String, relationship: Relationship, name: String) {
            switch name {
            case Parameter.matchType: self = .matchType
            case Parameter.caseSensitive: self = .boolean
            default:
                switch (capabilityID, relationship) {
                case (CapabilityModule.timestamp, _): self = .timestamp
                case (CapabilityModule.regex, _): self = .regularExpression
                case (_, .greaterThan), (_, .greaterThanOrEqual), (_, .lessThan), (_, .lessThanOrEqual): self = .number
                default: self = .string
                }
            }
        }

        /// Reads a parameter's XML text as this kind.
        func value(fromText text: String, path: String) throws(TAXIIError) -> ParameterValue {
            switch self {
            case .string, .regularExpression, .matchType:
                return .string(text)
            case .boolean:
                return .boolean(try ElementCursor.bool(text, path: path))
            case .number:
                guard let number = Self.number(text) else {
                    throw TAXIIError(.invalidValue, path: path, "\"\(text.prefix(100))\" is not a number")
                }
                return .number(number)
            case .timestamp:
                guard let timestamp = Self.timestamp(text) else {
                    throw TAXIIError(
                        .invalidTimestamp, path: path,
                        "\"\(text.prefix(100))\" is not an xs:dateTime (YYYY-MM-DDThh:mm:ss[.ffffff][Z|±hh:mm])"
                    )
                }
                return .timestamp(timestamp)
            }
        }

        /// A finite number from decimal text (surrounding XML whitespace allowed).
        static func number(_ text: String) -> Double? {
            let trimmed = text.trimmedXMLWhitespace
            guard let number = Double(trimmed), number.isFinite,
                  trimmed.utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2E || $0 == 0x2D || $0 == 0x2B || $0 == 0x65 || $0 == 0x45 })
            else { return nil }
            return number
        }

        /// An `xs:dateTime` (or Python's `str()` of one, with a space for
        /// the `T`); one without a timezone is read as UTC (Python's
        /// `isoformat()` of a naive datetime, as libtaxii clients send).
        static func timestamp(_ text: String) -> TAXII.Timestamp? {
            let trimmed = text.trimmedXMLWhitespace
            return TAXII.Timestamp(isoFormat: trimmed) ?? TAXII.Timestamp(isoFormat: trimmed + "Z")
        }
    }
}

/// A type with an OpenC2 JSON serialization (Language §3.1.5).
///
/// Decoding validates: a value that decodes is a valid value of its type, and an
/// ``OpenC2Error`` says which rule a refused one broke and where.
public protocol OpenC2Codable: Sendable {
    /// Decodes and validates `json`; `decoder` supplies the registered profiles.
    init(json: JSONValue, decoder: OpenC2Decoder) throws(OpenC2Error)
    /// The canonical JSON form of this value.
    var json: JSONValue { get }
}

extension OpenC2Error {
    /// `name` is a field the type does not define.
    public static func unknownField(_ name: String, in typeName: String) -> OpenC2Error {
        OpenC2Error(.unknownField, "'\(name)' is not a field of \(typeName)", at: JSONPath([.key(name)]))
    }

    /// The required field `name` is absent.
    public static func missingField(_ name: String, in typeName: String) -> OpenC2Error {
        OpenC2Error(.missingField, "\(typeName) requires '\(name)'", at: JSONPath([.key(name)]))
    }

    /// A value of the wrong JSON type.
    public static func wrongType(expected: String, found value: JSONValue) -> OpenC2Error {
        OpenC2Error(.wrongType, "expected \(expected), found \(value.typeName)")
    }

    /// A structure of `typeName` that must have at least one member has none.
    public static func empty(_ typeName: String) -> OpenC2Error {
        OpenC2Error(.empty, "\(typeName) must contain at least one property")
    }
}

extension JSONValue {
    /// This value as an object, or a wrong-type error naming `typeName`.
    public func object(_ typeName: String) throws(OpenC2Error) -> JSONObject {
        guard case .object(let object) = self else { throw .wrongType(expected: "an object (\(typeName))", found: self) }
        return object
    }

    /// This value as an array.
    public func array(_ typeName: String) throws(OpenC2Error) -> [JSONValue] {
        guard case .array(let items) = self else { throw .wrongType(expected: "an array (\(typeName))", found: self) }
        return items
    }

    /// This value as a string.
    public func string() throws(OpenC2Error) -> String {
        guard case .string(let text) = self else { throw .wrongType(expected: "a string", found: self) }
        return text
    }

    /// This value as a boolean.
    public func bool() throws(OpenC2Error) -> Bool {
        guard case .bool(let flag) = self else { throw .wrongType(expected: "a boolean", found: self) }
        return flag
    }

    /// This value as an integer within `range`. An integral number such as `80.0` is accepted;
    /// `80.5` is a wrong-type error, `-1` for a port an out-of-range one naming `what`.
    public func integer(in range: ClosedRange<Int64>, _ what: String) throws(OpenC2Error) -> Int64 {
        let value: Int64
        switch self {
        case .integer(let integer): value = integer
        case .number(let number) where number == number.rounded() && abs(number) <= Double(JSONValue.maximumSafeInteger):
            value = Int64(number)
        default: throw .wrongType(expected: "an integer (\(what))", found: self)
        }
        guard range.contains(value) else {
            let upper = range.upperBound >= JSONValue.maximumSafeInteger ? "" : "\(range.upperBound)"
            throw OpenC2Error(.outOfRange, "\(what) \(value) is out of range \(range.lowerBound)…\(upper)")
        }
        return value
    }

    /// This value as a non-negative integer (Integer{0..*}).
    public func unsignedInteger(_ what: String) throws(OpenC2Error) -> UInt64 {
        UInt64(try integer(in: 0...JSONValue.maximumSafeInteger, what))
    }

    /// This value as a number (an integer is accepted).
    public func double() throws(OpenC2Error) -> Double {
        switch self {
        case .integer(let integer): Double(integer)
        case .number(let number): number
        default: throw .wrongType(expected: "a number", found: self)
        }
    }
}

extension JSONObject {
    /// Visits every member; `body` returns `false` for a name the type does not know, which
    /// becomes an unknown-field error. Errors thrown by `body` get the member name in their path.
    public func forEachMember(
        of typeName: String,
        _ body: (String, JSONValue) throws(OpenC2Error) -> Bool
    ) throws(OpenC2Error) {
        for (key, value) in members {
            let known = try within(key) { () throws(OpenC2Error) in try body(key, value) }
            if !known { throw OpenC2Error.unknownField(key, in: typeName) }
        }
    }
}

/// Decodes every item of an array, putting the index in front of error paths.
func decodeItems<T>(
    _ items: [JSONValue],
    _ decode: (JSONValue) throws(OpenC2Error) -> T
) throws(OpenC2Error) -> [T] {
    var result: [T] = []
    result.reserveCapacity(items.count)
    for (index, item) in items.enumerated() {
        result.append(try within(index: index) { () throws(OpenC2Error) in try decode(item) })
    }
    return result
}

/// Refuses the first repeated item of `items`, naming `what` and its index.
func requireUnique<T: Hashable>(_ items: [T], _ what: String, describe: (T) -> String = { "\($0)" }) throws(OpenC2Error) {
    var seen = Set<T>()
    for (index, item) in items.enumerated() where !seen.insert(item).inserted {
        throw OpenC2Error(.duplicateItem, "\(what) '\(describe(item))' is listed more than once", at: JSONPath([.index(index)]))
    }
}

/// An enumerated type serialized as its name (Language §3.1.5, Enumerated).
public protocol OpenC2Enumeration: RawRepresentable<String>, CaseIterable, Hashable, OpenC2Codable {
    /// The type name used in error messages ("Action", "L4-Protocol").
    static var typeName: String { get }
}

extension OpenC2Enumeration {
    public init(json: JSONValue, decoder: OpenC2Decoder) throws(OpenC2Error) {
        let name = try json.string()
        guard let value = Self(rawValue: name) else {
            let names = Self.allCases.map(\.rawValue).joined(separator: ", ")
            throw OpenC2Error(.invalidEnum, "'\(name)' is not a valid \(Self.typeName) (one of: \(names))")
        }
        self = value
    }

    public var json: JSONValue { .string(rawValue) }
}

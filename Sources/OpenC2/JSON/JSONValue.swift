/// A JSON value as OpenC2 sees it (RFC 8259 restricted to I-JSON, RFC 7493).
///
/// Integers without a fraction or exponent are kept exactly as ``integer(_:)``; every other
/// number is a ``number(_:)``. Objects keep their members in order and never hold two
/// members with the same name (``JSONParser`` refuses duplicate keys).
///
/// Equality of numbers is numeric, as I-JSON numbers are IEEE 754 doubles: `2`, `2.0` and
/// `2e0` are the same value, and so are `0` and `-0.0`. ``JSONWriter`` writes an integral
/// ``number(_:)`` without its fraction, so a value read, written and read again stays equal.
public enum JSONValue: Hashable, Sendable {
    case null
    case bool(Bool)
    /// An integer literal within ±(2⁵³ − 1), the range I-JSON can carry exactly.
    case integer(Int64)
    /// A number with a fraction or an exponent.
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object(JSONObject)

    /// The largest integer magnitude a JSON number carries exactly (2⁵³ − 1).
    public static let maximumSafeInteger: Int64 = (1 << 53) - 1

    public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): true
        case (.bool(let a), .bool(let b)): a == b
        case (.integer(let a), .integer(let b)): a == b
        case (.number(let a), .number(let b)): a == b
        case (.integer(let a), .number(let b)), (.number(let b), .integer(let a)): Double(exactly: a) == b
        case (.string(let a), .string(let b)): a == b
        case (.array(let a), .array(let b)): a == b
        case (.object(let a), .object(let b)): a == b
        default: false
        }
    }

    public func hash(into hasher: inout Hasher) {
        switch self {
        case .null: hasher.combine(0)
        case .bool(let value): hasher.combine(1); hasher.combine(value)
        // Integers and numbers that are equal hash alike: both as the Double they denote
        // (Double's hash makes 0.0 and -0.0 alike).
        case .integer(let value): hasher.combine(2); hasher.combine(Double(value))
        case .number(let value): hasher.combine(2); hasher.combine(value)
        case .string(let value): hasher.combine(3); hasher.combine(value)
        case .array(let values): hasher.combine(4); hasher.combine(values)
        case .object(let object): hasher.combine(5); hasher.combine(object)
        }
    }

    /// The JSON type name of this value, used in error messages ("object", "string", …).
    public var typeName: String {
        switch self {
        case .null: "null"
        case .bool: "boolean"
        case .integer: "integer"
        case .number: "number"
        case .string: "string"
        case .array: "array"
        case .object: "object"
        }
    }

    /// The same value with every object's members sorted by name, recursively.
    ///
    /// Extension content (an `x-` namespace, say) is written in this form so that its
    /// serialization is reproducible whatever order the sender used.
    public var canonicalized: JSONValue {
        switch self {
        case .array(let items): .array(items.map(\.canonicalized))
        case .object(let object): .object(object.canonicalized)
        default: self
        }
    }
}

/// A JSON object: members in order, names unique.
public struct JSONObject: Hashable, Sendable, Sequence, ExpressibleByDictionaryLiteral {
    /// One member of an object.
    public typealias Member = (key: String, value: JSONValue)

    /// The members, in order.
    public private(set) var members: [Member]

    /// An empty object.
    public init() { members = [] }

    /// An object with these members. Later duplicates replace earlier ones.
    public init(_ members: some Sequence<Member>) {
        self.members = []
        for member in members { self[member.key] = member.value }
    }

    /// An object with members in the literal's order.
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self.init(elements.map { (key: $0.0, value: $0.1) })
    }

    /// Builds an object from members the caller guarantees to have distinct names.
    init(uniqueMembers: [Member]) { members = uniqueMembers }

    /// The number of members.
    public var count: Int { members.count }

    /// Whether the object has no members.
    public var isEmpty: Bool { members.isEmpty }

    /// The member names, in order.
    public var keys: [String] { members.map(\.key) }

    /// The value of the member with this name; setting `nil` removes it.
    public subscript(key: String) -> JSONValue? {
        get { members.first { $0.key == key }?.value }
        set {
            let index = members.firstIndex { $0.key == key }
            switch (index, newValue) {
            case (let index?, let value?): members[index].value = value
            case (let index?, nil): members.remove(at: index)
            case (nil, let value?): members.append((key, value))
            case (nil, nil): break
            }
        }
    }

    /// The members sorted by name, with every nested object sorted too.
    public var canonicalized: JSONObject {
        JSONObject(uniqueMembers: members
            .map { (key: $0.key, value: $0.value.canonicalized) }
            .sorted { $0.key < $1.key })
    }

    public func makeIterator() -> IndexingIterator<[Member]> { members.makeIterator() }

    public static func == (lhs: JSONObject, rhs: JSONObject) -> Bool {
        guard lhs.members.count == rhs.members.count else { return false }
        return lhs.members.allSatisfy { rhs[$0.key] == $0.value }
    }

    public func hash(into hasher: inout Hasher) {
        // Order-independent: equal objects with members in another order hash alike.
        var combined = 0
        for member in members {
            var memberHasher = Hasher()
            memberHasher.combine(member.key)
            memberHasher.combine(member.value)
            combined ^= memberHasher.finalize()
        }
        hasher.combine(members.count)
        hasher.combine(combined)
    }
}

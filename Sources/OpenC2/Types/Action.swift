/// The task a Command asks for (Language §3.3.1.1). The list is closed: profiles
/// cannot add actions.
public enum Action: String, OpenC2Enumeration, Comparable {
    case scan, locate, query, deny, contain, allow, start, stop, restart, cancel, set, update
    case redirect, create, delete, detonate, restore, copy, investigate, remediate

    public static var typeName: String { "Action" }

    /// The action's ID in the Language (scan = 1 … remediate = 32).
    public var id: Int {
        switch self {
        case .scan: 1
        case .locate: 2
        case .query: 3
        case .deny: 6
        case .contain: 7
        case .allow: 8
        case .start: 9
        case .stop: 10
        case .restart: 11
        case .cancel: 14
        case .set: 15
        case .update: 16
        case .redirect: 18
        case .create: 19
        case .delete: 20
        case .detonate: 22
        case .restore: 23
        case .copy: 28
        case .investigate: 30
        case .remediate: 32
        }
    }

    public static func < (lhs: Action, rhs: Action) -> Bool { lhs.id < rhs.id }
}

/// What Response a Command asks for (Language §3.4.2.15).
///
/// The Language's `none` is ``noResponse`` here, so that it is never mistaken for
/// `Optional.none` in an argument such as `Args(responseRequested: .noResponse)`.
public enum ResponseType: String, OpenC2Enumeration {
    /// No Response (`"none"`).
    case noResponse = "none"
    /// Respond when the Command is received: `{"status": 102}`.
    case ack
    /// Respond with progress toward completion.
    case status
    /// Respond when the Command is complete (the default).
    case complete

    public static var typeName: String { "Response-Type" }
}

/// A point in time: milliseconds since 1970-01-01T00:00:00Z (Language §3.4.2.2).
public struct DateTime: Hashable, Comparable, Sendable, CustomStringConvertible, OpenC2Codable {
    /// Milliseconds since the Unix epoch.
    public let millisecondsSince1970: UInt64

    /// The instant this many milliseconds after the epoch.
    public init(millisecondsSince1970: UInt64) {
        self.millisecondsSince1970 = millisecondsSince1970
    }

    public var description: String { String(millisecondsSince1970) }

    public static func < (lhs: DateTime, rhs: DateTime) -> Bool { lhs.millisecondsSince1970 < rhs.millisecondsSince1970 }

    public init(json: JSONValue, decoder: OpenC2Decoder) throws(OpenC2Error) {
        millisecondsSince1970 = try json.unsignedInteger("date-time")
    }

    public var json: JSONValue { .integer(Int64(millisecondsSince1970)) }
}

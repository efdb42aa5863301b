import OpenC2

/// The two published ways of carrying OpenC2 over HTTPS, told apart by the `Content-Type` of a
/// request and answered in kind.
public enum WireFormat: String, Hashable, Sendable, CaseIterable, CustomStringConvertible {
    /// HTTPS transfer v1.1 CS01: `application/openc2+json;version=1.0` both ways, the body a
    /// message envelope (`{"headers": …, "body": {"openc2": {"request": …}}}`).
    case v1_1 = "v1.1"
    /// HTTPS transfer v1.0 CS01: a bare Command as `application/openc2-cmd+json;version=1.0`,
    /// a bare Response as `application/openc2-rsp+json;version=1.0`.
    case v1_0 = "v1.0"

    public var description: String { rawValue }

    /// The media type of a request (a Command) in this format.
    public var requestContentType: String {
        switch self {
        case .v1_1: "application/openc2+json;version=1.0"
        case .v1_0: "application/openc2-cmd+json;version=1.0"
        }
    }

    /// The media type of a response (a Response) in this format.
    public var responseContentType: String {
        switch self {
        case .v1_1: "application/openc2+json;version=1.0"
        case .v1_0: "application/openc2-rsp+json;version=1.0"
        }
    }

    /// The media types a Consumer accepts, for error messages.
    public static let acceptedRequestTypes = WireFormat.allCases.map(\.requestContentType)

    /// The format of a request with this `Content-Type`, or `nil` when it is not an OpenC2
    /// Command media type. Type and parameter names compare case-insensitively, whitespace
    /// around `;` and `=` is allowed, and the `version` parameter must be `1.0` (quoted or not).
    public init?(requestContentType: String) {
        // The exact canonical forms, as every conforming Producer sends them, need no parsing.
        if let format = WireFormat.allCases.first(where: { $0.requestContentType == requestContentType }) {
            self = format
            return
        }
        guard let media = MediaTypeValue(requestContentType), media.parameters["version"] == "1.0" else { return nil }
        switch media.essence {
        case "application/openc2+json": self = .v1_1
        case "application/openc2-cmd+json": self = .v1_0
        default: return nil
        }
    }

    /// The format of a response with this `Content-Type`, or `nil` when it is not an OpenC2
    /// Response media type.
    public init?(responseContentType: String) {
        if let format = WireFormat.allCases.first(where: { $0.responseContentType == responseContentType }) {
            self = format
            return
        }
        guard let media = MediaTypeValue(responseContentType), media.parameters["version"] == "1.0" else { return nil }
        switch media.essence {
        case "application/openc2+json": self = .v1_1
        case "application/openc2-rsp+json": self = .v1_0
        default: return nil
        }
    }
}

/// A parsed `Content-Type` value: lowercased `type/subtype` and parameters (names lowercased,
/// values unquoted).
struct MediaTypeValue: Hashable {
    let essence: String
    let parameters: [String: String]

    init?(_ text: String) {
        let parts = text.split(separator: ";", omittingEmptySubsequences: false)
        let essence = parts[0].trimmingWhitespace.lowercased()
        guard essence.split(separator: "/").count == 2 else { return nil }
        var parameters: [String: String] = [:]
        for part in parts.dropFirst() {
            let trimmed = part.trimmingWhitespace
            if trimmed.isEmpty { continue }
            let pair = trimmed.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard pair.count == 2 else { return nil }
            var value = pair[1].trimmingWhitespace
            if value.count >= 2, value.hasPrefix("\""), value.hasSuffix("\"") { value = String(value.dropFirst().dropLast()) }
            parameters[pair[0].trimmingWhitespace.lowercased()] = value
        }
        self.essence = essence
        self.parameters = parameters
    }
}

extension Substring {
    /// The text without leading and trailing spaces and tabs.
    var trimmingWhitespace: String {
        let utf8 = self.utf8
        guard let first = utf8.firstIndex(where: { $0 != 0x20 && $0 != 0x09 }),
              let last = utf8.lastIndex(where: { $0 != 0x20 && $0 != 0x09 })
        else { return "" }
        return String(self[first...last])
    }
}

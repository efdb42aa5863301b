/// A Response status code (Language §3.3.2.1), serialized as its number.
public enum StatusCode: Int, Hashable, Sendable, CaseIterable, CustomStringConvertible, OpenC2Codable {
    /// Accepted, not yet complete.
    case processing = 102
    case ok = 200
    case badRequest = 400
    case unauthorized = 401
    case forbidden = 403
    case notFound = 404
    case internalError = 500
    case notImplemented = 501
    case serviceUnavailable = 503

    /// The code's name in the Language ("Bad Request").
    public var reason: String {
        switch self {
        case .processing: "Processing"
        case .ok: "OK"
        case .badRequest: "Bad Request"
        case .unauthorized: "Unauthorized"
        case .forbidden: "Forbidden"
        case .notFound: "Not Found"
        case .internalError: "Internal Error"
        case .notImplemented: "Not Implemented"
        case .serviceUnavailable: "Service Unavailable"
        }
    }

    /// Whether the code reports success (102 or 200).
    public var isSuccess: Bool { self == .processing || self == .ok }

    public var description: String { "\(rawValue) \(reason)" }

    public init(json: JSONValue, decoder: OpenC2Decoder) throws(OpenC2Error) {
        let code = try json.integer(in: Int64(Int32.min)...Int64(Int32.max), "status")
        guard let status = StatusCode(rawValue: Int(code)) else {
            let codes = StatusCode.allCases.map { String($0.rawValue) }.joined(separator: ", ")
            throw OpenC2Error(.invalidEnum, "\(code) is not an OpenC2 status code (one of: \(codes))")
        }
        self = status
    }

    public var json: JSONValue { .integer(Int64(rawValue)) }
}

/// An OpenC2 Response (Language §3.3.2).
public struct Response: Hashable, Sendable, OpenC2Codable {
    public var status: StatusCode
    /// A human-readable description of the status.
    public var statusText: String?
    public var results: Results?

    /// A Response.
    public init(_ status: StatusCode, statusText: String? = nil, results: Results? = nil) {
        self.status = status
        self.statusText = statusText
        self.results = results
    }

    public init(json: JSONValue, decoder: OpenC2Decoder) throws(OpenC2Error) {
        var status: StatusCode?
        var statusText: String?
        var results: Results?
        try json.object("OpenC2-Response").forEachMember(of: "OpenC2-Response") { (key, value) throws(OpenC2Error) in
            switch key {
            case "status": status = try StatusCode(json: value, decoder: decoder)
            case "status_text": statusText = try value.string()
            case "results": results = try Results(json: value, decoder: decoder)
            default: return false
            }
            return true
        }
        guard let status else { throw .missingField("status", in: "OpenC2-Response") }
        self.init(status, statusText: statusText, results: results)
    }

    public var json: JSONValue {
        var members: [JSONObject.Member] = [("status", status.json)]
        if let statusText { members.append(("status_text", .string(statusText))) }
        if let results { members.append(("results", results.json)) }
        return .object(JSONObject(uniqueMembers: members))
    }
}

/// The results a Response carries (Language §3.3.2.2), with profile results under their
/// namespace (`"results": {"slpf": {"rule_number": 1234}}`). When present, holds at least one.
public struct Results: Hashable, Sendable, OpenC2Codable {
    /// Language versions supported, no repeats.
    public var versions: [Version]?
    /// Profiles supported.
    public var profiles: [Nsid]?
    /// For each supported action, the targets it applies to.
    public var pairs: ActionTargets?
    /// Maximum Commands per minute.
    public var rateLimit: Double?
    /// Profile results by namespace.
    public var extensions: ExtensionMap

    /// Results; at least one must be set.
    public init(versions: [Version]? = nil, profiles: [Nsid]? = nil, pairs: ActionTargets? = nil, rateLimit: Double? = nil, extensions: ExtensionMap = [:]) {
        self.versions = versions
        self.profiles = profiles
        self.pairs = pairs
        self.rateLimit = rateLimit
        self.extensions = extensions
    }

    /// Whether nothing is set (which is not a valid Results).
    public var isEmpty: Bool {
        versions == nil && profiles == nil && pairs == nil && rateLimit == nil && extensions.isEmpty
    }

    public init(json: JSONValue, decoder: OpenC2Decoder) throws(OpenC2Error) {
        self.init()
        try json.object("Results").forEachMember(of: "Results") { (key, value) throws(OpenC2Error) in
            switch key {
            case "versions":
                let items = try decodeItems(value.array("versions")) { (item) throws(OpenC2Error) in try Version(json: item, decoder: decoder) }
                try requireUnique(items, "version")
                versions = items
            case "profiles":
                profiles = try decodeItems(value.array("profiles")) { (item) throws(OpenC2Error) in try Nsid(json: item, decoder: decoder) }
            case "pairs": pairs = try ActionTargets(json: value, decoder: decoder)
            case "rate_limit":
                let limit = try value.double()
                guard limit >= 0 else { throw OpenC2Error(.outOfRange, "rate_limit \(limit) is out of range 0…") }
                rateLimit = limit
            default:
                guard let nsid = try decoder.namespaceKey(key) else { return false }
                extensions[nsid] = try decoder.extensionContent(value, of: nsid) { (profile, object) throws(OpenC2Error) in
                    try profile.validateResults(object)
                }
            }
            return true
        }
        if isEmpty { throw .empty("Results") }
    }

    public var json: JSONValue {
        var members: [JSONObject.Member] = []
        if let versions { members.append(("versions", .array(versions.map(\.json)))) }
        if let profiles { members.append(("profiles", .array(profiles.map(\.json)))) }
        if let pairs { members.append(("pairs", pairs.json)) }
        if let rateLimit { members.append(("rate_limit", .number(rateLimit))) }
        members += extensions.sortedMembers
        return .object(JSONObject(uniqueMembers: members))
    }
}

/// For each supported action, the targets it applies to (Language §3.4.2.1): at least one
/// action, each with at least one target, no target listed twice for an action.
/// Target names are the Language's (`ipv4_net`) or extended ones (`slpf:rule_number`).
public struct ActionTargets: Hashable, Sendable, OpenC2Codable {
    /// Targets by action.
    public var targets: [Action: [String]]

    /// Pairs from a dictionary.
    public init(_ targets: [Action: [String]]) { self.targets = targets }

    public init(json: JSONValue, decoder: OpenC2Decoder) throws(OpenC2Error) {
        let object = try json.object("Action-Targets")
        guard !object.isEmpty else { throw OpenC2Error(.empty, "Action-Targets must list at least one action") }
        var targets: [Action: [String]] = [:]
        try object.forEachMember(of: "Action-Targets") { (key, value) throws(OpenC2Error) in
            guard let action = Action(rawValue: key) else {
                throw OpenC2Error(.invalidEnum, "'\(key)' is not an Action")
            }
            let names = try decodeItems(value.array("Targets")) { (item) throws(OpenC2Error) -> String in
                let name = try item.string()
                if name.contains(":") {
                    _ = try ExtensionName(parsing: name)
                } else if !Target.languageTargetNames.contains(name) {
                    throw OpenC2Error(.invalidEnum, "'\(name)' is not a Target name")
                }
                return name
            }
            guard !names.isEmpty else { throw OpenC2Error(.empty, "the targets of '\(key)' must list at least one target") }
            try requireUnique(names, "target")
            targets[action] = names
            return true
        }
        self.targets = targets
    }

    public var json: JSONValue {
        .object(JSONObject(uniqueMembers: targets.keys.sorted().map { action in
            (action.rawValue, JSONValue.array(targets[action]!.map(JSONValue.string)))
        }))
    }
}

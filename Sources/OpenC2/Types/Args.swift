/// Arguments of a Command (Language §3.3.1.4), with profile arguments under their namespace
/// (`"args": {"slpf": {"direction": "ingress"}}`).
///
/// When present in a Command, Args holds at least one argument. At most two of
/// `startTime`, `stopTime` and `duration` may be given; the third follows from
/// `stop_time = start_time + duration`.
public struct Args: Hashable, Sendable, OpenC2Codable {
    /// When to start; absent means now.
    public var startTime: DateTime?
    /// When to stop; absent means never (or start + duration).
    public var stopTime: DateTime?
    /// How long the action is in effect, in milliseconds.
    public var duration: UInt64?
    /// Which Response the Producer wants; absent means `complete`.
    public var responseRequested: ResponseType?
    /// Profile arguments by namespace: validated by a registered profile, opaque otherwise.
    public var extensions: ExtensionMap

    /// Arguments; see the type's rules on what may be combined.
    public init(
        startTime: DateTime? = nil,
        stopTime: DateTime? = nil,
        duration: UInt64? = nil,
        responseRequested: ResponseType? = nil,
        extensions: ExtensionMap = [:]
    ) {
        self.startTime = startTime
        self.stopTime = stopTime
        self.duration = duration
        self.responseRequested = responseRequested
        self.extensions = extensions
    }

    /// Whether no argument is set (which is not a valid Args).
    public var isEmpty: Bool {
        startTime == nil && stopTime == nil && duration == nil && responseRequested == nil && extensions.isEmpty
    }

    public init(json: JSONValue, decoder: OpenC2Decoder) throws(OpenC2Error) {
        self.init()
        try json.object("Args").forEachMember(of: "Args") { (key, value) throws(OpenC2Error) in
            switch key {
            case "start_time": startTime = try DateTime(json: value, decoder: decoder)
            case "stop_time": stopTime = try DateTime(json: value, decoder: decoder)
            case "duration": duration = try value.unsignedInteger("duration")
            case "response_requested": responseRequested = try ResponseType(json: value, decoder: decoder)
            default:
                guard let nsid = try decoder.namespaceKey(key) else { return false }
                extensions[nsid] = try decoder.extensionContent(value, of: nsid) { (profile, object) throws(OpenC2Error) in
                    try profile.validateArgs(object)
                }
            }
            return true
        }
        if isEmpty { throw .empty("Args") }
        if startTime != nil, stopTime != nil, duration != nil {
            throw OpenC2Error(.temporalOverdetermined, "at most two of start_time, stop_time and duration may be given; the third is derived")
        }
        if let startTime, let stopTime, stopTime < startTime {
            throw OpenC2Error(.temporalOrder, "stop_time \(stopTime) is earlier than start_time \(startTime)", at: JSONPath([.key("stop_time")]))
        }
    }

    public var json: JSONValue {
        var members: [JSONObject.Member] = []
        if let startTime { members.append(("start_time", startTime.json)) }
        if let stopTime { members.append(("stop_time", stopTime.json)) }
        if let duration { members.append(("duration", .integer(Int64(duration)))) }
        if let responseRequested { members.append(("response_requested", responseRequested.json)) }
        members += extensions.sortedMembers
        return .object(JSONObject(uniqueMembers: members))
    }
}

/// An OpenC2 Command (Language §3.3.1): an Action on a Target, optionally with Args, an
/// Actuator and an identifier.
///
/// ```swift
/// let command = Command(.deny, .ipv4Net(try IPv4Net("198.51.100.0/24")),
///                       args: Args(responseRequested: .complete))
/// ```
public struct Command: Hashable, Sendable, OpenC2Codable {
    public var action: Action
    public var target: Target
    /// Arguments; `nil` rather than empty.
    public var args: Args?
    public var actuator: Actuator?
    /// The Command's identifier; a Consumer uses the message's `request_id` when absent.
    public var commandID: CommandID?

    /// A Command.
    public init(_ action: Action, _ target: Target, args: Args? = nil, actuator: Actuator? = nil, commandID: CommandID? = nil) {
        self.action = action
        self.target = target
        self.args = args
        self.actuator = actuator
        self.commandID = commandID
    }

    /// The Response the Producer asked for: `complete` when not given (Language §3.3.1.4).
    public var responseRequested: ResponseType { args?.responseRequested ?? .complete }

    public init(json: JSONValue, decoder: OpenC2Decoder) throws(OpenC2Error) {
        let object = try json.object("OpenC2-Command")
        var action: Action?
        var target: Target?
        var args: Args?
        var actuator: Actuator?
        var commandID: CommandID?
        try object.forEachMember(of: "OpenC2-Command") { (key, value) throws(OpenC2Error) in
            switch key {
            case "action": action = try Action(json: value, decoder: decoder)
            case "target": target = try Target(json: value, decoder: decoder)
            case "args": args = try Args(json: value, decoder: decoder)
            case "actuator": actuator = try Actuator(json: value, decoder: decoder)
            case "command_id": commandID = try CommandID(json: value, decoder: decoder)
            default: return false
            }
            return true
        }
        guard let action else { throw .missingField("action", in: "OpenC2-Command") }
        guard let target else { throw .missingField("target", in: "OpenC2-Command") }
        self.init(action, target, args: args, actuator: actuator, commandID: commandID)
    }

    public var json: JSONValue {
        var members: [JSONObject.Member] = [("action", action.json), ("target", target.json)]
        if let args { members.append(("args", args.json)) }
        if let actuator { members.append(("actuator", actuator.json)) }
        if let commandID { members.append(("command_id", commandID.json)) }
        return .object(JSONObject(uniqueMembers: members))
    }
}

import OpenC2

/// Whether a rule permits or blocks the traffic it matches.
public enum FilterAction: String, Hashable, Sendable {
    case allow, deny
}

/// The traffic an SLPF rule matches.
public enum FilterMatch: Hashable, Sendable {
    case ipv4Net(IPv4Net)
    case ipv6Net(IPv6Net)
    case ipv4Connection(IPv4Connection)
    case ipv6Connection(IPv6Connection)

    /// The kind of target.
    public var kind: FilterTargetKind {
        switch self {
        case .ipv4Net: .ipv4Net
        case .ipv6Net: .ipv6Net
        case .ipv4Connection: .ipv4Connection
        case .ipv6Connection: .ipv6Connection
        }
    }

    /// The Target this match came from.
    public var target: Target {
        switch self {
        case .ipv4Net(let net): .ipv4Net(net)
        case .ipv6Net(let net): .ipv6Net(net)
        case .ipv4Connection(let connection): .ipv4Connection(connection)
        case .ipv6Connection(let connection): .ipv6Connection(connection)
        }
    }
}

/// An `allow` or `deny` Command as an SLPF rule to put in place, defaults applied
/// (SLPF §2.1.3.2: direction both, drop silently, persistent).
public struct FilterRuleRequest: Hashable, Sendable {
    public var action: FilterAction
    public var match: FilterMatch
    public var direction: Direction
    /// How denied packets are handled (always `.silent` for allow).
    public var dropProcess: DropProcess
    public var persistent: Bool
    /// The rule number the Producer asked for, if any.
    public var insertRule: RuleNumber?
    public var startTime: DateTime?
    public var stopTime: DateTime?
    /// Milliseconds.
    public var duration: UInt64?

    /// A rule request.
    public init(
        action: FilterAction, match: FilterMatch, direction: Direction = .both, dropProcess: DropProcess = .silent,
        persistent: Bool = true, insertRule: RuleNumber? = nil, startTime: DateTime? = nil, stopTime: DateTime? = nil,
        duration: UInt64? = nil
    ) {
        self.action = action
        self.match = match
        self.direction = direction
        self.dropProcess = dropProcess
        self.persistent = persistent
        self.insertRule = insertRule
        self.startTime = startTime
        self.stopTime = stopTime
        self.duration = duration
    }

    /// When the rule takes effect and when it ends, given the time the Command arrived
    /// (Language §3.3.1.4: start defaults to now, stop to never, stop = start + duration).
    public func window(receivedAt now: DateTime) -> (start: DateTime, stop: DateTime?) {
        switch (startTime, stopTime, duration) {
        case (let start?, let stop, nil): return (start, stop)
        case (let start?, nil, let duration?): return (start, DateTime(millisecondsSince1970: start.millisecondsSince1970 + duration))
        case (nil, let stop?, let duration?):
            let start = stop.millisecondsSince1970 >= duration ? stop.millisecondsSince1970 - duration : 0
            return (DateTime(millisecondsSince1970: start), stop)
        case (nil, let stop, nil): return (now, stop)
        case (nil, nil, let duration?): return (now, DateTime(millisecondsSince1970: now.millisecondsSince1970 + duration))
        case (.some(let start), .some(let stop), .some): return (start, stop)  // refused earlier: at most two are given
        }
    }
}

/// A Command the SLPF profile defines, in typed form.
public enum SLPFRequest: Hashable, Sendable {
    /// `allow`/`deny` a target: add a rule.
    case filter(FilterRuleRequest)
    /// `delete slpf:rule_number`.
    case deleteRule(RuleNumber, startTime: DateTime?)
    /// `update file`: load a rules file.
    case updateFile(File, startTime: DateTime?)
    /// `query features`.
    case queryFeatures(Features)
}

/// What to do with a Command: execute a typed SLPF request, or answer right away.
public enum SLPFInterpretation: Hashable, Sendable {
    case execute(SLPFRequest)
    /// A 400 or 501 Response the profile prescribes.
    case respond(Response)
}

/// Turns Commands into SLPF requests, or into the 400/501 Response the SLPF profile
/// prescribes for what it does not allow or the Consumer does not implement. Pure: no I/O.
public struct SLPFInterpreter: Sendable {
    /// What the Consumer implements.
    public var capabilities: SLPFCapabilities

    /// An interpreter for a Consumer with `capabilities`.
    public init(capabilities: SLPFCapabilities = SLPFCapabilities()) {
        self.capabilities = capabilities
    }

    /// Status texts the profile gives (SLPF §2.2.3, §2.3).
    public enum StatusText {
        public static let optionNotSupported = "Option not supported"
        public static let targetTypeNotSupported = "Target type not supported"
        public static let targetNotSupported = "Target not supported"
        public static let commandNotSupported = "Command not supported"
        public static let ruleNumberInUse = "Rule number currently in use"
        public static let ruleNotUpdated = "Rule not updated"
        public static let ruleNotRemoved = "Firewall rule not removed or updated"
        public static let cannotAccessFile = "Cannot access file"
    }

    /// The Command as an SLPF request, or the Response to send instead.
    public func interpret(_ command: Command) -> SLPFInterpretation {
        switch interpretOrRefuse(command) {
        case .success(let request): .execute(request)
        case .failure(let refusal): .respond(refusal.response)
        }
    }

    private struct Refusal: Error {
        let response: Response
        static func notImplemented(_ text: String) -> Refusal { Refusal(response: Response(.notImplemented, statusText: text)) }
        static func badRequest(_ text: String) -> Refusal { Refusal(response: Response(.badRequest, statusText: text)) }
    }

    /// The SLPF arguments a Command may carry, by command (SLPF Table 2.3-2).
    private enum Argument: String {
        case responseRequested = "response_requested", startTime = "start_time", stopTime = "stop_time", duration
        case persistent, direction, insertRule = "insert_rule", dropProcess = "drop_process"
    }

    private func interpretOrRefuse(_ command: Command) -> Result<SLPFRequest, Refusal> {
        if let actuator = command.actuator, actuator.profile != .slpf {
            return .failure(.notImplemented(StatusText.commandNotSupported))
        }
        let args = command.args ?? Args()
        var slpfArgs = SLPFArgs()
        do throws(OpenC2Error) {
            if let object = args.extensions[.slpf] { slpfArgs = try SLPFArgs(json: .object(object), decoder: OpenC2Decoder()) }
        } catch {
            return .failure(.badRequest(error.prefixed(with: .key("slpf")).prefixed(with: .key("args")).description))
        }
        if args.extensions.keys.contains(where: { $0 != .slpf }) {
            return .failure(.notImplemented(StatusText.optionNotSupported))
        }
        let given = givenArguments(args, slpfArgs)

        switch (command.action, command.target) {
        case (.query, .features(let features)):
            if let other = given.first(where: { $0 != .responseRequested }) {
                return .failure(.badRequest("query features accepts only the response_requested argument, not \(other.rawValue)"))
            }
            return .success(.queryFeatures(features))

        case (.allow, _), (.deny, _):
            guard let match = filterMatch(command.target) else {
                return .failure(.notImplemented(StatusText.targetTypeNotSupported))
            }
            let action: FilterAction = command.action == .allow ? .allow : .deny
            let supportedTargets = action == .allow ? capabilities.allowTargets : capabilities.denyTargets
            guard supportedTargets.contains(match.kind) else {
                return .failure(.notImplemented(StatusText.targetTypeNotSupported))
            }
            var allowed: Set<Argument> = [.responseRequested, .startTime, .stopTime, .duration, .persistent, .direction, .insertRule]
            if action == .deny { allowed.insert(.dropProcess) }
            if let refusal = refuseUnsupported(given, allowed: allowed, slpfArgs: slpfArgs) { return .failure(refusal) }
            if slpfArgs.insertRule != nil, let requested = args.responseRequested, requested != .complete {
                return .failure(.badRequest("insert_rule requires response_requested complete (SLPF §2.3.1)"))
            }
            return .success(.filter(FilterRuleRequest(
                action: action, match: match, direction: slpfArgs.direction ?? .both,
                dropProcess: action == .deny ? (slpfArgs.dropProcess ?? .silent) : .silent,
                persistent: slpfArgs.persistent ?? true, insertRule: slpfArgs.insertRule,
                startTime: args.startTime, stopTime: args.stopTime, duration: args.duration
            )))

        case (.delete, let target):
            guard let number = target.slpfRuleNumber else {
                return .failure(.notImplemented(StatusText.commandNotSupported))
            }
            guard capabilities.deleteRule else { return .failure(.notImplemented(StatusText.targetNotSupported)) }
            if let refusal = refuseUnsupported(given, allowed: [.responseRequested, .startTime], slpfArgs: slpfArgs) { return .failure(refusal) }
            return .success(.deleteRule(number, startTime: args.startTime))

        case (.update, .file(let file)):
            guard capabilities.updateFile else { return .failure(.notImplemented(StatusText.commandNotSupported)) }
            if let refusal = refuseUnsupported(given, allowed: [.responseRequested, .startTime], slpfArgs: slpfArgs) { return .failure(refusal) }
            if args.responseRequested == .status {
                return .failure(.notImplemented(StatusText.optionNotSupported))
            }
            return .success(.updateFile(file, startTime: args.startTime))

        default:
            return .failure(.notImplemented(StatusText.commandNotSupported))
        }
    }

    private func filterMatch(_ target: Target) -> FilterMatch? {
        switch target {
        case .ipv4Net(let net): .ipv4Net(net)
        case .ipv6Net(let net): .ipv6Net(net)
        case .ipv4Connection(let connection): .ipv4Connection(connection)
        case .ipv6Connection(let connection): .ipv6Connection(connection)
        default: nil
        }
    }

    private func givenArguments(_ args: Args, _ slpf: SLPFArgs) -> [Argument] {
        var given: [Argument] = []
        if args.responseRequested != nil { given.append(.responseRequested) }
        if args.startTime != nil { given.append(.startTime) }
        if args.stopTime != nil { given.append(.stopTime) }
        if args.duration != nil { given.append(.duration) }
        if slpf.persistent != nil { given.append(.persistent) }
        if slpf.direction != nil { given.append(.direction) }
        if slpf.insertRule != nil { given.append(.insertRule) }
        if slpf.dropProcess != nil { given.append(.dropProcess) }
        return given
    }

    /// 501 "Option not supported" for an argument the command does not take (SLPF Table 2.3-2)
    /// or this Consumer does not implement.
    private func refuseUnsupported(_ given: [Argument], allowed: Set<Argument>, slpfArgs: SLPFArgs) -> Refusal? {
        for argument in given {
            let implemented: Bool
            switch argument {
            case .responseRequested: implemented = true
            case .startTime, .stopTime, .duration: implemented = capabilities.temporal
            case .persistent: implemented = capabilities.persistent
            case .direction: implemented = capabilities.direction || slpfArgs.direction == .both
            case .insertRule: implemented = capabilities.insertRule
            case .dropProcess: implemented = slpfArgs.dropProcess.map(capabilities.dropProcesses.contains) ?? true
            }
            if !allowed.contains(argument) || !implemented {
                return .notImplemented(StatusText.optionNotSupported)
            }
        }
        return nil
    }
}

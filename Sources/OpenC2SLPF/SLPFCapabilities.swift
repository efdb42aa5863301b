import OpenC2

/// The kinds of traffic an SLPF allow/deny can match (SLPF Table 2.3-1).
public enum FilterTargetKind: String, Hashable, Sendable, CaseIterable {
    case ipv4Net = "ipv4_net"
    case ipv6Net = "ipv6_net"
    case ipv4Connection = "ipv4_connection"
    case ipv6Connection = "ipv6_connection"
}

/// What a particular SLPF Consumer implements: the part of the profile's command matrix and
/// argument matrix it supports. ``SLPFInterpreter`` answers 501 for the rest, and
/// ``featuresResponse(for:)`` reports exactly this.
public struct SLPFCapabilities: Hashable, Sendable {
    /// Targets of `allow`.
    public var allowTargets: Set<FilterTargetKind>
    /// Targets of `deny`.
    public var denyTargets: Set<FilterTargetKind>
    /// Whether `delete slpf:rule_number` is implemented.
    public var deleteRule: Bool
    /// Whether `update file` is implemented.
    public var updateFile: Bool
    /// The `drop_process` values implemented.
    public var dropProcesses: Set<DropProcess>
    /// Whether `direction` ingress/egress is implemented.
    public var direction: Bool
    /// Whether `start_time`, `stop_time` and `duration` are implemented.
    public var temporal: Bool
    /// Whether `persistent` is implemented.
    public var persistent: Bool
    /// Whether `insert_rule` is implemented.
    public var insertRule: Bool
    /// The Commands per minute the Consumer accepts, if it states a limit.
    public var rateLimit: Double?

    /// Capabilities; by default everything the profile defines except `false_ack`.
    public init(
        allowTargets: Set<FilterTargetKind> = Set(FilterTargetKind.allCases),
        denyTargets: Set<FilterTargetKind> = Set(FilterTargetKind.allCases),
        deleteRule: Bool = true,
        updateFile: Bool = true,
        dropProcesses: Set<DropProcess> = [.silent, .reject],
        direction: Bool = true,
        temporal: Bool = true,
        persistent: Bool = true,
        insertRule: Bool = true,
        rateLimit: Double? = nil
    ) {
        self.allowTargets = allowTargets
        self.denyTargets = denyTargets
        self.deleteRule = deleteRule
        self.updateFile = updateFile
        self.dropProcesses = dropProcesses
        self.direction = direction
        self.temporal = temporal
        self.persistent = persistent
        self.insertRule = insertRule
        self.rateLimit = rateLimit
    }

    /// A Consumer that implements only `query features`.
    public static let queryOnly = SLPFCapabilities(
        allowTargets: [], denyTargets: [], deleteRule: false, updateFile: false,
        dropProcesses: [], direction: false, temporal: false, persistent: false, insertRule: false
    )

    /// The action/target pairs implemented, for `query features` (Language §3.4.2.1).
    public var pairs: ActionTargets {
        func names(_ kinds: Set<FilterTargetKind>) -> [String] {
            FilterTargetKind.allCases.filter(kinds.contains).map(\.rawValue)
        }
        var pairs: [Action: [String]] = [.query: ["features"]]
        if !allowTargets.isEmpty { pairs[.allow] = names(allowTargets) }
        if !denyTargets.isEmpty { pairs[.deny] = names(denyTargets) }
        if deleteRule { pairs[.delete] = ["slpf:rule_number"] }
        if updateFile { pairs[.update] = ["file"] }
        return ActionTargets(pairs)
    }

    /// The Response to `query features` asking for `features` (Language §4.1): status 200 with
    /// exactly the results asked for; none for a heartbeat (no features).
    public func featuresResponse(for features: Features) -> Response {
        var results = Results()
        for feature in features.items {
            switch feature {
            case .versions: results.versions = [.v1_0]
            case .profiles: results.profiles = [.slpf]
            case .pairs: results.pairs = pairs
            case .rateLimit: results.rateLimit = rateLimit
            }
        }
        return Response(.ok, results: results.isEmpty ? nil : results)
    }
}

import OpenC2

/// The Stateless Packet Filtering profile (SLPF v1.0 CS01) as an ``OpenC2Profile``: register
/// it with an ``OpenC2Decoder`` to validate the `slpf` namespace while decoding.
///
/// ```swift
/// let decoder = OpenC2Decoder(profiles: [SLPFProfile()])
/// ```
public struct SLPFProfile: OpenC2Profile {
    /// A profile validator.
    public init() {}

    public var nsid: Nsid { .slpf }

    private static let decoder = OpenC2Decoder()

    public func validateArgs(_ args: JSONObject) throws(OpenC2Error) {
        _ = try SLPFArgs(json: .object(args), decoder: Self.decoder)
    }

    public func validateActuator(_ specifiers: JSONObject) throws(OpenC2Error) {
        _ = try SLPFSpecifiers(json: .object(specifiers), decoder: Self.decoder)
    }

    public func validateTarget(named name: String, value: JSONValue) throws(OpenC2Error) {
        guard name == "rule_number" else {
            throw OpenC2Error(.unknownField, "'slpf:\(name)' is not a target of the SLPF profile (slpf:rule_number)")
        }
        _ = try value.integer(in: 0...JSONValue.maximumSafeInteger, "rule_number")
    }

    public func validateResults(_ results: JSONObject) throws(OpenC2Error) {
        _ = try SLPFResults(json: .object(results), decoder: Self.decoder)
    }
}

// MARK: - Typed access to the slpf namespace

extension Args {
    /// The `slpf` arguments, decoded; `nil` when absent or invalid. Setting `nil` removes them.
    public var slpf: SLPFArgs? {
        get { extensions[.slpf].flatMap { try? SLPFArgs(json: .object($0), decoder: OpenC2Decoder()) } }
        set { extensions[.slpf] = newValue.flatMap { $0.json.objectValue } }
    }
}

extension Actuator {
    /// An SLPF actuator selected by `specifiers`.
    public static func slpf(_ specifiers: SLPFSpecifiers = SLPFSpecifiers()) -> Actuator {
        Actuator(profile: .slpf, specifiers: specifiers.json.objectValue ?? JSONObject())
    }

    /// The SLPF specifiers when this is an SLPF actuator with valid specifiers.
    public var slpf: SLPFSpecifiers? {
        guard profile == .slpf else { return nil }
        return try? SLPFSpecifiers(json: .object(specifiers), decoder: OpenC2Decoder())
    }
}

extension Results {
    /// The `slpf` results, decoded; `nil` when absent. Setting `nil` removes them.
    public var slpf: SLPFResults? {
        get { extensions[.slpf].flatMap { try? SLPFResults(json: .object($0), decoder: OpenC2Decoder()) } }
        set { extensions[.slpf] = newValue.flatMap { $0.json.objectValue } }
    }
}

extension Target {
    /// The `slpf:rule_number` target.
    public static func slpfRuleNumber(_ number: RuleNumber) -> Target {
        .extended(ruleNumberName, .integer(number))
    }

    /// The rule number when this is an `slpf:rule_number` target.
    public var slpfRuleNumber: RuleNumber? {
        guard case .extended(let name, .integer(let number)) = self, name == Target.ruleNumberName else { return nil }
        return number
    }

    static let ruleNumberName = try! ExtensionName(nsid: .slpf, name: "rule_number")
}

extension JSONValue {
    /// The object, when this is one.
    var objectValue: JSONObject? {
        if case .object(let object) = self { return object }
        return nil
    }
}

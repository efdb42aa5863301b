/// An actuator profile's extensions to the Language (Language §3.1.4): the content it defines
/// under its namespace in Args, Actuator specifiers, Targets and Results.
///
/// Register profiles with ``OpenC2Decoder`` to have their content validated while decoding;
/// without a registered profile, a namespace's content is kept as opaque JSON. Each method
/// throws an ``OpenC2Error`` whose path is relative to the value it is given.
public protocol OpenC2Profile: Sendable {
    /// The profile's namespace identifier.
    var nsid: Nsid { get }

    /// Validates `"args": {"<nsid>": …}`.
    func validateArgs(_ args: JSONObject) throws(OpenC2Error)

    /// Validates `"actuator": {"<nsid>": …}` (the actuator specifiers).
    func validateActuator(_ specifiers: JSONObject) throws(OpenC2Error)

    /// Validates the value of the extended target `<nsid>:<name>`. A name the profile does
    /// not define is an unknown-field error.
    func validateTarget(named name: String, value: JSONValue) throws(OpenC2Error)

    /// Validates `"results": {"<nsid>": …}`.
    func validateResults(_ results: JSONObject) throws(OpenC2Error)
}

/// Decodes OpenC2 Commands, Responses and messages from JSON, validating as it goes.
///
/// ```swift
/// let decoder = OpenC2Decoder(profiles: [SLPFProfile()])
/// let command = try decoder.decode(Command.self, from: bytes)
/// ```
public struct OpenC2Decoder: Sendable {
    /// Registered profiles by namespace.
    public private(set) var profiles: [Nsid: any OpenC2Profile]
    /// The parser, with its nesting limit.
    public var parser: JSONParser

    /// A decoder validating the content of `profiles`' namespaces.
    public init(profiles: [any OpenC2Profile] = [], maximumDepth: Int = 64) {
        self.profiles = Dictionary(profiles.map { ($0.nsid, $0) }, uniquingKeysWith: { _, last in last })
        self.parser = JSONParser(maximumDepth: maximumDepth)
    }

    /// Whether `nsid` is a standard profile or a registered one.
    public func isKnown(_ nsid: Nsid) -> Bool {
        Nsid.standardProfiles.contains(nsid) || profiles[nsid] != nil
    }

    /// Parses and decodes `bytes` as a `T`.
    public func decode<T: OpenC2Codable>(_ type: T.Type, from bytes: some Collection<UInt8>) throws(OpenC2Error) -> T {
        try T(json: parser.parse(bytes), decoder: self)
    }

    /// Parses and decodes `text` as a `T`.
    public func decode<T: OpenC2Codable>(_ type: T.Type, from text: String) throws(OpenC2Error) -> T {
        try T(json: parser.parse(text), decoder: self)
    }

    /// Decodes an already parsed value as a `T`.
    public func decode<T: OpenC2Codable>(_ type: T.Type, from json: JSONValue) throws(OpenC2Error) -> T {
        try T(json: json, decoder: self)
    }
}

/// Encodes OpenC2 values as canonical JSON: fields in specification order, extension
/// namespaces and opaque content sorted by name, so equal values give equal bytes.
public struct OpenC2Encoder: Sendable {
    /// The writer, compact unless `prettyPrinted`.
    public var writer: JSONWriter

    /// An encoder producing compact output, or indented output when `prettyPrinted`.
    public init(prettyPrinted: Bool = false) {
        writer = JSONWriter(prettyPrinted: prettyPrinted)
    }

    /// The UTF-8 JSON bytes of `value`.
    public func encode(_ value: some OpenC2Codable) -> [UInt8] {
        writer.bytes(value.json)
    }

    /// The JSON text of `value`.
    public func string(_ value: some OpenC2Codable) -> String {
        writer.string(value.json)
    }
}

extension OpenC2Codable {
    /// Checks this value against every rule its JSON form must satisfy, as a Consumer would
    /// when receiving it, with `profiles` validating their namespaces.
    public func validate(profiles: [any OpenC2Profile] = []) throws(OpenC2Error) {
        _ = try Self(json: json, decoder: OpenC2Decoder(profiles: profiles))
    }
}

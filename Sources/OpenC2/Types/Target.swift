/// The object of an Action (Language §3.3.1.2): exactly one of the Language's targets, or a
/// target a profile defines (`slpf:rule_number`, `x-acme:container`).
public enum Target: Hashable, Sendable, OpenC2Codable {
    case artifact(Artifact)
    /// A previously issued Command.
    case command(CommandID)
    case device(Device)
    case domainName(Hostname)
    case emailAddress(EmailAddress)
    /// What a `query` asks about; empty for a heartbeat.
    case features(Features)
    case file(File)
    case idnDomainName(IDNHostname)
    case idnEmailAddress(IDNEmailAddress)
    case ipv4Net(IPv4Net)
    case ipv6Net(IPv6Net)
    case ipv4Connection(IPv4Connection)
    case ipv6Connection(IPv6Connection)
    case iri(IRI)
    case macAddress(MACAddress)
    case process(Process)
    /// Names of actuator properties; at least one, no repeats.
    case properties([String])
    case uri(URI)
    /// A profile-defined target and its value (validated by a registered profile, opaque otherwise).
    case extended(ExtensionName, JSONValue)

    /// The Language's target names, in specification (ID) order.
    public static let languageTargetNames = [
        "artifact", "command", "device", "domain_name", "email_addr", "features", "file", "idn_domain_name",
        "idn_email_addr", "ipv4_net", "ipv6_net", "ipv4_connection", "ipv6_connection", "mac_addr", "process",
        "uri", "iri", "properties",
    ]

    /// The target's name as serialized: `ipv4_net`, `slpf:rule_number`.
    public var name: String {
        switch self {
        case .artifact: "artifact"
        case .command: "command"
        case .device: "device"
        case .domainName: "domain_name"
        case .emailAddress: "email_addr"
        case .features: "features"
        case .file: "file"
        case .idnDomainName: "idn_domain_name"
        case .idnEmailAddress: "idn_email_addr"
        case .ipv4Net: "ipv4_net"
        case .ipv6Net: "ipv6_net"
        case .ipv4Connection: "ipv4_connection"
        case .ipv6Connection: "ipv6_connection"
        case .iri: "iri"
        case .macAddress: "mac_addr"
        case .process: "process"
        case .properties: "properties"
        case .uri: "uri"
        case .extended(let name, _): name.description
        }
    }

    /// The value as JSON, without the name.
    public var valueJSON: JSONValue {
        switch self {
        case .artifact(let value): value.json
        case .command(let value): value.json
        case .device(let value): value.json
        case .domainName(let value): value.json
        case .emailAddress(let value): value.json
        case .features(let value): value.json
        case .file(let value): value.json
        case .idnDomainName(let value): value.json
        case .idnEmailAddress(let value): value.json
        case .ipv4Net(let value): value.json
        case .ipv6Net(let value): value.json
        case .ipv4Connection(let value): value.json
        case .ipv6Connection(let value): value.json
        case .iri(let value): value.json
        case .macAddress(let value): value.json
        case .process(let value): value.json
        case .properties(let names): .array(names.map(JSONValue.string))
        case .uri(let value): value.json
        case .extended(_, let value): value.canonicalized
        }
    }

    public var json: JSONValue { .object(JSONObject(uniqueMembers: [(name, valueJSON)])) }

    public init(json: JSONValue, decoder: OpenC2Decoder) throws(OpenC2Error) {
        let object = try json.object("Target")
        guard object.count == 1, let (key, value) = object.members.first else {
            throw OpenC2Error(.choiceCardinality, "Target must hold exactly one target, found \(object.count)\(object.isEmpty ? "" : " (\(object.keys.joined(separator: ", ")))")")
        }
        if key.contains(":") {
            let name = try decoder.extensionKey(key)
            let content = try within(key) { () throws(OpenC2Error) -> JSONValue in
                if let profile = decoder.profiles[name.nsid] {
                    try profile.validateTarget(named: name.name, value: value)
                }
                return value
            }
            self = .extended(name, content)
            return
        }
        self = try within(key) { () throws(OpenC2Error) -> Target in
            switch key {
            case "artifact": return .artifact(try Artifact(json: value, decoder: decoder))
            case "command": return .command(try CommandID(json: value, decoder: decoder))
            case "device": return .device(try Device(json: value, decoder: decoder))
            case "domain_name": return .domainName(try Hostname(json: value, decoder: decoder))
            case "email_addr": return .emailAddress(try EmailAddress(json: value, decoder: decoder))
            case "features": return .features(try Features(json: value, decoder: decoder))
            case "file": return .file(try File(json: value, decoder: decoder))
            case "idn_domain_name": return .idnDomainName(try IDNHostname(json: value, decoder: decoder))
            case "idn_email_addr": return .idnEmailAddress(try IDNEmailAddress(json: value, decoder: decoder))
            case "ipv4_net": return .ipv4Net(try IPv4Net(json: value, decoder: decoder))
            case "ipv6_net": return .ipv6Net(try IPv6Net(json: value, decoder: decoder))
            case "ipv4_connection": return .ipv4Connection(try IPv4Connection(json: value, decoder: decoder))
            case "ipv6_connection": return .ipv6Connection(try IPv6Connection(json: value, decoder: decoder))
            case "iri": return .iri(try IRI(json: value, decoder: decoder))
            case "mac_addr": return .macAddress(try MACAddress(json: value, decoder: decoder))
            case "process": return .process(try Process(json: value, decoder: decoder))
            case "properties":
                let names = try decodeItems(value.array("Properties")) { (item) throws(OpenC2Error) in try item.string() }
                if names.isEmpty { throw OpenC2Error(.empty, "Properties must name at least one property") }
                try requireUnique(names, "property")
                return .properties(names)
            case "uri": return .uri(try URI(json: value, decoder: decoder))
            default:
                throw OpenC2Error(.unknownField, "'\(key)' is not a Target (one of: \(Target.languageTargetNames.joined(separator: ", ")), or nsid:name)")
            }
        }
    }
}

/// The subject of an Action (Language §3.3.1.3): one profile's namespace and the specifiers
/// that select which actuators of that profile execute the Command.
public struct Actuator: Hashable, Sendable, OpenC2Codable {
    /// The actuator profile.
    public var profile: Nsid
    /// The profile's specifiers (`{"asset_id": "30"}`); may be empty (all actuators of the profile).
    public var specifiers: JSONObject

    /// An actuator of `profile` selected by `specifiers`.
    public init(profile: Nsid, specifiers: JSONObject = JSONObject()) {
        self.profile = profile
        self.specifiers = specifiers
    }

    public init(json: JSONValue, decoder: OpenC2Decoder) throws(OpenC2Error) {
        let object = try json.object("Actuator")
        guard object.count == 1, let (key, value) = object.members.first else {
            throw OpenC2Error(.choiceCardinality, "Actuator must hold exactly one profile, found \(object.count)")
        }
        let nsid = try within(key) { () throws(OpenC2Error) in try decoder.namespaceKey(key) }
        guard let nsid else { throw OpenC2Error.unknownField(key, in: "Actuator") }
        profile = nsid
        specifiers = try within(key) { () throws(OpenC2Error) in
            try decoder.extensionContent(value, of: nsid) { (profile, object) throws(OpenC2Error) in
                try profile.validateActuator(object)
            }
        }
    }

    public var json: JSONValue { .object(JSONObject(uniqueMembers: [(profile.rawValue, .object(specifiers.canonicalized))])) }
}

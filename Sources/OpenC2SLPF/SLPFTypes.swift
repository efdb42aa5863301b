import OpenC2

/// An access rule's identifier (SLPF §2.1.3.2, Rule-ID): assigned when the rule is created,
/// immutable, unique within a Consumer.
public typealias RuleNumber = Int64

/// How to handle denied packets (SLPF §2.1.3.2).
///
/// The profile's `none` is ``silent`` here, so that it is never mistaken for `Optional.none`.
public enum DropProcess: String, OpenC2Enumeration {
    /// Drop without notifying the source (`"none"`).
    case silent = "none"
    /// Drop and send ICMP unreachable or a TCP reset.
    case reject
    /// Drop and send a false acknowledgment.
    case falseAck = "false_ack"
    public static var typeName: String { "Drop-Process" }
}

/// Which traffic a rule applies to (SLPF §2.1.3.2).
public enum Direction: String, OpenC2Enumeration {
    case both, ingress, egress
    public static var typeName: String { "Direction" }
}

/// The SLPF arguments, `"args": {"slpf": {…}}` (SLPF Table 2.1.3-2).
public struct SLPFArgs: Hashable, Sendable, OpenC2Codable {
    /// How to handle denied packets; absent means drop silently.
    public var dropProcess: DropProcess?
    /// Whether the rule survives a restart; absent means true.
    public var persistent: Bool?
    /// Which traffic the rule applies to; absent means both.
    public var direction: Direction?
    /// The rule number the Producer wants the rule to have.
    public var insertRule: RuleNumber?

    /// SLPF arguments.
    public init(dropProcess: DropProcess? = nil, persistent: Bool? = nil, direction: Direction? = nil, insertRule: RuleNumber? = nil) {
        self.dropProcess = dropProcess
        self.persistent = persistent
        self.direction = direction
        self.insertRule = insertRule
    }

    public init(json: JSONValue, decoder: OpenC2Decoder) throws(OpenC2Error) {
        self.init()
        try json.object("slpf:Args").forEachMember(of: "slpf:Args") { (key, value) throws(OpenC2Error) in
            switch key {
            case "drop_process": dropProcess = try DropProcess(json: value, decoder: decoder)
            case "persistent": persistent = try value.bool()
            case "direction": direction = try Direction(json: value, decoder: decoder)
            case "insert_rule": insertRule = try value.integer(in: 0...JSONValue.maximumSafeInteger, "insert_rule")
            default: return false
            }
            return true
        }
    }

    public var json: JSONValue {
        var object = JSONObject()
        if let dropProcess { object["drop_process"] = dropProcess.json }
        if let persistent { object["persistent"] = .bool(persistent) }
        if let direction { object["direction"] = direction.json }
        if let insertRule { object["insert_rule"] = .integer(insertRule) }
        return .object(object)
    }
}

/// The SLPF actuator specifiers, `"actuator": {"slpf": {…}}` (SLPF Table 2.1.4-1): which
/// packet filters should execute the Command. Empty means every SLPF.
public struct SLPFSpecifiers: Hashable, Sendable, OpenC2Codable {
    /// The RFC 1123 hostname (or IP address) of a particular filter.
    public var hostname: String?
    /// A user-defined group of filters.
    public var namedGroup: String?
    /// A unique identifier of a particular filter.
    public var assetID: String?
    /// A tuple of up to ten strings identifying a particular filter.
    public var assetTuple: [String]?

    /// Specifiers.
    public init(hostname: String? = nil, namedGroup: String? = nil, assetID: String? = nil, assetTuple: [String]? = nil) {
        self.hostname = hostname
        self.namedGroup = namedGroup
        self.assetID = assetID
        self.assetTuple = assetTuple
    }

    public init(json: JSONValue, decoder: OpenC2Decoder) throws(OpenC2Error) {
        self.init()
        try json.object("slpf:Specifiers").forEachMember(of: "slpf:Specifiers") { (key, value) throws(OpenC2Error) in
            switch key {
            case "hostname":
                let text = try value.string()
                guard (try? Hostname(text)) != nil || (try? IPv4Address(text)) != nil || (try? IPv6Address(text)) != nil else {
                    throw OpenC2Error(.invalidHostname, "'\(text)' is neither a hostname (RFC 1123) nor an IP address")
                }
                hostname = text
            case "named_group": namedGroup = try value.string()
            case "asset_id": assetID = try value.string()
            case "asset_tuple":
                let items = try value.array("asset_tuple")
                guard items.count <= 10 else { throw OpenC2Error(.tooManyItems, "asset_tuple holds at most 10 strings, found \(items.count)") }
                var strings: [String] = []
                for (index, item) in items.enumerated() {
                    strings.append(try within(index: index) { () throws(OpenC2Error) in try item.string() })
                }
                assetTuple = strings
            default: return false
            }
            return true
        }
    }

    public var json: JSONValue {
        var object = JSONObject()
        if let hostname { object["hostname"] = .string(hostname) }
        if let namedGroup { object["named_group"] = .string(namedGroup) }
        if let assetID { object["asset_id"] = .string(assetID) }
        if let assetTuple { object["asset_tuple"] = .array(assetTuple.map(JSONValue.string)) }
        return .object(object)
    }
}

/// The SLPF results, `"results": {"slpf": {"rule_number": …}}` (SLPF Table 2.2.2-1).
public struct SLPFResults: Hashable, Sendable, OpenC2Codable {
    /// The number of the rule an allow or deny created.
    public var ruleNumber: RuleNumber?

    /// Results.
    public init(ruleNumber: RuleNumber? = nil) { self.ruleNumber = ruleNumber }

    public init(json: JSONValue, decoder: OpenC2Decoder) throws(OpenC2Error) {
        self.init()
        try json.object("slpf:Results").forEachMember(of: "slpf:Results") { (key, value) throws(OpenC2Error) in
            guard key == "rule_number" else { return false }
            ruleNumber = try value.integer(in: 0...JSONValue.maximumSafeInteger, "rule_number")
            return true
        }
    }

    public var json: JSONValue {
        var object = JSONObject()
        if let ruleNumber { object["rule_number"] = .integer(ruleNumber) }
        return .object(object)
    }
}

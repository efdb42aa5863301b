/// Literal content or a link to it (Language §3.4.2.13).
public enum Payload: Hashable, Sendable, OpenC2Codable {
    /// The content itself, base64url in JSON.
    case bin([UInt8])
    /// A URL that resolves to the content.
    case url(URI)

    public init(json: JSONValue, decoder: OpenC2Decoder) throws(OpenC2Error) {
        let object = try json.object("Payload")
        guard object.count == 1, let (key, value) = object.members.first else {
            throw OpenC2Error(.choiceCardinality, "Payload must hold exactly one of 'bin' or 'url', found \(object.count)")
        }
        switch key {
        case "bin":
            self = try within(key) { () throws(OpenC2Error) in
                let text = try value.string()
                guard let bytes = BinaryCoding.decodeBase64URL(text) else {
                    throw OpenC2Error(.invalidBinary, "'\(text)' is not base64url (RFC 4648 §5)")
                }
                return .bin(bytes)
            }
        case "url": self = .url(try within(key) { () throws(OpenC2Error) in try URI(json: value, decoder: decoder) })
        default: throw OpenC2Error.unknownField(key, in: "Payload")
        }
    }

    public var json: JSONValue {
        switch self {
        case .bin(let bytes): .object(["bin": .string(BinaryCoding.base64URL(bytes))])
        case .url(let url): .object(["url": url.json])
        }
    }
}

/// An array of bytes representing a file-like object or a link to it (Language §3.4.1.1).
public struct Artifact: Hashable, Sendable, OpenC2Codable {
    public var mimeType: MediaType?
    public var payload: Payload?
    public var hashes: Hashes?

    /// An artifact; at least one property must be set.
    public init(mimeType: MediaType? = nil, payload: Payload? = nil, hashes: Hashes? = nil) {
        self.mimeType = mimeType
        self.payload = payload
        self.hashes = hashes
    }

    public init(json: JSONValue, decoder: OpenC2Decoder) throws(OpenC2Error) {
        try json.object("Artifact").forEachMember(of: "Artifact") { (key, value) throws(OpenC2Error) in
            switch key {
            case "mime_type": mimeType = try MediaType(json: value, decoder: decoder)
            case "payload": payload = try Payload(json: value, decoder: decoder)
            case "hashes": hashes = try Hashes(json: value, decoder: decoder)
            default: return false
            }
            return true
        }
        if mimeType == nil, payload == nil, hashes == nil { throw .empty("Artifact") }
    }

    public var json: JSONValue {
        var members: [JSONObject.Member] = []
        if let mimeType { members.append(("mime_type", mimeType.json)) }
        if let payload { members.append(("payload", payload.json)) }
        if let hashes { members.append(("hashes", hashes.json)) }
        return .object(JSONObject(uniqueMembers: members))
    }
}

/// A hardware device (Language §3.4.1.2).
public struct Device: Hashable, Sendable, OpenC2Codable {
    public var hostname: Hostname?
    public var idnHostname: IDNHostname?
    /// An identifier within an inventory or management system.
    public var deviceID: String?

    /// A device; at least one property must be set.
    public init(hostname: Hostname? = nil, idnHostname: IDNHostname? = nil, deviceID: String? = nil) {
        self.hostname = hostname
        self.idnHostname = idnHostname
        self.deviceID = deviceID
    }

    public init(json: JSONValue, decoder: OpenC2Decoder) throws(OpenC2Error) {
        try json.object("Device").forEachMember(of: "Device") { (key, value) throws(OpenC2Error) in
            switch key {
            case "hostname": hostname = try Hostname(json: value, decoder: decoder)
            case "idn_hostname": idnHostname = try IDNHostname(json: value, decoder: decoder)
            case "device_id": deviceID = try value.string()
            default: return false
            }
            return true
        }
        if hostname == nil, idnHostname == nil, deviceID == nil { throw .empty("Device") }
    }

    public var json: JSONValue {
        var members: [JSONObject.Member] = []
        if let hostname { members.append(("hostname", hostname.json)) }
        if let idnHostname { members.append(("idn_hostname", idnHostname.json)) }
        if let deviceID { members.append(("device_id", .string(deviceID))) }
        return .object(JSONObject(uniqueMembers: members))
    }
}

/// Properties of a file (Language §3.4.1.6).
public struct File: Hashable, Sendable, OpenC2Codable {
    /// The file's name in the file system.
    public var name: String?
    /// The absolute path to the file's location.
    public var path: String?
    public var hashes: Hashes?

    /// A file; at least one property must be set.
    public init(name: String? = nil, path: String? = nil, hashes: Hashes? = nil) {
        self.name = name
        self.path = path
        self.hashes = hashes
    }

    public init(json: JSONValue, decoder: OpenC2Decoder) throws(OpenC2Error) {
        try json.object("File").forEachMember(of: "File") { (key, value) throws(OpenC2Error) in
            switch key {
            case "name": name = try value.string()
            case "path": path = try value.string()
            case "hashes": hashes = try Hashes(json: value, decoder: decoder)
            default: return false
            }
            return true
        }
        if name == nil, path == nil, hashes == nil { throw .empty("File") }
    }

    public var json: JSONValue {
        var members: [JSONObject.Member] = []
        if let name { members.append(("name", .string(name))) }
        if let path { members.append(("path", .string(path))) }
        if let hashes { members.append(("hashes", hashes.json)) }
        return .object(JSONObject(uniqueMembers: members))
    }
}

/// An instance of a program as executed on an operating system (Language §3.4.1.15).
public struct Process: Hashable, Sendable, OpenC2Codable {
    public var pid: UInt64?
    public var name: String?
    /// The current working directory.
    public var cwd: String?
    /// The file that was executed to start the process.
    public var executable: File?
    /// The full command line, arguments included.
    public var commandLine: String?
    // The parent is stored in an array so that the struct can contain itself.
    private var parentStorage: [Process]

    /// The process that spawned this one.
    public var parent: Process? {
        get { parentStorage.first }
        set { parentStorage = newValue.map { [$0] } ?? [] }
    }

    /// A process; at least one property must be set.
    public init(pid: UInt64? = nil, name: String? = nil, cwd: String? = nil, executable: File? = nil, parent: Process? = nil, commandLine: String? = nil) {
        self.pid = pid
        self.name = name
        self.cwd = cwd
        self.executable = executable
        self.parentStorage = parent.map { [$0] } ?? []
        self.commandLine = commandLine
    }

    public init(json: JSONValue, decoder: OpenC2Decoder) throws(OpenC2Error) {
        self.init()
        try json.object("Process").forEachMember(of: "Process") { (key, value) throws(OpenC2Error) in
            switch key {
            case "pid": pid = try value.unsignedInteger("pid")
            case "name": name = try value.string()
            case "cwd": cwd = try value.string()
            case "executable": executable = try File(json: value, decoder: decoder)
            case "parent": parent = try Process(json: value, decoder: decoder)
            case "command_line": commandLine = try value.string()
            default: return false
            }
            return true
        }
        if pid == nil, name == nil, cwd == nil, executable == nil, parentStorage.isEmpty, commandLine == nil { throw .empty("Process") }
    }

    public var json: JSONValue {
        var members: [JSONObject.Member] = []
        if let pid { members.append(("pid", .integer(Int64(pid)))) }
        if let name { members.append(("name", .string(name))) }
        if let cwd { members.append(("cwd", .string(cwd))) }
        if let executable { members.append(("executable", executable.json)) }
        if let parent { members.append(("parent", parent.json)) }
        if let commandLine { members.append(("command_line", .string(commandLine))) }
        return .object(JSONObject(uniqueMembers: members))
    }
}

/// A capability a `query features` Command asks about (Language §3.4.2.4).
public enum Feature: String, OpenC2Enumeration {
    case versions, profiles, pairs
    case rateLimit = "rate_limit"
    public static var typeName: String { "Feature" }
}

/// The set of features a `query features` Command asks about: at most ten, no repeats
/// (Language §3.4.1.5). Empty is valid (a heartbeat).
public struct Features: Hashable, Sendable, OpenC2Codable, ExpressibleByArrayLiteral {
    /// The features, in the order asked.
    public var items: [Feature]

    /// The features in this order.
    public init(_ items: [Feature] = []) { self.items = items }

    public init(arrayLiteral elements: Feature...) { items = elements }

    /// Whether `feature` is asked for.
    public func contains(_ feature: Feature) -> Bool { items.contains(feature) }

    public init(json: JSONValue, decoder: OpenC2Decoder) throws(OpenC2Error) {
        let array = try json.array("Features")
        guard array.count <= 10 else { throw OpenC2Error(.tooManyItems, "Features holds at most 10 items, found \(array.count)") }
        items = try decodeItems(array) { (item) throws(OpenC2Error) in try Feature(json: item, decoder: decoder) }
        try requireUnique(items, "feature", describe: \.rawValue)
    }

    public var json: JSONValue { .array(items.map(\.json)) }
}

/// An OpenC2 message as the HTTPS transfer v1.1 carries it (HTTPS v1.1 §3.3.2):
/// `{"headers": {…}, "body": {"openc2": {"request" | "response" | "notification": …}}}`.
public struct Message: Hashable, Sendable, OpenC2Codable {
    /// The message's content: a Command, a Response or a notification.
    public enum Content: Hashable, Sendable {
        case request(Command)
        case response(Response)
        /// An event; the Language v1.0 does not define its structure, so it is kept as JSON.
        case notification(JSONObject)
    }

    public var headers: Headers?
    public var content: Content
    /// An optional signature over the message, kept as given.
    public var signature: String?

    /// A message.
    public init(headers: Headers? = nil, content: Content, signature: String? = nil) {
        self.headers = headers
        self.content = content
        self.signature = signature
    }

    public init(json: JSONValue, decoder: OpenC2Decoder) throws(OpenC2Error) {
        var headers: Headers?
        var content: Content?
        var signature: String?
        try json.object("Message").forEachMember(of: "Message") { (key, value) throws(OpenC2Error) in
            switch key {
            case "headers": headers = try Headers(json: value, decoder: decoder)
            case "body": content = try Self.decodeBody(value, decoder: decoder)
            case "signature": signature = try value.string()
            default: return false
            }
            return true
        }
        guard let content else { throw .missingField("body", in: "Message") }
        self.init(headers: headers, content: content, signature: signature)
    }

    private static func decodeBody(_ value: JSONValue, decoder: OpenC2Decoder) throws(OpenC2Error) -> Content {
        var content: Content?
        try value.object("Body").forEachMember(of: "Body") { (key, value) throws(OpenC2Error) in
            guard key == "openc2" else { return false }
            let object = try value.object("OpenC2-Content")
            guard object.count == 1, let (kind, inner) = object.members.first else {
                throw OpenC2Error(.choiceCardinality, "OpenC2-Content must hold exactly one of request, response or notification, found \(object.count)")
            }
            content = try within(kind) { () throws(OpenC2Error) -> Content in
                switch kind {
                case "request": return .request(try Command(json: inner, decoder: decoder))
                case "response": return .response(try Response(json: inner, decoder: decoder))
                case "notification": return .notification(try inner.object("OpenC2-Event"))
                default: throw OpenC2Error(.unknownField, "'\(kind)' is not an OpenC2-Content (request, response or notification)")
                }
            }
            return true
        }
        guard let content else { throw .missingField("openc2", in: "Body") }
        return content
    }

    public var json: JSONValue {
        let inner: JSONObject.Member
        switch content {
        case .request(let command): inner = ("request", command.json)
        case .response(let response): inner = ("response", response.json)
        case .notification(let event): inner = ("notification", .object(event.canonicalized))
        }
        var members: [JSONObject.Member] = []
        if let headers { members.append(("headers", headers.json)) }
        members.append(("body", .object(["openc2": .object(JSONObject(uniqueMembers: [inner]))])))
        if let signature { members.append(("signature", .string(signature))) }
        return .object(JSONObject(uniqueMembers: members))
    }
}

/// Message headers (HTTPS v1.1 §3.3.2, Language §3.2); when present, at least one is set.
public struct Headers: Hashable, Sendable, OpenC2Codable {
    /// Correlates a Command with its Responses; a UUIDv4 by convention.
    public var requestID: String?
    /// When the message was created.
    public var created: DateTime?
    /// The authenticated identity of the sender.
    public var from: String?
    /// The authenticated identities of the recipients.
    public var to: [String]?

    /// Headers; at least one must be set.
    public init(requestID: String? = nil, created: DateTime? = nil, from: String? = nil, to: [String]? = nil) {
        self.requestID = requestID
        self.created = created
        self.from = from
        self.to = to
    }

    public init(json: JSONValue, decoder: OpenC2Decoder) throws(OpenC2Error) {
        try json.object("Headers").forEachMember(of: "Headers") { (key, value) throws(OpenC2Error) in
            switch key {
            case "request_id": requestID = try value.string()
            case "created": created = try DateTime(json: value, decoder: decoder)
            case "from": from = try value.string()
            case "to": to = try decodeItems(value.array("to")) { (item) throws(OpenC2Error) in try item.string() }
            default: return false
            }
            return true
        }
        if requestID == nil, created == nil, from == nil, to == nil { throw .empty("Headers") }
    }

    public var json: JSONValue {
        var members: [JSONObject.Member] = []
        if let requestID { members.append(("request_id", .string(requestID))) }
        if let created { members.append(("created", created.json)) }
        if let from { members.append(("from", .string(from))) }
        if let to { members.append(("to", .array(to.map(JSONValue.string)))) }
        return .object(JSONObject(uniqueMembers: members))
    }
}

/// Any OpenC2 document: a bare Command, a bare Response, or a v1.1 message envelope.
/// Decoding tells them apart by their required members (`action`, `status`, `body`).
public enum OpenC2Document: Hashable, Sendable, OpenC2Codable {
    case command(Command)
    case response(Response)
    case message(Message)

    /// "Command", "Response" or "Message".
    public var kindName: String {
        switch self {
        case .command: "Command"
        case .response: "Response"
        case .message: "Message"
        }
    }

    public init(json: JSONValue, decoder: OpenC2Decoder) throws(OpenC2Error) {
        let object = try json.object("OpenC2 document")
        if object["body"] != nil {
            self = .message(try Message(json: json, decoder: decoder))
        } else if object["action"] != nil {
            self = .command(try Command(json: json, decoder: decoder))
        } else if object["status"] != nil {
            self = .response(try Response(json: json, decoder: decoder))
        } else {
            throw OpenC2Error(.unknownMessage, "neither a Command (no 'action'), a Response (no 'status') nor a message envelope (no 'body')")
        }
    }

    public var json: JSONValue {
        switch self {
        case .command(let command): command.json
        case .response(let response): response.json
        case .message(let message): message.json
        }
    }
}

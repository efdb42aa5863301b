import TAXII

/// The TAXII HTTP and HTTPS Protocol Binding 1.0, both sides: the headers of a request and of a
/// response, the version a request's headers name, the message a reply carries (and libtaxii's
/// `FAILURE` stand-in when it carries none), and whether a message answers a request. Pure
/// functions over headers and bytes: a client or a server does the I/O.
public enum TAXIIHTTPBinding {
    /// The media type of the XML message bindings (`Content-Type` and `Accept`).
    public static let xmlMediaType = "application/xml"
    /// The `User-Agent` Bastion sends unless told otherwise.
    public static let defaultUserAgent = "bastion-taxii"

    /// The headers of a request carrying a message of `version`: `Content-Type`, `Accept`,
    /// `X-TAXII-Content-Type`, `X-TAXII-Accept` (the request's own binding), `X-TAXII-Services`,
    /// `X-TAXII-Protocol` (`http` or `https`, as used), `User-Agent`, and `Authorization` when given.
    public static func requestHeaders(version: TAXII.Version, https: Bool, authorization: String?, userAgent: String = defaultUserAgent) -> [(name: String, value: String)] {
        var headers: [(name: String, value: String)] = [
            ("Content-Type", xmlMediaType),
            ("Accept", xmlMediaType),
            ("X-TAXII-Content-Type", version.messageBindingID),
            ("X-TAXII-Accept", version.messageBindingID),
            ("X-TAXII-Services", version.servicesVersionID),
            ("X-TAXII-Protocol", https ? TAXII.VersionID.https10 : TAXII.VersionID.http10),
            ("User-Agent", userAgent),
        ]
        if let authorization { headers.append(("Authorization", authorization)) }
        return headers
    }

    /// The headers of a response carrying a message of `version`: `Content-Type`,
    /// `X-TAXII-Content-Type`, `X-TAXII-Services` and `X-TAXII-Protocol` (`http` or `https`, as served).
    public static func responseHeaders(version: TAXII.Version, https: Bool) -> [(name: String, value: String)] {
        [
            ("Content-Type", xmlMediaType),
            ("X-TAXII-Content-Type", version.messageBindingID),
            ("X-TAXII-Services", version.servicesVersionID),
            ("X-TAXII-Protocol", https ? TAXII.VersionID.https10 : TAXII.VersionID.http10),
        ]
    }

    /// The TAXII version of the message a request carries, from its headers (`header` looks one
    /// up by name, case-insensitively): `X-TAXII-Content-Type` must name the XML binding of 1.1
    /// or 1.0, and `X-TAXII-Services`, when sent, the services of the same version.
    ///
    /// - Throws: ``TAXIIBindingError`` `.missingHeader` without `X-TAXII-Content-Type`,
    ///   `.unsupportedBinding` for another binding or a services version that does not match.
    public static func requestVersion(header: (String) -> String?) throws(TAXIIBindingError) -> TAXII.Version {
        guard let binding = header("X-TAXII-Content-Type")?.trimmingWhitespace, !binding.isEmpty else {
            throw TAXIIBindingError(.missingHeader, "the request has no X-TAXII-Content-Type header naming its message binding")
        }
        let version: TAXII.Version
        switch binding {
        case TAXII.VersionID.xml11: version = .v11
        case TAXII.VersionID.xml10: version = .v10
        default:
            throw TAXIIBindingError(.unsupportedBinding, "X-TAXII-Content-Type '\(binding)' is not a message binding this server reads (\(TAXII.VersionID.xml11) or \(TAXII.VersionID.xml10))")
        }
        if let services = header("X-TAXII-Services")?.trimmingWhitespace, !services.isEmpty, services != version.servicesVersionID {
            throw TAXIIBindingError(.unsupportedBinding, "X-TAXII-Services '\(services)' does not match the message binding \(binding) (expected \(version.servicesVersionID))")
        }
        return version
    }

    /// The response types that answer a request of `type`, besides a Status Message; `nil` when
    /// `type` is not a request.
    public static func responseTypes(answering type: TAXII.MessageType) -> [TAXII.MessageType]? {
        switch type {
        case .discoveryRequest: [.discoveryResponse]
        case .collectionInformationRequest: [.collectionInformationResponse]
        case .feedInformationRequest: [.feedInformationResponse]
        case .pollRequest, .pollFulfillmentRequest: [.pollResponse]
        case .subscriptionManagementRequest: [.subscriptionManagementResponse]
        case .inboxMessage: []
        case .statusMessage, .discoveryResponse, .collectionInformationResponse, .feedInformationResponse,
             .subscriptionManagementResponse, .pollResponse:
            nil
        }
    }

    /// An HTTP reply as received.
    public struct Reply: Sendable, Equatable {
        /// The HTTP status code.
        public var status: Int
        /// The status line's reason phrase.
        public var reason: String
        /// The headers, in order.
        public var headers: [Header]
        /// The body.
        public var body: [UInt8]

        /// One header.
        public struct Header: Sendable, Equatable {
            /// The name as sent.
            public var name: String
            /// The value.
            public var value: String
            /// Creates a header.
            public init(name: String, value: String) {
                self.name = name
                self.value = value
            }
        }

        /// Creates a reply.
        public init(status: Int, reason: String = "", headers: [Header] = [], body: [UInt8] = []) {
            self.status = status
            self.reason = reason
            self.headers = headers
            self.body = body
        }

        /// The first value of header `name` (compared case-insensitively).
        public func header(_ name: String) -> String? {
            headers.first { $0.name.equalsIgnoringASCIICase(name) }?.value
        }

        /// The start of the body as text, on one line, for error messages.
        public var bodyExcerpt: String {
            let text = String(decoding: body.prefix(160), as: UTF8.self)
            let line = text.split(whereSeparator: \.isNewline).map { $0.trimmingWhitespace }.filter { !$0.isEmpty }.joined(separator: " ")
            if line.isEmpty { return "an empty body" }
            return "'" + line + (body.count > 160 ? "…'" : "'")
        }
    }

    /// The TAXII message `reply` carries, as libtaxii's `get_message_from_http_response` reads it:
    ///
    /// - with `X-TAXII-Content-Type` naming XML 1.1 or 1.0, the body parsed as a message of that version;
    /// - without `X-TAXII-Content-Type`, a `FAILURE` Status Message (`message_id` 0, `in_response_to`
    ///   the request's id) whose Message holds the HTTP status line, headers and body. libtaxii always
    ///   makes it a TAXII 1.1 message; Bastion makes it of `version`, the request's.
    ///
    /// - Throws: ``TAXIIBindingError`` — `.httpStatus` for a status other than 2xx without
    ///   `X-TAXII-Content-Type` (no TAXII message at all), `.unsupportedBinding` for another
    ///   `X-TAXII-Content-Type`, `.malformedMessage` for a body that is not a message of that binding.
    public static func message(from reply: Reply, version: TAXII.Version, inResponseTo requestID: String) throws(TAXIIBindingError) -> TAXII.Message {
        guard let binding = reply.header("X-TAXII-Content-Type")?.trimmingWhitespace else {
            guard (200..<300).contains(reply.status) else {
                let location = reply.header("Location").map { " (to \($0))" } ?? ""
                throw TAXIIBindingError(
                    .httpStatus,
                    "HTTP \(reply.status)\(reply.reason.isEmpty ? "" : " " + reply.reason)\(location) without a TAXII message: \(reply.bodyExcerpt)",
                    httpStatus: reply.status
                )
            }
            return failureStatus(for: reply, version: version, inResponseTo: requestID)
        }
        let replyVersion: TAXII.Version
        switch binding {
        case TAXII.VersionID.xml11: replyVersion = .v11
        case TAXII.VersionID.xml10: replyVersion = .v10
        default:
            throw TAXIIBindingError(
                .unsupportedBinding,
                "the reply's X-TAXII-Content-Type '\(binding)' is not a message binding Bastion reads (\(TAXII.VersionID.xml11) or \(TAXII.VersionID.xml10))",
                httpStatus: reply.status
            )
        }
        do {
            switch replyVersion {
            case .v11: return .taxii11(try TAXII11.Message(xml: reply.body))
            case .v10: return .taxii10(try TAXII10.Message(xml: reply.body))
            }
        } catch {
            let what = error.kind == .malformedXML ? "is not XML" : "is not a valid TAXII \(replyVersion.rawValue) message"
            throw TAXIIBindingError(.malformedMessage, "HTTP \(reply.status): the reply \(what) (\(error.message)); it starts with \(reply.bodyExcerpt)", httpStatus: reply.status)
        }
    }

    /// libtaxii's stand-in for a reply that is no TAXII message: a `FAILURE` Status Message.
    public static func failureStatus(for reply: Reply, version: TAXII.Version, inResponseTo requestID: String) -> TAXII.Message {
        var text = "HTTP \(reply.status)\(reply.reason.isEmpty ? "" : " " + reply.reason)\r\n"
        for header in reply.headers { text += "\(header.name): \(header.value)\r\n" }
        text += "\r\n" + String(decoding: reply.body, as: UTF8.self)
        switch version {
        case .v11:
            return .taxii11(.statusMessage(TAXII11.StatusMessage(messageID: "0", inResponseTo: requestID, statusType: .failure, message: text)))
        case .v10:
            return .taxii10(.statusMessage(TAXII10.StatusMessage(messageID: "0", inResponseTo: requestID, statusType: .failure, message: text)))
        }
    }

    /// Checks that `message` answers a request of `requestType` and `version`: a Status Message
    /// or the request's response type, of the same version.
    ///
    /// - Throws: ``TAXIIBindingError`` `.unexpectedMessage` otherwise.
    public static func check(_ message: TAXII.Message, answers requestType: TAXII.MessageType, version: TAXII.Version) throws(TAXIIBindingError) {
        guard let expected = responseTypes(answering: requestType) else { return }
        let received = message.messageType
        guard message.version == version, received == .statusMessage || expected.contains(received) else {
            let wanted = (expected + [.statusMessage]).map(\.rawValue).joined(separator: " or ")
            throw TAXIIBindingError(
                .unexpectedMessage,
                "a TAXII \(version.rawValue) \(requestType.rawValue) was answered with a TAXII \(message.version.rawValue) \(received.rawValue), expected \(wanted)"
            )
        }
    }
}

import BastionHTTPServer
import Crypto
import Foundation
import Logging
import NIOConcurrencyHelpers
import Synchronization
import TAXII
import TAXIIHTTP

/// An HTTP request as the TAXII server sees it.
public struct TAXIIRequest: Sendable {
    /// The method (TAXII uses `POST`).
    public var method: String
    /// The path, without the query.
    public var path: String
    /// The headers, in order.
    public var headers: [(name: String, value: String)]
    /// The body; `nil` when it was larger than the server accepts.
    public var body: [UInt8]?
    /// Whether it came over HTTPS.
    public var https: Bool

    public init(method: String, path: String, headers: [(name: String, value: String)], body: [UInt8]?, https: Bool) {
        self.method = method
        self.path = path
        self.headers = headers
        self.body = body
        self.https = https
    }

    /// The first value of header `name` (compared case-insensitively).
    public func header(_ name: String) -> String? {
        headers.first { $0.name.equalsIgnoringASCIICase(name) }?.value
    }
}

/// What the TAXII server answers: an HTTP status, headers and a body.
public struct TAXIIReply: Sendable {
    public var status: Int
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]

    public init(status: Int, headers: [(name: String, value: String)], body: [UInt8]) {
        self.status = status
        self.headers = headers
        self.body = body
    }
}

/// The transport-independent heart of the TAXII server: reads a request under the HTTP
/// binding, authenticates the user, hands the message to its service and writes the answer —
/// a response message or the Status Message an error calls for, in HTTP 200 with the TAXII
/// headers, in the request's TAXII version. Nothing is written to the store for a request that
/// is refused.
public struct TAXIIExchange: Sendable {
    public let configuration: TAXIIServerConfiguration
    let store: any TAXIIStore
    let logger: Logger
    let credentials: CredentialCache
    let clock: @Sendable () -> Int64
    /// Work that goes on after an answer (asynchronous poll results).
    let background = BackgroundWork()
    /// `bastion_taxii_requests_total{service,answer}`.
    let requestCounts = CounterFamily(label: "bastion_taxii_requests_total", dimensions: ["service", "answer"])
    /// `bastion_taxii_content_blocks_received_total{collection}`.
    let receivedBlocks = CounterFamily(label: "bastion_taxii_content_blocks_received_total", dimensions: ["collection"])

    /// An exchange over `store`. `clock` gives the time in microseconds since 1970.
    public init(
        configuration: TAXIIServerConfiguration, store: any TAXIIStore, logger: Logger = Logger(label: "bastion.taxii.server"),
        clock: @escaping @Sendable () -> Int64 = SQLiteTAXIIStore.now
    ) {
        self.configuration = configuration
        self.store = store
        self.logger = logger
        self.credentials = CredentialCache(users: configuration.users)
        self.clock = clock
    }

    /// The message bindings the server reads.
    static let supportedBindings = [TAXII.VersionID.xml11, TAXII.VersionID.xml10]

    /// Answers `request`.
    public func respond(to request: TAXIIRequest) async -> TAXIIReply {
        guard request.method == "POST" else {
            return TAXIIReply(status: 405, headers: [("Allow", "POST"), ("Content-Type", "text/plain; charset=utf-8")], body: Array("TAXII services take POST requests\n".utf8))
        }
        // The version a status is written in when the request's own cannot be read.
        let fallback: TAXII.Version = request.header("X-TAXII-Content-Type")?.trimmingWhitespace == TAXII.VersionID.xml10 ? .v10 : .v11
        let version: TAXII.Version
        do {
            version = try TAXIIHTTPBinding.requestVersion(header: request.header)
        } catch {
            return reply(status(.unsupportedMessageBinding, to: "0", version: fallback, message: error.message,
                                details: Self.supportedBindings.map { (TAXII.StatusDetailKey.supportedBinding, $0) }), request: request)
        }
        if let named = request.header("X-TAXII-Protocol"), !named.isEmpty {
            let served = request.https ? TAXII.VersionID.https10 : TAXII.VersionID.http10
            if named.trimmingWhitespace != served {
                return reply(status(.unsupportedProtocol, to: "0", version: version, message: "this service is served over \(request.https ? "HTTPS" : "HTTP"), the request names \(named)",
                                    details: [(TAXII.StatusDetailKey.supportedProtocol, served)]), request: request)
            }
        }
        guard let service = configuration.paths.service(at: request.path) else {
            return reply(status(.notFound, to: "0", version: version, message: "no TAXII service at \(request.path)",
                                details: [(TAXII.StatusDetailKey.item, request.path)]), request: request)
        }
        guard let body = request.body else {
            return reply(status(.badMessage, to: "0", version: version, message: "the message is larger than this server accepts"), request: request)
        }
        let message: TAXII.Message
        do {
            message = switch version {
            case .v11: .taxii11(try TAXII11.Message(xml: body))
            case .v10: .taxii10(try TAXII10.Message(xml: body))
            }
        } catch {
            logger.info("refused a malformed TAXII message", metadata: ["path": "\(request.path)", "error": "\(error.message)"])
            return reply(status(.badMessage, to: "0", version: version, message: "not a valid TAXII \(version.rawValue) message: \(error.message)"), request: request)
        }
        let requestID = message.message.messageID
        var user: TAXIIUser?
        if configuration.requiresAuthentication(service) {
            guard let authenticated = credentials.user(authorization: request.header("Authorization")) else {
                return reply(status(.unauthorized, to: requestID, version: version, message: "this service requires a user name and password (HTTP Basic)"),
                             request: request, extraHeaders: [("WWW-Authenticate", #"Basic realm="TAXII""#)])
            }
            user = authenticated
        }
        let context = ServiceContext(version: version, requestID: requestID, user: user, https: request.https, host: request.header("Host"))
        let answer: TAXII.Message
        do {
            answer = try await handle(message, service: service, context: context)
        } catch {
            logger.error("TAXII request failed", metadata: ["path": "\(request.path)", "error": "\(error)"])
            answer = status(.failure, to: requestID, version: version, message: "the server could not complete the request")
        }
        return reply(answer, request: request)
    }

    /// The answer of `service` to `message`.
    func handle(_ message: TAXII.Message, service: TAXII.ServiceType, context: ServiceContext) async throws(TAXIIStoreError) -> TAXII.Message {
        switch (service, message) {
        case (.discovery, .taxii11(.discoveryRequest)), (.discovery, .taxii10(.discoveryRequest)):
            return discovery(context)
        case (.collectionManagement, .taxii11(.collectionInformationRequest)), (.collectionManagement, .taxii10(.feedInformationRequest)):
            return try await collectionInformation(context)
        case (.inbox, .taxii11(.inboxMessage(let inbox))):
            return try await receive(InboxContent(inbox), context: context)
        case (.inbox, .taxii10(.inboxMessage(let inbox))):
            return try await receive(InboxContent(inbox), context: context)
        case (.poll, .taxii11(.pollRequest(let poll))):
            return try await self.poll(PollQuery(poll), context: context)
        case (.poll, .taxii10(.pollRequest(let poll))):
            return try await self.poll(PollQuery(poll), context: context)
        case (.poll, .taxii11(.pollFulfillmentRequest(let fulfillment))):
            return try await fulfill(fulfillment, context: context)
        case (.collectionManagement, .taxii11(.manageCollectionSubscriptionRequest(let request))):
            return try await manageSubscription(request, context: context)
        case (.collectionManagement, .taxii10(.manageFeedSubscriptionRequest(let request))):
            return try await manageFeedSubscription(request, context: context)
        default:
            return status(.badMessage, to: context.requestID, version: context.version,
                          message: "the \(service.rawValue) service does not take \(message.messageType.rawValue) messages")
        }
    }

    /// A Status Message of `version`: TAXII 1.1 carries `details` as `Detail` elements, 1.0 as
    /// one `Status_Detail` text.
    func status(
        _ type: TAXII.StatusType, to requestID: String, version: TAXII.Version, message: String? = nil, details: [(String, String)] = []
    ) -> TAXII.Message {
        // Messages and details quote the request (header values, names): keep them writable as XML.
        let message = message.map(Self.xmlSafe)
        let details = details.map { ($0.0, Self.xmlSafe($0.1)) }
        switch version {
        case .v11:
            return .taxii11(.statusMessage(TAXII11.StatusMessage(
                inResponseTo: requestID, statusType: type, statusDetails: details.map { TAXII11.StatusMessage.Detail(name: $0.0, value: $0.1) },
                message: message)))
        case .v10:
            let detail = details.isEmpty ? nil : details.map { "\($0.0)=\($0.1)" }.joined(separator: "; ")
            return .taxii10(.statusMessage(TAXII10.StatusMessage(inResponseTo: requestID, statusType: type, statusDetail: detail, message: message)))
        }
    }

    /// `text` with every character XML 1.0 cannot carry (control characters but tab, newline and
    /// carriage return; U+FFFE, U+FFFF) replaced by U+FFFD.
    static func xmlSafe(_ text: String) -> String {
        func allowed(_ scalar: Unicode.Scalar) -> Bool {
            switch scalar.value {
            case 0x9, 0xA, 0xD, 0x20...0xD7FF, 0xE000...0xFFFD, 0x10000...0x10FFFF: true
            default: false
            }
        }
        guard !text.unicodeScalars.allSatisfy(allowed) else { return text }
        var result = String.UnicodeScalarView()
        for scalar in text.unicodeScalars { result.append(allowed(scalar) ? scalar : "\u{FFFD}") }
        return String(result)
    }

    /// `message` in HTTP 200 with the binding's headers, counted in
    /// `bastion_taxii_requests_total{service,answer}` (answer: the status type, or the response's message type).
    func reply(_ message: TAXII.Message, request: TAXIIRequest, extraHeaders: [(name: String, value: String)] = []) -> TAXIIReply {
        let answer = message.message  // the concrete message, taken out of the enum once
        requestCounts.increment(
            configuration.paths.service(at: request.path)?.rawValue ?? "NONE", message.status?.type.rawValue ?? type(of: answer).messageType.rawValue)
        let xml: [UInt8]
        do {
            xml = try answer.xmlBytes()
        } catch {
            logger.error("cannot write a TAXII answer", metadata: ["error": "\(error)"])
            return TAXIIReply(status: 500, headers: [("Content-Type", "text/plain; charset=utf-8")], body: Array("the server could not write its answer\n".utf8))
        }
        return TAXIIReply(
            status: 200, headers: TAXIIHTTPBinding.responseHeaders(version: message.version, https: request.https) + extraHeaders,
            body: xml)
    }
}

/// What a service knows of the request it answers.
struct ServiceContext: Sendable {
    /// The request's TAXII version (the answer's).
    var version: TAXII.Version
    /// The request's message id.
    var requestID: String
    /// The authenticated user, when the service requires one.
    var user: TAXIIUser?
    /// Whether the request came over HTTPS.
    var https: Bool
    /// The request's `Host` header, for the addresses discovery advertises.
    var host: String?

    /// Whether the user (if any) may read `collection`.
    func mayRead(_ collection: String) -> Bool { user?.canRead.contains(collection) ?? true }

    /// Whether the user (if any) may write `collection`.
    func mayWrite(_ collection: String) -> Bool { user?.canWrite.contains(collection) ?? true }
}

/// Checks HTTP Basic credentials against the users' hashes, remembering the last accepted
/// password of each user (as a SHA-256 digest) so that the slow hash runs once per password,
/// not once per request.
final class CredentialCache: Sendable {
    private let users: [String: TAXIIUser]
    private let accepted = NIOLockedValueBox<[String: [UInt8]]>([:])

    init(users: [TAXIIUser]) {
        self.users = Dictionary(users.map { ($0.name, $0) }, uniquingKeysWith: { _, last in last })
    }

    /// The user an `Authorization: Basic …` header names with the right password, if any.
    func user(authorization: String?) -> TAXIIUser? {
        guard let authorization, authorization.lowercased().hasPrefix("basic "),
              let decoded = Data(base64Encoded: String(authorization.dropFirst(6)).trimmingCharacters(in: .whitespaces)),
              let text = String(data: decoded, encoding: .utf8), let colon = text.firstIndex(of: ":")
        else { return nil }
        let (name, password) = (String(text[..<colon]), String(text[text.index(after: colon)...]))
        guard let user = users[name] else { return nil }
        let digest = Array(SHA256.hash(data: Array((name + "\u{0}" + password).utf8)))
        if accepted.withLockedValue({ $0[name] }) == digest { return user }
        guard user.password.verify(password) else { return nil }
        accepted.withLockedValue { $0[name] = digest }
        return user
    }
}

/// Tasks that go on after their request was answered, kept so that the server can wait for
/// them when it stops (and tests when they look at the result).
final class BackgroundWork: Sendable {
    private let tasks = NIOLockedValueBox<[Int: Task<Void, Never>]>([:])
    private let counter = Atomic<Int>(0)

    /// Starts `work`.
    func run(_ work: @escaping @Sendable () async -> Void) {
        let id = counter.add(1, ordering: .relaxed).newValue
        tasks.withLockedValue { tasks in
            tasks[id] = Task { [weak self] in
                await work()
                _ = self?.tasks.withLockedValue { $0.removeValue(forKey: id) }
            }
        }
    }

    /// Returns once every task started so far has finished.
    func waitForAll() async {
        while let next = tasks.withLockedValue({ $0.values.first }) {
            await next.value
            // A task removes itself when done; one that has not yet is waited for again (it returns at once).
            await Task.yield()
        }
    }
}

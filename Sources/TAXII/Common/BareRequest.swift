import BastionXML

/// What distinguishes one request without content of its own from another:
/// its element name and version (Discovery, Collection and Feed Information requests).
public protocol BareRequestKind: Sendable {
    /// The message type (the root element's name).
    static var messageType: TAXII.MessageType { get }
    /// The TAXII version.
    static var version: TAXII.Version { get }
}

/// A request that carries only the base content — id, extended headers,
/// signature: `Discovery_Request` (1.0 and 1.1), `Collection_Information_Request`
/// (1.1), `Feed_Information_Request` (1.0). Use it through its names
/// ``TAXII11/DiscoveryRequest``, ``TAXII11/CollectionInformationRequest``,
/// ``TAXII10/DiscoveryRequest`` and ``TAXII10/FeedInformationRequest``.
public struct BareRequest<Kind: BareRequestKind>: TAXIIMessage, RootReadable {
    /// The message type of `Kind`.
    public static var messageType: TAXII.MessageType { Kind.messageType }
    /// The version of `Kind`.
    public static var version: TAXII.Version { Kind.version }
    /// The message id.
    public var messageID: String
    /// Extended headers.
    public var extendedHeaders: [TAXII.ExtendedHeader]
    /// The signature, kept as XML.
    public var signature: XMLElement?

    /// Creates a request.
    public init(messageID: String = TAXII.generateMessageID(), extendedHeaders: [TAXII.ExtendedHeader] = [], signature: XMLElement? = nil) {
        self.messageID = messageID
        self.extendedHeaders = extendedHeaders
        self.signature = signature
    }

    /// Reads the message `element` holds, checking its structure: throws the first error, or
    /// records each in `collector` and reads on.
    init(element: XMLElement, collector: StructuralErrorCollector?) throws(TAXIIError) {
        var (cursor, messageID, headers) = try Self.openRoot(element, collector: collector)
        let signature = cursor.signature()
        try cursor.finish()
        self.init(messageID: messageID, extendedHeaders: headers, signature: signature)
    }

    /// Reads the dictionary form.
    public init(dictionary: [String: TAXII.DictionaryValue]) throws(TAXIIError) {
        let (_, messageID, headers) = try Self.openDictionary(dictionary)
        self.init(messageID: messageID, extendedHeaders: headers)
    }

    /// No children of its own.
    public func writeChildren(to writer: inout XMLWriter) {}
    /// No keys of its own.
    public func writeDictionary(into dictionary: inout [String: TAXII.DictionaryValue]) {}
    /// No lines of its own.
    public func writeText(to text: inout String) {}
    /// libtaxii equality (headers in any order).
    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.baseEquals(rhs) }
}

extension TAXII11 {
    /// `Discovery_Request` (1.1).
    public enum DiscoveryRequestKind: BareRequestKind11 {
        /// `Discovery_Request`.
        public static let messageType = TAXII.MessageType.discoveryRequest
    }

    /// `Collection_Information_Request` (1.1).
    public enum CollectionInformationRequestKind: BareRequestKind11 {
        /// `Collection_Information_Request`.
        public static let messageType = TAXII.MessageType.collectionInformationRequest
    }

    /// A Discovery Request (`Discovery_Request`; libtaxii `DiscoveryRequest`): asks a Discovery Service for its services.
    public typealias DiscoveryRequest = BareRequest<DiscoveryRequestKind>
    /// A Collection Information Request (`Collection_Information_Request`;
    /// libtaxii `CollectionInformationRequest`): asks for the collections offered.
    public typealias CollectionInformationRequest = BareRequest<CollectionInformationRequestKind>
}

extension TAXII10 {
    /// `Discovery_Request` (1.0).
    public enum DiscoveryRequestKind: BareRequestKind10 {
        /// `Discovery_Request`.
        public static let messageType = TAXII.MessageType.discoveryRequest
    }

    /// `Feed_Information_Request` (1.0).
    public enum FeedInformationRequestKind: BareRequestKind10 {
        /// `Feed_Information_Request`.
        public static let messageType = TAXII.MessageType.feedInformationRequest
    }

    /// A Discovery Request (`Discovery_Request`; libtaxii `DiscoveryRequest`).
    public typealias DiscoveryRequest = BareRequest<DiscoveryRequestKind>
    /// A Feed Information Request (`Feed_Information_Request`; libtaxii `FeedInformationRequest`).
    public typealias FeedInformationRequest = BareRequest<FeedInformationRequestKind>
}

/// A TAXII 1.1 kind of bare request.
public protocol BareRequestKind11: BareRequestKind {}
/// A TAXII 1.0 kind of bare request.
public protocol BareRequestKind10: BareRequestKind {}

extension BareRequestKind11 {
    /// TAXII 1.1.
    public static var version: TAXII.Version { .v11 }
}

extension BareRequestKind10 {
    /// TAXII 1.0.
    public static var version: TAXII.Version { .v10 }
}

extension BareRequest: TAXII11Message where Kind: BareRequestKind11 {}
extension BareRequest: TAXII10Message where Kind: BareRequestKind10 {}

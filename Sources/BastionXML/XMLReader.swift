internal import CLibXML2

/// Reads XML safely into an ``XMLElement`` tree, with libxml2.
///
/// Hardening, always on:
/// - no network access (`XML_PARSE_NONET`), no DTD loading, no entity
///   substitution, no default attributes from a DTD;
/// - a document whose DOCTYPE declares any entity (general or parameter,
///   internal or external) is refused with `.entityDeclaration` when the
///   declaration is read, before anything could be expanded: XXE, XXE through
///   parameter entities, billion laughs and quadratic blowup all stop there;
/// - a DOCTYPE with a `SYSTEM`/`PUBLIC` identifier is refused with `.externalDTD`
///   without fetching it;
/// - the size and depth limits of ``Options``;
/// - libxml2's messages go to the parse's own error handler and never to
///   stderr; malformed input throws `.malformed` with libxml2's message, line
///   and column.
///
/// A `DOCTYPE` without external identifier and without entity declarations
/// (for example `<!DOCTYPE a>` or one declaring only elements) is accepted
/// and ignored.
///
/// `XMLReader` is a value with no shared state: use one from any thread.
public struct XMLReader: Sendable {
    /// Limits and what the tree keeps.
    public struct Options: Sendable, Equatable {
        /// The largest document accepted, in bytes (default 10 MiB).
        public var maxDocumentSize: Int
        /// The deepest element nesting accepted; the root element is depth 1
        /// (default 256). Above 256, libxml2 runs with `XML_PARSE_HUGE`, which
        /// lifts its own fixed nesting limit.
        public var maxDepth: Int
        /// Whether text children made only of whitespace (space, tab, CR, LF)
        /// are kept (default `true`, so content is kept exactly).
        public var keepWhitespaceOnlyText: Bool
        /// Whether comments inside the root element are kept as children (default `true`).
        public var keepComments: Bool
        /// Whether processing instructions inside the root element are kept as children (default `true`).
        public var keepProcessingInstructions: Bool
        /// Whether parsed elements keep their exact text (default `true`): the
        /// document's bytes are then shared by its elements, and
        /// ``XMLElement/outerXML(prettyPrinted:)`` of an unchanged element
        /// copies its text instead of writing it anew. Only for UTF-8 input
        /// (any `String`; bytes without an encoding conversion).
        public var keepsSourceText: Bool
        /// Elements whose child elements are read *hollow* (default none):
        /// each child element keeps its name, attributes, namespaces and exact
        /// text, but its own subtree is not built into ``XMLElement``s
        /// (``XMLElement/isHollow``). For payloads that are only passed on as
        /// text — a TAXII content block's content, for instance — this saves
        /// most of the tree building; limits, well-formedness and the
        /// hardening apply to the whole document as before. Needs
        /// ``keepsSourceText``; where an element's text cannot be recorded,
        /// the document is read again fully built.
        public var shallowElements: Set<ExpandedName>

        /// Creates options; every parameter has the documented default.
        public init(
            maxDocumentSize: Int = 10 * 1024 * 1024,
            maxDepth: Int = 256,
            keepWhitespaceOnlyText: Bool = true,
            keepComments: Bool = true,
            keepProcessingInstructions: Bool = true,
            keepsSourceText: Bool = true,
            shallowElements: Set<ExpandedName> = []
        ) {
            self.maxDocumentSize = maxDocumentSize
            self.maxDepth = maxDepth
            self.keepWhitespaceOnlyText = keepWhitespaceOnlyText
            self.keepComments = keepComments
            self.keepProcessingInstructions = keepProcessingInstructions
            self.keepsSourceText = keepsSourceText
            self.shallowElements = shallowElements
        }
    }

    /// An element's expanded name: namespace URI and local name.
    public struct ExpandedName: Hashable, Sendable {
        /// The namespace URI (`nil`: no namespace).
        public var namespaceURI: String?
        /// The local name.
        public var localName: String

        /// Creates an expanded name.
        public init(namespaceURI: String?, localName: String) {
            self.namespaceURI = namespaceURI
            self.localName = localName
        }
    }

    /// The options this reader applies.
    public var options: Options

    /// Creates a reader with `options`.
    public init(options: Options = .init()) {
        self.options = options
    }

    /// Parses a document (or single-rooted fragment) held in a string and
    /// returns its root element. An encoding declaration in the text is
    /// ignored: a Swift string is Unicode already.
    public func parse(_ xml: String) throws(XMLError) -> XMLElement {
        var xml = xml
        let result: Result<XMLElement, XMLError> = xml.withUTF8 { buffer in
            Result { () throws(XMLError) in
                try parse(UnsafeRawBufferPointer(buffer), isUTF8: true)
            }
        }
        return try result.get()
    }

    /// Parses a document from bytes and returns its root element. The
    /// encoding is detected as XML specifies (byte order mark, encoding
    /// declaration; UTF-8 by default); bytes invalid in it are `.malformed`.
    public func parse(bytes: [UInt8]) throws(XMLError) -> XMLElement {
        let result: Result<XMLElement, XMLError> = bytes.withUnsafeBytes { buffer in
            Result { () throws(XMLError) in
                try parse(buffer, isUTF8: false)
            }
        }
        return try result.get()
    }

    /// Parses a document from raw bytes that stay valid for the call; see ``parse(bytes:)``.
    public func parse(buffer: UnsafeRawBufferPointer) throws(XMLError) -> XMLElement {
        try parse(buffer, isUTF8: false)
    }

    /// Checks that `bytes` are a well-formed document this reader accepts,
    /// without building a tree.
    public func check(bytes: [UInt8]) throws(XMLError) {
        let result: Result<Void, XMLError> = bytes.withUnsafeBytes { buffer in
            Result { () throws(XMLError) in
                let session = ParseSession(options: options)
                _ = try session.run(buffer, isUTF8: false, handler: ParseSession.checkingHandler())
            }
        }
        try result.get()
    }

    private func parse(_ buffer: UnsafeRawBufferPointer, isUTF8: Bool) throws(XMLError) -> XMLElement {
        let builder = TreeBuilder(options: options, source: buffer)
        _ = try builder.run(buffer, isUTF8: isUTF8, handler: TreeBuilder.handler())
        if builder.lostHollowText {
            var full = self
            full.options.shallowElements = []
            return try full.parse(buffer, isUTF8: isUTF8)
        }
        guard let root = builder.root else {
            throw XMLError(kind: .malformed, message: "the document has no root element")
        }
        return root
    }
}

internal import CLibXML2

/// One hardened libxml2 parse: the limits, the refusals and the first error.
///
/// A session is attached to its libxml2 parser context (`ctxt->_private`), so
/// the SAX callbacks find it. The hardening lives in the callbacks libxml2
/// calls while it reads the document type declaration, before any entity or
/// external subset could be used:
/// - `internalSubset` sees the DOCTYPE's external identifiers: any `SYSTEM` or
///   `PUBLIC` id stops the parse (`.externalDTD`); nothing is fetched.
/// - `entityDecl` / `unparsedEntityDecl` stop the parse at the first entity
///   declaration (`.entityDeclaration`), so no entity, general or parameter,
///   internal or external, is ever defined, let alone expanded.
/// - `attributeDecl` refuses a default value for an `xmlns` attribute
///   (`.unsupportedDTD`); other attribute defaults are never applied.
/// - `startElementNs` counts depth against the limit (`.tooDeep`).
/// libxml2 runs with `XML_PARSE_NONET` and never with `XML_PARSE_NOENT`,
/// `XML_PARSE_DTDLOAD` or `XML_PARSE_DTDATTR`.
class ParseSession {
    let options: XMLReader.Options
    /// The parser context while the parse runs.
    var context: xmlParserCtxtPtr?
    /// Current element depth.
    var depth = 0
    /// The first error: a refusal, a limit, or the first libxml2 error.
    var error: XMLError?

    init(options: XMLReader.Options) {
        self.options = options
    }

    /// The session attached to the parser context `ctx` (a SAX callback's first argument).
    @inline(__always)
    static func of(_ ctx: UnsafeMutableRawPointer?) -> ParseSession {
        Unmanaged<ParseSession>.fromOpaque(bastion_ctxt_private(ctx)!).takeUnretainedValue()
    }

    /// Records `kind`/`message` at the current input position and stops the parser.
    final func refuse(_ kind: XMLError.Kind, _ message: String) {
        if error == nil {
            var line: Int?
            var column: Int?
            if let context {
                line = Int(xmlSAX2GetLineNumber(context))
                column = Int(xmlSAX2GetColumnNumber(context))
            }
            error = XMLError(kind: kind, message: message, line: line, column: column)
        }
        if let context { xmlStopParser(context) }
    }

    /// Records a libxml2 error (warnings are ignored) if none was recorded yet.
    final func record(_ record: xmlError) {
        guard error == nil, LibXML.isError(record) else { return }
        error = LibXML.error(from: record, kind: .malformed)
    }

    /// Counts one more open element; refuses it past the depth limit.
    @inline(__always)
    final func enterElement() -> Bool {
        depth += 1
        if depth > options.maxDepth {
            refuse(.tooDeep, "elements are nested deeper than the limit of \(options.maxDepth)")
            return false
        }
        return true
    }

    // MARK: Running a parse

    /// Parses `bytes` with `handler`, this session attached; returns the
    /// libxml2 document the handler built, if it builds one (the caller frees it).
    ///
    /// - Parameters:
    ///   - isUTF8: the bytes are known to be UTF-8 (they came from a Swift
    ///     `String`), so an encoding declaration in the text is ignored.
    ///   - extraOptions: libxml2 options added to the hardened set.
    final func run(
        _ bytes: UnsafeRawBufferPointer,
        isUTF8: Bool,
        handler: xmlSAXHandler,
        extraOptions: Int32 = 0
    ) throws(XMLError) -> xmlDocPtr? {
        LibXML.ensureInitialized()
        guard bytes.count <= options.maxDocumentSize, bytes.count <= Int(Int32.max) else {
            throw XMLError(
                kind: .documentTooLarge,
                message: "the document is \(bytes.count) bytes, over the limit of \(options.maxDocumentSize) bytes"
            )
        }
        guard let base = bytes.baseAddress, bytes.count > 0 else {
            throw XMLError(kind: .malformed, message: "Document is empty", line: 1, column: 1)
        }
        guard let context = xmlCreateMemoryParserCtxt(base.assumingMemoryBound(to: CChar.self), Int32(bytes.count)) else {
            throw XMLError(kind: .malformed, message: "libxml2 could not create a parser context")
        }
        self.context = context
        defer {
            self.context = nil
            xmlFreeParserCtxt(context)
        }
        context.pointee.sax.pointee = handler
        let unmanaged = Unmanaged.passRetained(self)
        defer { unmanaged.release() }
        context.pointee._private = unmanaged.toOpaque()

        var parserOptions = Int32(XML_PARSE_NONET.rawValue) | extraOptions
        if options.maxDepth > 256 {
            // libxml2's own nesting limit is 256 unless XML_PARSE_HUGE; entities
            // (the other thing HUGE relaxes limits for) are refused anyway.
            parserOptions |= Int32(XML_PARSE_HUGE.rawValue)
        }
        if isUTF8 {
            parserOptions |= Int32(XML_PARSE_IGNORE_ENC.rawValue)
        }
        xmlCtxtUseOptions(context, parserOptions)
        if isUTF8 {
            xmlSwitchEncoding(context, XML_CHAR_ENCODING_UTF8)
        }

        // Messages libxml2 does not send to the context's handler (encoding
        // conversion, memory) go to this thread's handler: catch them too.
        let threadErrors = ErrorCollector(kind: .malformed, limit: 1)
        LibXML.withThreadErrors(threadErrors) {
            _ = xmlParseDocument(context)
        }
        let document = context.pointee.myDoc
        context.pointee.myDoc = nil
        if error == nil, let first = threadErrors.errors.first {
            error = first
        }
        if error == nil, bastion_ctxt_well_formed(context) == 0 {
            error = XMLError(kind: .malformed, message: "the document is not well-formed")
        }
        if let error {
            if let document { xmlFreeDoc(document) }
            throw error
        }
        return document
    }

    // MARK: SAX handlers

    /// Installs the refusing callbacks and the per-context error handler
    /// shared by every handler BastionXML uses.
    static func installGuards(in handler: inout xmlSAXHandler) {
        handler.initialized = bastion_sax2_magic()
        handler.internalSubset = { ctx, name, externalID, systemID in
            guard externalID != nil || systemID != nil else { return }
            let session = ParseSession.of(ctx)
            let identifier = systemID.map { String(cString: $0) } ?? externalID.map { String(cString: $0) } ?? ""
            session.refuse(
                .externalDTD,
                "the document type declaration references an external DTD (\(ParseSession.quoted(identifier))); external DTDs are refused and never loaded"
            )
        }
        handler.externalSubset = nil
        handler.resolveEntity = nil
        handler.getEntity = nil
        handler.getParameterEntity = nil
        handler.entityDecl = { ctx, name, type, _, _, _ in
            let entity = name.map { String(cString: $0) } ?? ""
            let isParameter = type == Int32(XML_INTERNAL_PARAMETER_ENTITY.rawValue)
                || type == Int32(XML_EXTERNAL_PARAMETER_ENTITY.rawValue)
            ParseSession.of(ctx).refuse(
                .entityDeclaration,
                "the document type declaration declares the \(isParameter ? "parameter " : "")entity \(ParseSession.quoted((isParameter ? "%" : "") + entity)); entity declarations are refused and never expanded"
            )
        }
        handler.unparsedEntityDecl = { ctx, name, _, _, _ in
            let entity = name.map { String(cString: $0) } ?? ""
            ParseSession.of(ctx).refuse(
                .entityDeclaration,
                "the document type declaration declares the unparsed entity \(ParseSession.quoted(entity)); entity declarations are refused"
            )
        }
        handler.attributeDecl = { ctx, _, fullname, _, _, defaultValue, tree in
            if let tree { xmlFreeEnumeration(tree) }
            guard defaultValue != nil, let fullname else { return }
            let name = String(cString: fullname)
            if name == "xmlns" || name.hasPrefix("xmlns:") {
                ParseSession.of(ctx).refuse(
                    .unsupportedDTD,
                    "the document type declaration gives the namespace attribute \(ParseSession.quoted(name)) a default value; refused"
                )
            }
        }
        handler.elementDecl = nil
        handler.notationDecl = nil
        handler.reference = { ctx, name in
            let entity = name.map { String(cString: $0) } ?? ""
            ParseSession.of(ctx).refuse(.malformed, "reference to the undeclared entity &\(entity);")
        }
        handler.warning = nil
        handler.error = nil
        handler.fatalError = nil
        handler.serror = { ctx, record in
            guard let ctx, let record else { return }
            ParseSession.of(ctx).record(record.pointee)
        }
    }

    /// A SAX2 handler that builds a libxml2 document (for schema validation),
    /// with the guards installed.
    static func documentHandler() -> xmlSAXHandler {
        var handler = xmlSAXHandler()
        xmlSAXVersion(&handler, 2)
        installGuards(in: &handler)
        handler.startElementNs = { ctx, localname, prefix, uri, nbNamespaces, namespaces, nbAttributes, nbDefaulted, attributes in
            guard ParseSession.of(ctx).enterElement() else { return }
            xmlSAX2StartElementNs(ctx, localname, prefix, uri, nbNamespaces, namespaces, nbAttributes, nbDefaulted, attributes)
        }
        handler.endElementNs = { ctx, localname, prefix, uri in
            ParseSession.of(ctx).depth -= 1
            xmlSAX2EndElementNs(ctx, localname, prefix, uri)
        }
        return handler
    }

    /// A handler that only checks the document: well-formedness, the guards
    /// and the limits, building nothing.
    static func checkingHandler() -> xmlSAXHandler {
        var handler = xmlSAXHandler()
        installGuards(in: &handler)
        handler.startElementNs = { ctx, _, _, _, _, _, _, _, _ in
            _ = ParseSession.of(ctx).enterElement()
        }
        handler.endElementNs = { ctx, _, _, _ in
            ParseSession.of(ctx).depth -= 1
        }
        return handler
    }

    /// `text` in double quotes, shortened to 200 characters, for messages.
    static func quoted(_ text: String) -> String {
        let shown = text.count > 200 ? String(text.prefix(200)) + "…" : text
        return "\"" + shown + "\""
    }
}

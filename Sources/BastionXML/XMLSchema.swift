internal import CLibXML2

/// An XML Schema (XSD 1.0), compiled by libxml2, to validate documents against.
///
/// ```swift
/// let schema = try XMLSchema(contentsOfFile: "taxii11.xsd",
///                            localResources: [
///                                "http://www.w3.org/TR/xmldsig-core/xmldsig-core-schema.xsd": "xmldsig-core-schema.xsd",
///                            ])
/// let findings = try schema.validate(xmlString)   // [] when valid
/// ```
///
/// ## No network, no entities
/// Schema documents and everything they import or include are read from
/// local files only. An `xs:import`/`xs:include` by `http:`/`https:` URL is
/// refused (`.networkAccessRefused`) unless `localResources` maps that exact
/// URL to a local copy — the TAXII 1.1 schema, for instance, imports XML-DSig
/// from `http://www.w3.org/TR/xmldsig-core/xmldsig-core-schema.xsd`. Every
/// schema document is checked with the hardened ``XMLReader`` before libxml2
/// compiles it, so a schema cannot declare entities or reference a DTD
/// either. The documents validated are read with the same ``XMLReader``
/// hardening and options.
///
/// A compiled schema is immutable; one `XMLSchema` may validate documents on
/// several threads at once (each validation has its own libxml2 context).
public struct XMLSchema: Sendable {
    /// Owns the compiled libxml2 schema.
    private final class Compiled: @unchecked Sendable {
        // libxml2 only reads a compiled schema while validating, so sharing
        // it between threads is safe; it is freed once, here.
        let pointer: xmlSchemaPtr

        init(_ pointer: xmlSchemaPtr) {
            self.pointer = pointer
        }

        deinit {
            xmlSchemaFree(pointer)
        }
    }

    private let compiled: Compiled
    private let localResources: [String: String]

    /// Loads and compiles the schema in the local file at `path`.
    ///
    /// - Parameters:
    ///   - path: the main schema document's path (relative to the current directory, or absolute).
    ///   - localResources: local copies of documents the schema imports or
    ///     includes by URL: the URL exactly as written in `schemaLocation`
    ///     (resolved against the importing document) → a local file path.
    /// - Throws: `.networkAccessRefused` for an unmapped remote import, `.io`
    ///   for an unreadable file, the reader's errors for a refused or
    ///   malformed schema document, `.schema` when libxml2 cannot compile it.
    public init(contentsOfFile path: String, localResources: [String: String] = [:]) throws(XMLError) {
        // Absolute, so that the imports libxml2 resolves against it are absolute too.
        let path = LocalFile.absolute(path)
        LibXML.ensureInitialized()
        let loader = ResourceLoader(localResources: localResources)
        let errors = ErrorCollector(kind: .schema)
        let schema: xmlSchemaPtr? = loader.activate {
            LibXML.withThreadErrors(errors) {
                guard let parser = xmlSchemaNewParserCtxt(path) else { return nil }
                defer { xmlSchemaFreeParserCtxt(parser) }
                let unmanaged = Unmanaged.passRetained(errors)
                defer { unmanaged.release() }
                xmlSchemaSetParserStructuredErrors(parser, ErrorCollector.handler, unmanaged.toOpaque())
                return xmlSchemaParse(parser)
            }
        }
        if let failure = loader.failure {
            if let schema { xmlSchemaFree(schema) }
            throw failure
        }
        guard let schema else {
            throw errors.errors.first
                ?? XMLError(kind: .schema, message: "libxml2 could not compile the schema \(ParseSession.quoted(path))")
        }
        compiled = Compiled(schema)
        self.localResources = localResources
    }

    /// Validates a document held in a string.
    ///
    /// - Returns: the schema findings (kind `.invalid`, with line and element
    ///   path), in document order; empty when the document is valid.
    /// - Throws: when the document cannot be read at all (malformed, refused
    ///   by the ``XMLReader`` hardening, over a limit).
    public func validate(_ xml: String, options: XMLReader.Options = .init()) throws(XMLError) -> [XMLError] {
        var xml = xml
        let result: Result<[XMLError], XMLError> = xml.withUTF8 { buffer in
            Result { () throws(XMLError) in
                try validate(UnsafeRawBufferPointer(buffer), isUTF8: true, options: options)
            }
        }
        return try result.get()
    }

    /// Validates a document given as bytes; see ``validate(_:options:)``.
    public func validate(bytes: [UInt8], options: XMLReader.Options = .init()) throws(XMLError) -> [XMLError] {
        let result: Result<[XMLError], XMLError> = bytes.withUnsafeBytes { buffer in
            Result { () throws(XMLError) in
                try validate(buffer, isUTF8: false, options: options)
            }
        }
        return try result.get()
    }

    /// Validates an element tree, written out pretty-printed first (so the
    /// findings' line numbers refer to that pretty-printed form).
    public func validate(_ element: XMLElement) throws(XMLError) -> [XMLError] {
        try validate(element.outerXML(prettyPrinted: true))
    }

    private func validate(_ buffer: UnsafeRawBufferPointer, isUTF8: Bool, options: XMLReader.Options) throws(XMLError) -> [XMLError] {
        let session = ParseSession(options: options)
        guard let document = try session.run(
            buffer,
            isUTF8: isUTF8,
            handler: ParseSession.documentHandler(),
            extraOptions: Int32(XML_PARSE_BIG_LINES.rawValue)
        ) else {
            throw XMLError(kind: .malformed, message: "the document has no root element")
        }
        defer { xmlFreeDoc(document) }
        let findings = ErrorCollector(kind: .invalid)
        let loader = ResourceLoader(localResources: localResources)
        loader.activate {
            LibXML.withThreadErrors(findings) {
                guard let context = xmlSchemaNewValidCtxt(compiled.pointer) else {
                    findings.add(XMLError(kind: .schema, message: "libxml2 could not create a validation context"))
                    return
                }
                defer { xmlSchemaFreeValidCtxt(context) }
                let unmanaged = Unmanaged.passRetained(findings)
                defer { unmanaged.release() }
                xmlSchemaSetValidStructuredErrors(context, ErrorCollector.handler, unmanaged.toOpaque())
                let result = xmlSchemaValidateDoc(context, document)
                if result != 0, findings.errors.isEmpty {
                    findings.add(XMLError(kind: .schema, message: "libxml2 could not validate the document (code \(result))"))
                }
            }
        }
        return findings.errors
    }
}

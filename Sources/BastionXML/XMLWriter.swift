/// Writes XML: ``XMLElement`` trees, or documents built call by call.
///
/// ```swift
/// var writer = XMLWriter(options: .init(prettyPrinted: true, xmlDeclaration: true))
/// writer.startElement("Poll_Response", namespace: taxii11, prefix: "taxii_11")
/// writer.attribute("message_id", "42")
/// writer.textElement("Content_Binding", namespace: taxii11, prefix: "taxii_11", text: "…")
/// writer.startElement("Content", namespace: taxii11, prefix: "taxii_11")
/// writer.rawXML(contentFragment)          // an outerXML() string, verbatim
/// writer.endElement()
/// writer.endElement()
/// let xml = try writer.finish()
/// ```
///
/// ## Namespaces
/// The writer keeps track of the bindings in scope and declares on each
/// element whatever its name and attributes need: an element's prefix is
/// bound to its namespace (`xmlns:p="…"`, or `xmlns="…"` without a prefix,
/// `xmlns=""` for an element in no namespace under a default namespace); an
/// attribute with a namespace but no usable prefix gets a bound one or a
/// generated `ns1`, `ns2`, …. Declarations passed explicitly are always
/// written. For an ``XMLElement`` from the parser, the bindings it inherited
/// are re-declared where they are not in scope, which is how
/// ``XMLElement/outerXML(prettyPrinted:)`` makes a standalone fragment.
///
/// ## Escaping and well-formedness
/// Text escapes `&`, `<`, `>` and CR; attribute values also `"`, tab and LF,
/// so values survive attribute-value normalization. CDATA containing `]]>`
/// is split into two sections (which the reader merges again); a CR in CDATA
/// is written as is and read back as LF, as XML has no escape there. Names are
/// checked as XML names; characters XML 1.0 cannot carry (control characters
/// other than tab, LF, CR; U+FFFE, U+FFFF), `--` in a comment and `?>` in a
/// processing instruction are errors. The first problem is reported by
/// ``finish()``; the writer never emits a malformed start tag.
///
/// ## Pretty printing
/// With ``Options/prettyPrinted``, an element's children go on their own
/// indented lines unless the element has text or CDATA children (then its
/// content is written exactly as is), so pretty printing never changes text
/// content. With the call-by-call API, text written after child elements of
/// the same element cannot undo their indentation: write mixed content with
/// pretty printing off, or as an ``XMLElement``.
///
/// ## Raw fragments
/// ``rawXML(_:)`` inserts already-serialized XML verbatim (a TAXII content
/// block's content, for instance). It is not checked: pass a fragment from
/// ``XMLElement/outerXML(prettyPrinted:)``, or check it with
/// ``XMLElement/parseFragment(_:options:)`` first. It must not depend on
/// namespace bindings of the surrounding document.
public struct XMLWriter: Sendable {
    /// How the output looks.
    public struct Options: Sendable, Equatable {
        /// Indent child elements on their own lines (see the type's documentation).
        public var prettyPrinted: Bool
        /// One level of indentation when pretty printing (default two spaces).
        public var indentation: String
        /// Begin with `<?xml version="1.0" encoding="UTF-8"?>` (and then allow only one root element).
        public var xmlDeclaration: Bool

        /// Creates options: compact, two-space indentation when pretty, no XML declaration by default.
        public init(prettyPrinted: Bool = false, indentation: String = "  ", xmlDeclaration: Bool = false) {
            self.prettyPrinted = prettyPrinted
            self.indentation = indentation
            self.xmlDeclaration = xmlDeclaration
        }
    }

    /// An open element.
    private struct Frame {
        var localName: String
        /// The prefix of the element's name (an attribute must not rebind it).
        var prefix: String?
        /// `bindings.count` before this element's declarations.
        var bindingMark: Int
        /// Text or CDATA among the children: no indentation inside.
        var hasText = false
        /// A child was put on its own indented line: the end tag goes on its own line too.
        var indentedChildren = false
        /// The inherited scope of a child that needed no declarations; a
        /// sibling with the same inherited scope needs none either.
        var verifiedChildScope: [XMLNamespace]?
    }

    /// An attribute of the open start tag, its name resolved.
    private struct PendingAttribute {
        var localName: String
        var namespaceURI: String?
        var prefix: String?
        var value: String
    }

    /// The options in use.
    public let options: Options
    private var output: [UInt8] = []
    private var bindings: [XMLNamespace] = []
    private var frames: [Frame] = []
    private var startTagOpen = false
    private var pendingAttributes: [PendingAttribute] = []
    private var rootCount = 0
    private var generatedPrefixCount = 0
    private var firstError: XMLError?

    /// Creates a writer; with ``Options/xmlDeclaration`` the declaration is written at once.
    public init(options: Options = .init()) {
        self.options = options
        output.reserveCapacity(4096)
        if options.xmlDeclaration {
            appendLiteral("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
        }
    }

    /// Writes `root` as a complete document: `<?xml …?>` declaration (unless
    /// `options` says otherwise, by default it is written) and the element.
    public static func document(_ root: XMLElement, options: Options = .init(xmlDeclaration: true)) throws(XMLError) -> String {
        var writer = XMLWriter(options: options)
        writer.write(root)
        return try writer.finish()
    }

    /// Makes room for `bytes` bytes of output, so that a document of about that size is written
    /// without growing the buffer on the way.
    public mutating func reserveCapacity(_ bytes: Int) {
        output.reserveCapacity(bytes)
    }

    // MARK: Result

    /// The XML written, once every element is closed.
    ///
    /// - Throws: the first problem met while writing (`.invalidName`,
    ///   `.invalidCharacter`, `.writerMisuse`), or `.writerMisuse` if
    ///   elements are still open.
    public func finish() throws(XMLError) -> String {
        try check()
        return String(decoding: output, as: UTF8.self)
    }

    /// The XML written, as UTF-8 bytes; see ``finish()``.
    public func finishBytes() throws(XMLError) -> [UInt8] {
        try check()
        return output
    }

    private func check() throws(XMLError) {
        if let firstError { throw firstError }
        if !frames.isEmpty {
            throw XMLError(
                kind: .writerMisuse,
                message: "\(frames.count) element(s) not closed, innermost <\(frames[frames.count - 1].localName)>"
            )
        }
    }

    // MARK: Elements

    /// Opens an element. Attributes may follow until its first child, text or end.
    ///
    /// - Parameters:
    ///   - localName: the local name.
    ///   - namespace: its namespace URI, or `nil` for none.
    ///   - prefix: the prefix to write it with; `nil` uses the default namespace.
    ///   - declaring: namespace declarations to write on it in any case (for
    ///     bindings that descendants or attribute values use).
    public mutating func startElement(
        _ localName: String,
        namespace: String? = nil,
        prefix: String? = nil,
        declaring: [XMLNamespace] = []
    ) {
        openElement(localName, namespaceURI: namespace, prefix: prefix, declarations: declaring, inherited: [])
    }

    /// Adds an attribute to the element just opened.
    ///
    /// - Parameters:
    ///   - localName: the local name (not `xmlns`: declare namespaces with `declaring:`).
    ///   - value: the value, escaped as needed.
    ///   - namespace: its namespace URI, or `nil` for an unqualified attribute.
    ///   - prefix: the preferred prefix for a namespaced attribute.
    public mutating func attribute(_ localName: String, _ value: String, namespace: String? = nil, prefix: String? = nil) {
        guard startTagOpen else {
            fail(.writerMisuse, "attribute \"\(localName)\" written after the start tag was closed")
            return
        }
        let namespaceURI = (namespace?.isEmpty ?? true) ? nil : namespace
        if (XMLWriter.same(localName, "xmlns") && namespaceURI == nil) || XMLWriter.same(prefix, "xmlns") || XMLWriter.same(namespaceURI, XMLNamespace.xmlnsNamespaceURI) {
            fail(.invalidName, "namespace declarations are not attributes: use declaring: or declareNamespace(_:)")
            return
        }
        guard validName(localName) else { return }
        for existing in pendingAttributes where existing.localName == localName && existing.namespaceURI == namespaceURI {
            fail(.writerMisuse, "attribute \"\(localName)\" written twice on <\(frames[frames.count - 1].localName)>")
            return
        }
        var attributePrefix: String?
        if let namespaceURI {
            guard let resolved = prefixForAttribute(namespaceURI, preferred: prefix) else { return }
            attributePrefix = resolved
        }
        pendingAttributes.append(PendingAttribute(
            localName: localName, namespaceURI: namespaceURI, prefix: attributePrefix, value: value
        ))
    }

    /// Declares a namespace on the element just opened.
    public mutating func declareNamespace(_ namespace: XMLNamespace) {
        guard startTagOpen, let frame = frames.last else {
            fail(.writerMisuse, "namespace declaration written after the start tag was closed")
            return
        }
        guard validDeclaration(namespace) else { return }
        if XMLWriter.same(namespace.prefix, frame.prefix), !XMLWriter.same(lookup(frame.prefix) ?? "", namespace.uri) {
            fail(.writerMisuse, "declaring \(namespace.prefix.map { "xmlns:" + $0 } ?? "xmlns")=\"\(namespace.uri)\" would change the namespace of <\(frame.localName)>")
            return
        }
        if let index = bindingIndex(of: namespace.prefix, from: frame.bindingMark) {
            if bindings[index].uri != namespace.uri {
                fail(.writerMisuse, "prefix \"\(namespace.prefix ?? "")\" declared twice on <\(frame.localName)>")
            }
            return
        }
        bindings.append(namespace)
        frames[frames.count - 1].verifiedChildScope = nil
    }

    /// Closes the innermost open element (as `<a/>` if it is empty).
    public mutating func endElement() {
        guard let top = frames.indices.last else {
            fail(.writerMisuse, "endElement() without an open element")
            return
        }
        if startTagOpen {
            closeStartTag(empty: true)
        } else {
            if options.prettyPrinted, frames[top].indentedChildren, !frames[top].hasText {
                newline(depth: top)
            }
            appendLiteral("</")
            appendName(prefix: frames[top].prefix, localName: frames[top].localName)
            output.append(UInt8(ascii: ">"))
        }
        let mark = frames.removeLast().bindingMark
        if mark < bindings.count {
            bindings.removeSubrange(mark...)
        }
    }

    /// Writes an element whose content `body` writes: start, body, end.
    public mutating func element(
        _ localName: String,
        namespace: String? = nil,
        prefix: String? = nil,
        declaring: [XMLNamespace] = [],
        _ body: (inout XMLWriter) -> Void
    ) {
        startElement(localName, namespace: namespace, prefix: prefix, declaring: declaring)
        body(&self)
        endElement()
    }

    /// Writes an element with only text content (`<a>text</a>`), and optional unqualified attributes.
    public mutating func textElement(
        _ localName: String,
        namespace: String? = nil,
        prefix: String? = nil,
        attributes: KeyValuePairs<String, String> = [:],
        text: String
    ) {
        startElement(localName, namespace: namespace, prefix: prefix)
        for (name, value) in attributes {
            attribute(name, value)
        }
        self.text(text)
        endElement()
    }

    // MARK: Content

    /// Writes character data, escaped.
    public mutating func text(_ text: String) {
        guard prepareForChild(isText: true) else { return }
        appendEscaped(text, inAttribute: false)
    }

    /// Writes a CDATA section (split in two around any `]]>` it contains).
    public mutating func cdata(_ text: String) {
        guard prepareForChild(isText: true) else { return }
        appendCDATA(text)
    }

    /// Writes a comment. Its text must not contain `--` nor end with `-`.
    public mutating func comment(_ text: String) {
        guard prepareForChild(isText: false) else { return }
        if text.utf8.contains(where: { $0 < 0x20 && $0 != 0x09 && $0 != 0x0A && $0 != 0x0D })
            || text.contains("--") || text.hasSuffix("-") {
            fail(.invalidCharacter, "comment text contains \"--\", ends with \"-\" or has a control character")
            return
        }
        appendLiteral("<!--")
        append(text)
        appendLiteral("-->")
    }

    /// Writes a processing instruction `<?target data?>`; the data must not contain `?>`.
    public mutating func processingInstruction(target: String, data: String) {
        guard prepareForChild(isText: false) else { return }
        guard validName(target), target.lowercased() != "xml" else {
            fail(.invalidName, "\"\(target)\" is not a valid processing-instruction target")
            return
        }
        if data.contains("?>") || data.utf8.contains(where: { $0 < 0x20 && $0 != 0x09 && $0 != 0x0A && $0 != 0x0D }) {
            fail(.invalidCharacter, "processing-instruction data contains \"?>\" or a control character")
            return
        }
        appendLiteral("<?")
        append(target)
        if !data.isEmpty {
            output.append(UInt8(ascii: " "))
            append(data)
        }
        appendLiteral("?>")
    }

    /// Inserts already-serialized XML verbatim (see the type's documentation).
    /// Pretty printing treats it like a child element.
    public mutating func rawXML(_ fragment: String) {
        guard prepareForChild(isText: false) else { return }
        append(fragment)
    }

    /// Writes an element tree: the element, its attributes and all its
    /// descendants, declaring the namespace bindings it needs (including
    /// those it inherited when it was parsed that are not in scope here).
    public mutating func write(_ element: XMLElement) {
        if !options.prettyPrinted, let source = element.source {
            writeSource(source, of: element)
            return
        }
        openElement(
            element.localName,
            namespaceURI: element.namespaceURI,
            prefix: element.prefix,
            declarations: element.namespaceDeclarations,
            inherited: element.inheritedNamespaces
        )
        guard startTagOpen else { return }
        for attribute in element.attributes {
            self.attribute(attribute.localName, attribute.value, namespace: attribute.namespaceURI, prefix: attribute.prefix)
        }
        if options.prettyPrinted {
            frames[frames.count - 1].hasText = element.children.contains { child in
                switch child {
                case .text, .cdata: return true
                default: return false
                }
            }
        }
        for child in element.children {
            switch child {
            case .element(let childElement): write(childElement)
            case .text(let string): text(string)
            case .cdata(let string): cdata(string)
            case .comment(let string): comment(string)
            case .processingInstruction(let target, let data): processingInstruction(target: target, data: data)
            }
        }
        endElement()
    }

    // MARK: Start tags and namespaces

    /// Writes an unchanged parsed element as the text it had in its document,
    /// declaring in its start tag the inherited bindings not in scope here.
    private mutating func writeSource(_ source: SourceSlice, of element: XMLElement) {
        guard prepareForChild(isText: false) else { return }
        if frames.isEmpty {
            rootCount += 1
            if options.xmlDeclaration, rootCount > 1 {
                fail(.writerMisuse, "a document has one root element; <\(element.localName)> would be a second")
                return
            }
        }
        let mark = bindings.count
        // The element's own declarations are in its text already.
        declareInherited(element.inheritedNamespaces, except: element.namespaceDeclarations, parent: frames.count - 1)
        source.text.bytes.withUnsafeBufferPointer { bytes in
            let start = Int(source.start)
            // "<" and the name, then the declarations, then the rest as it was.
            var nameEnd = start + 1 + element.localName.utf8.count
            if let prefix = element.prefix { nameEnd += prefix.utf8.count + 1 }
            output.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<nameEnd]))
            for index in mark..<bindings.count {
                if let prefix = bindings[index].prefix {
                    appendLiteral(" xmlns:")
                    append(prefix)
                    appendLiteral("=\"")
                } else {
                    appendLiteral(" xmlns=\"")
                }
                appendEscaped(bindings[index].uri, inAttribute: true)
                output.append(0x22)
            }
            output.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[nameEnd..<Int(source.end)]))
        }
        if mark < bindings.count {
            bindings.removeSubrange(mark...)
        }
    }

    /// Adds to the bindings of the element being opened those of `inherited`
    /// (the scope where it was parsed) that differ from the scope here —
    /// including the absence of a default namespace — except for the prefixes
    /// the element declares itself. Remembers in the parent frame when
    /// nothing was needed, so siblings parsed in the same scope skip the check.
    private mutating func declareInherited(_ inherited: [XMLNamespace], except own: [XMLNamespace], parent: Int) {
        if parent >= 0, frames[parent].verifiedChildScope == inherited { return }
        let mark = bindings.count
        var hasDefault = false
        for binding in inherited where !XMLWriter.same(binding.prefix, "xml") && !XMLWriter.same(binding.prefix, "xmlns") {
            hasDefault = hasDefault || binding.prefix == nil
            if own.contains(where: { XMLWriter.same($0.prefix, binding.prefix) }) { continue }
            if let prefix = binding.prefix {
                if !binding.uri.isEmpty, !XMLWriter.same(lookup(prefix), binding.uri) {
                    bindings.append(binding)
                }
            } else if !XMLWriter.same(lookup(nil) ?? "", binding.uri) {
                bindings.append(binding)
            }
        }
        if !hasDefault, !own.contains(where: { $0.prefix == nil }), !(lookup(nil) ?? "").isEmpty {
            bindings.append(XMLNamespace(prefix: nil, uri: ""))
        }
        if bindings.count == mark, parent >= 0 {
            frames[parent].verifiedChildScope = inherited
        }
    }

    private mutating func openElement(
        _ localName: String,
        namespaceURI rawNamespace: String?,
        prefix rawPrefix: String?,
        declarations: [XMLNamespace],
        inherited: [XMLNamespace]
    ) {
        guard prepareForChild(isText: false) else { return }
        let mark = bindings.count
        let namespaceURI = (rawNamespace?.isEmpty ?? true) ? nil : rawNamespace
        // An element in no namespace has no prefix.
        let prefix = namespaceURI == nil ? nil : rawPrefix
        // The frame is pushed even when something is wrong, so that start and
        // end stay paired; the recorded error makes finish() throw.
        frames.append(Frame(localName: localName, prefix: prefix, bindingMark: mark))
        startTagOpen = true
        if frames.count == 1 {
            rootCount += 1
            if options.xmlDeclaration, rootCount > 1 {
                fail(.writerMisuse, "a document has one root element; <\(localName)> would be a second")
            }
        }
        guard validName(localName) else { return }
        if let prefix {
            // A child in its parent's prefix (most are) needs no second check of it.
            guard frames.count >= 2 && XMLWriter.same(frames[frames.count - 2].prefix, prefix) || validName(prefix) else { return }
            if XMLWriter.same(prefix, "xmlns") || XMLWriter.same(prefix, "xml") != XMLWriter.same(namespaceURI, XMLNamespace.xmlNamespaceURI) {
                fail(.invalidName, "the prefix \"\(prefix)\" cannot be used for the namespace \(namespaceURI ?? "")")
                return
            }
        }
        let parent = frames.count - 2

        // 1. Bindings the element had where it was parsed but that are not in scope here.
        if !inherited.isEmpty {
            declareInherited(inherited, except: declarations, parent: parent)
        }

        // 2. Its own declarations, always written (they override inherited ones).
        for declaration in declarations where !XMLWriter.same(declaration.prefix, "xml") {
            guard validDeclaration(declaration) else { return }
            if let index = bindingIndex(of: declaration.prefix, from: mark) {
                bindings[index].uri = declaration.uri
            } else {
                bindings.append(declaration)
            }
        }

        // 3. The binding its own name needs; the name wins over a conflicting declaration.
        if !XMLWriter.same(prefix, "xml") {
            let wanted = namespaceURI ?? ""
            let current = prefix == nil ? (lookup(nil) ?? "") : lookup(prefix)
            if !XMLWriter.same(current, wanted) {
                let binding = XMLNamespace(prefix: prefix, uri: wanted)
                if let index = bindingIndex(of: prefix, from: mark) {
                    bindings[index] = binding
                } else {
                    bindings.append(binding)
                }
            }
        }

        if bindings.count == mark, !inherited.isEmpty {
            // Nothing declared here: a child that inherited what this element inherited needs nothing either.
            frames[frames.count - 1].verifiedChildScope = inherited
        }
    }

    /// The prefix to write an attribute in `namespaceURI` with, declaring one if needed.
    private mutating func prefixForAttribute(_ namespaceURI: String, preferred: String?) -> String? {
        if XMLWriter.same(namespaceURI, XMLNamespace.xmlNamespaceURI) { return "xml" }
        let mark = frames[frames.count - 1].bindingMark
        if let preferred, !XMLWriter.same(preferred, "xml"), !XMLWriter.same(preferred, "xmlns") {
            guard validName(preferred) else { return nil }
            let current = lookup(preferred)
            if current == namespaceURI { return preferred }
            if preferred != frames[frames.count - 1].prefix,
               current == nil || bindingIndex(of: preferred, from: mark) == nil {
                // Unbound, or bound by an ancestor only: (re)declare it here.
                bindings.append(XMLNamespace(prefix: preferred, uri: namespaceURI))
                frames[frames.count - 1].verifiedChildScope = nil
                return preferred
            }
        }
        // Any prefix already bound to this URI (and not shadowed).
        var index = bindings.count - 1
        while index >= 0 {
            if let prefix = bindings[index].prefix, XMLWriter.same(bindings[index].uri, namespaceURI),
               XMLWriter.same(lookup(prefix), namespaceURI) {
                return prefix
            }
            index -= 1
        }
        var generated: String
        repeat {
            generatedPrefixCount += 1
            generated = "ns\(generatedPrefixCount)"
        } while lookup(generated) != nil
        bindings.append(XMLNamespace(prefix: generated, uri: namespaceURI))
        frames[frames.count - 1].verifiedChildScope = nil
        return generated
    }

    /// The URI bound to `prefix` (nil: the default namespace) where the writer stands; nil if unbound.
    @inline(__always)
    private func lookup(_ prefix: String?) -> String? {
        bindingIndex(of: prefix, from: 0).map { bindings[$0].uri }
    }

    /// The index of the innermost binding of `prefix` at or after `start`.
    private func bindingIndex(of prefix: String?, from start: Int) -> Int? {
        var index = bindings.count - 1
        while index >= start {
            if XMLWriter.same(bindings[index].prefix, prefix) { return index }
            index -= 1
        }
        return nil
    }

    /// String equality with a cheap length check first (most names and URIs compared differ,
    /// and `==` on two different strings compares their bytes before their lengths).
    @inline(__always)
    private static func same(_ lhs: String?, _ rhs: String?) -> Bool {
        guard let lhs, let rhs else { return lhs == nil && rhs == nil }
        return lhs.utf8.count == rhs.utf8.count && lhs == rhs
    }

    private mutating func validDeclaration(_ declaration: XMLNamespace) -> Bool {
        if let prefix = declaration.prefix {
            guard validName(prefix) else { return false }
            if XMLWriter.same(prefix, "xmlns") || declaration.uri.isEmpty {
                fail(.invalidName, "cannot declare xmlns:\(prefix)=\"\(declaration.uri)\"")
                return false
            }
        }
        if XMLWriter.same(declaration.uri, XMLNamespace.xmlnsNamespaceURI)
            || (XMLWriter.same(declaration.uri, XMLNamespace.xmlNamespaceURI) && !XMLWriter.same(declaration.prefix, "xml")) {
            fail(.invalidName, "the namespace \(declaration.uri) cannot be declared")
            return false
        }
        return true
    }

    /// Closes an open start tag: `<name` + declarations + attributes + `>` or `/>`.
    private mutating func closeStartTag(empty: Bool) {
        guard startTagOpen, let top = frames.indices.last else { return }
        startTagOpen = false
        output.append(UInt8(ascii: "<"))
        appendName(prefix: frames[top].prefix, localName: frames[top].localName)
        var index = frames[top].bindingMark
        while index < bindings.count {
            if let prefix = bindings[index].prefix {
                appendLiteral(" xmlns:")
                append(prefix)
                appendLiteral("=\"")
            } else {
                appendLiteral(" xmlns=\"")
            }
            appendEscaped(bindings[index].uri, inAttribute: true)
            output.append(0x22)
            index += 1
        }
        if !pendingAttributes.isEmpty {
            for index in pendingAttributes.indices {
                output.append(UInt8(ascii: " "))
                appendName(prefix: pendingAttributes[index].prefix, localName: pendingAttributes[index].localName)
                appendLiteral("=\"")
                appendEscaped(pendingAttributes[index].value, inAttribute: true)
                output.append(0x22)
            }
            pendingAttributes.removeAll(keepingCapacity: true)
        }
        if empty {
            appendLiteral("/>")
        } else {
            output.append(UInt8(ascii: ">"))
        }
    }

    /// Closes the parent's start tag and indents as needed before a child;
    /// false if the child cannot be written here.
    private mutating func prepareForChild(isText: Bool) -> Bool {
        guard let top = frames.indices.last else {
            if isText {
                fail(.writerMisuse, "text outside an element")
                return false
            }
            if options.prettyPrinted, let last = output.last, last != 0x0A {
                output.append(0x0A)
            }
            return true
        }
        if startTagOpen { closeStartTag(empty: false) }
        if isText {
            frames[top].hasText = true
        } else if options.prettyPrinted, !frames[top].hasText {
            newline(depth: frames.count)
            frames[top].indentedChildren = true
        }
        return true
    }

    // MARK: Output

    private mutating func newline(depth: Int) {
        output.append(0x0A)
        for _ in 0..<depth { append(options.indentation) }
    }

    @inline(__always)
    private mutating func append(_ string: String) {
        let done: Void? = string.utf8.withContiguousStorageIfAvailable { bytes in
            output.append(contentsOf: bytes)
        }
        if done == nil {
            output.append(contentsOf: string.utf8)
        }
    }

    @inline(__always)
    private mutating func appendLiteral(_ literal: StaticString) {
        output.append(contentsOf: UnsafeBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount))
    }

    @inline(__always)
    private mutating func appendName(prefix: String?, localName: String) {
        if let prefix {
            append(prefix)
            output.append(UInt8(ascii: ":"))
        }
        append(localName)
    }

    private mutating func fail(_ kind: XMLError.Kind, _ message: String) {
        if firstError == nil {
            firstError = XMLError(kind: kind, message: message)
        }
    }

    /// Whether `name` is an XML NCName (ASCII checked exactly; non-ASCII letters accepted).
    private mutating func validName(_ name: String) -> Bool {
        let valid = name.utf8.withContiguousStorageIfAvailable(XMLWriter.isNCName)
            ?? Array(name.utf8).withUnsafeBufferPointer(XMLWriter.isNCName)
        if !valid {
            fail(.invalidName, "\(ParseSession.quoted(name)) is not a valid XML name")
        }
        return valid
    }

    private static func isNCName(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let first = bytes.first else { return false }
        // Start: letter, "_" or non-ASCII; then also digits, "-" and ".".
        guard (first | 0x20) >= 0x61 && (first | 0x20) <= 0x7A || first == 0x5F || first >= 0x80 else { return false }
        for byte in bytes {
            let lower = byte | 0x20
            if lower >= 0x61 && lower <= 0x7A { continue }
            if byte >= 0x30 && byte <= 0x39 { continue }
            if byte == 0x5F || byte == 0x2D || byte == 0x2E || byte >= 0x80 { continue }
            return false
        }
        return true
    }

    private mutating func appendEscaped(_ string: String, inAttribute: Bool) {
        let done: Void? = string.utf8.withContiguousStorageIfAvailable { bytes in
            appendEscaped(bytes: bytes, inAttribute: inAttribute)
        }
        if done == nil {
            var copy = string
            copy.withUTF8 { bytes in appendEscaped(bytes: bytes, inAttribute: inAttribute) }
        }
    }

    private mutating func appendEscaped(bytes: UnsafeBufferPointer<UInt8>, inAttribute: Bool) {
        var runStart = 0
        var index = 0
        let count = bytes.count
        while index < count {
            let byte = bytes[index]
            if byte > 0x3E {
                if byte != 0xEF || !XMLWriter.isNonCharacter(bytes, at: index) {
                    index += 1
                    continue
                }
            } else if byte >= 0x20, byte != 0x26, byte != 0x3C, byte != 0x3E, byte != 0x22 || !inAttribute {
                index += 1
                continue
            }
            if runStart < index {
                output.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<index]))
            }
            switch byte {
            case 0x26: appendLiteral("&amp;")
            case 0x3C: appendLiteral("&lt;")
            case 0x3E: appendLiteral("&gt;")
            case 0x22: appendLiteral("&quot;")
            case 0x0D: appendLiteral("&#13;")
            case 0x0A where inAttribute: appendLiteral("&#10;")
            case 0x09 where inAttribute: appendLiteral("&#9;")
            case 0x0A, 0x09: output.append(byte)
            case 0xEF:
                fail(.invalidCharacter, "U+FFFE and U+FFFF cannot appear in XML")
                index += 2
            default:
                fail(.invalidCharacter, "the control character U+\(String(byte, radix: 16, uppercase: true)) cannot appear in XML 1.0")
            }
            index += 1
            runStart = index
        }
        output.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<count]))
    }

    private mutating func appendCDATA(_ string: String) {
        var copy = string
        copy.withUTF8 { bytes in
            appendLiteral("<![CDATA[")
            var runStart = 0
            var index = 0
            while index < bytes.count {
                let byte = bytes[index]
                if byte < 0x20, byte != 0x09, byte != 0x0A, byte != 0x0D {
                    fail(.invalidCharacter, "the control character U+\(String(byte, radix: 16, uppercase: true)) cannot appear in XML 1.0")
                } else if byte == 0xEF, XMLWriter.isNonCharacter(bytes, at: index) {
                    fail(.invalidCharacter, "U+FFFE and U+FFFF cannot appear in XML")
                } else if byte == 0x5D, index + 2 < bytes.count, bytes[index + 1] == 0x5D, bytes[index + 2] == 0x3E {
                    // "]]>": end this section after "]]" and start another with ">".
                    output.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<(index + 2)]))
                    appendLiteral("]]><![CDATA[")
                    runStart = index + 2
                    index += 2
                    continue
                }
                index += 1
            }
            output.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<bytes.count]))
            appendLiteral("]]>")
        }
    }

    /// Whether the UTF-8 sequence at `index` (starting 0xEF) is U+FFFE or U+FFFF.
    @inline(__always)
    private static func isNonCharacter(_ bytes: UnsafeBufferPointer<UInt8>, at index: Int) -> Bool {
        index + 2 < bytes.count && bytes[index + 1] == 0xBF && (bytes[index + 2] == 0xBE || bytes[index + 2] == 0xBF)
    }
}

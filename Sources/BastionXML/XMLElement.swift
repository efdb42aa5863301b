/// An XML element as a value: its name, attributes and children in document order.
///
/// ## What the tree keeps
/// - **Text and CDATA** are distinct children: `.text` for character data
///   (entity and character references resolved, line ends normalized to LF as
///   XML requires) and `.cdata` for a CDATA section, so a CDATA section is
///   written back as one. Adjacent pieces of the same kind are merged (a text
///   run split by references is one `.text`; consecutive CDATA sections are one
///   `.cdata`). ``text`` and ``textContent`` read both kinds alike.
/// - **Whitespace-only text** between elements is kept by default, so a
///   subtree is written back exactly as it came; parse with
///   ``XMLReader/Options/keepWhitespaceOnlyText`` `false` to drop it (for
///   example to compare a pretty-printed document with a compact one).
/// - **Comments and processing instructions** inside the root element are kept
///   as children (switchable in ``XMLReader/Options``); those before or after
///   the root element, and the document type declaration, are not part of the
///   tree.
/// - **Namespaces**: every element and attribute has its namespace URI, local
///   name and the prefix it was written with. ``namespaceDeclarations`` are the
///   `xmlns` declarations written on this element; ``inheritedNamespaces`` are
///   the bindings that were in scope from its ancestors when it was parsed.
///   The writer declares on an element whatever inherited binding is not
///   already in scope where it is written, so ``outerXML(prettyPrinted:)`` of
///   any subtree is a standalone fragment that carries every binding it had —
///   including those only used inside attribute values such as `xsi:type`.
/// - **The exact text**: an element from the parser remembers where it was in
///   the document (see ``XMLReader/Options/keepsSourceText``). Until it or
///   anything inside it is changed, ``outerXML(prettyPrinted:)`` (not pretty)
///   and the writer copy that text as it came — same quotes, references,
///   CDATA sections, comments and whitespace inside the tags — adding only
///   the inherited namespace declarations to its start tag.
///
/// ## Equality
/// Two elements are equal when their namespace URIs, local names, prefixes,
/// attributes (in any order) and children (in order) are equal. Where
/// namespaces are declared (``namespaceDeclarations``, ``inheritedNamespaces``)
/// is serialization detail and not compared: a subtree re-parsed from its
/// ``outerXML(prettyPrinted:)`` equals the original subtree.
public struct XMLElement: Sendable, Equatable, CustomStringConvertible {
    /// A child of an element, in document order.
    public enum Child: Sendable, Equatable {
        /// A child element.
        case element(XMLElement)
        /// Character data (references resolved).
        case text(String)
        /// A CDATA section's content. (A CR cannot be kept in CDATA: XML reads
        /// it back as LF. Text that must keep a CR belongs in `.text`.)
        case cdata(String)
        /// A comment's content (without `<!--` and `-->`).
        case comment(String)
        /// A processing instruction: its target and its data (may be empty).
        case processingInstruction(target: String, data: String)
    }

    /// The element's fields, shared by copies until one of them changes (copy on write): an
    /// element is passed around and copied often while a tree is read, and a copy then costs
    /// one reference count instead of one per field.
    private final class Storage: @unchecked Sendable {
        // Mutated only through `XMLElement.update`, on a uniquely referenced instance.
        var localName: String
        var namespaceURI: String?
        var prefix: String?
        var attributes: [XMLAttribute]
        var children: [Child]
        var namespaceDeclarations: [XMLNamespace]
        var inheritedNamespaces: [XMLNamespace] = []
        var source: SourceSlice?
        var isHollow = false

        init(localName: String, namespaceURI: String?, prefix: String?, attributes: [XMLAttribute], children: [Child], namespaceDeclarations: [XMLNamespace]) {
            self.localName = localName
            self.namespaceURI = namespaceURI
            self.prefix = prefix
            self.attributes = attributes
            self.children = children
            self.namespaceDeclarations = namespaceDeclarations
        }

        func copy() -> Storage {
            let copy = Storage(
                localName: localName, namespaceURI: namespaceURI, prefix: prefix, attributes: attributes, children: children,
                namespaceDeclarations: namespaceDeclarations)
            copy.inheritedNamespaces = inheritedNamespaces
            copy.source = source
            copy.isHollow = isHollow
            return copy
        }
    }

    private var storage: Storage

    /// Changes the fields, copying them first if another element shares them.
    @inline(__always)
    private mutating func update<Result>(_ change: (Storage) -> Result) -> Result {
        if !isKnownUniquelyReferenced(&storage) { storage = storage.copy() }
        return change(storage)
    }

    /// The local part of the name (`Poll_Response` in `taxii_11:Poll_Response`).
    public var localName: String {
        get { storage.localName }
        set { update { $0.localName = newValue; $0.source = nil } }
    }
    /// The namespace URI, or `nil` for an element in no namespace.
    public var namespaceURI: String? {
        get { storage.namespaceURI }
        set { update { $0.namespaceURI = newValue; $0.source = nil } }
    }
    /// The prefix the element was (or is to be) written with; `nil` means the
    /// default namespace is used (`xmlns="…"`, or no namespace at all).
    public var prefix: String? {
        get { storage.prefix }
        set { update { $0.prefix = newValue; $0.source = nil } }
    }
    /// The attributes, in document order (namespace declarations excluded).
    public var attributes: [XMLAttribute] {
        get { storage.attributes }
        set { update { $0.attributes = newValue; $0.source = nil } }
    }
    /// The children in document order.
    public var children: [Child] {
        get { storage.children }
        set { update { $0.children = newValue; $0.source = nil; $0.isHollow = false } }
    }
    /// The namespace declarations (`xmlns`, `xmlns:p`) written on this element.
    public var namespaceDeclarations: [XMLNamespace] {
        get { storage.namespaceDeclarations }
        set { update { $0.namespaceDeclarations = newValue; $0.source = nil } }
    }
    /// The namespace bindings in scope from the ancestors when this element
    /// was parsed (each prefix once; empty for an element built in code).
    ///
    /// The writer re-declares any of these that is not in scope where the
    /// element is written, so a subtree keeps its bindings when it is moved
    /// or written on its own.
    public var inheritedNamespaces: [XMLNamespace] {
        get { storage.inheritedNamespaces }
        set { update { $0.inheritedNamespaces = newValue } }
    }
    /// Where this element's exact text is in the document it was parsed
    /// from; nil once anything in the element (or, through `children`, in its
    /// subtree) changes, or for an element built in code.
    var source: SourceSlice? {
        get { storage.source }
        set { update { $0.source = newValue } }
    }
    /// Whether the parser left this element's subtree unbuilt (a child of an
    /// element named in ``XMLReader/Options/shallowElements``): ``children``
    /// is empty, but the element's exact text, its whole subtree included,
    /// is kept and written by ``outerXML(prettyPrinted:)`` (without pretty printing).
    public internal(set) var isHollow: Bool {
        get { storage.isHollow }
        set { update { $0.isHollow = newValue } }
    }

    /// Creates an element.
    ///
    /// - Parameters:
    ///   - localName: the local name.
    ///   - namespaceURI: the namespace, or `nil` for none.
    ///   - prefix: the prefix to write it with, or `nil` to use the default namespace.
    ///   - attributes: the attributes.
    ///   - namespaceDeclarations: extra `xmlns` declarations to write on it
    ///     (bindings that the element's own name and attributes need are added
    ///     by the writer anyway).
    ///   - children: the children.
    public init(
        _ localName: String,
        namespaceURI: String? = nil,
        prefix: String? = nil,
        attributes: [XMLAttribute] = [],
        namespaceDeclarations: [XMLNamespace] = [],
        children: [Child] = []
    ) {
        storage = Storage(
            localName: localName, namespaceURI: namespaceURI, prefix: prefix, attributes: attributes, children: children,
            namespaceDeclarations: namespaceDeclarations)
    }

    /// Parses a document (or a standalone fragment with one root element)
    /// from a string and returns its root element. See ``XMLReader``.
    public init(xml: String, options: XMLReader.Options = .init()) throws(XMLError) {
        self = try XMLReader(options: options).parse(xml)
    }

    /// Parses a document from bytes (encoding detected as XML specifies,
    /// UTF-8 by default) and returns its root element. See ``XMLReader``.
    public init(xml bytes: [UInt8], options: XMLReader.Options = .init()) throws(XMLError) {
        self = try XMLReader(options: options).parse(bytes: bytes)
    }

    /// Parses a fragment produced by ``outerXML(prettyPrinted:)`` (or any
    /// single-rooted XML) back into an element, with the same hardening as
    /// ``XMLReader``.
    public static func parseFragment(_ xml: String, options: XMLReader.Options = .init()) throws(XMLError) -> XMLElement {
        try XMLReader(options: options).parse(xml)
    }

    // MARK: Names

    /// The name as written: `prefix:localName`, or `localName` without a prefix.
    public var qualifiedName: String {
        if let prefix { return prefix + ":" + localName }
        return localName
    }

    /// Whether this element has the given local name and namespace (`nil`: no namespace).
    @inlinable
    public func isNamed(_ localName: String, namespace: String?) -> Bool {
        self.localName == localName && self.namespaceURI == namespace
    }

    // MARK: Children

    /// The child elements, in order.
    public var childElements: [XMLElement] {
        children.compactMap { child in
            if case .element(let element) = child { return element }
            return nil
        }
    }

    /// The child elements with the given local name in the given namespace
    /// (`nil`: no namespace), in order.
    public func childElements(named localName: String, namespace: String?) -> [XMLElement] {
        children.compactMap { child in
            if case .element(let element) = child, element.isNamed(localName, namespace: namespace) {
                return element
            }
            return nil
        }
    }

    /// The first child element, if any.
    public var firstChildElement: XMLElement? {
        for child in children {
            if case .element(let element) = child { return element }
        }
        return nil
    }

    /// The first child element with the given local name in the given
    /// namespace (`nil`: no namespace), if any.
    public func firstChildElement(named localName: String, namespace: String?) -> XMLElement? {
        for child in children {
            if case .element(let element) = child, element.isNamed(localName, namespace: namespace) {
                return element
            }
        }
        return nil
    }

    // MARK: Attributes

    /// The value of the attribute with the given local name and namespace
    /// (`nil`, the default: an unqualified attribute), if present.
    public func attribute(_ localName: String, namespace: String? = nil) -> String? {
        for attribute in attributes where attribute.localName == localName && attribute.namespaceURI == namespace {
            return attribute.value
        }
        return nil
    }

    /// Sets (replacing) or, with `nil`, removes an attribute. A new attribute
    /// is appended; an existing one keeps its place and prefix.
    public mutating func setAttribute(_ localName: String, namespace: String? = nil, prefix: String? = nil, to value: String?) {
        if let index = attributes.firstIndex(where: { $0.localName == localName && $0.namespaceURI == namespace }) {
            if let value {
                attributes[index].value = value
            } else {
                attributes.remove(at: index)
            }
        } else if let value {
            attributes.append(XMLAttribute(localName, value: value, namespaceURI: namespace, prefix: prefix))
        }
    }

    // MARK: Text

    /// The text and CDATA children concatenated (not descending into child elements).
    public var text: String {
        var result = ""
        for child in children {
            switch child {
            case .text(let string), .cdata(let string): result += string
            default: break
            }
        }
        return result
    }

    /// All text and CDATA in this subtree concatenated in document order (like DOM's `textContent`).
    public var textContent: String {
        var result = ""
        appendTextContent(to: &result)
        return result
    }

    private func appendTextContent(to result: inout String) {
        for child in children {
            switch child {
            case .text(let string), .cdata(let string): result += string
            case .element(let element): element.appendTextContent(to: &result)
            case .comment, .processingInstruction: break
            }
        }
    }

    // MARK: Namespaces

    /// The namespace bindings in scope on this element: the inherited ones
    /// overridden by its own declarations (each prefix once).
    public var namespacesInScope: [XMLNamespace] {
        XMLElement.merge(inheritedNamespaces, namespaceDeclarations)
    }

    /// The URI bound to `prefix` (`nil`: the default namespace) on this
    /// element, from its own declarations or its inherited bindings; `nil` if
    /// unbound. Resolves QNames in attribute values such as `xsi:type`.
    public func namespaceURI(forPrefix prefix: String?) -> String? {
        if prefix == "xml" { return XMLNamespace.xmlNamespaceURI }
        for binding in namespaceDeclarations.reversed() where binding.prefix == prefix {
            return binding.uri.isEmpty ? nil : binding.uri
        }
        for binding in inheritedNamespaces.reversed() where binding.prefix == prefix {
            return binding.uri.isEmpty ? nil : binding.uri
        }
        return nil
    }

    /// `base` with `overrides` applied: one entry per prefix, later wins.
    static func merge(_ base: [XMLNamespace], _ overrides: [XMLNamespace]) -> [XMLNamespace] {
        if overrides.isEmpty { return base }
        var result = base
        for binding in overrides {
            if let index = result.firstIndex(where: { $0.prefix == binding.prefix }) {
                result[index].uri = binding.uri
            } else {
                result.append(binding)
            }
        }
        return result
    }

    // MARK: Serialization

    /// This element and its subtree as a standalone XML fragment (no XML
    /// declaration), with every namespace binding it inherited declared on it.
    ///
    /// For an unchanged element from the parser, and without pretty printing,
    /// this is the element's text exactly as it was in the document, with
    /// the inherited namespace declarations added to its start tag.
    ///
    /// The fragment re-parses (``parseFragment(_:options:)``) to an element
    /// equal to this one, with the same prefixes.
    ///
    /// - Throws: ``XMLError`` of kind `.invalidName` / `.invalidCharacter` if the
    ///   element was built in code with names or text that XML cannot carry;
    ///   never for an element that came from the parser.
    public func outerXML(prettyPrinted: Bool = false) throws(XMLError) -> String {
        var writer = XMLWriter(options: .init(prettyPrinted: prettyPrinted))
        writer.write(self)
        return try writer.finish()
    }

    // MARK: Description

    /// The element as compact XML (``outerXML(prettyPrinted:)``), or just its
    /// start tag when it cannot be written.
    public var description: String {
        (try? outerXML()) ?? "<\(qualifiedName) …>"
    }

    // MARK: Equatable

    /// Compares names, prefixes, attributes (order-independent) and children;
    /// see the type's documentation.
    public static func == (lhs: XMLElement, rhs: XMLElement) -> Bool {
        lhs.storage === rhs.storage
            || lhs.localName == rhs.localName
            && lhs.namespaceURI == rhs.namespaceURI
            && lhs.prefix == rhs.prefix
            && sameAttributes(lhs.attributes, rhs.attributes)
            && lhs.children == rhs.children
    }

    private static func sameAttributes(_ lhs: [XMLAttribute], _ rhs: [XMLAttribute]) -> Bool {
        guard lhs.count == rhs.count else { return false }
        if lhs == rhs { return true }
        // Attribute order is not significant in XML: names are unique within an element.
        for attribute in lhs where !rhs.contains(attribute) {
            return false
        }
        return true
    }
}

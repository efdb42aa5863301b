import BastionXML

/// Reads one element of a TAXII 1.1 message the way the binding's
/// `xs:sequence`s are written: children in order, each checked for
/// cardinality, every error naming its element path.
struct ElementCursor {
    let element: XMLElement
    let path: String
    let namespace: String
    private let children: [XMLElement]
    private var index = 0
    private var counts: [String: Int] = [:]

    init(_ element: XMLElement, path: String, namespace: String = TAXII.Namespace.taxii11) {
        self.element = element
        self.path = path
        self.namespace = namespace
        self.children = element.childElements
    }

    // MARK: Attributes

    func attributePath(_ name: String) -> String { path + "@" + name }

    func attribute(_ name: String) -> String? {
        element.attribute(name)
    }

    func requiredAttribute(_ name: String) throws(TAXIIError) -> String {
        guard let value = element.attribute(name) else {
            throw TAXIIError(.missingAttribute, path: attributePath(name), "required attribute \"\(name)\" is missing")
        }
        let trimmed = value.trimmedXMLWhitespace
        if trimmed.isEmpty {
            throw TAXIIError(.invalidValue, path: attributePath(name), "attribute \"\(name)\" is empty")
        }
        return trimmed
    }

    func enumAttribute<T: RawRepresentable & CaseIterable>(_ name: String, allowed: [T]? = nil) throws(TAXIIError) -> T?
    where T.RawValue == String {
        guard let raw = element.attribute(name) else { return nil }
        return try ElementCursor.enumValue(raw.trimmedXMLWhitespace, allowed: allowed ?? Array(T.allCases), path: attributePath(name))
    }

    func requiredEnumAttribute<T: RawRepresentable & CaseIterable>(_ name: String, allowed: [T]? = nil) throws(TAXIIError) -> T
    where T.RawValue == String {
        _ = try requiredAttribute(name)
        return try enumAttribute(name, allowed: allowed)!
    }

    func boolAttribute(_ name: String) throws(TAXIIError) -> Bool? {
        guard let raw = element.attribute(name) else { return nil }
        return try ElementCursor.bool(raw, path: attributePath(name))
    }

    func positiveIntAttribute(_ name: String) throws(TAXIIError) -> Int? {
        guard let raw = element.attribute(name) else { return nil }
        guard let value = Int(raw.trimmedXMLWhitespace), value >= 1 else {
            throw TAXIIError(.invalidValue, path: attributePath(name), "\"\(raw)\" is not a positive integer")
        }
        return value
    }

    // MARK: Children

    private func childPath(_ name: String, indexed: Bool) -> String {
        indexed ? "\(path)/\(name)[\((counts[name] ?? 0) + 1)]" : "\(path)/\(name)"
    }

    private func nextIs(_ name: String, namespace ns: String? = nil) -> Bool {
        index < children.count && children[index].isNamed(name, namespace: ns ?? namespace)
    }

    /// The next child if it is `name` (0..1).
    mutating func optional(_ name: String, namespace ns: String? = nil) -> (XMLElement, String)? {
        guard nextIs(name, namespace: ns) else { return nil }
        let result = (children[index], childPath(name, indexed: false))
        index += 1
        return result
    }

    /// The next child, which must be `name` (1).
    mutating func required(_ name: String) throws(TAXIIError) -> (XMLElement, String) {
        guard let child = optional(name) else {
            throw TAXIIError(.missingElement, path: "\(path)/\(name)", "required element <\(name)> is missing" + foundDescription)
        }
        return child
    }

    /// The run of `name` children at this point (`minimum`..n).
    mutating func many(_ name: String, minimum: Int = 0) throws(TAXIIError) -> [(XMLElement, String)] {
        var result: [(XMLElement, String)] = []
        while nextIs(name) {
            result.append((children[index], childPath(name, indexed: true)))
            counts[name, default: 0] += 1
            index += 1
        }
        if result.count < minimum {
            throw TAXIIError(.missingElement, path: "\(path)/\(name)", "at least \(minimum) <\(name)> element(s) required" + foundDescription)
        }
        return result
    }

    /// Text of an optional child (not trimmed: human-readable text is kept as is).
    mutating func optionalText(_ name: String) -> String? {
        optional(name).map { $0.0.text }
    }

    /// Trimmed text of an optional child holding a token/URI.
    mutating func optionalToken(_ name: String) throws(TAXIIError) -> String? {
        guard let (child, childPath) = optional(name) else { return nil }
        return try ElementCursor.token(child, path: childPath)
    }

    /// Trimmed, non-empty text of a required child.
    mutating func requiredToken(_ name: String) throws(TAXIIError) -> String {
        let (child, childPath) = try required(name)
        return try ElementCursor.token(child, path: childPath)
    }

    /// Trimmed texts of a run of children.
    mutating func tokens(_ name: String, minimum: Int = 0) throws(TAXIIError) -> [String] {
        var result: [String] = []
        for (child, childPath) in try many(name, minimum: minimum) {
            result.append(try ElementCursor.token(child, path: childPath))
        }
        return result
    }

    mutating func optionalTimestamp(_ name: String) throws(TAXIIError) -> TAXII.Timestamp? {
        guard let (child, childPath) = optional(name) else { return nil }
        return try ElementCursor.timestamp(child.text, path: childPath)
    }

    mutating func optionalEnum<T: RawRepresentable & CaseIterable>(_ name: String) throws(TAXIIError) -> T?
    where T.RawValue == String {
        guard let (child, childPath) = optional(name) else { return nil }
        return try ElementCursor.enumValue(child.text.trimmedXMLWhitespace, allowed: Array(T.allCases), path: childPath)
    }

    mutating func optionalNonNegativeInt(_ name: String) throws(TAXIIError) -> Int? {
        guard let (child, childPath) = optional(name) else { return nil }
        guard let value = Int(child.text.trimmedXMLWhitespace), value >= 0 else {
            throw TAXIIError(.invalidValue, path: childPath, "\"\(child.text)\" is not a non-negative integer")
        }
        return value
    }

    /// An optional `ds:Signature`, kept as XML.
    mutating func signature() -> XMLElement? {
        optional("Signature", namespace: TAXII.Namespace.xmlDSig)?.0
    }

    /// Fails if children are left that the sequence does not allow here.
    func finish() throws(TAXIIError) {
        guard index < children.count else { return }
        let child = children[index]
        let known = child.namespaceURI == namespace
        throw TAXIIError(
            .unexpectedElement, path: "\(path)/\(child.localName)",
            "element <\(child.qualifiedName)> is not allowed here" + (known ? " (unknown, out of order or repeated)" : " (namespace \(child.namespaceURI ?? "none"))")
        )
    }

    private var foundDescription: String {
        index < children.count ? " (found <\(children[index].localName)>)" : ""
    }

    // MARK: Values

    static func token(_ element: XMLElement, path: String) throws(TAXIIError) -> String {
        let value = element.text.trimmedXMLWhitespace
        if value.isEmpty {
            throw TAXIIError(.invalidValue, path: path, "element <\(element.localName)> is empty")
        }
        return value
    }

    static func enumValue<T: RawRepresentable>(_ raw: String, allowed: [T], path: String) throws(TAXIIError) -> T
    where T.RawValue == String {
        guard let value = T(rawValue: raw), allowed.contains(where: { $0.rawValue == raw }) else {
            throw TAXIIError(
                .invalidValue, path: path,
                "\"\(raw)\" is not one of " + allowed.map { $0.rawValue }.joined(separator: ", ")
            )
        }
        return value
    }

    static func bool(_ raw: String, path: String) throws(TAXIIError) -> Bool {
        switch raw.trimmedXMLWhitespace {
        case "true", "1": return true
        case "false", "0": return false
        default: throw TAXIIError(.invalidValue, path: path, "\"\(raw)\" is not an xs:boolean")
        }
    }

    static func timestamp(_ raw: String, path: String) throws(TAXIIError) -> TAXII.Timestamp {
        guard let value = TAXII.Timestamp(raw.trimmedXMLWhitespace) else {
            throw TAXIIError(
                .invalidTimestamp, path: path,
                "\"\(raw)\" is not an xs:dateTime with timezone (YYYY-MM-DDThh:mm:ss[.ffffff](Z|±hh:mm))"
            )
        }
        return value
    }
}

extension String {
    /// Without leading and trailing XML whitespace (space, tab, CR, LF).
    var trimmedXMLWhitespace: String {
        let utf8 = self.utf8
        func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D }
        guard let first = utf8.firstIndex(where: { !isSpace($0) }) else { return "" }
        let last = utf8.lastIndex(where: { !isSpace($0) })!
        if first == utf8.startIndex && last == utf8.index(before: utf8.endIndex) { return self }
        return String(self[first...last])
    }
}

/// Whether two lists hold the same elements regardless of order (libtaxii
/// sorts list attributes before comparing messages).
func sameElements<T: Equatable>(_ lhs: [T], _ rhs: [T]) -> Bool {
    guard lhs.count == rhs.count else { return false }
    if lhs == rhs { return true }
    var remaining = rhs
    for item in lhs {
        guard let index = remaining.firstIndex(of: item) else { return false }
        remaining.remove(at: index)
    }
    return true
}

extension XMLWriter {
    /// Opens a TAXII 1.1 element (prefix `taxii_11`).
    mutating func start11(_ name: String) {
        startElement(name, namespace: TAXII.Namespace.taxii11, prefix: "taxii_11")
    }

    /// Writes a TAXII 1.1 element holding only text.
    mutating func text11(_ name: String, _ value: String) {
        textElement(name, namespace: TAXII.Namespace.taxii11, prefix: "taxii_11", text: value)
    }

    /// Writes a TAXII 1.1 element holding only text, if there is a value.
    mutating func text11(_ name: String, _ value: String?) {
        if let value { text11(name, value) }
    }

    /// Writes an element kept as XML (signature, query body, header value)
    /// verbatim, so pretty printing never adds whitespace inside it.
    mutating func kept(_ element: XMLElement) {
        if let fragment = try? element.outerXML() {
            rawXML(fragment)
        } else {
            write(element)
        }
    }

    /// Writes an attribute if there is a value.
    mutating func optionalAttribute(_ name: String, _ value: String?) {
        if let value { attribute(name, value) }
    }
}

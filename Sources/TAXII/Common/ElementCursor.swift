import BastionXML
import Synchronization

/// Collects structural errors while a message is read, instead of stopping
/// at the first (``TAXII/validate(xml:)``). Handed to the root cursor of one
/// validation and passed on to every cursor below it.
final class StructuralErrorCollector: Sendable {
    private let recorded = Mutex<[TAXIIError]>([])

    /// The errors recorded, in order.
    var errors: [TAXIIError] { recorded.withLock { $0 } }

    /// Records `error`.
    func record(_ error: TAXIIError) {
        recorded.withLock { $0.append(error) }
    }
}

/// Reads one element of a TAXII message the way the binding's
/// `xs:sequence`s are written: children in order, each checked for
/// cardinality, every error naming its element path.
///
/// A parse (no collector) throws an error at once. A validation gives the
/// root cursor a ``StructuralErrorCollector``: an error is recorded and
/// reading goes on with a stand-in value (an absent required element reads
/// as an empty, unnamed stand-in element whose own content reports nothing),
/// so one pass finds every error.
struct ElementCursor {
    let element: XMLElement
    let path: String
    let namespace: String
    /// A stand-in for a missing element: reports nothing.
    let isStandIn: Bool
    /// Where errors go while validating; `nil` while parsing (errors are thrown).
    let collector: StructuralErrorCollector?
    /// The element's children (text and comments among them, skipped), shared with the element.
    private let nodes: [XMLElement.Child]
    /// The next node to read.
    private var index = 0
    private var counts: [String: Int] = [:]

    /// A cursor over a root element: errors are thrown, or recorded in `collector` while validating.
    init(_ element: XMLElement, path: String, namespace: String = TAXII.Namespace.taxii11, collector: StructuralErrorCollector?) {
        self.element = element
        self.path = path
        self.namespace = namespace
        self.isStandIn = element.localName.isEmpty
        self.nodes = element.children
        self.collector = collector
    }

    /// A cursor over `element` (a child being read), in the same namespace unless `namespace` says otherwise.
    func child(_ element: XMLElement, path: String, namespace: String? = nil) -> ElementCursor {
        ElementCursor(element, path: path, namespace: namespace ?? self.namespace, collector: collector)
    }

    /// Throws `error`, or records it while validating (also from a stand-in).
    func report(_ error: TAXIIError) throws(TAXIIError) {
        guard let collector else { throw error }
        collector.record(error)
    }

    /// Reports `error` unless this cursor reads a stand-in.
    func fail(_ error: TAXIIError) throws(TAXIIError) {
        if !isStandIn { try report(error) }
    }

    /// Records `error` while validating; a plain parse accepts what it describes. For departures
    /// from the binding that real services send and libtaxii reads.
    func tolerate(_ error: TAXIIError) {
        if !isStandIn { collector?.record(error) }
    }

    /// The stand-in for a missing required element.
    static let standIn = XMLElement("")

    /// The value stand-in timestamps take.
    static let standInTimestamp = TAXII.Timestamp("1970-01-01T00:00:00Z")!

    // MARK: Attributes

    func attributePath(_ name: String) -> String { path + "@" + name }

    func attribute(_ name: String) -> String? {
        element.attribute(name)
    }

    func requiredAttribute(_ name: String) throws(TAXIIError) -> String {
        guard let value = element.attribute(name) else {
            try fail(TAXIIError(.missingAttribute, path: attributePath(name), "required attribute \"\(name)\" is missing"))
            return ""
        }
        // Kept as written, as libtaxii keeps it (xs:string preserves whitespace); only a value
        // of whitespace alone counts as empty.
        if value.trimmedXMLWhitespace.isEmpty {
            try fail(TAXIIError(.invalidValue, path: attributePath(name), "attribute \"\(name)\" is empty"))
        }
        return value
    }

    func enumAttribute<T: RawRepresentable & CaseIterable>(_ name: String, allowed: [T]? = nil) throws(TAXIIError) -> T?
    where T.RawValue == String {
        guard let raw = element.attribute(name) else { return nil }
        return try checkedEnum(raw.trimmedXMLWhitespace, allowed: allowed ?? Array(T.allCases), path: attributePath(name))
    }

    func requiredEnumAttribute<T: RawRepresentable & CaseIterable>(_ name: String, allowed: [T]? = nil) throws(TAXIIError) -> T
    where T.RawValue == String {
        let options = allowed ?? Array(T.allCases)
        guard element.attribute(name) != nil else {
            _ = try requiredAttribute(name)
            return options[0]
        }
        return try enumAttribute(name, allowed: options) ?? options[0]
    }

    /// `raw` as one of `allowed`, or the error reported and `nil`.
    func checkedEnum<T: RawRepresentable>(_ raw: String, allowed: [T], path: String) throws(TAXIIError) -> T? where T.RawValue == String {
        do {
            return try ElementCursor.enumValue(raw, allowed: allowed, path: path)
        } catch {
            try fail(error)
            return nil
        }
    }

    func boolAttribute(_ name: String) throws(TAXIIError) -> Bool? {
        guard let raw = element.attribute(name) else { return nil }
        do {
            return try ElementCursor.bool(raw, path: attributePath(name))
        } catch {
            try fail(error)
            return nil
        }
    }

    func positiveIntAttribute(_ name: String) throws(TAXIIError) -> Int? {
        guard let raw = element.attribute(name) else { return nil }
        guard let value = Int(raw.trimmedXMLWhitespace), value >= 1 else {
            try fail(TAXIIError(.invalidValue, path: attributePath(name), "\"\(raw)\" is not a positive integer"))
            return nil
        }
        return value
    }

    // MARK: Children

    private func childPath(_ name: String, indexed: Bool) -> String {
        indexed ? "\(path)/\(name)[\((counts[name] ?? 0) + 1)]" : "\(path)/\(name)"
    }

    /// The next child element (skipping text, comments and PIs), without consuming it.
    private mutating func nextElement() -> XMLElement? {
        while index < nodes.count {
            if case .element(let element) = nodes[index] { return element }
            index += 1
        }
        return nil
    }

    private mutating func nextIs(_ name: String, namespace ns: String? = nil) -> XMLElement? {
        guard let next = nextElement(), next.isNamed(name, namespace: ns ?? namespace) else { return nil }
        return next
    }

    /// The next child if it is `name` (0..1).
    mutating func optional(_ name: String, namespace ns: String? = nil) -> (XMLElement, String)? {
        guard let next = nextIs(name, namespace: ns) else { return nil }
        index += 1
        return (next, childPath(name, indexed: false))
    }

    /// The next child, which must be `name` (1); a stand-in while validating.
    mutating func required(_ name: String) throws(TAXIIError) -> (XMLElement, String) {
        guard let child = optional(name) else {
            try fail(TAXIIError(.missingElement, path: "\(path)/\(name)", "required element <\(name)> is missing" + foundDescription))
            return (Self.standIn, "\(path)/\(name)")
        }
        return child
    }

    /// The run of `name` children at this point (`minimum`..n).
    mutating func many(_ name: String, minimum: Int = 0) throws(TAXIIError) -> [(XMLElement, String)] {
        var result: [(XMLElement, String)] = []
        while let next = nextIs(name) {
            result.append((next, childPath(name, indexed: true)))
            counts[name, default: 0] += 1
            index += 1
        }
        if result.count < minimum {
            try fail(TAXIIError(.missingElement, path: "\(path)/\(name)", "at least \(minimum) <\(name)> element(s) required" + foundDescription))
        }
        return result
    }

    /// The run of `name` children at this point (`minimum`..n), each read by `read` from a cursor of its own.
    mutating func readMany<R>(_ name: String, minimum: Int = 0, _ read: (ElementCursor) throws(TAXIIError) -> R) throws(TAXIIError) -> [R] {
        var result: [R] = []
        for (element, elementPath) in try many(name, minimum: minimum) {
            result.append(try read(child(element, path: elementPath)))
        }
        return result
    }

    /// The next child if it is `name` (0..1), read by `read` from a cursor of its own.
    mutating func readOptional<R>(_ name: String, _ read: (ElementCursor) throws(TAXIIError) -> R) throws(TAXIIError) -> R? {
        guard let (element, elementPath) = optional(name) else { return nil }
        return try read(child(element, path: elementPath))
    }

    /// Text of an optional child (not trimmed: human-readable text is kept as is).
    mutating func optionalText(_ name: String) -> String? {
        optional(name).map { $0.0.text }
    }

    /// Trimmed text of an optional child holding a token/URI.
    mutating func optionalToken(_ name: String) throws(TAXIIError) -> String? {
        guard let (child, childPath) = optional(name) else { return nil }
        return try token(child, path: childPath)
    }

    /// Trimmed, non-empty text of a required child.
    mutating func requiredToken(_ name: String) throws(TAXIIError) -> String {
        let (child, childPath) = try required(name)
        return try token(child, path: childPath)
    }

    /// Trimmed texts of a run of children.
    mutating func tokens(_ name: String, minimum: Int = 0) throws(TAXIIError) -> [String] {
        var result: [String] = []
        for (child, childPath) in try many(name, minimum: minimum) {
            result.append(try token(child, path: childPath))
        }
        return result
    }

    mutating func optionalTimestamp(_ name: String) throws(TAXIIError) -> TAXII.Timestamp? {
        guard let (child, childPath) = optional(name) else { return nil }
        return try timestamp(child, path: childPath)
    }

    mutating func requiredTimestamp(_ name: String) throws(TAXIIError) -> TAXII.Timestamp {
        let (child, childPath) = try required(name)
        return try timestamp(child, path: childPath)
    }

    mutating func optionalEnum<T: RawRepresentable & CaseIterable>(_ name: String) throws(TAXIIError) -> T?
    where T.RawValue == String {
        guard let (child, childPath) = optional(name) else { return nil }
        return try checkedEnum(child.text.trimmedXMLWhitespace, allowed: Array(T.allCases), path: childPath)
    }

    mutating func optionalNonNegativeInt(_ name: String) throws(TAXIIError) -> Int? {
        guard let (child, childPath) = optional(name) else { return nil }
        guard let value = Int(child.text.trimmedXMLWhitespace), value >= 0 else {
            try fail(TAXIIError(.invalidValue, path: childPath, "\"\(child.text)\" is not a non-negative integer"))
            return nil
        }
        return value
    }

    /// An optional `ds:Signature`, kept as XML.
    mutating func signature() -> XMLElement? {
        optional("Signature", namespace: TAXII.Namespace.xmlDSig)?.0
    }

    /// Fails if children are left that the sequence does not allow here
    /// (while validating, reports each of them).
    func finish() throws(TAXIIError) {
        for case .element(let child) in nodes[index...] {
            let known = child.namespaceURI == namespace
            try fail(TAXIIError(
                .unexpectedElement, path: "\(path)/\(child.localName)",
                "element <\(child.qualifiedName)> is not allowed here" + (known ? " (unknown, out of order or repeated)" : " (namespace \(child.namespaceURI ?? "none"))")
            ))
        }
    }

    private var foundDescription: String {
        for case .element(let child) in nodes[index...] { return " (found <\(child.localName)>)" }
        return ""
    }

    // MARK: Values

    /// The text of `element`, as written (as libtaxii keeps it), which must not be empty or
    /// whitespace alone ("" for a stand-in).
    func token(_ element: XMLElement, path: String) throws(TAXIIError) -> String {
        let value = element.text
        if value.trimmedXMLWhitespace.isEmpty && !element.localName.isEmpty {
            try fail(TAXIIError(.invalidValue, path: path, "element <\(element.localName)> is empty"))
        }
        return value
    }

    /// The timestamp `element` holds (a stand-in value for a stand-in element or a bad timestamp while validating).
    func timestamp(_ element: XMLElement, path: String) throws(TAXIIError) -> TAXII.Timestamp {
        guard !element.localName.isEmpty else { return Self.standInTimestamp }
        do {
            return try ElementCursor.timestamp(element.text, path: path)
        } catch {
            try fail(error)
            return Self.standInTimestamp
        }
    }

    /// TAXII 1.0 message ids are digits only (`UnsignedIntegerType`); empty values are reported elsewhere.
    func checkDigits(_ value: String, path: String) throws(TAXIIError) {
        guard !value.isEmpty, !value.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return }
        try fail(TAXIIError(.invalidValue, path: path, "\"\(value)\" is not a TAXII 1.0 message id (digits only)"))
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
                "\"\(raw)\" is not an xs:dateTime with timezone (YYYY-MM-DDThh:mm:ss[.fff…](Z|±hh:mm))"
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

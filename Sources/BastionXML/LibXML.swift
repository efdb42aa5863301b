internal import CLibXML2

/// Process-wide libxml2 set-up and error plumbing shared by the reader, the
/// schema loader and the validator.
enum LibXML {
    /// Initializes libxml2 once (xmlInitParser must run before concurrent use).
    static func ensureInitialized() {
        _ = initialized
    }

    private static let initialized: Bool = {
        xmlInitParser()
        return true
    }()

    /// Converts a libxml2 error record into an ``XMLError`` of `kind`.
    static func error(from record: xmlError, kind: XMLError.Kind) -> XMLError {
        var message = record.message.map { String(cString: $0) } ?? "libxml2 error \(record.code)"
        while let last = message.last, last.isWhitespace { message.removeLast() }
        message = message.split(whereSeparator: \.isNewline).joined(separator: "; ")
        var path: String?
        if let node = record.node {
            path = elementPath(node.assumingMemoryBound(to: xmlNode.self))
        }
        return XMLError(
            kind: kind,
            message: message,
            line: record.line > 0 ? Int(record.line) : nil,
            column: record.int2 > 0 ? Int(record.int2) : nil,
            path: path
        )
    }

    /// The path of an element in a libxml2 document with the names as written,
    /// e.g. `/o:Order/o:Item[2]/o:Quantity` (a position only where siblings share the name).
    static func elementPath(_ node: xmlNodePtr) -> String? {
        var steps: [String] = []
        var current: xmlNodePtr? = node
        if node.pointee.type != XML_ELEMENT_NODE { current = node.pointee.parent }
        while let element = current, element.pointee.type == XML_ELEMENT_NODE {
            var step = element.pointee.name.map { String(cString: $0) } ?? "?"
            if let prefix = element.pointee.ns?.pointee.prefix {
                step = String(cString: prefix) + ":" + step
            }
            var position = 1
            var total = 1
            var sibling = element.pointee.prev
            while let other = sibling {
                if sameName(other, element) { position += 1; total += 1 }
                sibling = other.pointee.prev
            }
            sibling = element.pointee.next
            while let other = sibling {
                if sameName(other, element) { total += 1 }
                sibling = other.pointee.next
            }
            if total > 1 { step += "[\(position)]" }
            steps.append(step)
            current = element.pointee.parent
        }
        return steps.isEmpty ? nil : "/" + steps.reversed().joined(separator: "/")
    }

    private static func sameName(_ lhs: xmlNodePtr, _ rhs: xmlNodePtr) -> Bool {
        guard lhs.pointee.type == XML_ELEMENT_NODE, xmlStrEqual(lhs.pointee.name, rhs.pointee.name) != 0 else { return false }
        let lhsURI = lhs.pointee.ns?.pointee.href
        let rhsURI = rhs.pointee.ns?.pointee.href
        if lhsURI == nil || rhsURI == nil { return lhsURI == nil && rhsURI == nil }
        return xmlStrEqual(lhsURI, rhsURI) != 0
    }

    /// Whether a libxml2 error record is an error (not a warning).
    ///
    /// libxml2 reports a few findings that its own codes call warnings at
    /// error level, most notably a namespace name that is not a valid or
    /// absolute URI (`xmlns="urn:a b"`): the Namespaces recommendation only
    /// deprecates those, so they do not fail a parse.
    static func isError(_ record: xmlError) -> Bool {
        guard record.level.rawValue >= XML_ERR_ERROR.rawValue else { return false }
        switch Int(record.code) {
        case Int(XML_WAR_NS_URI.rawValue), Int(XML_WAR_NS_URI_RELATIVE.rawValue), Int(XML_WAR_NS_COLUMN.rawValue),
             Int(XML_WAR_LANG_VALUE.rawValue), Int(XML_WAR_SPACE_VALUE.rawValue), Int(XML_WAR_UNKNOWN_VERSION.rawValue):
            return false
        default:
            return true
        }
    }

    /// Runs `body` with the calling thread's libxml2 structured error handler
    /// pointed at `collector`, then restores the previous handler.
    ///
    /// libxml2 keeps this handler per thread, and BastionXML's calls into
    /// libxml2 are synchronous, so this catches (and keeps off stderr) the
    /// messages that libxml2 does not route through a context's own handler,
    /// without touching other threads.
    static func withThreadErrors<T>(_ collector: ErrorCollector, _ body: () -> T) -> T {
        let previousHandler = bastion_structured_error_func()
        let previousContext = bastion_structured_error_context()
        let unmanaged = Unmanaged.passRetained(collector)
        xmlSetStructuredErrorFunc(unmanaged.toOpaque(), ErrorCollector.handler)
        defer {
            xmlSetStructuredErrorFunc(previousContext, previousHandler)
            unmanaged.release()
        }
        return body()
    }
}

/// Collects libxml2 errors (not warnings) reported to a structured handler.
final class ErrorCollector {
    /// The kind given to collected errors.
    let kind: XMLError.Kind
    /// The errors collected so far, in order.
    private(set) var errors: [XMLError] = []
    /// An upper bound on collected errors, so a hostile input cannot make the list grow without end.
    let limit: Int

    init(kind: XMLError.Kind, limit: Int = 1000) {
        self.kind = kind
        self.limit = limit
    }

    func add(_ record: xmlError) {
        guard LibXML.isError(record), errors.count < limit else { return }
        errors.append(LibXML.error(from: record, kind: kind))
    }

    func add(_ error: XMLError) {
        guard errors.count < limit else { return }
        errors.append(error)
    }

    /// A structured error handler whose context is an `ErrorCollector` passed unretained.
    static let handler: xmlStructuredErrorFunc = { context, record in
        guard let context, let record else { return }
        Unmanaged<ErrorCollector>.fromOpaque(context).takeUnretainedValue().add(record.pointee)
    }
}

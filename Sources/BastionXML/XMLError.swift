/// An error from reading, writing or validating XML: what went wrong and where.
///
/// Every failure in BastionXML is an `XMLError`. ``kind`` tells the class of
/// problem (a hostile construct that was refused, a limit, malformed input, a
/// schema violation, …); ``message`` says what exactly, in libxml2's words
/// where libxml2 found the problem; ``line`` and ``column`` say where, when
/// the position is known (both 1-based).
public struct XMLError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The class of an ``XMLError``.
    public enum Kind: String, Sendable, Equatable, CaseIterable {
        /// The input is not well-formed XML or not namespace-well-formed
        /// (syntax error, mismatched tag, undeclared prefix, invalid UTF-8, …).
        case malformed
        /// The document type declaration declares an entity (general,
        /// parameter or unparsed). Refused without expanding anything: this
        /// covers XXE, parameter-entity XXE, billion laughs and quadratic blowup.
        case entityDeclaration
        /// The document type declaration references an external DTD
        /// (`SYSTEM` or `PUBLIC` identifier). Refused without loading it.
        case externalDTD
        /// The document type declaration uses a feature that would change the
        /// document's namespaces (a default value for an `xmlns` attribute).
        case unsupportedDTD
        /// The input is larger than ``XMLReader/Options/maxDocumentSize``.
        case documentTooLarge
        /// Elements are nested deeper than ``XMLReader/Options/maxDepth``.
        case tooDeep
        /// The writer was given a name that is not a valid XML name
        /// (element, attribute, prefix or processing-instruction target).
        case invalidName
        /// The writer was given text that XML 1.0 cannot represent (a control
        /// character, U+FFFE/U+FFFF) or a comment/PI whose content would end it early.
        case invalidCharacter
        /// The writer was used out of order (end without start, unclosed elements, …).
        case writerMisuse
        /// Network access was requested (a schema import by URL) and refused.
        case networkAccessRefused
        /// A file could not be read.
        case io
        /// An XML Schema could not be loaded or compiled.
        case schema
        /// A document does not conform to an XML Schema (a validation finding).
        case invalid
    }

    /// The class of problem.
    public var kind: Kind
    /// What went wrong, in one line (libxml2's message where libxml2 reported it).
    public var message: String
    /// The 1-based line of the problem in the input, if known.
    public var line: Int?
    /// The 1-based column of the problem in the input, if known.
    public var column: Int?
    /// The path of the element concerned (for schema findings, e.g. `/Poll_Response/Content_Block[2]`), if known.
    public var path: String?

    /// Creates an error.
    public init(kind: Kind, message: String, line: Int? = nil, column: Int? = nil, path: String? = nil) {
        self.kind = kind
        self.message = message
        self.line = line
        self.column = column
        self.path = path
    }

    /// `"<kind> at line L, column C (path): message"`, leaving out what is unknown.
    public var description: String {
        var text = "XML error (\(kind.rawValue))"
        if let line {
            text += " at line \(line)"
            if let column { text += ", column \(column)" }
        }
        if let path { text += " (\(path))" }
        return text + ": " + message
    }
}

import BastionXML

/// Why a TAXII message was refused, and where.
///
/// ``path`` names the element (and attribute) concerned, root first:
/// `Poll_Response/Content_Block[2]/Content_Binding@binding_id`. Repeatable
/// elements carry their 1-based position among their same-named siblings.
public struct TAXIIError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The class of problem.
    public enum Kind: String, Sendable, Equatable, CaseIterable {
        /// The input is not XML that BastionXML accepts (malformed, hostile, too large); see ``TAXIIError/xmlError``.
        case malformedXML
        /// The root element is not a known TAXII message.
        case unknownMessageType
        /// The message is of a TAXII version that is not supported (yet).
        case unsupportedVersion
        /// The message type is known but not implemented yet.
        case notImplemented
        /// A required element is missing.
        case missingElement
        /// A required attribute is missing.
        case missingAttribute
        /// An element appears where the binding does not allow it (unknown, out of order, or too many).
        case unexpectedElement
        /// A value is not one of the values the binding allows (enumeration), or not of its type (integer, boolean, URI).
        case invalidValue
        /// A timestamp is not an `xs:dateTime` with a timezone as the binding requires.
        case invalidTimestamp
        /// A value required by a status type is missing from the status details.
        case missingStatusDetail
        /// The message could not be written (a name or text XML cannot carry).
        case serialization
        /// A Default Query names a capability module that is not supported
        /// (status `UNSUPPORTED_CAPABILITY_MODULE`).
        case unsupportedCapabilityModule
        /// A Default Query's targeting expression vocabulary
        /// (`targeting_expression_id`) is not supported (status
        /// `UNSUPPORTED_TARGETING_EXPRESSION_ID`).
        case unsupportedTargetingExpressionID
        /// A Default Query's target lies outside the scopes a service allows
        /// (status `UNSUPPORTED_TARGETING_EXPRESSION`).
        case unsupportedTargetingExpression
        /// The input is not JSON that the dictionary form accepts.
        case malformedJSON
        /// A key the dictionary form requires is missing.
        case missingKey
        /// A dictionary-form value has the wrong type (a list where a string belongs, …).
        case wrongType
    }

    /// The class of problem.
    public var kind: Kind
    /// Where: the element path, with `@attribute` for an attribute.
    public var path: String
    /// What was wrong, in one line.
    public var message: String
    /// The underlying XML error for `.malformedXML` and `.serialization`.
    public var xmlError: XMLError?

    /// Creates an error.
    public init(_ kind: Kind, path: String, _ message: String, xmlError: XMLError? = nil) {
        self.kind = kind
        self.path = path
        self.message = message
        self.xmlError = xmlError
    }

    /// `"<kind> at <path>: <message>"`.
    public var description: String {
        path.isEmpty ? "TAXII error (\(kind.rawValue)): \(message)"
            : "TAXII error (\(kind.rawValue)) at \(path): \(message)"
    }

    /// The reader for TAXII messages: content blocks' content is read
    /// hollow (kept as exact text, not built into elements), since it is
    /// only ever passed on as text.
    static let reader = XMLReader(options: .init(shallowElements: [
        .init(namespaceURI: TAXII.Namespace.taxii11, localName: "Content"),
        .init(namespaceURI: TAXII.Namespace.taxii10, localName: "Content"),
    ]))

    static func parse(_ xml: String) throws(TAXIIError) -> XMLElement {
        do {
            return try reader.parse(xml)
        } catch {
            throw TAXIIError(.malformedXML, path: "", error.description, xmlError: error)
        }
    }

    static func parse(_ bytes: [UInt8]) throws(TAXIIError) -> XMLElement {
        do {
            return try reader.parse(bytes: bytes)
        } catch {
            throw TAXIIError(.malformedXML, path: "", error.description, xmlError: error)
        }
    }
}

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import BastionXML

/// The TAXII namespace: constants shared by TAXII 1.0 and 1.1, message detection
/// (``message(fromXML:)``) and message ids (``generateMessageID()``).
///
/// TAXII 1.1 messages live in ``TAXII11``.
public enum TAXII {
    /// Generates a message id as libtaxii does: a random positive integer, as decimal text.
    public static func generateMessageID() -> String {
        String(UInt64.random(in: 1...UInt64(Int64.max)))
    }

    /// Parses a TAXII message of any implemented type, detecting the version
    /// from the root element's namespace and the type from its name (libtaxii's
    /// `get_message_from_xml`).
    ///
    /// - Throws: ``TAXIIError`` — `.malformedXML` for XML that does not parse,
    ///   `.unsupportedVersion` for a TAXII 1.0 message (not implemented yet),
    ///   `.unknownMessageType` for a root element that is no TAXII message, or
    ///   a structural error from the message type.
    public static func message(fromXML xml: String) throws(TAXIIError) -> Message {
        try message(from: TAXIIError.parse(xml))
    }

    /// Parses a TAXII message from bytes (see ``message(fromXML:)-(String)``).
    public static func message(fromXML bytes: [UInt8]) throws(TAXIIError) -> Message {
        try message(from: TAXIIError.parse(bytes))
    }

    /// Interprets an already-parsed root element as a TAXII message (see ``message(fromXML:)-(String)``).
    public static func message(from element: XMLElement) throws(TAXIIError) -> Message {
        switch element.namespaceURI {
        case Namespace.taxii11:
            return .taxii11(try TAXII11.Message(element: element))
        case Namespace.taxii10:
            throw TAXIIError(
                .unsupportedVersion, path: element.localName,
                "TAXII 1.0 messages are not implemented yet"
            )
        default:
            throw TAXIIError(
                .unknownMessageType, path: element.localName,
                "root element <\(element.qualifiedName)> is not in a TAXII message namespace (namespace \(element.namespaceURI.map { "\"\($0)\"" } ?? "none"))"
            )
        }
    }

    /// A parsed TAXII message of any version.
    public enum Message: Sendable, Equatable {
        /// A TAXII 1.1 message.
        case taxii11(TAXII11.Message)

        /// The XML message binding version id of the message (`urn:taxii.mitre.org:message:xml:1.1`).
        public var messageBindingID: String {
            switch self {
            case .taxii11: VersionID.xml11
            }
        }
    }
}

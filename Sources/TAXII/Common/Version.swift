extension TAXII {
    /// A TAXII version: the Services specification and XML Message Binding
    /// pair a message belongs to (1.0 messages and 1.1 messages never mix).
    public enum Version: String, Sendable, CaseIterable {
        /// TAXII 1.0 (XML Message Binding 1.0).
        case v10 = "1.0"
        /// TAXII 1.1 (XML Message Binding 1.1).
        case v11 = "1.1"

        /// The XML namespace of its messages.
        public var namespace: String {
            switch self {
            case .v10: Namespace.taxii10
            case .v11: Namespace.taxii11
            }
        }

        /// The prefix Bastion writes (libtaxii's: `taxii`, `taxii_11`).
        public var prefix: String {
            switch self {
            case .v10: "taxii"
            case .v11: "taxii_11"
            }
        }

        /// The XML message binding id (`urn:taxii.mitre.org:message:xml:1.x`).
        public var messageBindingID: String {
            switch self {
            case .v10: VersionID.xml10
            case .v11: VersionID.xml11
            }
        }

        /// The services version id (`urn:taxii.mitre.org:services:1.x`).
        public var servicesVersionID: String {
            switch self {
            case .v10: VersionID.services10
            case .v11: VersionID.services11
            }
        }
    }
}

extension XMLWriter {
    /// Opens a TAXII element of `version`'s namespace.
    mutating func start(_ name: String, _ version: TAXII.Version) {
        startElement(name, namespace: version.namespace, prefix: version.prefix)
    }

    /// Writes a TAXII element of `version`'s namespace holding only text, if there is a value.
    mutating func text(_ name: String, _ value: String?, _ version: TAXII.Version) {
        if let value { textElement(name, namespace: version.namespace, prefix: version.prefix, text: value) }
    }

    /// Writes `true`/`false`.
    mutating func boolAttribute(_ name: String, _ value: Bool) {
        attribute(name, value ? "true" : "false")
    }
}

import BastionXML

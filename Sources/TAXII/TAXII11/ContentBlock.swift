import BastionXML
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

extension TAXII11 {
    /// A content block (`Content_Block`, `ContentBlockType`), in Poll
    /// Responses and Inbox Messages.
    ///
    /// The content is kept exactly as received: XML content as the exact XML
    /// text of the element(s) inside `Content` (with the namespace bindings
    /// they inherited declared on them), text content as text; both are
    /// written back unchanged.
    public struct ContentBlock: Sendable, Equatable {
        /// What a content block carries.
        public enum Content: Sendable, Equatable {
            /// XML: one or more elements, as a standalone fragment written back verbatim.
            case xml(String)
            /// Text (escaped or CDATA on the wire; base64 for binary payloads).
            case text(String)

            /// The content as a string, XML or text (libtaxii's `content`).
            public var string: String {
                switch self {
                case .xml(let string), .text(let string): string
                }
            }

            /// Whether the content is XML (libtaxii's `content_is_xml`).
            public var isXML: Bool {
                if case .xml = self { return true }
                return false
            }
        }

        /// The content's binding (`Content_Binding`: binding id and at most one subtype).
        public var contentBinding: ContentBinding
        /// The content (`Content`).
        public var content: Content
        /// The block's position in a data feed (`Timestamp_Label`).
        public var timestampLabel: TAXII.Timestamp?
        /// A human-readable note (`Message`).
        public var message: String?
        /// Filler hiding the content's true size (`Padding`).
        public var padding: String?
        /// A signature over the block (`ds:Signature`), kept as XML.
        public var signature: XMLElement?

        /// Creates a content block.
        public init(
            contentBinding: ContentBinding,
            content: Content,
            timestampLabel: TAXII.Timestamp? = nil,
            message: String? = nil,
            padding: String? = nil,
            signature: XMLElement? = nil
        ) {
            self.contentBinding = contentBinding
            self.content = content
            self.timestampLabel = timestampLabel
            self.message = message
            self.padding = padding
            self.signature = signature
        }

        /// Creates a content block with XML content, checking that `xml` is
        /// one well-formed element (parsed with BastionXML's hardening).
        public init(contentBinding: ContentBinding, xml: String, timestampLabel: TAXII.Timestamp? = nil, message: String? = nil) throws(TAXIIError) {
            do {
                _ = try XMLElement.parseFragment(xml)
            } catch {
                throw TAXIIError(.malformedXML, path: "Content", error.description, xmlError: error)
            }
            self.init(contentBinding: contentBinding, content: .xml(xml), timestampLabel: timestampLabel, message: message)
        }

        static func parse(_ cursor: ElementCursor) throws(TAXIIError) -> ContentBlock {
            var cursor = cursor
            let (bindingElement, bindingPath) = try cursor.required("Content_Binding")
            let binding = try ContentBinding.parse(cursor.child(bindingElement, path: bindingPath), maximumSubtypes: 1)
            let (contentElement, _) = try cursor.required("Content")
            let content = try Content.parse(contentElement, path: cursor.path + "/Content")
            let timestamp = try cursor.optionalTimestamp("Timestamp_Label")
            let message = cursor.optionalText("Message")
            let padding = cursor.optionalText("Padding")
            let signature = cursor.signature()
            try cursor.finish()
            return ContentBlock(
                contentBinding: binding, content: content, timestampLabel: timestamp,
                message: message, padding: padding, signature: signature
            )
        }

        /// The exact text of a content element, carrying the namespace
        /// bindings it inherited from the message except prefixed ones the
        /// content does not use (the message's `taxii_11`, `tdq`, … that
        /// libtaxii declares on every root), so the content does not change
        /// with how the enclosing message was written.
        static func fragment(_ element: XMLElement) throws(XMLError) -> String {
            guard element.inheritedNamespaces.contains(where: { $0.prefix != nil }) else { return try element.outerXML() }
            var trimmed = element
            trimmed.inheritedNamespaces.removeAll { $0.prefix != nil }
            let text = try trimmed.outerXML()
            let used = element.inheritedNamespaces.filter { binding in
                binding.prefix.map { ContentBlock.mayUse(prefix: $0, in: text) } ?? true
            }
            // Usual: the content declares the prefixes it uses itself.
            if !used.contains(where: { $0.prefix != nil }) && used.count == trimmed.inheritedNamespaces.count { return text }
            trimmed.inheritedNamespaces = used
            return try trimmed.outerXML()
        }

        /// Whether `prefix:` appears in `text` after a non-name character (as
        /// an element, attribute or QName-value prefix would). Jumps from
        /// colon to colon with `memchr` and looks back, so a content block
        /// is scanned at memory speed.
        private static func mayUse(prefix: String, in text: String) -> Bool {
            let needle = Array(prefix.utf8)
            guard !needle.isEmpty else { return false }
            var text = text
            return text.withUTF8 { bytes -> Bool in
                guard let base = bytes.baseAddress, bytes.count > needle.count else { return false }
                var offset = needle.count
                while offset < bytes.count {
                    guard let found = memchr(base + offset, 0x3A, bytes.count - offset) else { return false }
                    let colon = base.distance(to: found.assumingMemoryBound(to: UInt8.self))
                    offset = colon + 1
                    let start = colon - needle.count
                    guard start >= 0, bytes[start] == needle[0], bytes[start..<colon].elementsEqual(needle) else { continue }
                    if start == 0 || !isNameByte(bytes[start - 1]) { return true }
                }
                return false
            }
        }

        /// Whether a byte can be part of an XML name (ASCII name characters, any non-ASCII byte).
        private static func isNameByte(_ byte: UInt8) -> Bool {
            (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                || byte == 0x2D || byte == 0x2E || byte == 0x5F || byte == 0x3A || byte >= 0x80
        }

        static func parseList(_ cursor: inout ElementCursor) throws(TAXIIError) -> [ContentBlock] {
            try cursor.readMany("Content_Block", parse)
        }

        func write(to writer: inout XMLWriter) {
            writer.start11("Content_Block")
            contentBinding.write(to: &writer)
            content.write(to: &writer, version: .v11)
            writer.text11("Timestamp_Label", timestampLabel?.lexicalForm)
            writer.text11("Message", message)
            writer.text11("Padding", padding)
            if let signature { writer.kept(signature) }
            writer.endElement()
        }
    }
}

extension TAXII11.ContentBlock {
    var dictionary: TAXII.DictionaryValue {
        var result: [String: TAXII.DictionaryValue] = ["content_binding": contentBinding.dictionary]
        content.addDictionary(to: &result)
        result.setIfPresent("timestamp_label", timestampLabel)
        result.setIfPresent("message", message)
        result.setIfPresent("padding", padding)
        return .dictionary(result)
    }

    init(dictionary reader: DictionaryReader) throws(TAXIIError) {
        let binding = try TAXII11.ContentBinding(dictionaryValue: try reader.required("content_binding"), path: reader.keyPath("content_binding"))
        self.init(
            contentBinding: binding, content: try Content(dictionary: reader),
            timestampLabel: try reader.optionalTimestamp("timestamp_label"),
            message: try reader.optionalString("message"), padding: try reader.optionalString("padding")
        )
    }
}

// The text form follows libtaxii's `messages_11` `to_text()` layout, label for label (its quirks
// too, such as the unindented `Content Binding` lines of poll and subscription parameters).
extension TAXII11.ContentBlock {
    func text(prefix: String) -> String {
        var result = prefix + "=== Content Block ===\n"
        result += prefix + "  Content Binding: \(contentBinding)\n"
        result += prefix + "  Content length: \(content.pythonLength)\n"
        result += prefix + "  (Content not printed for brevity)\n"
        if let timestampLabel { result += prefix + "  Timestamp Label: \(timestampLabel.pythonDescription)\n" }
        result += prefix + "  Message: \(TextForm.python(message))\n"
        result += prefix + "  Padding: \(TextForm.python(padding))\n"
        return result
    }
}

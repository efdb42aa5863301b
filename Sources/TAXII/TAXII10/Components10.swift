import BastionXML

extension TAXII10 {
    /// Where and how a feed pushes content to a subscriber (`Push_Parameters`;
    /// libtaxii `DeliveryParameters`): one message binding and, unlike TAXII
    /// 1.1, the content bindings wanted.
    public struct DeliveryParameters: Sendable, Equatable {
        /// The protocol binding id (`Protocol_Binding`).
        public var protocolBinding: String
        /// The address to push to (`Address`).
        public var address: String
        /// The message binding id (`Message_Binding`, exactly one).
        public var messageBinding: String
        /// The content wanted (`Content_Binding`; none: any); compared order-independently.
        public var contentBindings: [String]

        /// Creates delivery parameters.
        public init(protocolBinding: String, address: String, messageBinding: String, contentBindings: [String] = []) {
            self.protocolBinding = protocolBinding
            self.address = address
            self.messageBinding = messageBinding
            self.contentBindings = contentBindings
        }

        /// libtaxii equality (lists in any order).
        public static func == (lhs: Self, rhs: Self) -> Bool {
            lhs.protocolBinding == rhs.protocolBinding && lhs.address == rhs.address
                && lhs.messageBinding == rhs.messageBinding && sameElements(lhs.contentBindings, rhs.contentBindings)
        }

        static func parse(_ cursor: ElementCursor) throws(TAXIIError) -> DeliveryParameters {
            var cursor = cursor
            let result = DeliveryParameters(
                protocolBinding: try cursor.requiredToken("Protocol_Binding"), address: try cursor.requiredToken("Address"),
                messageBinding: try cursor.requiredToken("Message_Binding"), contentBindings: try cursor.tokens("Content_Binding")
            )
            try cursor.finish()
            return result
        }

        func write(to writer: inout XMLWriter) {
            writer.start("Push_Parameters", .v10)
            writer.text("Protocol_Binding", protocolBinding, .v10)
            writer.text("Address", address, .v10)
            writer.text("Message_Binding", messageBinding, .v10)
            for binding in contentBindings { writer.text("Content_Binding", binding, .v10) }
            writer.endElement()
        }

        var dictionary: TAXII.DictionaryValue {
            .dictionary([
                "inbox_protocol": .string(protocolBinding), "inbox_address": .string(address),
                "delivery_message_binding": .string(messageBinding), "content_bindings": contentBindings.dictionaryList,
            ])
        }

        init(dictionary reader: DictionaryReader) throws(TAXIIError) {
            self.init(
                protocolBinding: try reader.string("inbox_protocol"), address: try reader.string("inbox_address"),
                messageBinding: try reader.string("delivery_message_binding"), contentBindings: try reader.strings("content_bindings")
            )
        }

        /// libtaxii's layout; "Any Content" is printed when no binding is named
        /// (libtaxii 1.1.119 prints it in the opposite case, a slip).
        func text(prefix: String) -> String {
            var result = prefix + "=== Push Parameters ===\n"
            result += prefix + "  Inbox Protocol: \(protocolBinding)\n"
            result += prefix + "  Address: \(address)\n"
            result += prefix + "  Message Binding: \(messageBinding)\n"
            if contentBindings.isEmpty { result += prefix + "  Content Bindings: Any Content\n" }
            for binding in contentBindings { result += prefix + "  Content Binding: \(binding)\n" }
            return result
        }
    }

    /// A content block (`Content_Block`; libtaxii `ContentBlock`): the content
    /// binding as text, the content kept exactly as received (as in TAXII 1.1).
    public struct ContentBlock: Sendable, Equatable {
        /// What a content block carries: XML kept verbatim, or text.
        public typealias Content = TAXII11.ContentBlock.Content

        /// The content binding id (`Content_Binding`).
        public var contentBinding: String
        /// The content (`Content`).
        public var content: Content
        /// The block's position in the feed (`Timestamp_Label`).
        public var timestampLabel: TAXII.Timestamp?
        /// Filler hiding the content's true size (`Padding`).
        public var padding: String?
        /// A signature over the block (`ds:Signature`), kept as XML.
        public var signature: XMLElement?

        /// Creates a content block.
        public init(contentBinding: String, content: Content, timestampLabel: TAXII.Timestamp? = nil, padding: String? = nil, signature: XMLElement? = nil) {
            self.contentBinding = contentBinding
            self.content = content
            self.timestampLabel = timestampLabel
            self.padding = padding
            self.signature = signature
        }

        static func parse(_ cursor: ElementCursor) throws(TAXIIError) -> ContentBlock {
            var cursor = cursor
            let binding = try cursor.requiredToken("Content_Binding")
            let (contentElement, _) = try cursor.required("Content")
            let block = ContentBlock(
                contentBinding: binding, content: try Content.parse(contentElement, path: cursor.path + "/Content"),
                timestampLabel: try cursor.optionalTimestamp("Timestamp_Label"), padding: cursor.optionalText("Padding"),
                signature: cursor.signature()
            )
            try cursor.finish()
            return block
        }

        static func parseList(_ cursor: inout ElementCursor) throws(TAXIIError) -> [ContentBlock] {
            try cursor.readMany("Content_Block", parse)
        }

        func write(to writer: inout XMLWriter) {
            writer.start("Content_Block", .v10)
            writer.text("Content_Binding", contentBinding, .v10)
            content.write(to: &writer, version: .v10)
            writer.text("Timestamp_Label", timestampLabel?.lexicalForm, .v10)
            writer.text("Padding", padding, .v10)
            if let signature { writer.kept(signature) }
            writer.endElement()
        }

        var dictionary: TAXII.DictionaryValue {
            var result: [String: TAXII.DictionaryValue] = ["content_binding": .string(contentBinding)]
            content.addDictionary(to: &result)
            result.setIfPresent("timestamp_label", timestampLabel)
            result.setIfPresent("padding", padding)
            return .dictionary(result)
        }

        init(dictionary reader: DictionaryReader) throws(TAXIIError) {
            self.init(
                contentBinding: try reader.string("content_binding"), content: try Content(dictionary: reader),
                timestampLabel: try reader.optionalTimestamp("timestamp_label"), padding: try reader.optionalString("padding")
            )
        }

        func text(prefix: String) -> String {
            var result = prefix + "=== Content Block ===\n"
            result += prefix + "  Content Binding: \(contentBinding)\n"
            result += prefix + "  Content Length: \(content.pythonLength)\n"
            result += prefix + "  (Only content length is shown for brevity)\n"
            if let timestampLabel { result += prefix + "  Timestamp Label: \(timestampLabel.isoFormat)\n" }
            result += prefix + "  Padding: \(TextForm.python(padding))\n"
            return result
        }
    }
}

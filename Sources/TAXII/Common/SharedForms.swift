/// Dictionary and text forms of the records TAXII 1.0 and 1.1 share.
extension TAXII11.ServiceBindings {
    /// libtaxii's keys `<prefix>_protocol`, `<prefix>_address`,
    /// `<prefix>_message_bindings` (`poll`, `subscription`, `inbox`).
    func dictionary(prefix: String) -> [String: TAXII.DictionaryValue] {
        [
            prefix + "_protocol": .string(protocolBinding),
            prefix + "_address": .string(address),
            prefix + "_message_bindings": messageBindings.dictionaryList,
        ]
    }

    /// Reads the keys written by ``dictionary(prefix:)``.
    init(dictionary reader: DictionaryReader, prefix: String) throws(TAXIIError) {
        self.init(
            protocolBinding: try reader.string(prefix + "_protocol"),
            address: try reader.string(prefix + "_address"),
            messageBindings: try reader.strings(prefix + "_message_bindings")
        )
    }

    /// A titled text block: protocol, address, one line per message binding.
    func text(title: String, protocolLabel: String = "Protocol Binding", addressLabel: String = "Address", prefix: String) -> String {
        var result = prefix + "=== \(title) ===\n"
        result += prefix + "  \(protocolLabel): \(protocolBinding)\n"
        result += prefix + "  \(addressLabel): \(address)\n"
        for binding in messageBindings { result += prefix + "  Message Binding: \(binding)\n" }
        return result
    }
}

extension TAXII11.PushMethod {
    /// `{push_protocol, push_message_bindings}`.
    var dictionary: TAXII.DictionaryValue {
        .dictionary(["push_protocol": .string(protocolBinding), "push_message_bindings": messageBindings.dictionaryList])
    }

    init(dictionary reader: DictionaryReader) throws(TAXIIError) {
        self.init(protocolBinding: try reader.string("push_protocol"), messageBindings: try reader.strings("push_message_bindings"))
    }

    func text(prefix: String) -> String {
        var result = prefix + "=== Push Method ===\n" + prefix + "  Protocol Binding: \(protocolBinding)\n"
        for binding in messageBindings { result += prefix + "  Message Binding: \(binding)\n" }
        return result
    }

    static func parse(_ cursor: ElementCursor) throws(TAXIIError) -> TAXII11.PushMethod {
        var inner = cursor
        let protocolBinding = try inner.requiredToken("Protocol_Binding")
        let messageBindings = try inner.tokens("Message_Binding", minimum: 1)
        try inner.finish()
        return TAXII11.PushMethod(protocolBinding: protocolBinding, messageBindings: messageBindings)
    }

    func write(to writer: inout XMLWriter, version: TAXII.Version) {
        writer.start("Push_Method", version)
        writer.text("Protocol_Binding", protocolBinding, version)
        for binding in messageBindings { writer.text("Message_Binding", binding, version) }
        writer.endElement()
    }
}

extension TAXII11.ContentBlock.Content {
    /// Reads a `Content` element: its element children as exact XML, or its text.
    static func parse(_ element: XMLElement, path: String) throws(TAXIIError) -> Self {
        let elements = element.childElements
        guard !elements.isEmpty else { return .text(element.text) }
        var xml = ""
        for child in elements {
            do {
                xml += try TAXII11.ContentBlock.fragment(child)
            } catch {
                throw TAXIIError(.malformedXML, path: path, error.description, xmlError: error)
            }
        }
        return .xml(xml)
    }

    /// Writes a `Content` element.
    func write(to writer: inout XMLWriter, version: TAXII.Version) {
        writer.start("Content", version)
        switch self {
        case .xml(let xml): writer.rawXML(xml)
        case .text(let text): writer.text(text)
        }
        writer.endElement()
    }

    /// `content` and `content_is_xml`.
    func addDictionary(to dictionary: inout [String: TAXII.DictionaryValue]) {
        dictionary["content"] = .string(string)
        dictionary["content_is_xml"] = .bool(isXML)
    }

    /// Reads `content` and `content_is_xml` (XML content must be one well-formed element, checked).
    init(dictionary reader: DictionaryReader) throws(TAXIIError) {
        let text = try reader.string("content")
        guard try reader.optionalBool("content_is_xml") ?? false else {
            self = .text(text)
            return
        }
        do {
            _ = try XMLElement.parseFragment(text)
        } catch {
            throw TAXIIError(.malformedXML, path: reader.keyPath("content"), error.description, xmlError: error)
        }
        self = .xml(text)
    }

    /// Python's `len(content)`: bytes for XML (libtaxii holds serialized XML as bytes), characters for text.
    var pythonLength: Int {
        switch self {
        case .xml(let xml): xml.utf8.count
        case .text(let text): text.unicodeScalars.count
        }
    }
}

import BastionXML

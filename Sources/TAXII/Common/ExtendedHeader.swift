import BastionXML

extension TAXII {
    /// An extended header (`Extended_Headers/Extended_Header`, both versions):
    /// a third-party header named by a URI, with text or XML as its value.
    public struct ExtendedHeader: Sendable, Equatable {
        /// The value of an extended header.
        public enum Value: Sendable, Equatable {
            /// Text content.
            case text(String)
            /// An XML element.
            case xml(XMLElement)

            /// The value as a string: the text, or the element's XML with the
            /// namespace declarations it uses (libtaxii's dictionary value).
            public var string: String {
                switch self {
                case .text(let text): text
                case .xml(let element): (try? TAXII11.ContentBlock.fragment(element)) ?? element.description
                }
            }
        }

        /// The header name (`name` attribute, a URI).
        public var name: String
        /// The value.
        public var value: Value

        /// Creates a header.
        public init(name: String, value: Value) {
            self.name = name
            self.value = value
        }

        /// Creates a header with a text value.
        public init(name: String, text: String) {
            self.init(name: name, value: .text(text))
        }

        static func parseList(_ cursor: inout ElementCursor) throws(TAXIIError) -> [ExtendedHeader] {
            guard let (element, path) = cursor.optional("Extended_Headers") else { return [] }
            var inner = cursor.child(element, path: path)
            var headers: [ExtendedHeader] = []
            for (header, headerPath) in try inner.many("Extended_Header", minimum: 1) {
                let name = try inner.child(header, path: headerPath).requiredAttribute("name")
                if let child = header.firstChildElement {
                    headers.append(ExtendedHeader(name: name, value: .xml(child)))
                } else {
                    headers.append(ExtendedHeader(name: name, value: .text(header.text)))
                }
            }
            try inner.finish()
            return headers
        }

        static func write(_ headers: [ExtendedHeader], version: TAXII.Version, to writer: inout XMLWriter) {
            guard !headers.isEmpty else { return }
            writer.start("Extended_Headers", version)
            for header in headers {
                writer.start("Extended_Header", version)
                writer.attribute("name", header.name)
                switch header.value {
                case .text(let text): writer.text(text)
                case .xml(let element): writer.kept(element)
                }
                writer.endElement()
            }
            writer.endElement()
        }

        /// libtaxii's `extended_headers`: name → value as a string (XML values as their XML).
        static func dictionary(_ headers: [ExtendedHeader]) -> TAXII.DictionaryValue {
            var result: [String: TAXII.DictionaryValue] = [:]
            for header in headers { result[header.name] = .string(header.value.string) }
            return .dictionary(result)
        }

        /// Reads `extended_headers` (a value that parses as one XML element becomes XML, as in libtaxii).
        static func parseDictionary(_ reader: DictionaryReader) throws(TAXIIError) -> [ExtendedHeader] {
            guard let value = reader.value("extended_headers") else { return [] }
            let headers = try DictionaryReader(value, path: reader.keyPath("extended_headers"))
            var result: [ExtendedHeader] = []
            for name in headers.members.keys.sorted() {
                let text = try headers.string(name)
                if text.hasPrefix("<"), let element = try? XMLElement.parseFragment(text) {
                    result.append(ExtendedHeader(name: name, value: .xml(element)))
                } else {
                    result.append(ExtendedHeader(name: name, value: .text(text)))
                }
            }
            return result
        }
    }
}

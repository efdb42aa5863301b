extension TAXII.DefaultQuery {
    /// Where a Default Query component is, for error paths: an element path
    /// in the XML form (`Criteria/Criterion[1]/Test@relationship`) or a key
    /// path in the dictionary form (`criteria.criterion[0].test.relationship`).
    struct ComponentPath: Sendable {
        /// The component's own path.
        let base: String
        /// Whether this is a dictionary key path.
        let isDictionary: Bool

        static func xml(_ base: String) -> Self { Self(base: base, isDictionary: false) }
        static func dictionary(_ base: String) -> Self { Self(base: base, isDictionary: true) }

        /// An attribute (XML) or key (dictionary) of the component.
        func attribute(_ xmlName: String, key: String? = nil) -> String {
            isDictionary ? join(key ?? xmlName) : base + "@" + xmlName
        }

        /// A child element (XML) or key (dictionary).
        func child(_ xmlName: String, key: String) -> String {
            isDictionary ? join(key) : base + "/" + xmlName
        }

        /// The `index`th (from 0) of a repeated child element or list item.
        func item(_ xmlName: String, key: String, index: Int) -> String {
            isDictionary ? join(key) + "[\(index)]" : base + "/\(xmlName)[\(index + 1)]"
        }

        /// A test parameter.
        func parameter(_ name: String) -> String {
            isDictionary ? join("parameters") + "." + name : base + "/Parameter[name=\(name)]"
        }

        /// The kind of error for something required that is missing.
        var missingKind: TAXIIError.Kind { isDictionary ? .missingKey : .missingElement }

        private func join(_ key: String) -> String { base.isEmpty ? key : base + "." + key }
    }
}

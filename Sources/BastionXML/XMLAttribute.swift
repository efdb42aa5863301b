/// An attribute of an ``XMLElement``: a (possibly namespaced) name and a value.
///
/// Namespace declarations (`xmlns`, `xmlns:p`) are not attributes in this
/// model: they are ``XMLElement/namespaceDeclarations``.
public struct XMLAttribute: Sendable, Hashable {
    /// The local part of the name (`type` in `xsi:type`).
    public var localName: String
    /// The namespace URI, or `nil` for an unqualified attribute (no prefix).
    public var namespaceURI: String?
    /// The prefix the attribute was (or is to be) written with, or `nil`.
    ///
    /// An attribute with a ``namespaceURI`` but no prefix gets one when written
    /// (an existing binding for that URI, or a generated `ns1`, `ns2`, …).
    public var prefix: String?
    /// The attribute value, with character and entity references resolved.
    public var value: String

    /// Creates an attribute.
    public init(_ localName: String, value: String, namespaceURI: String? = nil, prefix: String? = nil) {
        self.localName = localName
        self.value = value
        self.namespaceURI = namespaceURI
        self.prefix = prefix
    }

    /// The name as written: `prefix:localName`, or `localName` without a prefix.
    public var qualifiedName: String {
        if let prefix { return prefix + ":" + localName }
        return localName
    }
}

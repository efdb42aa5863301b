/// A namespace binding: a prefix (or the default namespace) and the URI it stands for.
///
/// Used for the `xmlns` / `xmlns:p` declarations an element carries and for
/// the bindings an element inherited from its ancestors.
public struct XMLNamespace: Sendable, Hashable {
    /// The prefix, or `nil` for the default namespace (`xmlns="…"`).
    public var prefix: String?
    /// The namespace URI. An empty URI with a `nil` prefix is `xmlns=""`,
    /// which undeclares the default namespace.
    public var uri: String

    /// Creates a binding of `prefix` (nil: the default namespace) to `uri`.
    public init(prefix: String?, uri: String) {
        self.prefix = prefix
        self.uri = uri
    }

    /// The namespace of the `xml:` prefix, bound implicitly in every document.
    public static let xmlNamespaceURI = "http://www.w3.org/XML/1998/namespace"
    /// The namespace of the `xmlns` attributes themselves; never declared.
    public static let xmlnsNamespaceURI = "http://www.w3.org/2000/xmlns/"
    /// The XML Schema instance namespace (`xsi:type`, `xsi:schemaLocation`).
    public static let xsiNamespaceURI = "http://www.w3.org/2001/XMLSchema-instance"
}

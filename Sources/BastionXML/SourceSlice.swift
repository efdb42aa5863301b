/// The bytes of a parsed document, shared by all the elements parsed from it.
final class SourceText: Sendable {
    /// The document as UTF-8.
    let bytes: [UInt8]

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }
}

/// Where an element's text is in its document: from its `<` to the end of
/// its end tag (or of its empty-element tag).
struct SourceSlice: Sendable {
    /// The document.
    let text: SourceText
    /// Offset of the start tag's `<`.
    let start: UInt32
    /// Offset just past the element's last `>`.
    let end: UInt32
}

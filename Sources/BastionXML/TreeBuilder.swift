internal import CLibXML2

/// Builds an ``XMLElement`` tree straight from libxml2's SAX2 events, in one
/// pass and without a libxml2 DOM in between.
///
/// Kept lean on purpose, as it runs for every node:
/// - names and namespace URIs arrive as pointers into the parser's
///   dictionary, where each distinct string has one address; a small
///   direct-mapped cache turns each into a Swift `String` once per parse;
/// - the children of all open elements share one stack, and each element's
///   children array is made once, at its end tag, at its final size;
/// - the mutable state lives behind a pointer owned by the builder, so the
///   callbacks do not pay for dynamic exclusivity checks on class properties.
final class TreeBuilder: ParseSession {
    /// The root element, once the parse succeeded.
    var root: XMLElement? { state.pointee.root }

    /// Whether a hollow element's text could not be recorded (the document must be read fully built).
    var lostHollowText: Bool { state.pointee.lostHollowText }

    private let state: UnsafeMutablePointer<State>

    /// A builder for a parse of `source` (copied when the elements are to keep their text).
    init(options: XMLReader.Options, source: UnsafeRawBufferPointer) {
        state = .allocate(capacity: 1)
        state.initialize(to: State(
            options: options,
            sourceText: options.keepsSourceText ? SourceText(Array(source)) : nil
        ))
        super.init(options: options)
    }

    deinit {
        state.deinitialize(count: 1)
        state.deallocate()
    }

    @inline(__always)
    private static func state(_ ctx: UnsafeMutableRawPointer?) -> UnsafeMutablePointer<State> {
        Unmanaged<TreeBuilder>.fromOpaque(bastion_ctxt_private(ctx)!).takeUnretainedValue().state
    }

    /// The SAX2 handler that drives a `TreeBuilder`.
    static func handler() -> xmlSAXHandler {
        var handler = xmlSAXHandler()
        ParseSession.installGuards(in: &handler)
        handler.startElementNs = { ctx, localname, prefix, uri, nbNamespaces, namespaces, nbAttributes, nbDefaulted, attributes in
            let state = TreeBuilder.state(ctx)
            if state.pointee.depth >= state.pointee.options.maxDepth {
                ParseSession.of(ctx).refuse(.tooDeep, "elements are nested deeper than the limit of \(state.pointee.options.maxDepth)")
                return
            }
            state.pointee.startElement(
                context: ctx,
                localname: localname, prefix: prefix, uri: uri,
                namespaceCount: Int(nbNamespaces), namespaces: namespaces,
                // Attributes defaulted from a DTD come last; like XML_PARSE_DTDATTR off, they are left out.
                attributeCount: Int(nbAttributes - nbDefaulted), attributes: attributes
            )
        }
        handler.endElementNs = { ctx, _, _, _ in
            TreeBuilder.state(ctx).pointee.endElement(context: ctx)
        }
        let characters: charactersSAXFunc = { ctx, bytes, length in
            guard let bytes else { return }
            TreeBuilder.state(ctx).pointee.characters(UnsafeBufferPointer(start: bytes, count: Int(length)))
        }
        handler.characters = characters
        handler.ignorableWhitespace = characters
        handler.cdataBlock = { ctx, bytes, length in
            guard let bytes else { return }
            TreeBuilder.state(ctx).pointee.cdata(UnsafeBufferPointer(start: bytes, count: Int(length)))
        }
        handler.comment = { ctx, value in
            TreeBuilder.state(ctx).pointee.comment(value)
        }
        handler.processingInstruction = { ctx, target, data in
            TreeBuilder.state(ctx).pointee.processingInstruction(target: target, data: data)
        }
        return handler
    }
}

extension TreeBuilder {
    /// An element between its start and end tags.
    private struct Frame {
        /// The element, without its children until its end tag.
        var element: XMLElement
        /// The scope its children inherit.
        var childScope: [XMLNamespace]
        /// Where its children start on the shared child stack.
        var childStart: Int
        /// Offset of its `<` in the source text, or -1.
        var sourceStart: Int
        /// Whether its child elements are read hollow (``XMLReader/Options/shallowElements``).
        var isShallow: Bool
    }

    /// The builder's mutable state.
    fileprivate struct State: ~Copyable {
        let options: XMLReader.Options
        var depth = 0
        var root: XMLElement?
        private var frames: [Frame] = []
        private var children = ChildStack()
        private var pendingText: String?
        private var pendingIsWhitespace = true
        private var names = NameCache()
        /// ``XMLReader/Options/shallowElements`` as a list: they are few, and comparing names
        /// costs less than hashing them for every element.
        private let shallowElements: [XMLReader.ExpandedName]
        /// The document's bytes, while element texts are being recorded.
        private var sourceText: SourceText?
        /// Inside a hollow element: its subtree is only counted, not built.
        private var skipping = false
        /// Elements open below the hollow element being skipped.
        private var skipDepth = 0
        /// A hollow element ended without its text recorded.
        private(set) var lostHollowText = false

        init(options: XMLReader.Options, sourceText: SourceText?) {
            self.options = options
            self.sourceText = sourceText
            self.shallowElements = Array(options.shallowElements)
            frames.reserveCapacity(32)
        }

        /// The offset in the source of the parser's position; stops recording
        /// element texts when it does not map to the source.
        private mutating func sourceOffset(_ context: UnsafeMutableRawPointer?) -> Int? {
            guard let text = sourceText, let context else { return nil }
            let offset = bastion_ctxt_input_offset(context.assumingMemoryBound(to: xmlParserCtxt.self))
            guard offset > 0, offset <= text.bytes.count else {
                sourceText = nil
                return nil
            }
            return offset
        }

        /// The offset of the `<` of the start tag just read (the parser stands
        /// on its closing `>` or `/>`), checked to be followed by the name.
        private mutating func startTagOffset(
            _ context: UnsafeMutableRawPointer?,
            prefix: UnsafePointer<xmlChar>?,
            localname: UnsafePointer<xmlChar>
        ) -> Int {
            guard let offset = sourceOffset(context), let text = sourceText else { return -1 }
            return text.bytes.withUnsafeBufferPointer { bytes in
                // A start tag holds no "<" but its first character (not even in attribute values).
                guard let start = State.lastIndex(of: 0x3C, in: bytes, before: offset) else { return -1 }
                var position = start + 1
                func matches(_ name: UnsafePointer<xmlChar>) -> Bool {
                    var index = 0
                    while name[index] != 0 {
                        guard position < offset, bytes[position] == name[index] else { return false }
                        position += 1
                        index += 1
                    }
                    return true
                }
                if let prefix {
                    guard matches(prefix), position < offset, bytes[position] == 0x3A else { return -1 }
                    position += 1
                }
                return matches(localname) ? start : -1
            }
        }

        @inline(__always)
        private mutating func optionalName(_ pointer: UnsafePointer<xmlChar>?) -> String? {
            guard let pointer else { return nil }
            return names.string(for: pointer)
        }

        mutating func startElement(
            context: UnsafeMutableRawPointer?,
            localname: UnsafePointer<xmlChar>?,
            prefix: UnsafePointer<xmlChar>?,
            uri: UnsafePointer<xmlChar>?,
            namespaceCount: Int,
            namespaces: UnsafeMutablePointer<UnsafePointer<xmlChar>?>?,
            attributeCount: Int,
            attributes: UnsafeMutablePointer<UnsafePointer<xmlChar>?>?
        ) {
            guard let localname else { return }
            depth += 1
            if skipping {
                skipDepth += 1
                return
            }
            flushText()

            var declarations: [XMLNamespace] = []
            if namespaceCount > 0, let namespaces {
                declarations.reserveCapacity(namespaceCount)
                for index in 0..<namespaceCount {
                    declarations.append(XMLNamespace(
                        prefix: optionalName(namespaces[2 * index]),
                        uri: optionalName(namespaces[2 * index + 1]) ?? ""
                    ))
                }
            }

            var attributeList: [XMLAttribute] = []
            if attributeCount > 0, let attributes {
                attributeList.reserveCapacity(attributeCount)
                for index in 0..<attributeCount {
                    let base = 5 * index
                    guard let attributeName = attributes[base],
                          let valueStart = attributes[base + 3],
                          let valueEnd = attributes[base + 4] else { continue }
                    attributeList.append(XMLAttribute(
                        names.string(for: attributeName),
                        value: State.attributeValue(UnsafeBufferPointer(start: valueStart, count: valueEnd - valueStart)),
                        namespaceURI: optionalName(attributes[base + 2]),
                        prefix: optionalName(attributes[base + 1])
                    ))
                }
            }

            let inherited = frames.last?.childScope ?? []
            let childScope = declarations.isEmpty ? inherited : XMLElement.merge(inherited, declarations)
            var element = XMLElement(
                names.string(for: localname),
                namespaceURI: optionalName(uri),
                prefix: optionalName(prefix),
                attributes: attributeList,
                namespaceDeclarations: declarations
            )
            element.inheritedNamespaces = inherited
            let sourceStart = sourceText == nil ? -1 : startTagOffset(context, prefix: prefix, localname: localname)
            if sourceStart >= 0, frames.last?.isShallow == true {
                element.isHollow = true
                skipping = true
                skipDepth = 0
            }
            let isShallow = shallowElements.contains { $0.localName == element.localName && $0.namespaceURI == element.namespaceURI }
            frames.append(Frame(element: element, childScope: childScope, childStart: children.count, sourceStart: sourceStart, isShallow: isShallow))
        }

        mutating func endElement(context: UnsafeMutableRawPointer?) {
            if skipping {
                if skipDepth > 0 {
                    skipDepth -= 1
                    depth -= 1
                    return
                }
                skipping = false
            }
            flushText()
            guard !frames.isEmpty else { return }
            depth -= 1
            var frame = frames.removeLast()
            if !frame.element.isHollow {  // (a hollow element has none on the stack)
                frame.element.children = children.popAll(from: frame.childStart)
            }
            if frame.sourceStart >= 0, let end = sourceOffset(context), let text = sourceText,
               end > frame.sourceStart, text.bytes[end - 1] == 0x3E {
                frame.element.source = SourceSlice(text: text, start: UInt32(frame.sourceStart), end: UInt32(end))
            }
            if frame.element.isHollow && frame.element.source == nil { lostHollowText = true }
            if frames.isEmpty {
                root = frame.element
            } else {
                children.append(.element(frame.element))
            }
        }

        mutating func characters(_ bytes: UnsafeBufferPointer<xmlChar>) {
            guard !frames.isEmpty, !skipping else { return }
            if !options.keepWhitespaceOnlyText, pendingIsWhitespace {
                pendingIsWhitespace = State.isWhitespace(bytes)
            }
            if pendingText == nil {
                pendingText = String(decoding: bytes, as: UTF8.self)
            } else {
                pendingText!.append(String(decoding: bytes, as: UTF8.self))
            }
        }

        mutating func cdata(_ bytes: UnsafeBufferPointer<xmlChar>) {
            guard let frame = frames.last, !skipping else { return }
            flushText()
            let content = String(decoding: bytes, as: UTF8.self)
            if children.count > frame.childStart, case .cdata(let previous) = children.last {
                children.replaceLast(with: .cdata(previous + content))
            } else {
                children.append(.cdata(content))
            }
        }

        mutating func comment(_ value: UnsafePointer<xmlChar>?) {
            // Outside the root element, or not kept: dropped without splitting the text around it.
            guard options.keepComments, !frames.isEmpty, !skipping else { return }
            flushText()
            children.append(.comment(value.map { String(cString: $0) } ?? ""))
        }

        mutating func processingInstruction(target: UnsafePointer<xmlChar>?, data: UnsafePointer<xmlChar>?) {
            guard options.keepProcessingInstructions, !frames.isEmpty, !skipping, let target else { return }
            flushText()
            children.append(.processingInstruction(
                target: String(cString: target),
                data: data.map { String(cString: $0) } ?? ""
            ))
        }

        /// Appends the pending character data as one text child (or drops it
        /// when it is whitespace only and such text is not kept).
        @inline(__always)
        private mutating func flushText() {
            guard let text = pendingText else { return }
            pendingText = nil
            let isWhitespace = pendingIsWhitespace
            pendingIsWhitespace = true
            if !options.keepWhitespaceOnlyText, isWhitespace { return }
            children.append(.text(text))
        }

        /// An attribute value from SAX2. Without entity substitution libxml2
        /// hands over a literal `&` (from `&amp;`, `&#38;` or `&#x26;`) as the
        /// five characters `&#38;`, leaving the decoding to its DOM builder;
        /// since entity declarations are refused, that is the only reference left.
        static func attributeValue(_ bytes: UnsafeBufferPointer<xmlChar>) -> String {
            guard bytes.contains(0x26) else { return String(decoding: bytes, as: UTF8.self) }
            var decoded: [UInt8] = []
            decoded.reserveCapacity(bytes.count)
            var index = 0
            while index < bytes.count {
                if bytes[index] == 0x26, index + 4 < bytes.count,
                   bytes[index + 1] == 0x23, bytes[index + 2] == 0x33, bytes[index + 3] == 0x38, bytes[index + 4] == 0x3B {
                    decoded.append(0x26)
                    index += 5
                } else {
                    decoded.append(bytes[index])
                    index += 1
                }
            }
            return String(decoding: decoded, as: UTF8.self)
        }

        /// The index of the last `byte` in `bytes[..<end]`.
        @inline(__always)
        private static func lastIndex(of byte: UInt8, in bytes: UnsafeBufferPointer<UInt8>, before end: Int) -> Int? {
            guard let base = bytes.baseAddress, end > 0,
                  let found = bastion_last_byte(base, byte, end) else { return nil }
            return found - base
        }

        private static func isWhitespace(_ bytes: UnsafeBufferPointer<xmlChar>) -> Bool {
            for byte in bytes where byte != 0x20 && byte != 0x0A && byte != 0x09 && byte != 0x0D {
                return false
            }
            return true
        }
    }

    /// The children of all open elements, innermost last. Each element's
    /// children are moved out at its end tag into an array of their final
    /// size, without copying (and so without retaining and releasing) them.
    private struct ChildStack: ~Copyable {
        private var base: UnsafeMutablePointer<XMLElement.Child>
        private var capacity = 64
        private(set) var count = 0

        init() {
            base = .allocate(capacity: capacity)
        }

        deinit {
            base.deinitialize(count: count)
            base.deallocate()
        }

        var last: XMLElement.Child? {
            count > 0 ? base[count - 1] : nil
        }

        mutating func append(_ child: consuming XMLElement.Child) {
            if count == capacity {
                let larger = UnsafeMutablePointer<XMLElement.Child>.allocate(capacity: capacity * 2)
                larger.moveInitialize(from: base, count: count)
                base.deallocate()
                base = larger
                capacity *= 2
            }
            (base + count).initialize(to: child)
            count += 1
        }

        mutating func replaceLast(with child: consuming XMLElement.Child) {
            base[count - 1] = child
        }

        /// Moves the children from `start` on into a new array.
        mutating func popAll(from start: Int) -> [XMLElement.Child] {
            let moving = count - start
            guard moving > 0 else { return [] }
            let source = base + start
            count = start
            return Array(unsafeUninitializedCapacity: moving) { buffer, initialized in
                buffer.baseAddress!.moveInitialize(from: source, count: moving)
                initialized = moving
            }
        }
    }

    /// Swift strings for dictionary-owned C strings, by address: a
    /// direct-mapped cache (a collision just replaces the entry).
    private struct NameCache {
        private static let size = 256
        private var keys = [UnsafePointer<xmlChar>?](repeating: nil, count: NameCache.size)
        private var values = [String](repeating: "", count: NameCache.size)

        @inline(__always)
        mutating func string(for pointer: UnsafePointer<xmlChar>) -> String {
            let slot = Int(truncatingIfNeeded: UInt(bitPattern: pointer) >> 3) & (NameCache.size - 1)
            if keys[slot] == pointer { return values[slot] }
            // Names cannot hold "&"; namespace URIs come from attribute values
            // and hold a literal "&" as "&#38;" (see `attributeValue`).
            let length = Int(xmlStrlen(pointer))
            let string = State.attributeValue(UnsafeBufferPointer(start: pointer, count: length))
            keys[slot] = pointer
            values[slot] = string
            return string
        }
    }
}

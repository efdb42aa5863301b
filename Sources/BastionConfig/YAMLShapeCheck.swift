import CYaml

/// A pass over a YAML text's parse events, before it is composed into a tree, that refuses what
/// a settings file never needs and what would make composing or decoding it unsafe:
/// - nesting deeper than ``maximumDepth`` (the tree is built by recursion, so a deep enough
///   document would overflow the stack);
/// - anchors and aliases (`&a`, `*a`): a few lines of aliases can stand for billions of nodes;
/// - integers written in base 60 (`1:30:00`, which YAML 1.1 reads as 5400) too large for a
///   64-bit integer: the decoder would trap computing them.
///
/// Events are read one at a time, so the pass itself uses constant stack.
enum YAMLShapeCheck {
    /// The deepest nesting of mappings and sequences accepted.
    static let maximumDepth = 32

    /// Throws the first problem found, with `file` and the line it is on.
    static func check(_ text: String, file: String) throws(SettingsError) {
        var parser = yaml_parser_t()
        guard yaml_parser_initialize(&parser) == 1 else { throw SettingsError(file: file, "cannot start the YAML parser") }
        defer { yaml_parser_delete(&parser) }
        var bytes = Array(text.utf8)
        if bytes.isEmpty { bytes = [0x0A] }
        try bytes.withUnsafeBufferPointer { (buffer) throws(SettingsError) in
            yaml_parser_set_input_string(&parser, buffer.baseAddress, buffer.count)
            var depth = 0
            while true {
                var event = yaml_event_t()
                guard yaml_parser_parse(&parser, &event) == 1 else {
                    // Composing reports the syntax error with its own message.
                    return
                }
                defer { yaml_event_delete(&event) }
                let line = event.start_mark.line + 1
                func refuse(_ problem: String) -> SettingsError { SettingsError(file: file, "line \(line): \(problem)") }
                switch event.type {
                case YAML_STREAM_END_EVENT:
                    return
                case YAML_SEQUENCE_START_EVENT, YAML_MAPPING_START_EVENT:
                    let anchor = event.type == YAML_SEQUENCE_START_EVENT ? event.data.sequence_start.anchor : event.data.mapping_start.anchor
                    if anchor != nil { throw refuse("anchors and aliases (&name, *name) are not accepted in settings") }
                    depth += 1
                    if depth > maximumDepth { throw refuse("nested deeper than \(maximumDepth) levels") }
                case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
                    depth -= 1
                case YAML_ALIAS_EVENT:
                    throw refuse("anchors and aliases (&name, *name) are not accepted in settings")
                case YAML_SCALAR_EVENT:
                    let scalar = event.data.scalar
                    if scalar.anchor != nil { throw refuse("anchors and aliases (&name, *name) are not accepted in settings") }
                    guard scalar.style == YAML_PLAIN_SCALAR_STYLE, let value = scalar.value else { break }
                    let text = String(decoding: UnsafeBufferPointer(start: value, count: scalar.length), as: UTF8.self)
                    if !base60FitsAnInteger(text) {
                        throw refuse("'\(text.prefix(40))' reads as a base-60 number too large for an integer; quote it if it is text")
                    }
                default:
                    break
                }
            }
        }
    }

    /// Whether a plain scalar that YAML 1.1 may read as a base-60 integer (`[-+]d:d…`, `_`
    /// ignored, parts that are not decimal numbers skipped as the decoder skips them) has a
    /// value, every intermediate power of 60 and the signed result within `Int`.
    static func base60FitsAnInteger(_ text: String) -> Bool {
        guard text.contains(":") else { return true }
        var digits = Substring(text.replacingOccurrences(of: "_", with: ""))
        let negative = digits.first == "-"
        if negative || digits.first == "+" { digits = digits.dropFirst() }
        var base = 1
        var value = 0
        for part in digits.split(separator: ":", omittingEmptySubsequences: false).compactMap({ Int($0, radix: 10) }).reversed() {
            let (term, termOverflow) = part.multipliedReportingOverflow(by: base)
            let (sum, sumOverflow) = value.addingReportingOverflow(term)
            let (nextBase, baseOverflow) = base.multipliedReportingOverflow(by: 60)
            guard !termOverflow, !sumOverflow, !baseOverflow else { return false }
            (value, base) = (sum, nextBase)
        }
        // The sign is applied last, by multiplication: -1 × Int.min overflows too.
        return !value.multipliedReportingOverflow(by: negative ? -1 : 1).overflow
    }
}

extension TAXII.DefaultQuery {
    /// A targeting expression for an XML vocabulary such as STIX: `/`-separated
    /// steps naming elements by local name, `*` (exactly one level, any name),
    /// `**` (any number of levels) and, as the last step only, `@name` (an
    /// attribute).
    ///
    /// Examples: `STIX_Package/Indicators/Indicator/Title`,
    /// `STIX_Package/Indicators/Indicator/Observable/**/Address_Value`,
    /// `**/@id`, `STIX_Package/*/Indicator/@timestamp`.
    ///
    /// The syntax is libtaxii's (`^(@?\w+|\*{1,2})(/(@?\w+|\*{1,2}))*$`, where a
    /// word character is a letter, a digit or `_`), with `@` allowed in the
    /// last step only, as the Default Query specification requires.
    ///
    /// ## What a target selects
    /// The first step applies to the content's root element (`STIX_Package`).
    /// `**` followed by a step means "that step at any depth below"
    /// (`STIX_Package/**/Address_Value` finds `Address_Value` however deep);
    /// `**` followed by `@name` includes the attribute of the element before
    /// the `**` (`**/@id` is every `id` attribute in the document); a trailing
    /// `**` selects every descendant element. Element and attribute names are
    /// compared by local name, whatever their namespace.
    public struct TargetingExpression: Sendable, Hashable, CustomStringConvertible {
        /// One step of a targeting expression.
        public enum Step: Sendable, Hashable {
            /// An element with this local name (one level down).
            case element(String)
            /// `*`: any element, one level down.
            case anyElement
            /// `**`: any number of levels.
            case anyDepth
            /// `@name`: an attribute of the element selected so far (last step only).
            case attribute(String)
        }

        /// The longest targeting expression accepted, in characters.
        public static let maximumLength = 4096

        /// The steps, in order. Consecutive `**` steps are kept as written.
        public let steps: [Step]
        /// The expression as written.
        public let description: String

        /// Parses a targeting expression.
        ///
        /// - Throws: ``TAXIIError`` `.invalidValue` (at `path`) naming the
        ///   offending step, for an empty or over-long expression, an empty
        ///   step, a character other than a letter, digit or `_` in a name,
        ///   or `@` anywhere but the start of the last step.
        public init(_ text: String, path: String = "Target") throws(TAXIIError) {
            func fail(_ why: String) -> TAXIIError {
                TAXIIError(.invalidValue, path: path, "\"\(text.prefix(200))\" is not a targeting expression: \(why)")
            }
            if text.isEmpty { throw fail("it is empty") }
            if text.count > Self.maximumLength { throw fail("longer than \(Self.maximumLength) characters") }
            let parts = text.split(separator: "/", omittingEmptySubsequences: false)
            var steps: [Step] = []
            steps.reserveCapacity(parts.count)
            for (index, part) in parts.enumerated() {
                let isLast = index == parts.count - 1
                switch part {
                case "": throw fail("step \(index + 1) is empty")
                case "*": steps.append(.anyElement)
                case "**": steps.append(.anyDepth)
                default:
                    var name = part
                    let isAttribute = name.first == "@"
                    if isAttribute {
                        guard isLast else { throw fail("an attribute step (\(part)) must be the last step") }
                        name = name.dropFirst()
                    }
                    guard !name.isEmpty, name.allSatisfy(Self.isWordCharacter) else {
                        throw fail("step \(index + 1) (\(part.prefix(100))) is not a name, @name, * or **")
                    }
                    steps.append(isAttribute ? .attribute(String(name)) : .element(String(name)))
                }
            }
            self.steps = steps
            self.description = text
        }

        /// Whether every node this expression can select is one that
        /// `scope` can select too (the expression is equal to or narrower
        /// than the scope), judged on the steps: a scope `**` covers any run
        /// of steps, `*` covers one element step, a name covers itself,
        /// `@name` covers itself. A scope of `**` alone covers everything.
        public func isCovered(by scope: TargetingExpression) -> Bool {
            let target = steps, pattern = scope.steps
            // covered[i][j]: target[i...] is covered by pattern[j...].
            var covered = Array(repeating: Array(repeating: false, count: pattern.count + 1), count: target.count + 1)
            covered[target.count][pattern.count] = true
            for j in stride(from: pattern.count - 1, through: 0, by: -1) {
                for i in stride(from: target.count, through: 0, by: -1) {
                    switch pattern[j] {
                    case .anyDepth:
                        // Covers zero steps, or one more step of any kind.
                        covered[i][j] = covered[i][j + 1] || (i < target.count && covered[i + 1][j])
                    case .anyElement:
                        guard i < target.count else { continue }
                        switch target[i] {
                        case .element, .anyElement: covered[i][j] = covered[i + 1][j + 1]
                        case .anyDepth, .attribute: break
                        }
                    case .element, .attribute:
                        guard i < target.count else { continue }
                        covered[i][j] = target[i] == pattern[j] && covered[i + 1][j + 1]
                    }
                }
            }
            return covered[0][0]
        }

        static func isWordCharacter(_ character: Character) -> Bool {
            character == "_" || character.isLetter || character.isNumber
        }

        /// Equal when written alike.
        public static func == (lhs: Self, rhs: Self) -> Bool { lhs.description == rhs.description }

        /// Hashes the text.
        public func hash(into hasher: inout Hasher) { hasher.combine(description) }
    }
}

import BastionRegex
import BastionXML

extension TAXII.DefaultQuery {
    /// Compiles the query into a ``Matcher`` (see there).
    ///
    /// - Throws: ``TAXIIError`` `.unsupportedTargetingExpressionID` when the
    ///   query is not written in a STIX XML vocabulary.
    public func matcher() throws(TAXIIError) -> Matcher {
        try Matcher(self)
    }

    /// Whether a STIX XML document (its root element) matches the query.
    /// To evaluate many documents, make a ``matcher()`` once instead.
    public func matches(_ root: XMLElement) throws(TAXIIError) -> Bool {
        try Matcher(self).matches(root)
    }

    /// A compiled Default Query: answers whether STIX 1.x XML content matches.
    ///
    /// Make one per query and reuse it for every content block: targets are
    /// parsed, parameters converted (numbers, timestamps, lower-cased strings)
    /// and regular expressions compiled once. A matcher is immutable and
    /// `Sendable`, so one may serve concurrent requests.
    ///
    /// ## Semantics
    /// - A target selects nodes of the content (see ``TargetingExpression``);
    ///   an element's value is its own text (not its descendants'), an
    ///   attribute's its value, both without surrounding XML whitespace.
    /// - A criterion holds when its test holds for at least one selected node
    ///   (`exists`: some node is selected; `does_not_exist`: none is), then
    ///   is inverted if negated. Criteria combine with AND / OR (evaluated
    ///   with short-circuit, cheaper children first), then are inverted if negated.
    /// - `equals` / `not_equals` compare as `match_type` says:
    ///   `case_sensitive_string`, `case_insensitive_string` or `number`; the
    ///   core `greater_than` … `less_than_or_equal` compare numbers. A node
    ///   whose text is not a number fails a numeric test (also `not_equals`).
    /// - `begins_with`, `ends_with`, `contains` honour `case_sensitive`.
    /// - regex `matches` succeeds when the expression matches somewhere in
    ///   the value (search, not whole-value match); `case_sensitive: false`
    ///   ignores case. The syntax is the common core of PCRE, Python `re` and
    ///   XML Schema (see `LinearRegex`); back-references and look-around are
    ///   refused.
    /// - The timestamp module compares instants; a node that is not an
    ///   `xs:dateTime` fails (one without timezone is read as UTC).
    ///
    /// Regular expressions come from the requester, so they are matched
    /// without backtracking, in time linear in the value whatever the pattern
    /// (`(a+)+$` included); patterns are limited to
    /// ``Test/maximumPatternLength`` characters and 2,000 compiled steps.
    public struct Matcher: Sendable {
        /// The targeting expression ids a matcher evaluates: the STIX XML
        /// vocabularies 1.0 to 1.2.
        public static let supportedTargetingExpressionIDs: [String] = [
            TargetingExpressionID.stixXML10, TargetingExpressionID.stixXML101, TargetingExpressionID.stixXML11,
            TargetingExpressionID.stixXML111, TargetingExpressionID.stixXML12,
        ]

        /// The query this matcher evaluates.
        public let query: TAXII.DefaultQuery
        private let root: Node

        /// Compiles `query`.
        ///
        /// - Throws: ``TAXIIError`` `.unsupportedTargetingExpressionID` when
        ///   the query's vocabulary is not one of ``supportedTargetingExpressionIDs``.
        public init(_ query: TAXII.DefaultQuery) throws(TAXIIError) {
            guard Self.supportedTargetingExpressionIDs.contains(query.targetingExpressionID) else {
                throw TAXIIError(
                    .unsupportedTargetingExpressionID, path: "Default_Query@targeting_expression_id",
                    "targeting expression id \"\(query.targetingExpressionID.prefix(200))\" cannot be evaluated (supported: "
                        + Self.supportedTargetingExpressionIDs.joined(separator: ", ") + ")"
                )
            }
            self.query = query
            self.root = try Node(query.criteria, path: "Default_Query/Criteria")
        }

        /// Whether the XML document whose root element is `root` matches.
        public func matches(_ root: XMLElement) -> Bool {
            self.root.evaluate([.element(root)])
        }

        /// Parses `xml` with the hardened reader and evaluates it.
        ///
        /// - Throws: ``TAXIIError`` `.malformedXML` when the text is not
        ///   XML the reader accepts.
        public func matches(xml: String) throws(TAXIIError) -> Bool {
            matches(try TAXIIError.parse(xml))
        }

        /// Parses `bytes` with the hardened reader and evaluates them.
        public func matches(xml bytes: [UInt8]) throws(TAXIIError) -> Bool {
            matches(try TAXIIError.parse(bytes))
        }

        /// Evaluates a content block's content. XML content is parsed with the
        /// hardened reader; text content has no elements, so every target
        /// selects nothing (only `does_not_exist` criteria hold).
        public func matches(_ block: TAXII11.ContentBlock) throws(TAXIIError) -> Bool {
            switch block.content {
            case .xml(let xml): return try matches(xml: xml)
            case .text: return root.evaluate([])
            }
        }
    }
}

extension TAXII.DefaultQuery.Matcher {
    typealias Step = TAXII.DefaultQuery.TargetingExpression.Step

    /// A compiled criteria or criterion.
    indirect enum Node: Sendable {
        case group(isAnd: Bool, negate: Bool, children: [Node])
        case criterion(steps: [Step], negate: Bool, check: Check)

        init(_ criteria: TAXII.DefaultQuery.Criteria, path: String) throws(TAXIIError) {
            var children: [Node] = []
            for (index, nested) in criteria.criteria.enumerated() {
                children.append(try Node(nested, path: "\(path)/Criteria[\(index + 1)]"))
            }
            for (index, criterion) in criteria.criterion.enumerated() {
                var steps: [Step] = []
                for step in criterion.targetingExpression.steps where !(step == .anyDepth && steps.last == .anyDepth) {
                    steps.append(step)
                }
                let check = try Check(criterion.test, path: "\(path)/Criterion[\(index + 1)]/Test")
                children.append(.criterion(steps: steps, negate: criterion.negate, check: check))
            }
            // AND and OR commute: try cheap children first.
            let ordered = children.enumerated().sorted { ($0.element.cost, $0.offset) < ($1.element.cost, $1.offset) }.map(\.element)
            self = .group(isAnd: criteria.operator == .and, negate: criteria.negate, children: ordered)
        }

        /// A rough relative cost: deep searches and regular expressions last.
        var cost: Int {
            switch self {
            case .group(_, _, let children):
                return children.reduce(0) { $0 + $1.cost }
            case .criterion(let steps, _, let check):
                return (steps.contains(.anyDepth) ? 8 : 1) * check.cost
            }
        }

        /// Evaluates against the children of the document node (the root element).
        func evaluate(_ document: [XMLElement.Child]) -> Bool {
            switch self {
            case .group(let isAnd, let negate, let children):
                let result = isAnd ? children.allSatisfy { $0.evaluate(document) } : children.contains { $0.evaluate(document) }
                return result != negate
            case .criterion(let steps, let negate, let check):
                let result: Bool
                switch check {
                case .exists: result = Node.select(steps, 0, owner: nil, children: document) { _ in true }
                case .doesNotExist: result = !Node.select(steps, 0, owner: nil, children: document) { _ in true }
                case .value(let test): result = Node.select(steps, 0, owner: nil, children: document) { test.holds(for: $0) }
                }
                return result != negate
            }
        }

        /// Calls `visit` with the value of each node `steps[index...]` selects
        /// below `owner` (whose children are `children`; no owner: the document
        /// node), until `visit` returns true; returns whether it did.
        static func select(
            _ steps: [Step], _ index: Int, owner: XMLElement?, children: [XMLElement.Child],
            _ visit: (String) -> Bool
        ) -> Bool {
            guard index < steps.count else {
                guard let owner else { return false }
                return visit(owner.text.trimmedXMLWhitespace)
            }
            switch steps[index] {
            case .attribute(let name):
                guard let owner else { return false }
                for attribute in owner.attributes where attribute.localName == name {
                    if visit(attribute.value.trimmedXMLWhitespace) { return true }
                }
            case .element(let name):
                for case .element(let child) in children where child.localName == name {
                    if select(steps, index + 1, owner: child, children: child.children, visit) { return true }
                }
            case .anyElement:
                for case .element(let child) in children {
                    if select(steps, index + 1, owner: child, children: child.children, visit) { return true }
                }
            case .anyDepth:
                let trailing = index + 1 == steps.count
                // Zero levels: the next step applies here.
                if !trailing, select(steps, index + 1, owner: owner, children: children, visit) { return true }
                for case .element(let child) in children {
                    if trailing, visit(child.text.trimmedXMLWhitespace) { return true }
                    if select(steps, index, owner: child, children: child.children, visit) { return true }
                }
            }
            return false
        }
    }

    /// A compiled test.
    enum Check: Sendable {
        case exists
        case doesNotExist
        case value(ValueTest)

        init(_ test: TAXII.DefaultQuery.Test, path: String) throws(TAXIIError) {
            switch test.relationship {
            case .exists: self = .exists
            case .doesNotExist: self = .doesNotExist
            default: self = .value(try ValueTest(test, path: path))
            }
        }

        var cost: Int {
            switch self {
            case .exists, .doesNotExist: 1
            case .value(.pattern): 6
            case .value(.timestamp): 3
            case .value: 2
            }
        }
    }

    /// How two ordered values must compare.
    enum Comparison: Sendable {
        case equal, notEqual, greater, greaterOrEqual, less, lessOrEqual

        init(_ relationship: TAXII.DefaultQuery.Relationship) {
            switch relationship {
            case .notEquals: self = .notEqual
            case .greaterThan: self = .greater
            case .greaterThanOrEqual: self = .greaterOrEqual
            case .lessThan: self = .less
            case .lessThanOrEqual: self = .lessOrEqual
            default: self = .equal
            }
        }

        func holds<T: Comparable>(_ node: T, _ value: T) -> Bool {
            switch self {
            case .equal: node == value
            case .notEqual: node != value
            case .greater: node > value
            case .greaterOrEqual: node >= value
            case .less: node < value
            case .lessOrEqual: node <= value
            }
        }
    }

    /// A test of one node's value.
    enum ValueTest: Sendable {
        /// `equals` / `not_equals` on strings (`value` lower-cased when case-insensitive).
        case string(equal: Bool, value: String, caseSensitive: Bool)
        /// Numeric comparison.
        case number(Comparison, Double)
        case beginsWith(String, caseSensitive: Bool)
        case endsWith(String, caseSensitive: Bool)
        case contains(String, caseSensitive: Bool)
        case pattern(TAXII.DefaultQuery.CompiledPattern)
        /// Timestamp comparison (seconds, microseconds).
        case timestamp(Comparison, Int64, Int)

        init(_ test: TAXII.DefaultQuery.Test, path: String) throws(TAXIIError) {
            let comparison = Comparison(test.relationship)
            switch (test.value, test.capabilityID) {
            case (.timestamp(let value)?, _):
                self = .timestamp(comparison, value.secondsSinceEpoch, value.microseconds)
            case (.number(let value)?, _):
                self = .number(comparison, value)
            case (.string(let pattern)?, TAXII.DefaultQuery.CapabilityModule.regex):
                let path = TAXII.DefaultQuery.ComponentPath.xml(path).parameter(TAXII.DefaultQuery.Parameter.value)
                self = .pattern(try TAXII.DefaultQuery.CompiledPattern(pattern, caseSensitive: test.isCaseSensitive ?? true, path: path))
            case (.string(let value)?, _):
                let caseSensitive = test.isCaseSensitive ?? (test.matchType != .caseInsensitiveString)
                let folded = caseSensitive ? value : value.lowercased()
                switch test.relationship {
                case .beginsWith: self = .beginsWith(folded, caseSensitive: caseSensitive)
                case .endsWith: self = .endsWith(folded, caseSensitive: caseSensitive)
                case .contains: self = .contains(folded, caseSensitive: caseSensitive)
                default:
                    if test.matchType == .number, let number = TAXII.DefaultQuery.ParameterKind.number(value) {
                        self = .number(comparison, number)
                    } else {
                        self = .string(equal: test.relationship == .equals, value: folded, caseSensitive: caseSensitive)
                    }
                }
            default:
                // Tests are checked when made: every value relationship has a value of its kind.
                throw TAXIIError(.missingElement, path: path, "relationship \(test.relationship.rawValue) has no usable value")
            }
        }

        func holds(for node: String) -> Bool {
            switch self {
            case .string(let equal, let value, let caseSensitive):
                return ((caseSensitive ? node : node.lowercased()) == value) == equal
            case .number(let comparison, let value):
                guard let number = TAXII.DefaultQuery.ParameterKind.number(node) else { return false }
                return comparison.holds(number, value)
            case .beginsWith(let value, let caseSensitive):
                return (caseSensitive ? node : node.lowercased()).hasPrefix(value)
            case .endsWith(let value, let caseSensitive):
                return (caseSensitive ? node : node.lowercased()).hasSuffix(value)
            case .contains(let value, let caseSensitive):
                return value.isEmpty || (caseSensitive ? node : node.lowercased()).contains(value)
            case .pattern(let pattern):
                return pattern.matches(node)
            case .timestamp(let comparison, let seconds, let micros):
                guard let timestamp = TAXII.DefaultQuery.ParameterKind.timestamp(node) else { return false }
                return comparison.holds(
                    TimestampKey(seconds: timestamp.secondsSinceEpoch, micros: timestamp.microseconds),
                    TimestampKey(seconds: seconds, micros: micros)
                )
            }
        }
    }

    /// An instant, ordered.
    struct TimestampKey: Comparable {
        var seconds: Int64
        var micros: Int

        static func < (lhs: Self, rhs: Self) -> Bool {
            (lhs.seconds, lhs.micros) < (rhs.seconds, rhs.micros)
        }
    }
}

extension TAXII.DefaultQuery {
    /// A compiled regular expression (regex module `value`).
    struct CompiledPattern: Sendable {
        let regex: LinearRegex

        init(_ pattern: String, caseSensitive: Bool, path: String) throws(TAXIIError) {
            guard pattern.count <= Test.maximumPatternLength else {
                throw TAXIIError(.invalidValue, path: path, "regular expression longer than \(Test.maximumPatternLength) characters")
            }
            do {
                regex = try LinearRegex(pattern, caseSensitive: caseSensitive)
            } catch {
                throw TAXIIError(.invalidValue, path: path, "\"\(pattern.prefix(100))\" is not a supported regular expression: \(error)")
            }
        }

        func matches(_ text: String) -> Bool {
            regex.matches(anywhereIn: text)
        }
    }
}

import Foundation
import Testing
@testable import BastionXML

/// Random trees with clashing prefixes and namespaces: written and read back,
/// they must come back equal, prefixes included.
@Suite struct RandomTreeTests {
    /// A small deterministic generator (SplitMix64), so failures repeat.
    struct Generator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    static let prefixes: [String?] = [nil, "a", "b", "c"]
    static let namespaces: [String?] = [nil, "urn:one", "urn:two", "urn:three & \"four\""]
    static let texts = ["", "plain", "  spaced  ", "<&>\"'", "line\nbreak\ttab", "中文 🎉", "]]>", "\r"]

    /// An element whose own name and attributes use one consistent prefix →
    /// namespace mapping, which changes from element to element.
    func randomElement(depth: Int, using generator: inout Generator) -> XMLElement {
        var mapping: [String?: String?] = [:]
        for prefix in Self.prefixes {
            mapping[prefix] = Self.namespaces.randomElement(using: &generator)!
        }
        let prefix = Self.prefixes.randomElement(using: &generator)!
        var namespace = mapping[prefix]!
        if prefix != nil, namespace == nil { namespace = "urn:forced" }
        var element = XMLElement("e\(Int.random(in: 0..<3, using: &generator))", namespaceURI: namespace, prefix: namespace == nil ? nil : prefix)
        var used: Set<String> = []
        for index in 0..<Int.random(in: 0..<4, using: &generator) {
            let attributePrefix = Self.prefixes.randomElement(using: &generator)!
            let local = "at\(index)"
            guard let attributePrefix, let attributeNamespace = mapping[attributePrefix] ?? nil,
                  attributePrefix != element.prefix || attributeNamespace == element.namespaceURI else {
                element.attributes.append(XMLAttribute(local, value: Self.texts.randomElement(using: &generator)!))
                continue
            }
            guard used.insert(attributeNamespace + "|" + local).inserted else { continue }
            element.attributes.append(XMLAttribute(
                local, value: Self.texts.randomElement(using: &generator)!,
                namespaceURI: attributeNamespace, prefix: attributePrefix
            ))
        }
        if depth > 0 {
            for _ in 0..<Int.random(in: 0..<4, using: &generator) {
                switch Int.random(in: 0..<6, using: &generator) {
                case 0, 1, 2: element.children.append(.element(randomElement(depth: depth - 1, using: &generator)))
                case 3: element.children.append(.text(Self.texts.randomElement(using: &generator)!))
                case 4:
                    // XML turns a CR inside CDATA into LF; there is no way to escape it there.
                    let text = Self.texts.randomElement(using: &generator)!
                    element.children.append(.cdata(text == "\r" ? "\n" : text))
                default: element.children.append(.comment(" c "))
                }
            }
        }
        return Self.normalized(element)
    }

    /// Where two trees first differ, for failure messages.
    static func difference(_ lhs: XMLElement, _ rhs: XMLElement, path: String = "") -> String? {
        let here = path + "/" + lhs.qualifiedName
        if lhs.localName != rhs.localName || lhs.namespaceURI != rhs.namespaceURI || lhs.prefix != rhs.prefix {
            return "\(here): name \(lhs.prefix ?? "-"):\(lhs.localName) in \(lhs.namespaceURI ?? "-") vs \(rhs.prefix ?? "-"):\(rhs.localName) in \(rhs.namespaceURI ?? "-")"
        }
        if Set(lhs.attributes) != Set(rhs.attributes) {
            return "\(here): attributes \(lhs.attributes) vs \(rhs.attributes)"
        }
        if lhs.children.count != rhs.children.count {
            return "\(here): children \(lhs.children.count) vs \(rhs.children.count): \(lhs.children) vs \(rhs.children)"
        }
        for (left, right) in zip(lhs.children, rhs.children) {
            switch (left, right) {
            case (.element(let l), .element(let r)):
                if let found = difference(l, r, path: here) { return found }
            default:
                if left != right { return "\(here): child \(left) vs \(right)" }
            }
        }
        return nil
    }

    /// Merges adjacent text and drops empty text, as a parser would see it.
    static func normalized(_ element: XMLElement) -> XMLElement {
        var result = element
        var children: [XMLElement.Child] = []
        for child in element.children {
            switch (children.last, child) {
            case (.text(let previous)?, .text(let next)):
                children[children.count - 1] = .text(previous + next)
            case (.cdata(let previous)?, .cdata(let next)):
                children[children.count - 1] = .cdata(previous + next)
            case (_, .text("")):
                continue
            default:
                children.append(child)
            }
        }
        result.children = children
        return result
    }

    @Test(arguments: 0..<100)
    func writtenTreesReadBackEqual(seed: UInt64) throws {
        var generator = Generator(state: seed)
        let tree = randomElement(depth: 4, using: &generator)
        let written = try tree.outerXML()
        let reparsed = try XMLReader().parse(written)
        #expect(reparsed == tree, "seed \(seed): \(Self.difference(reparsed, tree) ?? "")")
        // Every subtree of the parsed tree also stands alone, copied or written anew.
        func check(_ element: XMLElement) throws {
            #expect(try XMLElement.parseFragment(element.outerXML()) == element)
            for child in element.childElements { try check(child) }
        }
        try check(reparsed)
        // Pretty printed, it reads back equal when the indentation is dropped.
        let noIndentation = XMLReader.Options(keepWhitespaceOnlyText: false)
        let compact = try XMLReader(options: noIndentation).parse(written)
        func checkPretty(_ element: XMLElement) throws {
            #expect(try XMLElement.parseFragment(element.outerXML(prettyPrinted: true), options: noIndentation) == element)
            for child in element.childElements { try checkPretty(child) }
        }
        try checkPretty(compact)
    }
}

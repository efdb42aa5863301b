import BastionXML
import Foundation
import TAXII

/// An indicator found in STIX content: the address ranges it names and when it is valid.
public struct ExtractedIndicator: Sendable, Equatable {
    /// The STIX id of the Indicator (for observables at package level, of the Observable);
    /// derived from the package id and the position when the content gives none.
    public var id: String
    /// The address ranges to deny, in order, without repeats.
    public var addresses: [NetworkAddress]
    /// `Valid_Time_Position/Start_Time`, in microseconds since 1970.
    public var validFrom: Int64?
    /// `Valid_Time_Position/End_Time`, in microseconds since 1970.
    public var validUntil: Int64?

    public init(id: String, addresses: [NetworkAddress], validFrom: Int64? = nil, validUntil: Int64? = nil) {
        self.id = id
        self.addresses = addresses
        self.validFrom = validFrom
        self.validUntil = validUntil
    }
}

/// Something in the content the bridge does not act on, and why.
public struct SkippedObservable: Sendable, Equatable {
    /// The value (an address as written, or the content's root element).
    public var value: String
    public var reason: String
}

/// What ``STIXObservables/extract(xml:)`` found in one content block.
public struct Extraction: Sendable, Equatable {
    public var indicators: [ExtractedIndicator] = []
    public var skipped: [SkippedObservable] = []
}

/// Reads the IP address observables of STIX 1.x content (1.0.1, 1.1.1, 1.2): CybOX Address
/// objects (`AddressObj:Address_Value`) of category `ipv4-addr`, `ipv6-addr` or `cidr` (no
/// category: the value decides), with `condition="Equals"` or none, several values with
/// `apply_condition="ANY"` separated by `##comma##`; inside Indicators (with their
/// `Valid_Time_Position`), in Observables at package level and in Observable compositions,
/// following `idref`s to package-level Observables.
///
/// A republished Indicator (same id) whose `End_Time` has passed ends the earlier one: that is
/// how STIX 1.x producers revoke an indicator.
public enum STIXObservables {
    static let stix = "http://stix.mitre.org/stix-1"
    static let indicatorNamespace = "http://stix.mitre.org/Indicator-2"
    static let cybox = "http://cybox.mitre.org/cybox-2"
    static let addressObject = "http://cybox.mitre.org/objects#AddressObject-2"

    /// The XML reader: no DTDs or entities (hostile XML is refused), bounded depth and size.
    static let reader = XMLReader()

    /// The indicators of `xml`; content that is no STIX package gives none and one skip saying why.
    public static func extract(xml: String) -> Extraction {
        let root: XMLElement
        do {
            root = try reader.parse(xml)
        } catch {
            return Extraction(skipped: [SkippedObservable(value: "content", reason: "not XML: \(error.description)")])
        }
        guard root.localName == "STIX_Package", root.namespaceURI?.hasPrefix(stix) == true else {
            return Extraction(skipped: [SkippedObservable(value: "<\(root.qualifiedName)>", reason: "not a STIX 1.x package")])
        }
        var walker = Walker(packageID: root.attribute("id") ?? "package")
        walker.collectObservables(root)
        walker.walk(root, indicator: nil)
        return walker.result()
    }

    /// One pass over a package.
    struct Walker {
        let packageID: String
        /// Package-level Observables by id, for `idref`s.
        var observablesByID: [String: XMLElement] = [:]
        /// Ids some `idref` points to: those Observables belong to the referring Indicator.
        var referenced: Set<String> = []
        var indicators: [ExtractedIndicator] = []
        var skipped: [SkippedObservable] = []
        var anonymous = 0

        init(packageID: String) {
            self.packageID = packageID
        }

        mutating func collectObservables(_ element: XMLElement) {
            for child in element.childElements {
                if child.isNamed("Observable", namespace: cybox), let id = child.attribute("id") { observablesByID[id] = child }
                if child.localName == "Observable", let idref = child.attribute("idref") { referenced.insert(idref) }
                collectObservables(child)
            }
        }

        mutating func nextID(_ kind: String) -> String {
            anonymous += 1
            return "\(packageID)#\(kind)-\(anonymous)"
        }

        /// Walks `element`; addresses go to `indicator` (the innermost Indicator being read), or
        /// to a package-level Observable of their own.
        mutating func walk(_ element: XMLElement, indicator: Int?) {
            for child in element.childElements {
                if child.localName == "Indicator", child.namespaceURI == stix || child.namespaceURI == indicatorNamespace {
                    // An idref'd Indicator (`<stix:Indicator idref=…/>`) adds nothing of its own.
                    guard child.attribute("idref") == nil else { continue }
                    indicators.append(Self.indicator(child, id: child.attribute("id") ?? nextID("indicator")))
                    walk(child, indicator: indicators.count - 1)
                } else if child.isNamed("Observable", namespace: cybox), indicator == nil, child.attribute("idref") == nil {
                    if let id = child.attribute("id"), referenced.contains(id) { continue }
                    indicators.append(ExtractedIndicator(id: child.attribute("id") ?? nextID("observable"), addresses: []))
                    walk(child, indicator: indicators.count - 1)
                } else if child.localName == "Observable", let idref = child.attribute("idref") {
                    // A reference to a package-level Observable (`indicator:Observable idref=…`).
                    if let target = observablesByID[idref] { walk(target, indicator: indicator) }
                } else if child.isNamed("Address_Value", namespace: addressObject) {
                    read(child, category: element.attribute("category"), into: indicator)
                } else {
                    walk(child, indicator: indicator)
                }
            }
        }

        static func indicator(_ element: XMLElement, id: String) -> ExtractedIndicator {
            var result = ExtractedIndicator(id: id, addresses: [])
            if let position = element.firstChildElement(named: "Valid_Time_Position", namespace: indicatorNamespace) {
                result.validFrom = position.firstChildElement(named: "Start_Time", namespace: indicatorNamespace).flatMap { time($0.text) }
                result.validUntil = position.firstChildElement(named: "End_Time", namespace: indicatorNamespace).flatMap { time($0.text) }
            }
            return result
        }

        /// An `xs:dateTime`, in microseconds; one without a zone is read as UTC (STIX allows it).
        static func time(_ text: String) -> Int64? {
            let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
            return (TAXII.Timestamp(trimmed) ?? TAXII.Timestamp(trimmed + "Z"))?.microsecondsSince1970
        }

        mutating func read(_ value: XMLElement, category: String?, into indicator: Int?) {
            let text = value.text.trimmingCharacters(in: .whitespacesAndNewlines)
            guard let indicator else { return }
            if let condition = value.attribute("condition"), condition != "Equals" {
                skipped.append(SkippedObservable(value: text, reason: "condition \(condition) names no definite address"))
                return
            }
            var values = [text]
            if text.contains("##comma##") {
                guard (value.attribute("apply_condition") ?? "ANY") == "ANY" else {
                    skipped.append(SkippedObservable(value: text, reason: "apply_condition \(value.attribute("apply_condition") ?? "") over several addresses names no single one"))
                    return
                }
                values = text.components(separatedBy: "##comma##").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
            }
            for candidate in values where !candidate.isEmpty {
                guard let address = Self.address(candidate, category: category) else {
                    skipped.append(SkippedObservable(value: candidate, reason: Self.reason(candidate, category: category)))
                    continue
                }
                if !indicators[indicator].addresses.contains(address) { indicators[indicator].addresses.append(address) }
            }
        }

        /// `text` as an address of `category` (`ipv4-addr`, `ipv6-addr`, `cidr`, or none).
        static func address(_ text: String, category: String?) -> NetworkAddress? {
            guard let address = NetworkAddress(text) else { return nil }
            switch (category, address) {
            case (nil, _), ("cidr", _), ("ipv4-addr", .ipv4), ("ipv6-addr", .ipv6): return address
            default: return nil
            }
        }

        static func reason(_ text: String, category: String?) -> String {
            switch category {
            case nil, "cidr", "ipv4-addr", "ipv6-addr": "'\(text)' is not an \(category ?? "IP") address"
            case let other?: "category \(other) is not an IP address"
            }
        }

        func result() -> Extraction {
            Extraction(indicators: indicators.filter { !$0.addresses.isEmpty || $0.validUntil != nil }, skipped: skipped)
        }
    }
}


/// For a nested mapping of a settings file: refuses keys its type does not know, as
/// ``YAMLSettings/decode(_:from:file:knownKeys:)`` does for the top level.
///
/// ```swift
/// init(from decoder: any Decoder) throws {
///     try StrictKeys.check(decoder, known: CodingKeys.allCases.map(\.rawValue))
///     …
/// }
/// ```
public enum StrictKeys {
    /// Throws a `DecodingError` naming the first key of the mapping at `decoder` that is not in `known`.
    public static func check(_ decoder: any Decoder, known: [String]) throws {
        let container = try decoder.container(keyedBy: AnyKey.self)
        for key in container.allKeys where !known.contains(key.stringValue) {
            throw DecodingError.dataCorrupted(DecodingError.Context(
                codingPath: container.codingPath + [key],
                debugDescription: "not a known setting; known: \(known.sorted().joined(separator: ", "))"))
        }
    }

    private struct AnyKey: CodingKey {
        var stringValue: String
        var intValue: Int?
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) {
            self.stringValue = String(intValue)
            self.intValue = intValue
        }
    }
}

import ArgumentParser
import Yams

/// Settings files in YAML: a mapping of known keys, decoded strictly.
enum YAMLSettings {
    /// Decodes `text` (the contents of `file`) as a `T`, refusing keys outside `knownKeys`,
    /// anything but a mapping at the top, and values of the wrong type — each with the file's name.
    static func decode<T: Decodable>(_ type: T.Type, from text: String, file: String, knownKeys: [String]) throws -> T {
        let node: Node?
        do {
            node = try Yams.compose(yaml: text)
        } catch {
            throw CLIError("\(file) is not valid YAML: \(error)")
        }
        guard let node else { return try YAMLDecoder().decode(T.self, from: "{}") }
        guard let mapping = node.mapping else { throw CLIError("\(file) must be a mapping of settings (key: value)") }
        for key in mapping.keys {
            guard let name = key.string, knownKeys.contains(name) else {
                throw CLIError("\(file): unknown setting '\(key.string ?? "\(key)")' (known: \(knownKeys.sorted().joined(separator: ", ")))")
            }
        }
        do {
            return try YAMLDecoder().decode(T.self, from: text)
        } catch let DecodingError.typeMismatch(_, context), let DecodingError.valueNotFound(_, context) {
            let path = context.codingPath.map(\.stringValue).joined(separator: ".")
            throw CLIError("\(file): '\(path)' has the wrong type (\(context.debugDescription))")
        } catch {
            throw CLIError("\(file): \(error)")
        }
    }
}

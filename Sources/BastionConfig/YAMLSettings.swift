#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Yams

/// Settings files in YAML: a mapping of known keys, decoded strictly.
public enum YAMLSettings {
    /// The longest settings text read, in bytes: far above any real settings file, and small
    /// enough that a hostile one costs little.
    public static let maximumSize = 1 << 20

    /// Decodes `text` (the contents of `file`) as a `T`, refusing keys outside `knownKeys`,
    /// anything but a mapping at the top, values of the wrong type and numbers out of the range
    /// of their type, each with the file's name. An empty file decodes as an empty mapping.
    /// Anchors and aliases, nesting deeper than 32 levels and base-60 integers too large for
    /// `Int` are refused before the text is composed (see `YAMLShapeCheck`).
    public static func decode<T: Decodable>(_ type: T.Type, from text: String, file: String, knownKeys: [String]) throws(SettingsError) -> T {
        guard text.utf8.count <= maximumSize else {
            throw SettingsError(file: file, "is larger than \(maximumSize) bytes; a settings file is far smaller")
        }
        try YAMLShapeCheck.check(text, file: file)
        let node: Node?
        do {
            node = try Yams.compose(yaml: text)
        } catch {
            throw SettingsError(file: file, "is not valid YAML: \(error)")
        }
        guard let node else { return try decode(T.self, text: "{}", file: file) }
        guard let mapping = node.mapping else { throw SettingsError(file: file, "must be a mapping of settings (key: value)") }
        for key in mapping.keys {
            guard let name = key.string, knownKeys.contains(name) else {
                throw SettingsError(file: file, "unknown setting '\(key.string ?? "\(key)")' (known: \(knownKeys.sorted().joined(separator: ", ")))")
            }
        }
        return try decode(T.self, text: text, file: file)
    }

    private static func decode<T: Decodable>(_ type: T.Type, text: String, file: String) throws(SettingsError) -> T {
        do {
            return try YAMLDecoder().decode(T.self, from: text)
        } catch let DecodingError.typeMismatch(_, context), let DecodingError.valueNotFound(_, context) {
            throw SettingsError(file: file, key: path(context), "has the wrong type (\(context.debugDescription))")
        } catch let DecodingError.keyNotFound(key, context) {
            let parent = path(context)
            throw SettingsError(file: file, key: parent.isEmpty ? key.stringValue : parent + "." + key.stringValue, "is required")
        } catch let DecodingError.dataCorrupted(context) {
            throw SettingsError(file: file, key: path(context), "cannot be read (\(context.debugDescription))")
        } catch {
            throw SettingsError(file: file, "\(error)")
        }
    }

    /// `collections[0].name`: the coding path of a decoding error as a settings key.
    private static func path(_ context: DecodingError.Context) -> String {
        var text = ""
        for key in context.codingPath {
            if let index = key.intValue {
                text += "[\(index)]"
            } else {
                text += (text.isEmpty ? "" : ".") + key.stringValue
            }
        }
        return text
    }
}

extension YAMLSettings {
    /// The text of the settings file at `path`, refused with the path when it cannot be read,
    /// is not UTF-8 or is larger than ``maximumSize``.
    public static func read(_ path: String) throws(SettingsError) -> String {
        guard let file = fopen(path, "rb") else {
            throw SettingsError(file: path, "cannot be read: \(String(cString: strerror(errno)))")
        }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = fread(&buffer, 1, buffer.count, file)
            if count == 0 { break }
            bytes += buffer[0..<count]
            if bytes.count > maximumSize {
                throw SettingsError(file: path, "is larger than \(maximumSize) bytes; a settings file is far smaller")
            }
        }
        if ferror(file) != 0 { throw SettingsError(file: path, "cannot be read: \(String(cString: strerror(errno)))") }
        guard let text = String(validating: bytes, as: UTF8.self) else { throw SettingsError(file: path, "is not UTF-8 text") }
        return text
    }
}

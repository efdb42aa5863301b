/// Reads one dictionary of a message's dictionary form, as ``ElementCursor``
/// reads an element: typed look-ups whose errors name the key path
/// (`content_blocks[0].content_binding.binding_id`).
struct DictionaryReader {
    let members: [String: TAXII.DictionaryValue]
    let path: String

    init(_ members: [String: TAXII.DictionaryValue], path: String) {
        self.members = members
        self.path = path
    }

    /// Reads `value` as a dictionary, or fails naming `path`.
    init(_ value: TAXII.DictionaryValue, path: String) throws(TAXIIError) {
        guard case .dictionary(let members) = value else {
            throw TAXIIError(.wrongType, path: path, "expected a dictionary, found \(value.typeName)")
        }
        self.init(members, path: path)
    }

    func keyPath(_ key: String) -> String { path.isEmpty ? key : path + "." + key }

    /// The value at `key`; `nil` when missing or `null`.
    func value(_ key: String) -> TAXII.DictionaryValue? {
        guard let value = members[key], value != .null else { return nil }
        return value
    }

    func required(_ key: String) throws(TAXIIError) -> TAXII.DictionaryValue {
        guard let value = value(key) else {
            throw TAXIIError(.missingKey, path: keyPath(key), "required key \"\(key)\" is missing")
        }
        return value
    }

    func wrongType(_ key: String, _ expected: String, _ found: TAXII.DictionaryValue) -> TAXIIError {
        TAXIIError(.wrongType, path: keyPath(key), "expected \(expected), found \(found.typeName)")
    }

    func string(_ key: String) throws(TAXIIError) -> String {
        let value = try required(key)
        guard case .string(let text) = value else { throw wrongType(key, "a string", value) }
        return text
    }

    func optionalString(_ key: String) throws(TAXIIError) -> String? {
        guard let value = value(key) else { return nil }
        guard case .string(let text) = value else { throw wrongType(key, "a string", value) }
        return text
    }

    /// A string holding an integer is accepted too (libtaxii writes some numbers as text).
    func optionalInt(_ key: String) throws(TAXIIError) -> Int? {
        guard let value = value(key) else { return nil }
        switch value {
        case .integer(let number): return number
        case .string(let text):
            guard let number = Int(text) else {
                throw TAXIIError(.invalidValue, path: keyPath(key), "\"\(text)\" is not an integer")
            }
            return number
        default: throw wrongType(key, "an integer", value)
        }
    }

    func int(_ key: String) throws(TAXIIError) -> Int {
        _ = try required(key)
        return try optionalInt(key)!
    }

    /// A boolean, or the strings `"true"`/`"false"` (libtaxii writes `allow_asynch` as text).
    func optionalBool(_ key: String) throws(TAXIIError) -> Bool? {
        guard let value = value(key) else { return nil }
        switch value {
        case .bool(let flag): return flag
        case .string(let text):
            switch text.lowercased() {
            case "true", "1": return true
            case "false", "0": return false
            default: throw TAXIIError(.invalidValue, path: keyPath(key), "\"\(text)\" is not a boolean")
            }
        default: throw wrongType(key, "a boolean", value)
        }
    }

    func optionalTimestamp(_ key: String) throws(TAXIIError) -> TAXII.Timestamp? {
        guard let text = try optionalString(key) else { return nil }
        guard let timestamp = TAXII.Timestamp(isoFormat: text) else {
            throw TAXIIError(.invalidTimestamp, path: keyPath(key), "\"\(text)\" is not an ISO 8601 date-time with timezone")
        }
        return timestamp
    }

    func timestamp(_ key: String) throws(TAXIIError) -> TAXII.Timestamp {
        _ = try required(key)
        return try optionalTimestamp(key)!
    }

    func optionalEnum<T: RawRepresentable>(_ key: String, allowed: [T]) throws(TAXIIError) -> T? where T.RawValue == String {
        guard let raw = try optionalString(key) else { return nil }
        return try ElementCursor.enumValue(raw, allowed: allowed, path: keyPath(key))
    }

    /// The list at `key` (missing or `null`: empty).
    func list(_ key: String) throws(TAXIIError) -> [(TAXII.DictionaryValue, String)] {
        guard let value = value(key) else { return [] }
        guard case .list(let items) = value else { throw wrongType(key, "a list", value) }
        return items.enumerated().map { ($1, keyPath(key) + "[\($0)]") }
    }

    func strings(_ key: String) throws(TAXIIError) -> [String] {
        var result: [String] = []
        for (item, itemPath) in try list(key) {
            guard case .string(let text) = item else {
                throw TAXIIError(.wrongType, path: itemPath, "expected a string, found \(item.typeName)")
            }
            result.append(text)
        }
        return result
    }

    /// The dictionaries of the list at `key`, each read by `read`.
    func objects<T>(_ key: String, _ read: (DictionaryReader) throws(TAXIIError) -> T) throws(TAXIIError) -> [T] {
        var result: [T] = []
        for (item, itemPath) in try list(key) {
            result.append(try read(DictionaryReader(item, path: itemPath)))
        }
        return result
    }

    /// The dictionary at `key` read by `read`, if present and not `null`.
    func optionalObject<T>(_ key: String, _ read: (DictionaryReader) throws(TAXIIError) -> T) throws(TAXIIError) -> T? {
        guard let value = value(key) else { return nil }
        return try read(DictionaryReader(value, path: keyPath(key)))
    }

    func object<T>(_ key: String, _ read: (DictionaryReader) throws(TAXIIError) -> T) throws(TAXIIError) -> T {
        let value = try required(key)
        return try read(DictionaryReader(value, path: keyPath(key)))
    }
}

extension Dictionary where Key == String, Value == TAXII.DictionaryValue {
    /// Sets `key` only when there is a value (libtaxii's `if x is not None: d[k] = x`).
    mutating func setIfPresent(_ key: String, _ value: String?) {
        if let value { self[key] = .string(value) }
    }

    /// Sets `key` to the Python `isoformat()` of a timestamp, when there is one.
    mutating func setIfPresent(_ key: String, _ timestamp: TAXII.Timestamp?) {
        if let timestamp { self[key] = .string(timestamp.isoFormat) }
    }
}

extension Array where Element == String {
    /// The strings as a dictionary-form list.
    var dictionaryList: TAXII.DictionaryValue { .list(map { .string($0) }) }
}

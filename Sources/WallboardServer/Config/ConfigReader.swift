import JSONModel

/// Typed, validating access to one object of a ``ConfigDocument``: every error names the key and line,
/// and keys nobody asked for are reported by ``rejectUnknownKeys()``.
public final class ConfigReader {
    public let document: ConfigDocument
    public let path: String
    let object: JSONObject
    private var known: Set<String> = []

    /// Reads the object at `path` of `document`.
    public init(_ document: ConfigDocument, value: JSONValue, path: String) throws(ConfigError) {
        guard let object = value.objectValue else {
            throw document.error(path, "must be a mapping of keys to values, got \(value.typeName)")
        }
        self.document = document
        self.path = path
        self.object = object
    }

    func childPath(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    /// The raw value of `key`, marking it as known.
    public func value(_ key: String) -> JSONValue? {
        known.insert(key)
        guard let value = object[key], !value.isNull else { return nil }
        return value
    }

    public func string(_ key: String) throws(ConfigError) -> String? {
        guard let value = value(key) else { return nil }
        switch value {
        case .string(let text): return text
        case .integer, .number, .bool: throw document.error(childPath(key), "must be a string (quote it), got \(value.typeName)")
        default: throw document.error(childPath(key), "must be a string, got \(value.typeName)")
        }
    }

    public func requiredString(_ key: String) throws(ConfigError) -> String {
        guard let text = try string(key), !text.isEmpty else { throw document.error(path, "missing required key \"\(key)\"") }
        return text
    }

    public func bool(_ key: String) throws(ConfigError) -> Bool? {
        guard let value = value(key) else { return nil }
        guard let flag = value.boolValue else { throw document.error(childPath(key), "must be true or false, got \(value.typeName)") }
        return flag
    }

    public func integer(_ key: String, in range: ClosedRange<Int64>) throws(ConfigError) -> Int64? {
        guard let value = value(key) else { return nil }
        guard let number = value.integerValue else {
            if let double = value.doubleValue, double == double.rounded(), let described = value.numberDescription {
                // A whole number too large for 64 bits: say so with the value, not "got number".
                throw document.error(
                    childPath(key), "must be between \(range.lowerBound) and \(range.upperBound), got \(described)")
            }
            throw document.error(childPath(key), "must be a whole number, got \(value.numberDescription ?? value.typeName)")
        }
        guard range.contains(number) else {
            throw document.error(childPath(key), "must be between \(range.lowerBound) and \(range.upperBound), got \(number)")
        }
        return number
    }

    public func number(_ key: String, in range: ClosedRange<Double>) throws(ConfigError) -> Double? {
        guard let value = value(key) else { return nil }
        guard let number = value.doubleValue else { throw document.error(childPath(key), "must be a number, got \(value.typeName)") }
        guard range.contains(number) else {
            throw document.error(childPath(key), "must be between \(range.lowerBound) and \(range.upperBound), got \(number)")
        }
        return number
    }

    /// A value from a fixed set of words.
    public func choice(_ key: String, from choices: [String]) throws(ConfigError) -> String? {
        guard let text = try string(key) else { return nil }
        guard choices.contains(text) else {
            throw document.error(childPath(key), "\"\(text)\" is not one of \(choices.joined(separator: ", "))")
        }
        return text
    }

    /// A list of objects, each read with its own reader.
    public func list(_ key: String) throws(ConfigError) -> [ConfigReader] {
        guard let value = value(key) else { return [] }
        guard let array = value.arrayValue else { throw document.error(childPath(key), "must be a list, got \(value.typeName)") }
        var readers: [ConfigReader] = []
        for (index, element) in array.enumerated() {
            readers.append(try ConfigReader(document, value: element, path: "\(childPath(key))[\(index)]"))
        }
        return readers
    }

    /// A nested mapping's reader, or `nil` when the key is absent.
    public func section(_ key: String) throws(ConfigError) -> ConfigReader? {
        guard let value = value(key) else { return nil }
        return try ConfigReader(document, value: value, path: childPath(key))
    }

    /// Throws for the first key that no accessor asked for (a typo, or a key of a newer version).
    public func rejectUnknownKeys() throws(ConfigError) {
        for key in object.keys where !known.contains(key) {
            let expected = known.sorted().joined(separator: ", ")
            throw document.error(childPath(key), "unknown key \"\(key)\" (known here: \(expected))")
        }
    }
}

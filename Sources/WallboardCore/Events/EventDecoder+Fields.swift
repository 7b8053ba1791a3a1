import JSONModel

/// Typed field access with error messages that name the event type and the field (`prefix` names the
/// enclosing object of a nested field, e.g. `customer.`), and length checks against ``EventLimits``.
struct EventFields {
    let object: JSONObject
    let type: String
    let limits: EventLimits
    var prefix = ""

    /// A string's limit and the config key that sets it (quoted in rejections).
    struct Limit {
        let bytes: Int
        let key: String?

        static let keyword = Limit(bytes: EventLimits.maximumKeywordBytes, key: nil)
    }

    private func name(_ key: String) -> String { "\(type) \"\(prefix)\(key)\"" }

    private var id: Limit { Limit(bytes: limits.maxIDBytes, key: "max_id_bytes") }
    private var label: Limit { Limit(bytes: limits.maxLabelBytes, key: "max_label_bytes") }

    // MARK: Strings

    func string(_ key: String, _ limit: Limit) throws(EventRejection) -> String {
        guard let text = try optionalString(key, limit) else {
            throw EventRejection(.missingField, "\(type) is missing \"\(prefix)\(key)\"")
        }
        return text
    }

    func optionalString(_ key: String, _ limit: Limit) throws(EventRejection) -> String? {
        guard let value = object[key], !value.isNull else { return nil }
        guard let text = value.stringValue else {
            throw EventRejection(.wrongType, "\(name(key)) must be a string, got \(value.typeName)")
        }
        try checkLength(text, of: name(key), limit)
        return text
    }

    private func checkLength(_ text: String, of field: String, _ limit: Limit) throws(EventRejection) {
        let bytes = text.utf8.count
        guard bytes <= limit.bytes else {
            let setting = limit.key.map { "limits.\($0)" } ?? "fixed"
            throw EventRejection(
                .tooLong, "\(field) is \(bytes) bytes long, over the limit of \(limit.bytes) bytes (\(setting))")
        }
    }

    /// A short word from a fixed set or a date (`type`, `ts`, `state`, `channel`): at most 64 bytes.
    func keyword(_ key: String) throws(EventRejection) -> String { try string(key, .keyword) }

    func optionalKeyword(_ key: String) throws(EventRejection) -> String? { try optionalString(key, .keyword) }

    func identifier(_ key: String) throws(EventRejection) -> String {
        try nonEmpty(key, try string(key, id))
    }

    func optionalIdentifier(_ key: String) throws(EventRejection) -> String? {
        guard let text = try optionalString(key, id) else { return nil }
        return try nonEmpty(key, text)
    }

    private func nonEmpty(_ key: String, _ text: String) throws(EventRejection) -> String {
        guard !text.isEmpty else { throw EventRejection(.invalidValue, "\(name(key)) must not be empty") }
        return text
    }

    func optionalName(_ key: String) throws(EventRejection) -> String? {
        try optionalString(key, Limit(bytes: limits.maxNameBytes, key: "max_name_bytes"))
    }

    func optionalLabel(_ key: String) throws(EventRejection) -> String? { try optionalString(key, label) }

    // MARK: Lists

    func identifierList(_ key: String) throws(EventRejection) -> [String] { try list(key, id) }

    func labelList(_ key: String) throws(EventRejection) -> [String] { try list(key, label) }

    private func list(_ key: String, _ limit: Limit) throws(EventRejection) -> [String] {
        guard let value = object[key], !value.isNull else { return [] }
        guard let array = value.arrayValue else {
            throw EventRejection(.wrongType, "\(name(key)) must be an array of strings, got \(value.typeName)")
        }
        try checkCount(array.count, of: name(key))
        var result: [String] = []
        for (index, element) in array.enumerated() {
            guard let text = element.stringValue, !text.isEmpty else {
                throw EventRejection(.wrongType, "\(name(key)) must contain only non-empty strings")
            }
            try checkLength(text, of: "\(name(key))[\(index)]", limit)
            result.append(text)
        }
        return result
    }

    private func checkCount(_ count: Int, of field: String) throws(EventRejection) {
        guard count <= limits.maxListItems else {
            throw EventRejection(
                .tooLong, "\(field) has \(count) entries, over the limit of \(limits.maxListItems) (limits.max_list_items)")
        }
    }

    func skillLevels(_ key: String) throws(EventRejection) -> [String: Int] {
        guard let value = object[key], !value.isNull else { return [:] }
        guard let skills = value.objectValue else {
            throw EventRejection(.wrongType, "\(name(key)) must be an object of queue: level, got \(value.typeName)")
        }
        try checkCount(skills.count, of: name(key))
        var result: [String: Int] = [:]
        for (index, member) in skills.members.enumerated() {
            // The key is checked before it is quoted: a message never carries more than a limit's worth.
            try checkLength(member.key, of: "\(name(key)) key #\(index + 1)", id)
            let field = "\(name(key)).\"\(member.key)\""
            guard let level = member.value.integerValue, level >= 0, level <= 100 else {
                let got = member.value.numberDescription ?? member.value.typeName
                throw EventRejection(.invalidValue, "\(field) must be an integer 0...100, got \(got)")
            }
            result[member.key] = Int(level)
        }
        return result
    }

    // MARK: Numbers, flags, objects

    /// An integer in `range`. A rejection quotes the number as sent, or says it is out of range when
    /// the parser could not represent it (json-c saturates integers beyond 64 bits).
    func optionalInt(_ key: String, range: ClosedRange<Int>) throws(EventRejection) -> Int? {
        guard let value = object[key], !value.isNull else { return nil }
        guard let described = value.numberDescription else {
            throw EventRejection(.wrongType, "\(name(key)) must be an integer, got \(value.typeName)")
        }
        if case .number(let fraction) = value, fraction.isFinite, fraction != fraction.rounded() {
            throw EventRejection(.wrongType, "\(name(key)) must be an integer, got \(described)")
        }
        guard let number = value.integerValue, number >= Int64(range.lowerBound), number <= Int64(range.upperBound) else {
            throw EventRejection(
                .invalidValue, "\(name(key)): \(described) is outside \(range.lowerBound)...\(range.upperBound)")
        }
        return Int(number)
    }

    func optionalBool(_ key: String) throws(EventRejection) -> Bool? {
        guard let value = object[key], !value.isNull else { return nil }
        guard let flag = value.boolValue else {
            throw EventRejection(.wrongType, "\(name(key)) must be true or false, got \(value.typeName)")
        }
        return flag
    }

    /// The object at `key` as fields of its own (messages name `key.field`), or `nil` when absent.
    func nested(_ key: String) throws(EventRejection) -> EventFields? {
        guard let value = object[key], !value.isNull else { return nil }
        guard let nested = value.objectValue else {
            throw EventRejection(.wrongType, "\(name(key)) must be an object, got \(value.typeName)")
        }
        return EventFields(object: nested, type: type, limits: limits, prefix: "\(prefix)\(key).")
    }

    func monitor(_ key: String) throws(EventRejection) -> MonitorHandle? {
        guard let fields = try nested(key) else { return nil }
        return MonitorHandle(
            kind: try fields.string("kind", label),
            target: try fields.string("target", Limit(bytes: limits.maxMonitorTargetBytes, key: "max_monitor_target_bytes")))
    }
}

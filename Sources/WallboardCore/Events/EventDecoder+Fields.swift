import JSONModel

/// Typed field access with error messages that name the event type and the field (`prefix` names the
/// enclosing object of a nested field, e.g. `customer.`), and length checks against ``EventLimits``.
///
/// Generic over the parsed tree (``JSONReadable``: a ``JSONValue`` or json-c's own tree) and
/// `@inlinable`, so ingest reads json-c's objects directly with code specialized for them. Field names
/// for messages are built only when a message is.
@usableFromInline
struct EventFields<Value: JSONReadable> {
    @usableFromInline let object: Value
    @usableFromInline let type: String
    @usableFromInline let limits: EventLimits
    @usableFromInline var prefix = ""

    @inlinable
    init(object: Value, type: String, limits: EventLimits, prefix: String = "") {
        self.object = object
        self.type = type
        self.limits = limits
        self.prefix = prefix
    }

    /// A string's limit and the config key that sets it (quoted in rejections).
    @usableFromInline
    struct Limit {
        @usableFromInline let bytes: Int
        @usableFromInline let key: String?

        @inlinable init(bytes: Int, key: String?) {
            self.bytes = bytes
            self.key = key
        }

        @inlinable static var keyword: Limit { Limit(bytes: EventLimits.maximumKeywordBytes, key: nil) }
    }

    @inlinable func name(_ key: String) -> String { "\(type) \"\(prefix)\(key)\"" }

    @inlinable var id: Limit { Limit(bytes: limits.maxIDBytes, key: "max_id_bytes") }
    @inlinable var label: Limit { Limit(bytes: limits.maxLabelBytes, key: "max_label_bytes") }

    /// The member `key` unless it is absent or null.
    @inlinable func present(_ key: String) -> Value? {
        guard let value = object.member(key), !value.isNull else { return nil }
        return value
    }

    // MARK: Strings

    @inlinable
    func string(_ key: String, _ limit: Limit) throws(EventRejection) -> String {
        guard let text = try optionalString(key, limit) else {
            throw EventRejection(.missingField, "\(type) is missing \"\(prefix)\(key)\"")
        }
        return text
    }

    @inlinable
    func optionalString(_ key: String, _ limit: Limit) throws(EventRejection) -> String? {
        guard let value = present(key) else { return nil }
        guard let text = value.stringValue else {
            throw EventRejection(.wrongType, "\(name(key)) must be a string, got \(value.typeName)")
        }
        try checkLength(text, limit) { name(key) }
        return text
    }

    @inlinable
    func checkLength(_ text: String, _ limit: Limit, of field: () -> String) throws(EventRejection) {
        let bytes = text.utf8.count
        guard bytes <= limit.bytes else {
            let setting = limit.key.map { "limits.\($0)" } ?? "fixed"
            throw EventRejection(
                .tooLong, "\(field()) is \(bytes) bytes long, over the limit of \(limit.bytes) bytes (\(setting))")
        }
    }

    /// A short word from a fixed set or a date (`type`, `ts`, `state`, `channel`): at most 64 bytes.
    @inlinable func keyword(_ key: String) throws(EventRejection) -> String { try string(key, .keyword) }

    @inlinable func optionalKeyword(_ key: String) throws(EventRejection) -> String? { try optionalString(key, .keyword) }

    @inlinable
    func identifier(_ key: String) throws(EventRejection) -> String {
        try nonEmpty(key, try string(key, id))
    }

    @inlinable
    func optionalIdentifier(_ key: String) throws(EventRejection) -> String? {
        guard let text = try optionalString(key, id) else { return nil }
        return try nonEmpty(key, text)
    }

    @inlinable
    func nonEmpty(_ key: String, _ text: String) throws(EventRejection) -> String {
        guard !text.isEmpty else { throw EventRejection(.invalidValue, "\(name(key)) must not be empty") }
        return text
    }

    @inlinable
    func optionalName(_ key: String) throws(EventRejection) -> String? {
        try optionalString(key, Limit(bytes: limits.maxNameBytes, key: "max_name_bytes"))
    }

    @inlinable func optionalLabel(_ key: String) throws(EventRejection) -> String? { try optionalString(key, label) }

    // MARK: Lists

    @inlinable func identifierList(_ key: String) throws(EventRejection) -> [String] { try list(key, id) }

    @inlinable func labelList(_ key: String) throws(EventRejection) -> [String] { try list(key, label) }

    @inlinable
    func list(_ key: String, _ limit: Limit) throws(EventRejection) -> [String] {
        guard let value = present(key) else { return [] }
        guard let count = value.arrayCount else {
            throw EventRejection(.wrongType, "\(name(key)) must be an array of strings, got \(value.typeName)")
        }
        try checkCount(count) { name(key) }
        var result: [String] = []
        result.reserveCapacity(count)
        for index in 0..<count {
            guard let text = value.element(at: index).stringValue, !text.isEmpty else {
                throw EventRejection(.wrongType, "\(name(key)) must contain only non-empty strings")
            }
            try checkLength(text, limit) { "\(name(key))[\(index)]" }
            result.append(text)
        }
        return result
    }

    @inlinable
    func checkCount(_ count: Int, of field: () -> String) throws(EventRejection) {
        guard count <= limits.maxListItems else {
            throw EventRejection(
                .tooLong, "\(field()) has \(count) entries, over the limit of \(limits.maxListItems) (limits.max_list_items)")
        }
    }

    @inlinable
    func skillLevels(_ key: String) throws(EventRejection) -> [String: Int] {
        guard let value = present(key) else { return [:] }
        guard value.isObject else {
            throw EventRejection(.wrongType, "\(name(key)) must be an object of queue: level, got \(value.typeName)")
        }
        try checkCount(value.memberCount) { name(key) }
        var result: [String: Int] = [:]
        for (index, member) in value.members.enumerated() {
            // The key is checked before it is quoted: a message never carries more than a limit's worth.
            try checkLength(member.key, id) { "\(name(key)) key #\(index + 1)" }
            let level = member.value.scalar?.integerValue
            guard let level, level >= 0, level <= 100 else {
                let field = "\(name(key)).\"\(member.key)\""
                let got = member.value.scalar?.numberDescription ?? member.value.typeName
                throw EventRejection(.invalidValue, "\(field) must be an integer 0...100, got \(got)")
            }
            result[member.key] = Int(level)
        }
        return result
    }

    // MARK: Numbers, flags, objects

    /// An integer in `range`. A rejection quotes the number as sent, or says it is out of range when
    /// the parser could not represent it (json-c saturates integers beyond 64 bits).
    @inlinable
    func optionalInt(_ key: String, range: ClosedRange<Int>) throws(EventRejection) -> Int? {
        guard let value = present(key) else { return nil }
        guard let scalar = value.scalar, let described = scalar.numberDescription else {
            throw EventRejection(.wrongType, "\(name(key)) must be an integer, got \(value.typeName)")
        }
        if case .number(let fraction) = scalar, fraction.isFinite, fraction != fraction.rounded() {
            throw EventRejection(.wrongType, "\(name(key)) must be an integer, got \(described)")
        }
        guard let number = scalar.integerValue, number >= Int64(range.lowerBound), number <= Int64(range.upperBound) else {
            throw EventRejection(
                .invalidValue, "\(name(key)): \(described) is outside \(range.lowerBound)...\(range.upperBound)")
        }
        return Int(number)
    }

    @inlinable
    func optionalBool(_ key: String) throws(EventRejection) -> Bool? {
        guard let value = present(key) else { return nil }
        guard let flag = value.scalar?.boolValue else {
            throw EventRejection(.wrongType, "\(name(key)) must be true or false, got \(value.typeName)")
        }
        return flag
    }

    /// The object at `key` as fields of its own (messages name `key.field`), or `nil` when absent.
    @inlinable
    func nested(_ key: String) throws(EventRejection) -> EventFields? {
        guard let value = present(key) else { return nil }
        guard value.isObject else {
            throw EventRejection(.wrongType, "\(name(key)) must be an object, got \(value.typeName)")
        }
        return EventFields(object: value, type: type, limits: limits, prefix: "\(prefix)\(key).")
    }

    @inlinable
    func monitor(_ key: String) throws(EventRejection) -> MonitorHandle? {
        guard let fields = try nested(key) else { return nil }
        return MonitorHandle(
            kind: try fields.string("kind", label),
            target: try fields.string("target", Limit(bytes: limits.maxMonitorTargetBytes, key: "max_monitor_target_bytes")))
    }
}

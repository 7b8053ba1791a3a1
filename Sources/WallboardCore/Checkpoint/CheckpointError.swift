import JSONModel

/// Why a checkpoint could not be restored: which key, and what was wrong with it.
public struct CheckpointError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable, Equatable {
        /// A required key is absent.
        case missingKey = "missing_key"
        /// A value has the wrong JSON type (e.g. a string where an integer belongs).
        case wrongType = "wrong_type"
        /// A value has the right type but is not acceptable (unknown state, unsorted history, ...).
        case invalidValue = "invalid_value"
        /// The checkpoint was written by a newer (or unknown) format version.
        case unsupportedVersion = "unsupported_version"
    }

    public let kind: Kind
    /// The path of the offending value from the root, e.g. `contacts[3].queued_at` or
    /// `history.entries[12][6]`; empty for the root itself.
    public let key: String
    public let message: String

    public init(_ kind: Kind, key: String, _ message: String) {
        self.kind = kind
        self.key = key
        self.message = message
    }

    public var description: String {
        key.isEmpty ? "checkpoint: \(message)" : "checkpoint key \(key): \(message)"
    }
}

/// A value of a checkpoint being decoded, with its path for error messages.
///
/// The path is spelled out only when asked for (an error): a node keeps the path of an ancestor and
/// the one or two steps below it, so decoding a million array elements formats no path strings.
struct CheckpointNode {
    let value: JSONValue
    /// The path of an ancestor, already spelled out.
    private let base: String
    /// The steps from `base` to this node.
    private let steps: Steps
    /// The field name of a tuple element, for messages.
    var label: String? = nil

    private enum Steps {
        case none
        case key(String)
        case index(Int)
        case indexKey(Int, String)
        case indexIndex(Int, Int)
    }

    init(_ value: JSONValue, path: String, label: String? = nil) {
        self.init(value, base: path, steps: .none, label: label)
    }

    private init(_ value: JSONValue, base: String, steps: Steps, label: String? = nil) {
        self.value = value
        self.base = base
        self.steps = steps
        self.label = label
    }

    /// The path of this value from the root, e.g. `contacts[3].queued_at`; empty for the root itself.
    var path: String {
        switch steps {
        case .none: return base
        case .key(let name): return base.isEmpty ? name : "\(base).\(name)"
        case .index(let index): return "\(base)[\(index)]"
        case .indexKey(let index, let name): return "\(base)[\(index)].\(name)"
        case .indexIndex(let index, let inner): return "\(base)[\(index)][\(inner)]"
        }
    }

    private func child(_ value: JSONValue, key name: String) -> CheckpointNode {
        switch steps {
        case .none: return CheckpointNode(value, base: base, steps: .key(name))
        case .index(let index): return CheckpointNode(value, base: base, steps: .indexKey(index, name))
        default: return CheckpointNode(value, base: path, steps: .key(name))
        }
    }

    private func child(_ value: JSONValue, index inner: Int, label: String? = nil) -> CheckpointNode {
        switch steps {
        case .index(let index): return CheckpointNode(value, base: base, steps: .indexIndex(index, inner), label: label)
        default: return CheckpointNode(value, base: path, steps: .index(inner), label: label)
        }
    }

    func error(_ kind: CheckpointError.Kind, _ message: String) -> CheckpointError {
        CheckpointError(kind, key: path, label.map { "\($0): \(message)" } ?? message)
    }

    private func typeError(_ expected: String) -> CheckpointError {
        error(.wrongType, "expected \(expected), found \(value.typeName)")
    }

    var isNull: Bool { value.isNull }

    // MARK: Objects

    func object() throws(CheckpointError) -> JSONObject {
        guard let object = value.objectValue else { throw typeError("an object") }
        return object
    }

    /// The member `name`, which must be present (it may be `null`).
    func key(_ name: String) throws(CheckpointError) -> CheckpointNode {
        guard let member = try object()[name] else {
            throw CheckpointError(.missingKey, key: child(.null, key: name).path, "required key is missing")
        }
        return child(member, key: name)
    }

    /// The member `name`, or `nil` when it is absent or `null`.
    func optionalKey(_ name: String) throws(CheckpointError) -> CheckpointNode? {
        guard let member = try object()[name], !member.isNull else { return nil }
        return child(member, key: name)
    }

    /// Fails on a member not in `allowed` (a typo or a field this version does not know).
    func onlyKeys(_ allowed: Set<String>) throws(CheckpointError) {
        for key in try object().keys where !allowed.contains(key) {
            throw CheckpointError(.invalidValue, key: child(.null, key: key).path, "unknown key")
        }
    }

    /// The members in order, as (name, node).
    func members() throws(CheckpointError) -> [(String, CheckpointNode)] {
        try object().members.map { ($0.key, child($0.value, key: $0.key)) }
    }

    // MARK: Arrays

    func array() throws(CheckpointError) -> [CheckpointNode] {
        guard let array = value.arrayValue else { throw typeError("an array") }
        // Spelled out once for all elements when this node is more than one step below its base.
        let parent: CheckpointNode
        switch steps {
        case .none, .index: parent = self
        default: parent = CheckpointNode(value, base: path, steps: .none)
        }
        var result: [CheckpointNode] = []
        result.reserveCapacity(array.count)
        for (index, element) in array.enumerated() { result.append(parent.child(element, index: index)) }
        return result
    }

    func map<T>(_ transform: (CheckpointNode) throws(CheckpointError) -> T) throws(CheckpointError) -> [T] {
        var result: [T] = []
        for element in try array() { result.append(try transform(element)) }
        return result
    }

    /// An array of exactly `labels.count` elements, each labelled for messages.
    func tuple(_ labels: [String]) throws(CheckpointError) -> [CheckpointNode] {
        let elements = try array()
        guard elements.count == labels.count else {
            throw error(
                .invalidValue, "expected \(labels.count) elements (\(labels.joined(separator: ", "))), found \(elements.count)")
        }
        return zip(elements, labels).map { element, label in
            var labelled = element
            labelled.label = label
            return labelled
        }
    }

    // MARK: Scalars

    func string() throws(CheckpointError) -> String {
        guard let string = value.stringValue else { throw typeError("a string") }
        return string
    }

    func optionalString() throws(CheckpointError) -> String? { isNull ? nil : try string() }

    func strings() throws(CheckpointError) -> [String] { try map { node throws(CheckpointError) in try node.string() } }

    func int64() throws(CheckpointError) -> Int64 {
        guard let integer = value.integerValue else {
            if value.doubleValue != nil { throw error(.invalidValue, "expected an integer, found \(value)") }
            throw typeError("an integer")
        }
        return integer
    }

    func int() throws(CheckpointError) -> Int {
        guard let integer = Int(exactly: try int64()) else { throw error(.invalidValue, "integer out of range") }
        return integer
    }

    func optionalInt() throws(CheckpointError) -> Int? { isNull ? nil : try int() }

    func count() throws(CheckpointError) -> Int {
        let value = try int()
        guard value >= 0 else { throw error(.invalidValue, "a count cannot be negative (\(value))") }
        return value
    }

    func bool() throws(CheckpointError) -> Bool {
        guard let bool = value.boolValue else { throw typeError("a boolean") }
        return bool
    }

    func optionalBool() throws(CheckpointError) -> Bool? { isNull ? nil : try bool() }

    func instant() throws(CheckpointError) -> Instant { Instant(milliseconds: try int64()) }

    func optionalInstant() throws(CheckpointError) -> Instant? { isNull ? nil : try instant() }

    func oneOf<T: RawRepresentable>(_ type: T.Type) throws(CheckpointError) -> T where T.RawValue == String {
        let raw = try string()
        guard let result = T(rawValue: raw) else { throw error(.invalidValue, "unknown value \"\(raw)\"") }
        return result
    }

    func optionalOneOf<T: RawRepresentable>(_ type: T.Type) throws(CheckpointError) -> T? where T.RawValue == String {
        isNull ? nil : try oneOf(type)
    }
}

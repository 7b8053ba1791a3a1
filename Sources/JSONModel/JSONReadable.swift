/// Read access to one parsed JSON value: what a decoder needs to read a parser's own tree (json-c's,
/// in `JSONC`) without first converting all of it to ``JSONValue``. ``JSONValue`` conforms too, so one
/// decoder serves both.
///
/// Answers must agree with ``JSONValue``: a conforming tree converted to a ``JSONValue`` reads the same.
public protocol JSONReadable {
    /// The value when it is null, a boolean, a number or a string; `nil` for an array or an object.
    var scalar: JSONValue? { get }
    /// Whether this is `null` (without building ``scalar``).
    var isNull: Bool { get }
    /// The string, when this is a string (without building ``scalar`` first).
    var stringValue: String? { get }
    /// A short name of the JSON type, as ``JSONValue/typeName`` says it.
    var typeName: String { get }
    /// The number of elements when this is an array, else `nil`.
    var arrayCount: Int? { get }
    /// The element at `index` (`0..<arrayCount`) of an array.
    func element(at index: Int) -> Self
    /// Whether this is an object.
    var isObject: Bool { get }
    /// The member `key` of an object (a member whose value is `null` is returned as that null); `nil`
    /// when there is no such member or this is not an object.
    func member(_ key: String) -> Self?
    /// The number of members of an object (0 for anything else).
    var memberCount: Int { get }
    /// The members of an object in their order (empty for anything else).
    var members: [(key: String, value: Self)] { get }
}

extension JSONValue: JSONReadable {
    @inlinable public var scalar: JSONValue? {
        switch self {
        case .array, .object: return nil
        default: return self
        }
    }

    @inlinable public var arrayCount: Int? {
        if case .array(let elements) = self { return elements.count }
        return nil
    }

    @inlinable public func element(at index: Int) -> JSONValue {
        guard case .array(let elements) = self else { preconditionFailure("element(at:) of a \(typeName)") }
        return elements[index]
    }

    @inlinable public var isObject: Bool {
        if case .object = self { return true }
        return false
    }

    @inlinable public func member(_ key: String) -> JSONValue? { self[key] }

    @inlinable public var memberCount: Int { objectValue?.count ?? 0 }

    @inlinable public var members: [(key: String, value: JSONValue)] {
        (objectValue?.members ?? []).map { (key: $0.key, value: $0.value) }
    }
}

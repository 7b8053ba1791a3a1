/// A JSON document as a Swift value: what the JSON wrapper decodes into and encodes from.
///
/// Pure Swift so the domain core can build and read JSON without touching C. Objects keep their
/// members in insertion order (``JSONObject``) so encoded output is deterministic.
public enum JSONValue: Sendable {
    case null
    case bool(Bool)
    /// A number written without a fraction or exponent. json-c saturates a literal beyond 64 bits to
    /// `Int64.max` or `Int64.min`, so those two values may stand for any larger magnitude
    /// (``numberDescription`` says so instead of naming them).
    case integer(Int64)
    /// Any other number. Encoded with at most ``JSONValue/fractionDigits`` decimals.
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object(JSONObject)

    /// How many decimals a `.number` keeps when encoded (trailing zeros are dropped).
    public static let fractionDigits = 4

    /// The member `key` when this is an object, else `nil`.
    public subscript(key: String) -> JSONValue? {
        if case .object(let object) = self { return object[key] }
        return nil
    }

    /// The string, when this is a string.
    public var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    /// The number as a `Double`, when this is an integer or a number.
    public var doubleValue: Double? {
        switch self {
        case .integer(let value): return Double(value)
        case .number(let value): return value
        default: return nil
        }
    }

    /// The number as an `Int64` when it is integral.
    public var integerValue: Int64? {
        switch self {
        case .integer(let value): return value
        case .number(let value) where value.rounded() == value && abs(value) < 9.0e15: return Int64(value)
        default: return nil
        }
    }

    /// The number as an error message should quote it: the value as sent when it is known exactly, else
    /// a phrase saying it is out of range (an integer json-c saturated at a 64-bit bound, a number
    /// beyond a double's range). `nil` when this is not a number.
    public var numberDescription: String? {
        switch self {
        case .integer(let value) where value == .max || value == .min:
            return "a number out of range (beyond 64-bit integers)"
        case .integer(let value):
            return String(value)
        case .number(let value) where !value.isFinite:
            return "a number out of range (beyond 64-bit floating point)"
        case .number(let value) where value == value.rounded() && abs(value) <= 9_007_199_254_740_992:  // 2^53: exact
            return String(Int64(value))
        case .number(let value):
            return "\(value)"
        default:
            return nil
        }
    }

    /// The boolean, when this is one.
    public var boolValue: Bool? {
        if case .bool(let value) = self { return value }
        return nil
    }

    /// The elements, when this is an array.
    public var arrayValue: [JSONValue]? {
        if case .array(let value) = self { return value }
        return nil
    }

    /// The object, when this is one.
    public var objectValue: JSONObject? {
        if case .object(let value) = self { return value }
        return nil
    }

    /// `true` for `.null`.
    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }

    /// A short name of the JSON type, for error messages ("string", "number", ...).
    public var typeName: String {
        switch self {
        case .null: return "null"
        case .bool: return "boolean"
        case .integer, .number: return "number"
        case .string: return "string"
        case .array: return "array"
        case .object: return "object"
        }
    }
}

extension JSONValue: Equatable {
    /// Numbers compare by value whether written as integers or not (`10` == `10.0`), as JSON has one number type.
    public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
        // Written as one switch on `lhs` with element loops: the tuple-pattern form crashed the
        // Swift 6.3 optimizer (CopyPropagation) in release builds.
        switch lhs {
        case .null:
            return rhs.isNull
        case .bool(let flag):
            return rhs.boolValue == flag
        case .integer(let number):
            if case .integer(let other) = rhs { return number == other }
            return rhs.doubleValue == Double(number)
        case .number(let number):
            return rhs.doubleValue == number
        case .string(let text):
            return rhs.stringValue == text
        case .array(let elements):
            guard let others = rhs.arrayValue, others.count == elements.count else { return false }
            for index in elements.indices where !(elements[index] == others[index]) { return false }
            return true
        case .object(let object):
            guard let other = rhs.objectValue, other.count == object.count else { return false }
            for (mine, theirs) in zip(object.members, other.members) where mine.key != theirs.key || !(mine.value == theirs.value) {
                return false
            }
            return true
        }
    }
}

extension JSONValue {
    /// `.null` for `nil`, else the wrapped value converted by `transform`.
    public static func optional<T>(_ value: T?, _ transform: (T) -> JSONValue) -> JSONValue {
        guard let value else { return .null }
        return transform(value)
    }

    /// A `.number`, or `.null` for `nil`, NaN and infinities (JSON has no such numbers).
    public static func number(_ value: Double?) -> JSONValue {
        guard let value, value.isFinite else { return .null }
        return .number(value)
    }

    /// An `.integer` from any integer type.
    public static func int<I: BinaryInteger>(_ value: I) -> JSONValue {
        .integer(Int64(value))
    }
}

extension JSONValue: ExpressibleByStringLiteral, ExpressibleByBooleanLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByNilLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral
{
    public init(stringLiteral value: String) { self = .string(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(integerLiteral value: Int64) { self = .integer(value) }
    public init(nilLiteral: ()) { self = .null }
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        var object = JSONObject()
        for (key, value) in elements { object[key] = value }
        self = .object(object)
    }
}

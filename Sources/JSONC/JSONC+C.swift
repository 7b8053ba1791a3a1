import CJSONC
import JSONModel

/// Parses and encodes JSON with json-c. Every `json_*` call of the project lives in this file.
///
/// Ownership rules encoded here: a parsed root is owned by ``JSONCDocument`` and released with
/// `json_object_put` in its `deinit`; children reached with `json_object_object_foreach` or
/// `json_object_array_get_idx` are borrowed and never put; the `char *` from
/// `json_object_to_json_string_ext` belongs to the object and is copied into a `String` before the
/// object goes away.
public enum JSONC {
    /// The deepest nesting a parse accepts (json-c's own default is 32).
    public static let maximumDepth: Int32 = 32

    /// Parses one complete JSON text (strict RFC 8259; trailing bytes other than white space are an error).
    ///
    /// The corresponding C functions are `json_tokener_new_ex` and `json_tokener_parse_ex`.
    public static func parse(_ text: String) throws(JSONCError) -> JSONValue {
        var utf8 = Array(text.utf8)
        return try parse(bytes: &utf8)
    }

    /// Parses one complete JSON text given as UTF-8 bytes.
    public static func parse(bytes: inout [UInt8]) throws(JSONCError) -> JSONValue {
        let document = try JSONCDocument.parse(bytes: &bytes)
        return document.value()
    }

    /// Encodes a value as compact JSON text (no spaces, `/` not escaped).
    ///
    /// The corresponding C function is `json_object_to_json_string_ext`.
    public static func encode(_ value: JSONValue) -> String {
        let root = makeObject(value)
        defer { json_object_put(root) }
        guard let text = json_object_to_json_string_ext(root, CJSONC_plain_no_slash_escape()) else {
            return "null"
        }
        return String(cString: text)
    }

    /// Builds an owned json-c object tree; the caller puts the root.
    static func makeObject(_ value: JSONValue) -> OpaquePointer? {
        switch value {
        case .null:
            return nil
        case .bool(let flag):
            return json_object_new_boolean(flag ? 1 : 0)
        case .integer(let number):
            return json_object_new_int64(number)
        case .number(let number):
            guard number.isFinite else { return nil }
            return JSONValue.formatNumber(number).withCString { json_object_new_double_s(number, $0) }
        case .string(let string):
            let utf8 = Array(string.utf8)
            return utf8.withUnsafeBufferPointer { buffer in
                buffer.baseAddress!.withMemoryRebound(to: CChar.self, capacity: max(buffer.count, 1)) {
                    json_object_new_string_len($0, Int32(buffer.count))
                }
            }
        case .array(let elements):
            let array = json_object_new_array_ext(Int32(max(elements.count, 1)))
            for element in elements { json_object_array_add(array, makeObject(element)) }
            return array
        case .object(let object):
            let result = json_object_new_object()
            for member in object.members {
                json_object_object_add(result, member.key, makeObject(member.value))
            }
            return result
        }
    }

    /// Converts a borrowed json-c object into a ``JSONValue``.
    static func value(of object: OpaquePointer?) -> JSONValue {
        guard let object else { return .null }
        switch json_object_get_type(object) {
        case json_type_null:
            return .null
        case json_type_boolean:
            return .bool(json_object_get_boolean(object) != 0)
        case json_type_int:
            return .integer(json_object_get_int64(object))
        case json_type_double:
            return .number(json_object_get_double(object))
        case json_type_string:
            let length = Int(json_object_get_string_len(object))
            guard let pointer = json_object_get_string(object) else { return .string("") }
            let buffer = UnsafeRawBufferPointer(start: pointer, count: length)
            return .string(String(decoding: buffer, as: UTF8.self))
        case json_type_array:
            let count = json_object_array_length(object)
            var elements: [JSONValue] = []
            elements.reserveCapacity(count)
            for index in 0..<count { elements.append(value(of: json_object_array_get_idx(object, index))) }
            return .array(elements)
        case json_type_object:
            // json-c keeps one entry per key (a repeated key replaces the earlier value), so the
            // members are distinct: built in one pass, not one linear lookup per member.
            var members: [(String, JSONValue)] = []
            members.reserveCapacity(Int(json_object_object_length(object)))
            var iterator = json_object_iter_begin(object)
            var end = json_object_iter_end(object)
            while json_object_iter_equal(&iterator, &end) == 0 {
                let key = String(cString: json_object_iter_peek_name(&iterator))
                members.append((key, value(of: json_object_iter_peek_value(&iterator))))
                json_object_iter_next(&iterator)
            }
            return .object(JSONObject(distinctKeys: members))
        default:
            return .null
        }
    }
}

/// An owned json-c parse result: the root object is released with `json_object_put` in `deinit`.
final class JSONCDocument {
    let root: OpaquePointer?

    init(root: OpaquePointer?) { self.root = root }

    deinit { json_object_put(root) }

    /// Parses `bytes` strictly with a fresh tokener (freed here on every path); the root, on success,
    /// is owned by the returned document.
    static func parse(bytes: inout [UInt8]) throws(JSONCError) -> JSONCDocument {
        let parser = try JSONCParser()
        let outcome: Result<JSONCDocument, JSONCError> = bytes.withUnsafeBytes { buffer in
            do throws(JSONCError) { return .success(try parser.document(buffer)) } catch { return .failure(error) }
        }
        return try outcome.get()
    }

    /// The document as a Swift value.
    func value() -> JSONValue { JSONC.value(of: root) }
}

/// A reusable strict json-c parser: one tokener, reset between texts (what `json_tokener_parse` would
/// allocate and free for every line). Not thread-safe: use one per queue or per batch.
public final class JSONCParser {
    private let tokener: UnsafeMutablePointer<json_tokener>

    /// Allocates the tokener (``JSONC/maximumDepth`` levels deep).
    public init() throws(JSONCError) {
        guard let tokener = json_tokener_new_ex(JSONC.maximumDepth) else {
            throw JSONCError(function: "json_tokener_new_ex", reason: "out of memory", offset: nil)
        }
        json_tokener_set_flags(tokener, JSON_TOKENER_STRICT)
        self.tokener = tokener
    }

    deinit { json_tokener_free(tokener) }

    /// Parses one complete JSON text and calls `body` with its root, read in place (see ``JSONCNode``:
    /// valid only during the call). The rules and errors are those of ``JSONC/parse(bytes:)``.
    public func parse<Output>(_ bytes: UnsafeRawBufferPointer, _ body: (JSONCNode) -> Output) throws(JSONCError) -> Output {
        let document = try document(bytes)
        return withExtendedLifetime(document) { body(JSONCNode(document.root)) }
    }

    /// Parses `bytes` strictly; the root, on success, is owned by the returned document.
    func document(_ bytes: UnsafeRawBufferPointer) throws(JSONCError) -> JSONCDocument {
        json_tokener_reset(tokener)
        if let quote = Self.firstSingleQuoteOutsideStrings(bytes) {
            throw JSONCError(function: "json_tokener_parse_ex", reason: "single-quoted strings are not JSON", offset: quote)
        }
        let count = bytes.count
        var root: OpaquePointer? = bytes.baseAddress.map { base in
            json_tokener_parse_ex(tokener, base.assumingMemoryBound(to: CChar.self), Int32(count))
        } ?? nil
        var status = json_tokener_get_error(tokener)
        var end = json_tokener_get_parse_end(tokener)
        if status == json_tokener_continue, root == nil, end == count, count > 0,
            bytes.contains(where: { !Self.isWhiteSpace($0) })
        {
            // A top-level number (`42`) may go on in a next chunk: one space ends it. Nothing else
            // that is incomplete becomes complete this way.
            root = " ".withCString { json_tokener_parse_ex(tokener, $0, 1) }
            status = json_tokener_get_error(tokener)
            end = count
        }
        if status != json_tokener_success {
            json_object_put(root)
            let reason =
                status == json_tokener_continue
                ? "unexpected end of input" : String(cString: json_tokener_error_desc(status))
            throw JSONCError(function: "json_tokener_parse_ex", reason: reason, offset: end)
        }
        let document = JSONCDocument(root: root)
        if let garbage = bytes[end...].firstIndex(where: { !Self.isWhiteSpace($0) }) {
            throw JSONCError(function: "json_tokener_parse_ex", reason: "unexpected data after the JSON value",
                             offset: garbage)
        }
        return document
    }

    /// json-c accepts `'single quoted'` strings even in strict mode; RFC 8259 does not.
    private static func firstSingleQuoteOutsideStrings(_ bytes: UnsafeRawBufferPointer) -> Int? {
        // Most texts have no `'` at all: one fast scan decides.
        guard bytes.contains(UInt8(ascii: "'")) else { return nil }
        var inString = false
        var escaped = false
        for (offset, byte) in bytes.enumerated() {
            if inString {
                if escaped { escaped = false } else if byte == UInt8(ascii: "\\") { escaped = true } else if byte == UInt8(ascii: "\"") { inString = false }
            } else if byte == UInt8(ascii: "\"") {
                inString = true
            } else if byte == UInt8(ascii: "'") {
                return offset
            }
        }
        return nil
    }

    private static func isWhiteSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09
    }
}

/// One value of a json-c tree, read in place: borrowed from the document that ``JSONCParser/parse(_:_:)``
/// passes it from, and valid only during that call (never store one).
public struct JSONCNode: JSONReadable {
    let object: OpaquePointer?

    init(_ object: OpaquePointer?) { self.object = object }

    public var scalar: JSONValue? {
        guard let object else { return .null }
        switch json_object_get_type(object) {
        case json_type_array, json_type_object: return nil
        default: return JSONC.value(of: object)
        }
    }

    public var isNull: Bool {
        guard let object else { return true }
        return json_object_get_type(object) == json_type_null
    }

    public var stringValue: String? {
        guard let object, json_object_get_type(object) == json_type_string else { return nil }
        guard let pointer = json_object_get_string(object) else { return "" }
        return String(decoding: UnsafeRawBufferPointer(start: pointer, count: Int(json_object_get_string_len(object))), as: UTF8.self)
    }

    public var typeName: String {
        guard let object else { return "null" }
        switch json_object_get_type(object) {
        case json_type_boolean: return "boolean"
        case json_type_int, json_type_double: return "number"
        case json_type_string: return "string"
        case json_type_array: return "array"
        case json_type_object: return "object"
        default: return "null"
        }
    }

    public var arrayCount: Int? {
        guard let object, json_object_get_type(object) == json_type_array else { return nil }
        return json_object_array_length(object)
    }

    public func element(at index: Int) -> JSONCNode { JSONCNode(json_object_array_get_idx(object, index)) }

    public var isObject: Bool {
        guard let object else { return false }
        return json_object_get_type(object) == json_type_object
    }

    public func member(_ key: String) -> JSONCNode? {
        guard isObject else { return nil }
        var value: OpaquePointer?
        // json-c keeps one entry per key (a repeated key replaces the earlier value), as `JSONC.value(of:)` reads it.
        // withCString: a short key is copied to the stack (passing the String itself would allocate
        // its C string on the heap for every lookup).
        guard key.withCString({ json_object_object_get_ex(object, $0, &value) }) != 0 else { return nil }
        return JSONCNode(value)
    }

    public var memberCount: Int { isObject ? Int(json_object_object_length(object)) : 0 }

    public var members: [(key: String, value: JSONCNode)] {
        guard isObject else { return [] }
        var members: [(key: String, value: JSONCNode)] = []
        members.reserveCapacity(memberCount)
        var iterator = json_object_iter_begin(object)
        var end = json_object_iter_end(object)
        while json_object_iter_equal(&iterator, &end) == 0 {
            members.append((String(cString: json_object_iter_peek_name(&iterator)), JSONCNode(json_object_iter_peek_value(&iterator))))
            json_object_iter_next(&iterator)
        }
        return members
    }
}

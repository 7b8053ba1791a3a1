import JSONModel

/// A small JSON parser for test fixtures (the daemon parses with json-c; the core has no parser).
enum MiniJSON {
    struct Failure: Error {}

    static func parse(_ text: String) throws -> JSONValue {
        var bytes = Array(text.utf8)[...]
        let value = try parseValue(&bytes)
        skip(&bytes)
        guard bytes.isEmpty else { throw Failure() }
        return value
    }

    private static func skip(_ b: inout ArraySlice<UInt8>) {
        while let c = b.first, c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 { b.removeFirst() }
    }

    private static func parseValue(_ b: inout ArraySlice<UInt8>) throws -> JSONValue {
        skip(&b)
        guard let c = b.first else { throw Failure() }
        switch c {
        case UInt8(ascii: "{"):
            b.removeFirst()
            var object = JSONObject()
            skip(&b)
            if b.first == UInt8(ascii: "}") { b.removeFirst(); return .object(object) }
            while true {
                skip(&b)
                guard case .string(let key) = try parseValue(&b) else { throw Failure() }
                skip(&b)
                guard b.popFirst() == UInt8(ascii: ":") else { throw Failure() }
                object[key] = try parseValue(&b)
                skip(&b)
                let next = b.popFirst()
                if next == UInt8(ascii: "}") { return .object(object) }
                guard next == UInt8(ascii: ",") else { throw Failure() }
            }
        case UInt8(ascii: "["):
            b.removeFirst()
            var array: [JSONValue] = []
            skip(&b)
            if b.first == UInt8(ascii: "]") { b.removeFirst(); return .array(array) }
            while true {
                array.append(try parseValue(&b))
                skip(&b)
                let next = b.popFirst()
                if next == UInt8(ascii: "]") { return .array(array) }
                guard next == UInt8(ascii: ",") else { throw Failure() }
            }
        case UInt8(ascii: "\""):
            b.removeFirst()
            var out: [UInt8] = []
            while let ch = b.popFirst() {
                if ch == UInt8(ascii: "\"") { return .string(String(decoding: out, as: UTF8.self)) }
                if ch == UInt8(ascii: "\\") {
                    guard let esc = b.popFirst() else { throw Failure() }
                    out.append(esc == UInt8(ascii: "n") ? 0x0A : esc)
                } else {
                    out.append(ch)
                }
            }
            throw Failure()
        default:
            var token: [UInt8] = []
            while let ch = b.first, !",]} \n\r\t".utf8.contains(ch) { token.append(b.removeFirst()) }
            let text = String(decoding: token, as: UTF8.self)
            switch text {
            case "true": return .bool(true)
            case "false": return .bool(false)
            case "null": return .null
            default:
                if let integer = Int64(text) { return .integer(integer) }
                if let number = Double(text) { return .number(number) }
                throw Failure()
            }
        }
    }
}

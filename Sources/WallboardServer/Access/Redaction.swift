import JSONModel

/// Removes customer identifiers from what viewers read (wall displays in public places).
public enum Redaction {
    /// Keys whose values identify a customer or let someone listen in; their values become `null`.
    /// `segment` (e.g. vip), language and reason stay: boards count by them.
    public static let customerKeys: Set<String> = [
        "customer", "customer_id", "caller", "caller_id", "caller_number", "caller_name", "callerid",
        "phone", "email", "monitor", "monitor_handle",
    ]

    /// The snapshot (or any topic payload) with every customer identifier set to `null`, at any depth,
    /// and `"masked": true` on the top-level object. Pure; the original is untouched.
    public static func maskCustomerData(_ snapshot: JSONValue) -> JSONValue {
        guard case .object(var object) = mask(snapshot) else { return mask(snapshot) }
        object["masked"] = true
        return .object(object)
    }

    private static func mask(_ value: JSONValue) -> JSONValue {
        switch value {
        case .object(let object):
            var masked = JSONObject()
            for member in object.members {
                if customerKeys.contains(member.key) {
                    masked[member.key] = maskedValue(member.value)
                } else {
                    masked[member.key] = mask(member.value)
                }
            }
            return .object(masked)
        case .array(let elements):
            return .array(elements.map(mask))
        default:
            return value
        }
    }

    /// A customer object keeps its `segment`; anything else becomes `null`.
    private static func maskedValue(_ value: JSONValue) -> JSONValue {
        guard let object = value.objectValue, let segment = object["segment"] else { return .null }
        return ["segment": segment]
    }

    /// A URL cut to its scheme, host and port (`https://hooks.slack.com/…`), for files and lines a
    /// person may read or share: webhook URLs (Slack, Teams) carry their secret in the path or query,
    /// and a URL with user info carries a password.
    public static func url(_ text: String) -> String {
        guard let schemeEnd = text.range(of: "://") else { return "…" }
        let rest = text[schemeEnd.upperBound...]
        let authority = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        let host = authority.split(separator: "@", omittingEmptySubsequences: false).last ?? ""
        let cut = authority.count < rest.count || authority.contains("@")
        return text[..<schemeEnd.upperBound] + host + (cut ? "/…" : "")
    }
}

extension Redaction {
    /// ``maskCustomerData(_:)`` of the JSON text `json`, worked on the text: the customer values replaced
    /// in place (`null`, or `{"segment":…}` with the segment's text as it was) and `"masked":true` added as
    /// the top-level object's last member, everything else copied byte for byte. That is
    /// `JSONC.encode(maskCustomerData(JSONC.parse(json)))` for the compact text json-c writes (what topics
    /// carry; `RedactionTextTests` compares the two over real payloads), without parsing and encoding the
    /// whole payload again for every masked view.
    ///
    /// `nil` when the text is not such an object (not an object, white space between tokens, a key with an
    /// escape, a top-level `masked` already, nesting deeper than ``maxTextDepth``, malformed): the caller
    /// then masks the parsed value.
    public static func maskedText(_ json: String) -> String? {
        var json = json
        return json.withUTF8 { bytes -> String? in
            var masker = TextMasker(bytes: bytes)
            guard let output = masker.masked() else { return nil }
            return String(decoding: output, as: UTF8.self)
        }
    }

    /// How deep ``maskedText(_:)`` follows nested objects and arrays before it leaves the text to the parser.
    static let maxTextDepth = 64

    /// The customer keys as bytes, by length, for matching keys on the text.
    fileprivate static let customerKeyBytes: [Int: [[UInt8]]] = Dictionary(grouping: customerKeys.map { Array($0.utf8) }, by: \.count)
}

/// One pass over a compact JSON text: finds the customer keys' values and the end of the top-level object.
private struct TextMasker {
    let bytes: UnsafeBufferPointer<UInt8>
    var index = 0
    /// Value ranges to replace, in text order, and their replacements.
    var edits: [(range: Range<Int>, replacement: [UInt8])] = []

    init(bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    private static let quote = UInt8(ascii: "\""), backslash = UInt8(ascii: "\\"), colon = UInt8(ascii: ":"),
        comma = UInt8(ascii: ","), openBrace = UInt8(ascii: "{"), closeBrace = UInt8(ascii: "}"),
        openBracket = UInt8(ascii: "["), closeBracket = UInt8(ascii: "]")
    private static let maskedMember = Array(#""masked":true"#.utf8)
    private static let segmentKey = Array("segment".utf8)
    private static let nullText = Array("null".utf8)

    mutating func masked() -> [UInt8]? {
        guard bytes.first == Self.openBrace, walkObject(depth: 1, top: true), index == bytes.count else { return nil }
        // The last byte is the top-level object's `}`.
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count + Self.maskedMember.count + 1)
        var from = 0
        for edit in edits {
            output.append(contentsOf: bytes[from..<edit.range.lowerBound])
            output.append(contentsOf: edit.replacement)
            from = edit.range.upperBound
        }
        output.append(contentsOf: bytes[from..<(bytes.count - 1)])
        if bytes.count > 2 { output.append(Self.comma) }
        output.append(contentsOf: Self.maskedMember)
        output.append(Self.closeBrace)
        return output
    }

    /// Skips the string at `index`; returns its content's range. `nil` when it is not a string.
    private mutating func string() -> Range<Int>? {
        guard index < bytes.count, bytes[index] == Self.quote else { return nil }
        index += 1
        let start = index
        while index < bytes.count {
            let byte = bytes[index]
            if byte == Self.backslash {
                index += 2
            } else if byte == Self.quote {
                index += 1
                return start..<(index - 1)
            } else {
                index += 1
            }
        }
        return nil
    }

    /// Walks the object at `index` (its members' values masked where their key is a customer key).
    private mutating func walkObject(depth: Int, top: Bool = false) -> Bool {
        guard depth <= Redaction.maxTextDepth else { return false }
        index += 1  // {
        if index < bytes.count, bytes[index] == Self.closeBrace {
            index += 1
            return true
        }
        while true {
            guard let key = string(), index < bytes.count, bytes[index] == Self.colon else { return false }
            index += 1
            // A key with an escape might spell a customer key another way: left to the parser.
            if bytes[key].contains(Self.backslash) { return false }
            if top, bytes[key].elementsEqual("masked".utf8) { return false }
            if isCustomerKey(key) {
                let start = index
                let editsBefore = edits.count
                guard let replacement = maskedValue(depth: depth + 1) else { return false }
                // The value goes whole: what was found to mask inside it goes with it.
                edits.removeSubrange(editsBefore...)
                edits.append((start..<index, replacement))
            } else if !walkValue(depth: depth + 1) {
                return false
            }
            guard let closed = separator(closing: Self.closeBrace) else { return false }
            if closed { return true }
        }
    }

    private mutating func walkArray(depth: Int) -> Bool {
        guard depth <= Redaction.maxTextDepth else { return false }
        index += 1  // [
        if index < bytes.count, bytes[index] == Self.closeBracket {
            index += 1
            return true
        }
        while true {
            guard walkValue(depth: depth + 1), let closed = separator(closing: Self.closeBracket) else { return false }
            if closed { return true }
        }
    }

    /// Skips what follows a member or element: a comma (`false`: another one follows) or `closing`, the
    /// container's closing bracket (`true`: it ended). `nil` for anything else, or the end of the text.
    private mutating func separator(closing: UInt8) -> Bool? {
        guard index < bytes.count else { return nil }
        let byte = bytes[index]
        guard byte == Self.comma || byte == closing else { return nil }
        index += 1
        return byte == closing
    }

    /// Walks any value at `index`.
    private mutating func walkValue(depth: Int) -> Bool {
        guard index < bytes.count else { return false }
        switch bytes[index] {
        case Self.openBrace: return walkObject(depth: depth)
        case Self.openBracket: return walkArray(depth: depth)
        case Self.quote: return string() != nil
        default: return scalar()
        }
    }

    /// Skips a number, `true`, `false` or `null` (the characters they are made of; json-c wrote them).
    private mutating func scalar() -> Bool {
        let start = index
        while index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "+"), UInt8(ascii: "."),
                UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "E"):
                index += 1
            default:
                return index > start
            }
        }
        return index > start
    }

    /// Skips the value of a customer key and returns what replaces it: `{"segment":…}` when it is an object
    /// with a `segment` member (its value's text kept as is, like ``Redaction/maskCustomerData(_:)`` keeps
    /// the value), else `null`.
    private mutating func maskedValue(depth: Int) -> [UInt8]? {
        guard index < bytes.count, bytes[index] == Self.openBrace else {
            return walkValue(depth: depth) ? Self.nullText : nil
        }
        guard depth <= Redaction.maxTextDepth else { return nil }
        index += 1  // {
        if index < bytes.count, bytes[index] == Self.closeBrace {
            index += 1
            return Self.nullText
        }
        var segment: Range<Int>?
        while true {
            guard let key = string(), index < bytes.count, bytes[index] == Self.colon else { return nil }
            index += 1
            if bytes[key].contains(Self.backslash) { return nil }
            let start = index
            guard walkValue(depth: depth + 1) else { return nil }
            if segment == nil, bytes[key].elementsEqual(Self.segmentKey) { segment = start..<index }
            guard let closed = separator(closing: Self.closeBrace) else { return nil }
            if closed { break }
        }
        guard let segment else { return Self.nullText }
        return Array(#"{"segment":"#.utf8) + bytes[segment] + [Self.closeBrace]
    }

    private func isCustomerKey(_ key: Range<Int>) -> Bool {
        guard let candidates = Redaction.customerKeyBytes[key.count] else { return false }
        let text = bytes[key]
        return candidates.contains { text.elementsEqual($0) }
    }
}

extension AccessPrincipal {
    /// Shapes topic texts as ``TopicHub/Viewer/shape(_:_:)`` does with this principal's views, on the
    /// text (``Redaction/maskedText(_:)``), for a principal whose view only masks (a viewer of every
    /// queue and team: the anonymous board); `nil` for the others (a scope cuts lists: parsed and cut).
    /// It answers `nil` for `interactions` (``view(topic:_:snapshot:)`` empties it for a viewer).
    public var textShaper: (@Sendable (_ topic: String, _ json: String) -> String?)? {
        guard !role.seesCustomerData, !scope.isLimited else { return nil }
        return { topic, json in
            if topic == "interactions" { return nil }
            // As they are (`view(topic:_:snapshot:)`): the text json-c wrote is what encoding the parse gives.
            if topic.hasPrefix("intervals:") { return json }
            return Redaction.maskedText(json)
        }
    }
}

/// Text from outside (a socket, a header, a file) made safe to put in a log line or an error message:
/// one line, no terminal control sequences, no invalid UTF-8, bounded length.
///
/// - Printable characters, including non-ASCII ones in valid UTF-8, are kept as they are.
/// - `\` becomes `\\`; tab, CR and LF become `\t`, `\r`, `\n`; other control bytes (C0 and DEL) and every
///   byte that is not part of valid UTF-8 become `\xNN`; C1 control characters become `\u{NN}`.
///   So the output is unambiguous: every `\` in it starts an escape.
/// - Input beyond `limit` bytes is cut (never inside a character) and `…(N bytes)` tells the full size.
public enum PrintableText {
    /// The default cut, in input bytes.
    public static let defaultLimit = 200

    /// `bytes` escaped and cut after `limit` input bytes.
    public static func escaping<Bytes: Collection>(_ bytes: Bytes, limit: Int = defaultLimit) -> String
    where Bytes.Element == UInt8 {
        let total = bytes.count
        let input = Array(bytes.prefix(max(limit, 0) + 4))
        var out = ""
        var index = 0
        while index < input.count {
            let length = sequenceLength(input, at: index)
            guard index + max(length, 1) <= max(limit, 0) else {
                out += "…(\(total) bytes)"
                return out
            }
            if length == 0 {
                out += hex(input[index])
                index += 1
                continue
            }
            let scalar = decode(input[index..<(index + length)])
            out += escaped(scalar)
            index += length
        }
        return out
    }

    /// `text` escaped and cut after `limit` UTF-8 bytes.
    public static func escaping(_ text: some StringProtocol, limit: Int = defaultLimit) -> String {
        escaping(text.utf8, limit: limit)
    }

    // MARK: - UTF-8

    /// The length of the valid UTF-8 sequence starting at `index` (1...4), or 0 when the byte there
    /// does not start one (a stray continuation byte, an overlong form, a surrogate, beyond U+10FFFF, cut short).
    private static func sequenceLength(_ bytes: [UInt8], at index: Int) -> Int {
        let lead = bytes[index]
        let length: Int
        var second: ClosedRange<UInt8> = 0x80...0xBF
        switch lead {
        case 0x00...0x7F: return 1
        case 0xC2...0xDF: length = 2
        case 0xE0: length = 3; second = 0xA0...0xBF
        case 0xED: length = 3; second = 0x80...0x9F
        case 0xE1...0xEF: length = 3
        case 0xF0: length = 4; second = 0x90...0xBF
        case 0xF4: length = 4; second = 0x80...0x8F
        case 0xF1...0xF3: length = 4
        default: return 0
        }
        guard index + length <= bytes.count, second.contains(bytes[index + 1]) else { return 0 }
        for offset in 2..<max(length, 2) where !(0x80...0xBF).contains(bytes[index + offset]) { return 0 }
        return length
    }

    private static func decode(_ sequence: ArraySlice<UInt8>) -> Unicode.Scalar {
        var value: UInt32
        switch sequence.count {
        case 1: return Unicode.Scalar(sequence.first!)
        case 2: value = UInt32(sequence.first! & 0x1F)
        case 3: value = UInt32(sequence.first! & 0x0F)
        default: value = UInt32(sequence.first! & 0x07)
        }
        for byte in sequence.dropFirst() { value = value << 6 | UInt32(byte & 0x3F) }
        return Unicode.Scalar(value) ?? "\u{FFFD}"
    }

    private static func escaped(_ scalar: Unicode.Scalar) -> String {
        switch scalar {
        case "\\": return "\\\\"
        case "\t": return "\\t"
        case "\r": return "\\r"
        case "\n": return "\\n"
        case "\u{0}"..."\u{1F}", "\u{7F}": return hex(UInt8(scalar.value))
        case "\u{80}"..."\u{9F}": return "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
        default: return String(scalar)
        }
    }

    private static func hex(_ byte: UInt8) -> String {
        let digits = Array("0123456789ABCDEF")
        return "\\x" + String(digits[Int(byte >> 4)]) + String(digits[Int(byte & 0x0F)])
    }
}

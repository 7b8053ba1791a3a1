import Testing
import WallboardCore

/// The rule for numbers from outside: parse into a documented range or get `nil`, never a trap.
@Suite struct OutsideNumberTests {
    static let extremes = [
        "99999999999999999", "-99999999999999999", "9223372036854775807", "-9223372036854775808",
        "9223372036854775808", "-9223372036854775809", "999999999999999999999999999999",
    ]

    @Test func integersOutsideTheirRangeOrInt64AreNil() {
        #expect(OutsideNumber.integer("42", in: 0...100) == 42)
        #expect(OutsideNumber.integer(" +42\t", in: 0...100) == 42)
        #expect(OutsideNumber.integer("-5", in: -10...0) == -5)
        #expect(OutsideNumber.integer("9223372036854775807", in: 0...Int64.max) == Int64.max)
        for text in Self.extremes + ["101", "-1", "", " ", "1e3", "0x10", "12abc", "+", "-", "١٢"] {
            #expect(OutsideNumber.integer(text, in: 0...100) == nil, "\(text)")
        }
    }

    @Test func durationsAreWholeSecondsUpToSevenDays() {
        #expect(OutsideNumber.durationSeconds("0") == 0)
        #expect(OutsideNumber.durationSeconds("15") == 15_000)
        #expect(OutsideNumber.durationSeconds("604800") == OutsideNumber.maximumDuration)
        for text in Self.extremes + ["604801", "-1", "1.5", ""] {
            #expect(OutsideNumber.durationSeconds(text) == nil, "\(text)")
        }
    }

    @Test func countsAreNonNegativeUpToOneBillion() {
        #expect(OutsideNumber.count("0") == 0)
        #expect(OutsideNumber.count("1000000000") == 1_000_000_000)
        for text in Self.extremes + ["1000000001", "-1"] { #expect(OutsideNumber.count(text) == nil, "\(text)") }
    }

    @Test func epochSecondsAreYears2000To2199ToTheMillisecond() {
        #expect(OutsideNumber.epochSeconds("1795350480.675564")?.milliseconds == 1_795_350_480_675)
        #expect(OutsideNumber.epochSeconds("1795350480.6")?.milliseconds == 1_795_350_480_600)
        #expect(OutsideNumber.epochSeconds("1795350480")?.milliseconds == 1_795_350_480_000)
        #expect(OutsideNumber.epochSeconds("946684800") == OutsideNumber.instantRange.lowerBound)
        #expect(OutsideNumber.epochSeconds("7258118399.999")?.milliseconds == 7_258_118_399_999)
        for text in Self.extremes + ["946684799.999", "7258118400", "0", "-1795350480", "+1795350480", "1795350480.x", "1e9", ".5", ""] {
            #expect(OutsideNumber.epochSeconds(text) == nil, "\(text)")
        }
        #expect(OutsideNumber.epochSeconds("99999999999999999.999999") == nil)
    }

    @Test func checkedConversionsReturnNilInsteadOfTrapping() {
        #expect(Millis.checkedSeconds(90) == 90_000)
        #expect(Millis.checkedSeconds(-90) == -90_000)
        #expect(Millis.checkedSeconds(Int64.max) == nil)
        #expect(Millis.checkedSeconds(Int64.min) == nil)
        #expect(Millis.checkedSeconds(99_999_999_999_999_999) == nil)
        #expect(Millis.checkedMinutes(2) == 120_000)
        #expect(Millis.checkedMinutes(Int64.max / 60_000 + 1) == nil)
        #expect(Millis.checkedProduct(Int64.max, 1) == Int64.max)
        #expect(Millis.checkedSeconds(fractional: 1.5) == 1500)
        #expect(Millis.checkedSeconds(fractional: 9.3e15) == nil)
        #expect(Millis.checkedSeconds(fractional: -9.3e15) == nil)
        #expect(Millis.checkedSeconds(fractional: .infinity) == nil)
        #expect(Millis.checkedSeconds(fractional: .nan) == nil)
    }
}

/// Text from outside is escaped and cut before it reaches a log line.
@Suite struct PrintableTextTests {
    @Test func controlBytesAndInvalidUTF8AreEscaped() {
        let bytes: [UInt8] = [0x00, 0x1B] + Array("[31mred".utf8) + [0x07, 0x7F, 0xFF, 0xC0, 0xAF, 0x0D, 0x0A, 0x09]
        #expect(PrintableText.escaping(bytes) == "\\x00\\x1B[31mred\\x07\\x7F\\xFF\\xC0\\xAF\\r\\n\\t")
    }

    @Test func printableUnicodeIsKeptAndBackslashesAreEscaped() {
        #expect(PrintableText.escaping("Zoë 日本 🎧 a\\b") == "Zoë 日本 🎧 a\\\\b")
        #expect(PrintableText.escaping("next\u{85}line") == "next\\u{85}line")
        // A surrogate encoded in UTF-8 (CESU) and an overlong slash are not UTF-8.
        #expect(PrintableText.escaping([0xED, 0xA0, 0x80, 0x2F, 0xC0, 0xAF] as [UInt8]) == "\\xED\\xA0\\x80/\\xC0\\xAF")
        // Cut short at the end.
        #expect(PrintableText.escaping([0x41, 0xE6, 0x97] as [UInt8]) == "A\\xE6\\x97")
    }

    @Test func longTextIsCutWithItsSize() {
        let long = String(repeating: "x", count: 10_000)
        #expect(PrintableText.escaping(long, limit: 8) == "xxxxxxxx…(10000 bytes)")
        // Never inside a character: "é" is two bytes and does not fit after 7 bytes.
        #expect(PrintableText.escaping("abcdefgé", limit: 8) == "abcdefg…(9 bytes)")
        #expect(PrintableText.escaping("short", limit: 8) == "short")
    }
}

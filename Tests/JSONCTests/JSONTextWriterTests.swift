import JSONC
import JSONModel
import Testing

/// `JSONTextWriter` writes journal records and stream replies without json-c: its text must be exactly
/// what `JSONC.encode` gives for the same value.
@Suite struct JSONTextWriterTests {
    /// Every ASCII byte (control characters, quote, backslash, slash), multi-byte UTF-8 and the empty
    /// string, one string each and all in one.
    @Test func stringsAreEscapedExactlyAsJSONCDoes() {
        var samples = (0..<0x80).map { String(UnicodeScalar(UInt8($0))) }
        samples += ["", "plain", "a/b", "é€𝄞", "tab\there \"quoted\" back\\slash\r\n", "\u{7F}\u{1F}\u{0}x"]
        samples.append(samples.joined())
        for text in samples {
            var writer = JSONTextWriter()
            writer.string(text)
            #expect(String(decoding: writer.bytes, as: UTF8.self) == JSONC.encode(.string(text)), "\(Array(text.utf8))")
        }
    }

    @Test(arguments: [Int64.min, -1_000_000_007, -1, 0, 7, 10, 99, 1_700_000_000_123, Int64.max])
    func integersAreWrittenInDecimal(value: Int64) {
        var writer = JSONTextWriter()
        writer.integer(value)
        #expect(String(decoding: writer.bytes, as: UTF8.self) == JSONC.encode(.integer(value)))
    }

    /// Nested objects and arrays, commas and colons in the places json-c puts them.
    @Test func nestedContainersMatchJSONC() {
        var writer = JSONTextWriter()
        writer.beginObject()
        writer.member("id", "e\"1")
        writer.key("list")
        writer.beginArray()
        writer.string("a")
        writer.integer(2)
        writer.bool(true)
        writer.beginObject()
        writer.endObject()
        writer.beginArray()
        writer.endArray()
        writer.endArray()
        writer.key("nested")
        writer.beginObject()
        writer.member("n", integer: -3)
        writer.key("flag")
        writer.bool(false)
        writer.endObject()
        writer.endObject()
        let expected: JSONValue = [
            "id": "e\"1", "list": ["a", 2, true, .object(JSONObject()), []], "nested": ["n": -3, "flag": false],
        ]
        #expect(String(decoding: writer.bytes, as: UTF8.self) == JSONC.encode(expected))
    }
}

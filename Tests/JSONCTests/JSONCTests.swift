import JSONC
import JSONModel
import Testing

@Suite struct JSONCTests {
    @Test func parsesEveryJSONType() throws {
        let value = try JSONC.parse(#"{"a":1,"b":2.5,"c":"x\u00e9","d":[true,false,null],"e":{}}"#)
        #expect(value["a"] == .integer(1))
        #expect(value["b"] == .number(2.5))
        #expect(value["c"] == "xé")
        #expect(value["d"] == [true, false, nil])
        #expect(value["e"] == .object(JSONObject()))
        #expect(value.objectValue?.keys == ["a", "b", "c", "d", "e"])
    }

    /// json-c saturates integers beyond 64 bits (and reads exponents past a double as infinity): the
    /// values cannot be told from the bounds, so an error message must say "out of range" instead of
    /// quoting them.
    @Test func numbersBeyondTheirTypeAreDescribedAsOutOfRange() throws {
        let value = try JSONC.parse(#"{"big":99999999999999999999,"low":-99999999999999999999,"huge":1e400,"ok":-42,"e":1e20}"#)
        #expect(value["big"] == .integer(.max))
        #expect(value["low"] == .integer(.min))
        #expect(value["big"]?.numberDescription == "a number out of range (beyond 64-bit integers)")
        #expect(value["low"]?.numberDescription == "a number out of range (beyond 64-bit integers)")
        #expect(value["huge"]?.numberDescription == "a number out of range (beyond 64-bit floating point)")
        #expect(value["ok"]?.numberDescription == "-42")
        #expect(value["e"]?.numberDescription == "1e+20")
        #expect(JSONValue.string("7").numberDescription == nil)
    }

    @Test(arguments: [
        ("{\"a\":", "unexpected end of input"),
        ("{\"a\":1} x", ""),
        ("{'a':1}", "single-quoted strings are not JSON"),
        ("[1,2,]", ""),
        ("", "unexpected end of input"),
    ])
    func rejectsMalformedTextWithAReason(text: String, expected: String) {
        #expect(throws: JSONCError.self) { try JSONC.parse(text) }
        do {
            _ = try JSONC.parse(text)
        } catch {
            #expect(error.description.contains("invalid JSON at byte"))
            if !expected.isEmpty { #expect(error.reason == expected) }
        }
    }

    @Test func rejectsNestingDeeperThanTheLimit() {
        let deep = String(repeating: "[", count: 100) + String(repeating: "]", count: 100)
        #expect(throws: JSONCError.self) { try JSONC.parse(deep) }
    }

    @Test func encodesCompactlyInInsertionOrder() {
        let value: JSONValue = ["z": 1, "a": "x/y", "n": nil, "list": [1, 2]]
        #expect(JSONC.encode(value) == #"{"z":1,"a":"x/y","n":null,"list":[1,2]}"#)
    }

    /// Rates go out as short decimals, never json-c's 17 significant digits.
    @Test(arguments: [
        (0.83, "0.83"), (0.8, "0.8"), (12.0, "12"), (2.0 / 3.0, "0.6667"), (-1.5, "-1.5"), (0.00004, "0"),
        (123456.78901, "123456.789"),
    ])
    func encodesNumbersWithAtMostFourDecimals(value: Double, text: String) {
        #expect(JSONC.encode(.number(value)) == text)
    }

    @Test func nonFiniteNumbersBecomeNull() {
        #expect(JSONC.encode(.number(Double.nan)) == "null")
        #expect(JSONC.encode(["x": .number(Double.infinity)]) == #"{"x":null}"#)
    }

    @Test func roundTripsStringsWithControlCharactersAndUnicode() throws {
        let text = "line\nbreak \"quoted\" \\ tab\t emoji 📞 nul-free"
        let encoded = JSONC.encode(.string(text))
        #expect(try JSONC.parse(encoded) == .string(text))
    }
}

@Suite struct JSONCScalarTests {
    @Test(arguments: [("42", JSONValue.integer(42)), ("3.5", .number(3.5)), (" -7 ", .integer(-7)), ("true", .bool(true)), ("\"x\"", .string("x"))])
    func topLevelScalarsParse(text: String, expected: JSONValue) throws {
        #expect(try JSONC.parse(text) == expected)
    }

    @Test func anIncompleteObjectIsStillAnError() {
        #expect(throws: JSONCError.self) { try JSONC.parse("{\"a\": 4") }
        #expect(throws: JSONCError.self) { try JSONC.parse("   ") }
    }
}

/// Parsing an object is linear in its members: before, each member was a linear lookup, and 40,000
/// keys (430 KB, well under the 8 MiB body limit) took 90 s of CPU in a debug build.
@Suite struct JSONCObjectSizeTests {
    @Test func aWideObjectKeepsEveryMemberInOrder() throws {
        let count = 200_000
        let text = "{" + (0..<count).map { "\"k\($0)\":\($0)" }.joined(separator: ",") + ",\"k7\":-1}"
        let object = try #require(try JSONC.parse(text).objectValue)
        #expect(object.count == count, "a repeated key replaces the earlier value: one member each")
        #expect(object.members.first?.key == "k0")
        #expect(object["k199999"] == .integer(199_999))
        #expect(object["k7"] == .integer(-1))
    }
}

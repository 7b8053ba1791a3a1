import AMIAdapter
import Testing

@Suite struct AMIFrameDecoderTests {
    static func decodeAll(_ bytes: [UInt8], chunkSize: Int) -> [Result<AMIMessage, AMIError>] {
        var decoder = AMIFrameDecoder()
        var out: [Result<AMIMessage, AMIError>] = []
        var index = 0
        while index < bytes.count {
            let end = min(bytes.count, index + chunkSize)
            out += decoder.feed(bytes[index..<end])
            index = end
        }
        return out
    }

    static func messages(_ text: String, chunkSize: Int = .max) -> [Result<AMIMessage, AMIError>] {
        decodeAll(Array(text.utf8), chunkSize: chunkSize)
    }

    /// Every chunking of a capture decodes to the same messages as one tsv row each.
    @Test(arguments: Fixture.scenarios)
    func fixtureDecodesIdenticallyAtEveryChunkSize(scenario: String) throws {
        let bytes = try Fixture.bytes(scenario, "ami")
        let rows = try Fixture.tsv(scenario)
        let whole = Self.decodeAll(bytes, chunkSize: bytes.count)
        #expect(whole.count == rows.count)
        #expect(whole.allSatisfy { if case .success = $0 { true } else { false } })
        // Row by row, each tsv block is exactly one message.
        var decoder = AMIFrameDecoder()
        var perRow: [Result<AMIMessage, AMIError>] = []
        for row in rows {
            let out = decoder.feed(row.block)
            #expect(out.count == 1)
            perRow += out
        }
        #expect(perRow == whole)
        for size in Array(1...8) + [13, 100, 1500, 65536] {
            #expect(Self.decodeAll(bytes, chunkSize: size) == whole, "chunk size \(size)")
        }
        var generator = SplitMix64(seed: UInt64(bytes.count))
        for _ in 0..<5 {
            var decoder = AMIFrameDecoder()
            var out: [Result<AMIMessage, AMIError>] = []
            var index = 0
            while index < bytes.count {
                let end = min(bytes.count, index + Int(generator.next() % 700) + 1)
                out += decoder.feed(bytes[index..<end])
                index = end
            }
            #expect(out == whole)
        }
    }

    @Test func classifiesBannerEventsAndResponses() throws {
        let out = Self.messages(
            "Asterisk Call Manager/11.0.0\r\nResponse: Success\r\nActionID: wb1-1\r\nMessage: Authentication accepted\r\n\r\n"
                + "Event: VarSet\r\nVariable: A\r\nvariable: B\r\n\r\n")
        let messages = try out.map { try $0.get() }
        #expect(messages.count == 3)
        #expect(messages[0].kind == .banner(version: "11.0.0"))
        #expect(messages[1].kind == .response(status: "Success", actionID: "wb1-1"))
        #expect(messages[2].kind == .event(name: "VarSet"))
        #expect(messages[2]["VARIABLE"] == "A")
        #expect(messages[2].values("Variable") == ["A", "B"])
    }

    @Test func acceptsBareLineFeedsAndEmptyValues() throws {
        let messages = try Self.messages("Event: QueueMemberPause\nPausedReason: \nQueue: sales\n\n").map { try $0.get() }
        #expect(messages.count == 1)
        #expect(messages[0]["PausedReason"] == "")
        #expect(messages[0]["queue"] == "sales")
    }

    /// A garbage line between messages is reported and the next message still decodes.
    @Test(arguments: [1, 3, 1000])
    func garbageBetweenMessagesIsRejectedWithoutLosingSync(chunkSize: Int) {
        let out = Self.messages(
            "Event: A\r\n\r\nthis is not a header\r\n\r\nEvent: B\r\nno colon here\r\nX: 1\r\n\r\nEvent: C\r\n\r\n",
            chunkSize: chunkSize)
        let names = out.compactMap { try? $0.get().eventName }
        #expect(names == ["A", "C"])
        let errors = out.compactMap { if case .failure(let e) = $0 { e } else { nil } }
        #expect(errors == [
            .malformedLine(line: "this is not a header", lineNumber: 3),
            .malformedLine(line: "no colon here", lineNumber: 6),
        ])
        #expect(errors[0].description.contains("no \"Key: Value\" colon"))
    }

    @Test func oversizedMessageIsSkippedAndTheNextDecodes() {
        var decoder = AMIFrameDecoder(maximumMessageSize: 64)
        let big = "Event: Big\r\n" + String(repeating: "Variable: xxxxxxxxxx\r\n", count: 20) + "\r\n"
        let longLine = "Event: " + String(repeating: "y", count: 500) + "\r\n\r\n"
        var out = decoder.feed(Array((big + longLine + "Event: Small\r\n\r\n").utf8))
        out += decoder.feed(Array("Event: After\r\n\r\n".utf8))
        #expect(out.compactMap { try? $0.get().eventName } == ["Small", "After"])
        let errors = out.compactMap { if case .failure(let e) = $0 { e } else { nil } }
        #expect(errors.count == 2)
        #expect(errors.allSatisfy { if case .messageTooLarge(limit: 64, _) = $0 { true } else { false } })
    }

    /// The connection drops mid-message: reset drops the partial bytes and the new connection decodes cleanly.
    @Test func droppedConnectionMidMessageIsReset() {
        var decoder = AMIFrameDecoder()
        #expect(decoder.feed(Array("Event: Complete\r\n\r\nEvent: Half\r\nQueue: sa".utf8)).count == 1)
        #expect(decoder.hasPartialMessage)
        #expect(decoder.reset() == .truncatedMessage(bytes: 22))
        let out = decoder.feed(Array("Asterisk Call Manager/11.0.0\r\nEvent: Next\r\n\r\n".utf8))
        #expect(out.compactMap { try? $0.get().kind } == [.banner(version: "11.0.0"), .event(name: "Next")])
        #expect(decoder.reset() == nil)
    }

    @Test func legacyFollowsOutputIsCollected() throws {
        let text = "Response: Follows\r\nPrivilege: Command\r\nActionID: c1\r\nName   Strategy\r\nsales: has 0 calls\r\n--END COMMAND--\r\n\r\nEvent: X\r\n\r\n"
        let messages = try Self.messages(text, chunkSize: 2).map { try $0.get() }
        #expect(messages.count == 2)
        #expect(messages[0].kind == .response(status: "Follows", actionID: "c1"))
        #expect(messages[0].output == ["Name   Strategy", "sales: has 0 calls"])
    }

    @Test func timestampIsExactToTheMillisecond() {
        #expect(AMIMessage.parseEpoch("1795350480.675564")?.milliseconds == 1_795_350_480_675)
        #expect(AMIMessage.parseEpoch("1795350480")?.milliseconds == 1_795_350_480_000)
        #expect(AMIMessage.parseEpoch("17x") == nil)
    }
}

/// A small deterministic generator so random splits repeat run to run.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

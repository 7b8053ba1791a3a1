import AMIAdapter
import Testing
import WallboardCore

/// The `queue_log` parser over the capture rig's real lines (Fixtures/*.truth.json, key `queue_log`) and
/// over hostile lines: each bad line is named with its number and skipped, the rest is still read.
@Suite struct QueueLogParserTests {
    static func fixtureText(_ scenario: String) throws -> [UInt8] {
        let lines = try #require(Fixture.truth(scenario)["queue_log"] as? [String])
        return Array((lines.joined(separator: "\n") + "\n").utf8)
    }

    @Test func theCapturesLinesAllParse() throws {
        for scenario in ["A_basic", "E_resync"] {
            let text = try Self.fixtureText(scenario)
            let parsed = QueueLogParser.parse(text)
            #expect(parsed.problems.isEmpty, "\(scenario): \(parsed.problems)")
            #expect(parsed.records.count == text.filter { $0 == 0x0A }.count)
        }
        let e = QueueLogParser.parse(try Self.fixtureText("E_resync")).records
        let abandon = try #require(e.first { $0.callID == "1795350569.13" && $0.event != .enterQueue(callerID: "5550504") })
        #expect(abandon.event == .exit(.abandon, wait: 14_000))
        #expect(abandon.time == Instant(milliseconds: 1_795_350_583_000))
        #expect(abandon.queue == "sales" && abandon.agent == "NONE")
        let complete = try #require(e.first { $0.callID == "1795350564.1" && $0.event == .complete(byAgent: true, wait: 2000, talk: 41_000) })
        #expect(complete.agent == "Alice")
        #expect(e.first { $0.callID == "1795350570.15" }?.event == .enterQueue(callerID: "5550505"))
        #expect(e.contains { $0.event == .connect(wait: 25_000) && $0.agent == "Carol" })
        #expect(e.contains { $0.event == .other("PAUSE") && $0.agent == "Carol" && !$0.isAboutACall })
        #expect(e.first?.event == .other("QUEUESTART"))
    }

    @Test func hostileLinesAreNamedAndSkippedAndTheRestIsRead() {
        let good = "1795350600|1.1|sales|Alice|COMPLETEAGENT|2|41|1"
        let lines = [
            "1795350500|1.1|sales|NONE|ENTERQUEUE||5550101|1",  // 1 good
            "",  // 2 blank: nothing to say
            "abc|1.1|sales|NONE|ENTERQUEUE||5550101|1",  // 3
            "99999999999999999999999|1.1|sales|NONE|ENTERQUEUE||1|1",  // 4 beyond Int64
            "-1795350500|1.1|sales|NONE|ENTERQUEUE||1|1",  // 5 negative
            "1795350501|1.1|sales",  // 6 too few fields
            "1795350502|1.1|sales|Alice|CONNECT|soon|1.2|2",  // 7
            "1795350503|1.1|sales|Alice|CONNECT|99999999999|1.2|2",  // 8 over 7 days
            "1795350504|1.1|sales|Alice|COMPLETEAGENT|2|-41|1",  // 9 negative
            "1795350505|1.1|sales|Alice|COMPLETECALLER|2",  // 10 no call time
            "1795350506|1.1|sales|NONE|ABANDON|1|1|",  // 11 no wait
            "1795350507|1.1|sales|NONE||1|1|1",  // 12 no event name
            "1795350507" + String(repeating: "|x", count: 20),  // 13 too many fields
            "1795350508|1.1|sales|Alice|RINGNOANSWER|1e3",  // 14
            good + "\r",  // 15 CRLF is fine
        ]
        var text = Array(lines.joined(separator: "\n").utf8) + [0x0A]
        text += Array("1795350509|1.1|sa".utf8) + [0xFF, 0xFE] + Array("les|NONE|ENTERQUEUE||1|1\n".utf8)  // 16 not UTF-8
        text += Array(repeating: UInt8(ascii: "9"), count: 10_000) + [0x0A]  // 17 overlong
        text += Array(good.utf8)  // 18, no final newline: finish() reads it
        let parsed = QueueLogParser.parse(text)
        #expect(parsed.records.map(\.line) == [1, 15, 18])
        #expect(parsed.records.last?.event == .complete(byAgent: true, wait: 2000, talk: 41_000))
        #expect(parsed.problems.map(\.line) == [3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 16, 17])
        #expect(parsed.problemCount == 14)
        let messages = Dictionary(uniqueKeysWithValues: parsed.problems.map { ($0.line, $0.description) })
        #expect(messages[3] == "queue_log line 3: time \"abc\" is not epoch seconds in the years 2000-2199")
        #expect(messages[6]?.contains("3 fields separated by |, expected at least 5") == true)
        #expect(messages[7] == "queue_log line 7: CONNECT data1 (hold time) \"soon\" is not whole seconds in 0...604800")
        #expect(messages[9]?.contains("COMPLETEAGENT data2 (call time) \"-41\"") == true)
        #expect(messages[10]?.contains("COMPLETECALLER has no data2 (call time)") == true)
        #expect(messages[11]?.contains("ABANDON has no data3 (wait time)") == true)
        #expect(messages[12]?.contains("no event name") == true)
        #expect(messages[13]?.contains("more than 15 fields") == true)
        #expect(messages[14]?.contains("RINGNOANSWER data1 (ring time in ms) \"1e3\"") == true)
        #expect(messages[16] == "queue_log line 16: field 3 is not UTF-8 text (sa\\xFF\\xFEles)")
        #expect(messages[17] == "queue_log line 17: longer than 4096 bytes; skipped")
    }

    @Test func linesBeforeSinceAreSkippedWithoutAProblem() {
        let text = Array("""
            1795350500|1.1|sales|Alice|CONNECT|soon|1.2|2
            1795350599|1.1|sales|NONE|ENTERQUEUE||5550101|1
            1795350600|1.1|sales|Alice|CONNECT|3|1.2|2

            """.utf8)
        let parsed = QueueLogParser.parse(text, since: Instant(milliseconds: 1_795_350_600_000))
        #expect(parsed.problems.isEmpty)
        #expect(parsed.records.map(\.line) == [3])
        #expect(parsed.records.first?.event == .connect(wait: 3000))
    }

    @Test func feedingInChunksGivesWhatOneFeedGives() throws {
        let text = try Self.fixtureText("E_resync") + Array("bad line\n1795350631|9.9|sales|NONE|ENTERQUEUE||1|1".utf8)
        let whole = QueueLogParser.parse(text)
        for size in [1, 2, 7, 64, 333] {
            var parser = QueueLogParser()
            var start = 0
            while start < text.count {
                parser.feed(Array(text[start..<min(start + size, text.count)]))
                start += size
            }
            parser.finish()
            #expect(parser.records == whole.records)
            #expect(parser.problems == whole.problems)
        }
    }

    @Test func recordsAndProblemsAreCapped() {
        var text: [UInt8] = []
        for index in 0..<10 { text += Array("17953505\(10 + index)|\(index).1|sales|NONE|ENTERQUEUE||1|1\nbad\n".utf8) }
        let parsed = QueueLogParser.parse(text, limits: QueueLogParser.Limits(maximumLineBytes: 100, maximumRecords: 4, maximumProblems: 3))
        #expect(parsed.records.count == 4)
        #expect(parsed.recordsDropped == 6)
        #expect(parsed.problems.count == 3)
        #expect(parsed.problemCount == 10)
        #expect(parsed.records.map(\.line) == [1, 3, 5, 7])
    }
}

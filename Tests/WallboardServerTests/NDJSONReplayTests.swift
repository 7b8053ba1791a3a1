import JSONC
import JSONModel
import Testing
import WallboardCore
@testable import WallboardServer

/// `wallboardctl replay --instant` decodes each line straight from json-c's tree (``NDJSONReplay/run``):
/// the same result, rejections and line numbers as parsing every line to a ``JSONValue`` first.
@Suite struct NDJSONReplayTests {
    static let text = [
        #"{"id":"e1","ts":"2026-03-02T09:00:00Z","type":"agent.login","agent":"a1","team":"t1","queues":["sales"]}"#,
        #"{"id":"e2","ts":"2026-03-02T09:00:01Z","type":"agent.state","agent":"a1","state":"available"}"#,
        "",
        "   \t",
        #"{"id":"e3","ts":"2026-03-02T09:00:02Z","type":"contact.queued","contact":"c1","queue":"sales","channel":"voice"}"# + "\r",
        #"{"id":"e4","ts":"2026-03-02T09:00:09Z","type":"contact.answered","contact":"c1","agent":"a1"}"#,
        "{not json",
        #"{"id":"e5","ts":"2026-03-02T09:00:10Z","type":"no.such.type"}"#,
        #"{"id":"e6","ts":"2026-03-02T09:01:00Z","type":"contact.ended","contact":"c1"}"#,
        #"{"id":"e7","ts":"2026-03-02T09:01:30Z","type":"contact.queued","contact":"c2","queue":"sales","channel":"chat"}"#,
        #"{"id":"e8","ts":"2026-03-02T09:02:30Z","type":"contact.abandoned","contact":"c2"}"#,
        #"[1, 2]"#,
        #"{"id":"e2","ts":"2026-03-02T09:02:31Z","type":"agent.state","agent":"a1","state":"not_ready"}"#,
    ].joined(separator: "\n") + "\n"

    @Test func sameResultAsParsingEveryLineFirst() {
        let bytes = Array(Self.text.utf8)
        let streamed = NDJSONReplay.run(bytes)
        let parsed = Replay.run(inputs: NDJSONReplay.parseLines(bytes))
        #expect(streamed == parsed)
        #expect(streamed.eventsRead == 8)
        #expect(streamed.duplicates == 1)
        #expect(streamed.rejections.map(\.line) == [7, 8, 12])
        #expect(streamed.rejections.first?.code == "invalid_json")
        #expect(streamed.rejections.dropFirst().allSatisfy { $0.code != "invalid_json" })
        #expect(streamed.snapshot.center.windows["today"]?.offered == 2)
    }

    @Test func emptyInputAndNoFinalNewline() {
        #expect(NDJSONReplay.run([]) == Replay.run(inputs: []))
        let line = Array(#"{"id":"e1","ts":"2026-03-02T09:00:00Z","type":"agent.login","agent":"a1"}"#.utf8)
        let result = NDJSONReplay.run(line)
        #expect(result.eventsRead == 1)
        #expect(result == Replay.run(inputs: NDJSONReplay.parseLines(line)))
    }

    /// `--timings` replays in stages (parse alone, parse and decode, engine, windows) with the same result;
    /// each stage is timed by the clock it is given.
    @Test func stagesGiveTheSameResultAndCountTheirWork() {
        let held = #"{"id":"e9","ts":"2026-03-02T09:03:00Z","type":"contact.ended","contact":"c9"}"#
        let bytes = Array((Self.text + held + "\n").utf8)
        var ticks = 0.0
        let staged = NDJSONReplay.runInStages(bytes) {
            ticks += 1
            return ticks * ticks
        }
        #expect(staged.result == NDJSONReplay.run(bytes))
        #expect(staged.result.rejections.last?.line == 14)
        #expect(staged.timings.lines == 12)
        #expect(staged.timings.events == 9)
        // Clock readings 1, 4, 9, ... : each stage's figure is the difference of its own two readings.
        #expect([staged.timings.parse, staged.timings.decode, staged.timings.engine, staged.timings.windows] == [3, 7, 11, 15])
        let table = staged.timings.table()
        #expect(table.contains("json-c's parse of 12 lines alone: 4 a second"))
        #expect(table.contains("the engine applying 9 events"))
    }
}

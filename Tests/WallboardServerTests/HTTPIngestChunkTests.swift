import Foundation
import JSONC
import JSONModel
import Testing
import WallboardCore
@testable import WallboardServer

/// `POST /api/v1/events` hands a body to the engine in chunks of `ingestChunkEvents` events as it is
/// decoded: the answer must read as if the body were applied whole.
@Suite(.serialized) struct HTTPIngestChunkTests {
    /// A body of two and a half chunks with bad lines, a held event, a duplicate and arrays on lines in
    /// several chunks: every line is counted once, rejections come in line order with their own line
    /// numbers, and events later in the body see the state earlier chunks made.
    @Test func aBodyOfSeveralChunksIsAnsweredAsOne() throws {
        let daemon = try TestDaemon(simulator: false)
        defer { daemon.stop() }
        let now = RFC3339.format(SystemClock().now())
        let chunk = WallboardAPI.ingestChunkEvents
        let total = chunk * 2 + chunk / 2
        var lines: [String] = []
        var expectedRejected: [Int] = []
        for index in 1...total {
            let line: String
            switch index {
            case 3, chunk + 1, chunk * 2 + 7:
                line = #"{"id":"bad\#(index)","ts": nope"#
                expectedRejected.append(index)
            case chunk - 1, total:
                line = #"{"id":"s\#(index)","ts":"\#(now)","type":"agent.state","agent":"a1","state":"lunch"}"#
                expectedRejected.append(index)
            case chunk:
                // Held: contact c-late is queued in the next chunk, within the reorder tolerance.
                line = #"{"id":"h\#(index)","ts":"\#(now)","type":"contact.answered","contact":"c-late","agent":"a2"}"#
            case chunk + 2:
                line = #"{"id":"q\#(index)","ts":"\#(now)","type":"contact.queued","contact":"c-late","queue":"q1"}"#
            case chunk + 3:
                line = #"{"id":"e1","ts":"\#(now)","type":"agent.login","agent":"a1","queues":["q1"]}"#  // a duplicate
            case 2:
                line = #"{"id":"e2","ts":"\#(now)","type":"agent.login","agent":"a2","queues":["q1"]}"#
            case 1:
                line = #"{"id":"e1","ts":"\#(now)","type":"agent.login","agent":"a1","queues":["q1"]}"#
            default:
                line = #"{"id":"n\#(index)","ts":"\#(now)","type":"agent.state","agent":"a1","state":"\#(index % 2 == 0 ? "available" : "not_ready")"}"#
            }
            lines.append(line)
        }
        let response = try daemon.post("/api/v1/events", body: lines.joined(separator: "\n") + "\n")
        #expect(response.status == 200)
        let verdict = try JSONC.parse(response.text)
        let rejected = try #require(verdict["rejected"]?.arrayValue)
        #expect(rejected.compactMap { $0["line"]?.integerValue }.map(Int.init) == expectedRejected)
        #expect(rejected.map { $0["code"]?.stringValue } == ["not_an_object", "invalid_value", "not_an_object", "not_an_object", "invalid_value"])
        let held = try #require(verdict["held"]?.arrayValue)
        #expect(held.map { $0["line"]?.integerValue } == [Int64(chunk)])
        #expect(verdict["duplicates"] == 1)
        #expect(verdict["accepted"]?.integerValue == Int64(total - expectedRejected.count - 2))
    }
}

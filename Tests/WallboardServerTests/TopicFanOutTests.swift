import Foundation
import JSONC
import JSONModel
import Testing
import WallboardClient
import WallboardCore
@testable import WallboardServer

/// Topics over the WebSocket and their REST mirrors, with a real daemon on the simulator.
@Suite(.serialized) struct TopicFanOutTests {
    @Test func topicsCarryTheirPartOfTheSnapshot() throws {
        let daemon = try TestDaemon(simulator: true)
        defer { daemon.stop() }
        let board = try daemon.connect(subscribe: ["center", "queue:sales", "agents:chat", "team:north"])
        defer { board.close() }
        var seen: [String: JSONValue] = [:]
        for _ in 0..<40 where seen.count < 4 {
            let message = try board.next(type: "topic")
            if let topic = message["topic"]?.stringValue { seen[topic] = message["data"] }
        }
        #expect(seen["center"]?["center"]?["agents"]?["logged_in"] == 15)
        #expect(seen["queue:sales"]?["queue"]?["id"] == "sales")
        #expect(seen["queue:sales"]?["generated_at"]?.stringValue.flatMap(RFC3339.parse) != nil)
        let chatAgents = try #require(seen["agents:chat"]?["agents"]?.arrayValue)
        #expect(!chatAgents.isEmpty)
        #expect(chatAgents.allSatisfy { $0["queues"]?.arrayValue?.contains("chat") == true })
        #expect(seen["team:north"]?["team"]?["id"] == "north")
    }

    @Test func restMirrorsTopicsWithETags() throws {
        let daemon = try TestDaemon(simulator: false)
        defer { daemon.stop() }
        let now = RFC3339.format(SystemClock().now())
        _ = try daemon.post("/api/v1/events", body: #"""
            {"id":"1","ts":"\#(now)","type":"agent.login","agent":"a1","name":"Ann","team":"t1","queues":["q1"]}
            {"id":"2","ts":"\#(now)","type":"contact.queued","contact":"c1","queue":"q1"}
            """#)
        var queue = try daemon.get("/api/v1/queues/q1")
        for _ in 0..<50 where queue.status != 200 {
            usleep(50_000)
            queue = try daemon.get("/api/v1/queues/q1")
        }
        #expect(queue.status == 200)
        #expect(try JSONC.parse(queue.text)["queue"]?["waiting_now"] == 1)
        let etag = try #require(queue.headers["etag"])
        #expect(etag.hasPrefix("\"queue:q1-"))
        #expect(try daemon.get("/api/v1/queues/q1", headers: ["If-None-Match": etag]).status == 304)
        #expect(try daemon.get("/api/v1/queues/nope").status == 404)

        let queues = try JSONC.parse(try daemon.get("/api/v1/queues").text)
        #expect(queues.arrayValue?.map { $0["id"] } == ["q1"])
        let agents = try JSONC.parse(try daemon.get("/api/v1/agents").text)
        #expect(agents.arrayValue?.first?["name"] == "Ann")
        let several = try JSONC.parse(try daemon.get("/api/v1/snapshot?topics=center,queue:q1").text)
        #expect(several["center"]?["center"]?["waiting_now"] == 1)
        #expect(several["queue:q1"]?["queue"]?["id"] == "q1")
        #expect(try daemon.get("/api/v1/snapshot?topics=center,nope").status == 404)
    }

    /// Hundreds of boards get the same payload; a board that never reads does not hold anyone back.
    @Test func fanOutToHundredsOfBoardsWithOneStalled() throws {
        let daemon = try TestDaemon(simulator: true)
        defer { daemon.stop() }
        let stalled = try WebSocketClient(url: daemon.webSocketURL)
        try stalled.send(text: #"{"op":"subscribe","topics":["snapshot","center","queue:sales","queue:support","queue:chat"]}"#)
        var boards: [WebSocketClient] = []
        for _ in 0..<200 { boards.append(try daemon.connect(subscribe: ["center"])) }
        var firstSequences: [Int64] = []
        for board in boards { firstSequences.append(try board.next(type: "topic")["seq"]?.integerValue ?? -1) }
        #expect(firstSequences.allSatisfy { $0 > 0 })
        // Every board then sees a newer center payload while the stalled one still reads nothing.
        for (board, first) in zip(boards, firstSequences) {
            let later = try board.nextSnapshot(limit: 20) { _ in true }
            #expect((later["seq"]?.integerValue ?? 0) > first)
        }
        #expect(daemon.daemon.server.webSocketCount >= 200)
        boards.forEach { $0.close() }
        stalled.close()
    }
}

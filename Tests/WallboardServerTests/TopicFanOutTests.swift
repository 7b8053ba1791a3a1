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
        #expect(seen["center"]?["generated_at"]?.stringValue.flatMap(RFC3339.parse) != nil)
        #expect(seen["center"]?["queues"]?.arrayValue?.compactMap { $0["id"]?.stringValue } == ["sales", "support", "chat"])
        // No clock-derived seconds in topics: instants only, so an unchanged queue or agent sends nothing.
        #expect(seen["queue:sales"]?["queue"]?["longest_wait_seconds"] == nil)
        #expect(seen["queue:sales"]?["queue"]?["warning_level"] != nil)
        let chatAgents = try #require(seen["agents:chat"]?["agents"]?.arrayValue)
        #expect(!chatAgents.isEmpty)
        #expect(chatAgents.allSatisfy { $0["queues"]?.arrayValue?.contains("chat") == true })
        #expect(chatAgents.allSatisfy { $0["state_seconds"] == nil && $0["state_since"] != nil })
        #expect(seen["team:north"]?["team"]?["id"] == "north")
    }

    /// Topics are built only while someone subscribes; one subscribed to later comes whole at once;
    /// names the engine does not know are refused; agent lists then change by deltas.
    @Test func topicsAreBuiltOnDemandAndAgentListsSendDeltas() throws {
        let daemon = try TestDaemon(simulator: true)
        defer { daemon.stop() }
        let hub = daemon.daemon.hub
        let hello = try JSONC.parse(
            try #require({ () -> String? in
                let client = try WebSocketClient(url: daemon.webSocketURL)
                defer { client.close() }
                if case .text(let text) = try client.receive() { return text }
                return nil
            }()))
        let names = hello["topics"]?.arrayValue?.compactMap(\.stringValue) ?? []
        #expect(hello["revision"] == 3, "field deltas, center deltas (docs/protocol.md, Revisions)")
        #expect(["center", "groups", "agents", "queue:sales", "agents:chat", "team:north", "alerts"].allSatisfy(names.contains))

        let board = try daemon.connect(subscribe: ["center"])
        defer { board.close() }
        _ = try board.next(type: "topic")
        _ = try board.nextSnapshot { _ in true }  // a later center: the engine has published since
        #expect(hub.latest("queue:support") == nil, "built although nobody subscribed")
        #expect(hub.latest("agents") == nil)
        #expect(hub.latest("snapshot") == nil)

        try board.send(text: #"{"op":"subscribe","topics":["agents","queue:nope"]}"#)
        var whole: JSONValue?
        var delta: JSONValue?
        var error: JSONValue?
        for _ in 0..<400 where whole == nil || delta == nil || error == nil {
            guard case .text(let text) = try board.receive() else { break }
            let message = try JSONC.parse(text)
            if message["type"] == "error" { error = message }
            guard message["topic"] == "agents" else { continue }
            if message["data"] != nil, whole == nil { whole = message }
            if message["delta"] != nil, whole != nil { delta = message }
        }
        #expect(error?["code"] == "unknown_topic")
        #expect(error?["message"]?.stringValue?.contains("queue:nope") == true)
        #expect(error?["topics"] == ["queue:nope"], "the refused names as a list, matched exactly by clients")
        let first = try #require(whole)
        #expect(first["data"]?["agents"]?.arrayValue?.count == 15)
        let change = try #require(delta, "no agent delta in 400 messages")
        #expect(change["base"]?.integerValue.map { $0 + 1 } == change["seq"]?.integerValue)
        let upserted = change["delta"]?["agents"]?.arrayValue ?? []
        let removed = change["delta"]?["removed"]?.arrayValue ?? []
        #expect(!upserted.isEmpty || !removed.isEmpty)
        #expect(upserted.count < 15, "a delta carries the agents that changed, not the list")
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

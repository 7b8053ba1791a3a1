import Foundation
import JSONC
import JSONModel
import Testing
import WallboardClient
@testable import WallboardServer

/// What each token sees on the WebSocket: a lobby viewer gets no customer identifiers in any topic,
/// a site token only its queues, a supervisor everything.
@Suite(.serialized) struct AccessWebSocketTests {
    func board(_ daemon: AccessTestDaemon, token: String, topics: [String]) throws -> WebSocketClient {
        let client = try WebSocketClient(url: "ws://127.0.0.1:\(daemon.daemon.port)/ws?token=\(AccessTestDaemon.tokens[token]!)")
        _ = try client.next(type: "hello")
        try client.send(text: JSONC.encode(["op": "subscribe", "topics": .array(topics.map { .string($0) })]))
        return client
    }

    /// Reads topic frames until every topic in `topics` was seen once with the seeded data in it.
    func collect(_ client: WebSocketClient, _ topics: Set<String>) throws -> [String: String] {
        var seen: [String: String] = [:]
        for _ in 0..<200 where seen.count < topics.count {
            guard case .text(let text) = try client.receive() else { break }
            let message = try JSONC.parse(text)
            guard message["type"] == "topic", let topic = message["topic"]?.stringValue, topics.contains(topic) else { continue }
            if text.contains("c1") || text.contains("\"masked\":true") || topic == "alerts" { seen[topic] = text }
        }
        return seen
    }

    @Test func viewerFramesCarryNoCustomerIdentifiers() throws {
        let daemon = try AccessTestDaemon()
        defer { daemon.stop() }
        try daemon.seedInteractions()
        _ = try daemon.waitForSnapshot { ($0["waiting"]?.arrayValue?.count ?? 0) == 1 }
        let topics: Set<String> = ["snapshot", "queue:q1", "queue:q2", "agents:q2", "center"]
        let viewer = try board(daemon, token: "viewer", topics: Array(topics))
        defer { viewer.close() }
        let frames = try collect(viewer, ["snapshot", "queue:q1"])
        #expect(frames.count == 2)
        for (topic, text) in frames {
            #expect(!text.contains("+15550100"), "\(topic) leaks a caller number")
            #expect(!text.contains("cust-42"), "\(topic) leaks a customer id")
            #expect(!text.contains("PJSIP/1002"), "\(topic) leaks a monitor handle")
        }

        let supervisor = try board(daemon, token: "supervisor", topics: ["snapshot"])
        defer { supervisor.close() }
        let full = try collect(supervisor, ["snapshot"])
        #expect(full["snapshot"]?.contains("+15550100") == true)
    }

    @Test func scopedTokenSeesOnlyItsQueuesAndIsRefusedOtherTopics() throws {
        let daemon = try AccessTestDaemon()
        defer { daemon.stop() }
        try daemon.seedInteractions()
        _ = try daemon.waitForSnapshot { ($0["waiting"]?.arrayValue?.count ?? 0) == 1 }
        let site = try board(daemon, token: "site", topics: ["snapshot", "queue:q2"])
        defer { site.close() }
        let error = try site.next(type: "error")
        #expect(error["code"] == "forbidden_topic")
        #expect(error["topics"] == ["queue:q2"])
        let snapshot = try JSONC.parse(try collect(site, ["snapshot"])["snapshot"] ?? "{}")
        #expect(snapshot["data"]?["queues"]?.arrayValue?.compactMap { $0["id"]?.stringValue } == ["q1"])
        #expect(snapshot["data"]?["agents"]?.arrayValue?.compactMap { $0["id"]?.stringValue } == ["a1"])
    }
}

/// The REST mirrors answer each token as its WebSocket frames do.
@Suite(.serialized) struct AccessRESTMirrorTests {
    @Test func viewerRESTAnswersCarryNoCustomerIdentifiers() throws {
        let daemon = try AccessTestDaemon()
        defer { daemon.stop() }
        try daemon.seedInteractions()
        _ = try daemon.waitForSnapshot { ($0["waiting"]?.arrayValue?.count ?? 0) == 1 }
        for path in ["/api/v1/queues/q1", "/api/v1/queues/q2", "/api/v1/snapshot?topics=queue:q1,agents:q2",
                     "/api/v1/queues", "/api/v1/agents", "/api/v1/snapshot"]
        {
            let response = try daemon.request("GET", path, token: "viewer")
            #expect(response.status == 200, "\(path)")
            #expect(!response.text.contains("+15550100"), "\(path) leaks a caller number")
            #expect(!response.text.contains("cust-42"), "\(path) leaks a customer id")
            #expect(!response.text.contains("PJSIP/1002"), "\(path) leaks a monitor handle")
        }
        let supervisor = try daemon.request("GET", "/api/v1/queues/q1", token: "supervisor")
        #expect(supervisor.text.contains("+15550100"))
        // Shaped answers have their own ETags.
        let viewerTag = try daemon.request("GET", "/api/v1/queues/q1", token: "viewer").headers["etag"]
        #expect(viewerTag != supervisor.headers["etag"])
    }

    @Test func scopedTokenSeesOnlyItsQueuesOverREST() throws {
        let daemon = try AccessTestDaemon()
        defer { daemon.stop() }
        try daemon.seedInteractions()
        _ = try daemon.waitForSnapshot { ($0["waiting"]?.arrayValue?.count ?? 0) == 1 }
        #expect(try daemon.request("GET", "/api/v1/queues/q2", token: "site").status == 403)
        #expect(try daemon.request("GET", "/api/v1/snapshot?topics=queue:q2", token: "site").status == 403)
        #expect(try daemon.request("GET", "/api/v1/queues/q1", token: "site").status == 200)
        let queues = try JSONC.parse(try daemon.request("GET", "/api/v1/queues", token: "site").text)
        #expect(queues.arrayValue?.compactMap { $0["id"]?.stringValue } == ["q1"])
        let agents = try JSONC.parse(try daemon.request("GET", "/api/v1/agents", token: "site").text)
        #expect(agents.arrayValue?.compactMap { $0["id"]?.stringValue } == ["a1"])
    }
}

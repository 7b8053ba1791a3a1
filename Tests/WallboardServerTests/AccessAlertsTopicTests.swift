import Foundation
import JSONC
import JSONModel
import Testing
import WallboardClient
@testable import WallboardServer

/// The `alerts` topic over /ws is cut to a scoped token's alerts, as `GET /api/v1/alerts` is.
@Suite(.serialized) struct AccessAlertsTopicTests {
    static let list: JSONValue = [
        "active": [
            ["id": "a-q1", "scope": "queue:q1", "state": "firing"], ["id": "a-q2", "scope": "queue:q2", "state": "firing"],
            ["id": "a-center", "scope": "center", "state": "firing"],
        ],
        "resolved_today": [["id": "r-q2", "scope": "queue:q2"], ["id": "r-q1", "scope": "queue:q1"]],
    ]

    func alertIDs(_ daemon: AccessTestDaemon, token: String) throws -> (active: [String], resolved: [String]) {
        let client = try WebSocketClient(url: "ws://127.0.0.1:\(daemon.daemon.port)/ws?token=\(AccessTestDaemon.tokens[token]!)")
        defer { client.close() }
        _ = try client.next(type: "hello")
        try client.send(text: JSONC.encode(["op": "subscribe", "topics": ["alerts"]]))
        let frame = try client.next(type: "topic")
        #expect(frame["topic"] == "alerts")
        func ids(_ key: String) -> [String] { frame["data"]?[key]?.arrayValue?.compactMap { $0["id"]?.stringValue } ?? [] }
        return (ids("active"), ids("resolved_today"))
    }

    @Test func scopedSupervisorGetsOnlyItsQueuesAlerts() throws {
        let daemon = try AccessTestDaemon()
        defer { daemon.stop() }
        daemon.daemon.hub.publish("alerts", data: Self.list)

        let scoped = try alertIDs(daemon, token: "site-supervisor")  // queues: [q2]
        #expect(scoped.active == ["a-q2"])
        #expect(scoped.resolved == ["r-q2"])
        let site = try alertIDs(daemon, token: "site")  // a viewer scoped to q1
        #expect(site.active == ["a-q1"])
        #expect(site.resolved == ["r-q1"])
        let everyone = try alertIDs(daemon, token: "supervisor")
        #expect(everyone.active == ["a-q1", "a-q2", "a-center"])
        #expect(everyone.resolved == ["r-q2", "r-q1"])

        // The REST list agrees with the topic.
        let rest = try daemon.request("GET", "/api/v1/alerts", token: "site-supervisor")
        let body = try JSONC.parse(String(decoding: rest.body, as: UTF8.self))
        #expect(body["active"]?.arrayValue?.compactMap { $0["id"]?.stringValue } == ["a-q2"])
    }
}

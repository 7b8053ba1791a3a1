import Foundation
import JSONC
import JSONModel
import Testing
import WallboardClient
@testable import WallboardServer

/// The supervisor console's server side (`docs/console.md`): the supervisors-only `interactions` topic, what a
/// token may do (`GET /api/v1/console`), each agent's day (`GET /api/v1/console/agents`) and the page's address.
@Suite(.serialized) struct ConsoleTests {
    /// Subscribes `token` to `interactions` and returns the first `topic` or `error` message.
    func subscribeInteractions(_ daemon: AccessTestDaemon, token: String) throws -> JSONValue {
        let client = try WebSocketClient(url: "ws://127.0.0.1:\(daemon.daemon.port)/ws?token=\(AccessTestDaemon.tokens[token]!)")
        defer { client.close() }
        _ = try client.next(type: "hello")
        try client.send(text: JSONC.encode(["op": "subscribe", "topics": ["interactions"]]))
        for _ in 0..<50 {
            guard case .text(let text) = try client.receive() else { break }
            let message = try JSONC.parse(text)
            if message["type"] == "topic" || message["type"] == "error" { return message }
        }
        throw ClientError.protocolViolation("no topic or error for interactions")
    }

    @Test func viewersAreRefusedTheInteractionsTopicAndSupervisorsGetItShapedToTheirScope() throws {
        let daemon = try AccessTestDaemon()
        defer { daemon.stop() }
        try daemon.seedInteractions()
        _ = try daemon.waitForSnapshot { ($0["waiting"]?.arrayValue?.count ?? 0) == 1 }

        for viewer in ["viewer", "site"] {
            let refused = try subscribeInteractions(daemon, token: viewer)
            #expect(refused["type"] == "error", "\(viewer): \(refused)")
            #expect(refused["code"] == "forbidden_topic", "\(viewer): \(refused)")
        }
        let rest = try daemon.request("GET", "/api/v1/snapshot?topics=interactions", token: "viewer")
        #expect(rest.status == 403, "\(rest.text)")

        let all = try subscribeInteractions(daemon, token: "supervisor")
        let list = all["data"]?["interactions"]?.arrayValue ?? []
        #expect(list.compactMap { $0["contact"]?.stringValue } == ["c1", "c2"], "\(all)")
        #expect(list.first?["customer"] == "+15550100")
        #expect(list.first?["segment"] == "vip")
        #expect(list.first?["monitorable"] == false)  // waiting: nothing to listen to yet
        #expect(list.last?["agent"] == "a2")
        #expect(list.last?["monitorable"] == true)
        #expect(list.last?["answered_at"]?.stringValue != nil)

        let scoped = try subscribeInteractions(daemon, token: "site-supervisor")  // queues: [q2]
        #expect(scoped["data"]?["interactions"]?.arrayValue?.compactMap { $0["contact"]?.stringValue } == ["c2"], "\(scoped)")
    }

    @Test func consoleAnswerSaysWhoAndWhichActionsAreDisabledAndWhy() throws {
        let daemon = try AccessTestDaemon()
        defer { daemon.stop() }
        #expect(try daemon.request("GET", "/api/v1/console").status == 401)
        let viewer = try daemon.request("GET", "/api/v1/console", token: "viewer")
        #expect(viewer.status == 403)
        #expect(viewer.text.contains("supervisor"), "\(viewer.text)")

        let answer = try JSONC.parse(try daemon.request("GET", "/api/v1/console", token: "site-supervisor").text)
        #expect(answer["who"] == "site-supervisor")
        #expect(answer["role"] == "supervisor")
        #expect(answer["scope"]?["queues"] == ["q2"])
        #expect(answer["scope"]?["limited"] == true)
        // No Asterisk source here: every action is disabled, and says so.
        for action in ["listen", "whisper", "barge", "pause", "unpause", "remove"] {
            #expect(answer["actions"]?[action]?["allowed"] == false, "\(action)")
            #expect(answer["actions"]?[action]?["reason"]?.stringValue?.contains("Asterisk") == true, "\(action)")
        }
    }

    @Test func capabilitiesNameTheMissingPhoneWhenThereIsAPBX() {
        let jane = AccessPrincipal(name: "jane", role: .supervisor, monitorEndpoint: "PJSIP/2001")
        let bob = AccessPrincipal(name: "bob", role: .supervisor)
        let withPhone = WallboardAPI.consoleCapabilities(jane, amiSources: ["pbx"], sources: .array([]))
        let without = WallboardAPI.consoleCapabilities(bob, amiSources: ["pbx"], sources: .array([]))
        #expect(withPhone["actions"]?["listen"]?["allowed"] == true)
        #expect(withPhone["actions"]?["listen"]?["reason"] == .null)
        #expect(withPhone["monitor_endpoint"] == "PJSIP/2001")
        #expect(without["actions"]?["barge"]?["allowed"] == false)
        #expect(without["actions"]?["barge"]?["reason"]?.stringValue?.contains("monitor_endpoint") == true)
        #expect(without["actions"]?["pause"]?["allowed"] == true)
    }

    @Test func agentDayIsServedToSupervisorsCutToTheirScope() throws {
        let daemon = try AccessTestDaemon()
        defer { daemon.stop() }
        try daemon.seedInteractions()
        _ = try daemon.waitForSnapshot { ($0["waiting"]?.arrayValue?.count ?? 0) == 1 }
        #expect(try daemon.request("GET", "/api/v1/console/agents", token: "viewer").status == 403)
        #expect(try daemon.request("GET", "/api/v1/console/agents?who=me", token: "supervisor").status == 400)

        let all = try JSONC.parse(try daemon.request("GET", "/api/v1/console/agents", token: "supervisor").text)
        #expect(all["agents"]?.arrayValue?.compactMap { $0["id"]?.stringValue } == ["a1", "a2"], "\(all)")
        #expect(all["windows"] == ["5m", "15m", "30m", "60m"])
        let a2 = all["agents"]?.arrayValue?.last
        #expect(a2?["state"] == "on_contact")
        #expect(a2?["periods"]?["today"]?["handled"] == 0)
        #expect(a2?["periods"]?["15m"]?["ring_no_answer"] == 0)
        // a2 logged in 90 s ago, available from 80 s ago (an unchanged state: no new stretch), on contact from 40 s ago:
        // 40 of 90 s, unless UTC midnight (the daemon's day) fell in between and "today" holds only what followed it.
        let utilization = a2?["periods"]?["today"]?["utilization"]?.doubleValue ?? 0
        let sinceMidnight = Date().timeIntervalSince1970.truncatingRemainder(dividingBy: 86_400)
        let expected = min(40, sinceMidnight) / max(1, min(90, sinceMidnight))
        #expect(abs(utilization - expected) < 0.15, "expected about \(expected): \(String(describing: a2))")

        let scoped = try JSONC.parse(try daemon.request("GET", "/api/v1/console/agents", token: "site-supervisor").text)
        #expect(scoped["agents"]?.arrayValue?.compactMap { $0["id"]?.stringValue } == ["a2"])
        let one = try JSONC.parse(try daemon.request("GET", "/api/v1/console/agents?agent=a1", token: "supervisor").text)
        #expect(one["agents"]?.arrayValue?.compactMap { $0["id"]?.stringValue } == ["a1"])
    }

    @Test func supervisorAddressRedirectsToThePageWithoutAToken() throws {
        let daemon = try AccessTestDaemon()
        defer { daemon.stop() }
        let response = try daemon.request("GET", "/supervisor")
        #expect(response.status == 302)
        #expect(response.headers["location"] == "/supervisor.html", "\(response.headers)")
    }

    @Test func wallboardctlAgentsPrintsTheAgentTable() throws {
        let daemon = try AccessTestDaemon()
        defer { daemon.stop() }
        try daemon.seedInteractions()
        _ = try daemon.waitForSnapshot { ($0["waiting"]?.arrayValue?.count ?? 0) == 1 }
        let token = AccessTestDaemon.tokens["supervisor"]!
        let table = try WallboardctlTests.run(["agents", "--url", daemon.base, "--token", token, "--period", "15m"])
        #expect(table.status == 0, "\(table.errors)")
        let lines = table.output.split(separator: "\n").map(String.init)
        #expect(lines.first?.hasPrefix("agent") == true, "\(table.output)")
        #expect(lines.dropFirst().map { $0.split(separator: " ").first.map(String.init) ?? "" } == ["a1", "a2"], "\(table.output)")
        #expect(lines.last?.contains("on_contact") == true, "\(table.output)")
        let unknown = try WallboardctlTests.run(["agents", "--url", daemon.base, "--token", token, "--period", "2h"])
        #expect(unknown.status != 0)
        #expect(unknown.errors.contains("unknown period \"2h\""), "\(unknown.errors)")
        let viewer = try WallboardctlTests.run(["agents", "--url", daemon.base, "--token", AccessTestDaemon.tokens["viewer"]!])
        #expect(viewer.status != 0)
        #expect(viewer.errors.contains("403"), "\(viewer.errors)")
    }
}

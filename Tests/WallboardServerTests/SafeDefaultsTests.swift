import Foundation
import JSONC
import JSONModel
import Testing
import WallboardClient
import WallboardCore
@testable import WallboardServer

/// Issue 15's attacks against a real daemon on 127.0.0.1, each refused: foreign Host (DNS rebinding),
/// foreign Origin on the WebSocket and on REST, cross-site body types, anonymous actions in the quick
/// start, scoped tokens outside their scope, and revoked tokens' open boards.
@Suite(.serialized) struct SafeDefaultsTests {
    /// One raw request (any Host, any header); the status and body, or `nil` status when the server
    /// closed without answering (a refused WebSocket handshake).
    static func raw(_ port: Int, _ head: String, body: String = "") throws -> (status: Int?, head: String, body: String) {
        let socket = try RawSocket(port: port)
        try socket.send(head + "Content-Length: \(body.utf8.count)\r\n\r\n" + body)
        guard let response = try? socket.readResponse() else { return (nil, "", "") }
        let status = Int(response.head.split(separator: " ").dropFirst().first ?? "")
        return (status, response.head, response.body)
    }

    static func upgrade(_ port: Int, host: String, extra: String = "") -> Int? {
        let head = "GET /ws\(extra.hasPrefix("?") ? extra : "") HTTP/1.1\r\nHost: \(host)\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: wallboard.v1\r\n"
            + (extra.hasPrefix("?") ? "" : extra)
        guard let socket = try? RawSocket(port: port), (try? socket.send(head + "\r\n")) != nil,
            let answer = try? socket.readHead()
        else { return nil }
        return Int(answer.split(separator: " ").dropFirst().first ?? "")
    }

    // MARK: Host

    /// A `Host` the daemon is not known by is refused with 421 (with and without an access section),
    /// on REST and on the WebSocket; loopback names, IP literals and `allowed_hosts` are served.
    @Test(arguments: [false, true])
    func foreignHostIsRefused(withAccess: Bool) throws {
        let daemon = try AccessTestDaemon(policy: withAccess ? AccessTestDaemon.policy : nil)
        defer { daemon.stop() }
        let port = daemon.daemon.port
        let auth = withAccess ? "Authorization: Bearer wbt_admin-test-token\r\n" : ""
        let rebound = try Self.raw(port, "GET /api/v1/snapshot HTTP/1.1\r\nHost: attacker.example:\(port)\r\n\(auth)")
        #expect(rebound.status == 421, "\(rebound.head)")
        #expect(rebound.body.contains("allowed_hosts") && rebound.body.contains("host_not_allowed"))
        #expect(Self.upgrade(port, host: "attacker.example:\(port)", extra: withAccess ? "?token=wbt_admin-test-token" : "") != 101)
        for host in ["127.0.0.1:\(port)", "localhost:\(port)", "[::1]:\(port)", "LOCALHOST.", "10.1.2.3:\(port)"] {
            #expect(try Self.raw(port, "GET /api/v1/snapshot HTTP/1.1\r\nHost: \(host)\r\n\(auth)").status == 200, "\(host)")
        }
        #expect(Self.upgrade(port, host: "localhost:\(port)", extra: withAccess ? "?token=wbt_admin-test-token" : "") == 101)
        // Named in allowed_hosts (live on reload): served.
        daemon.daemon.configureAccess(
            withAccess ? AccessTestDaemon.policy : nil, allowedHosts: ["wall.example.com"], stateDirectory: daemon.stateDirectory)
        #expect(try Self.raw(port, "GET /api/v1/snapshot HTTP/1.1\r\nHost: Wall.Example.com:\(port)\r\n\(auth)").status == 200)
        #expect(try Self.raw(port, "GET /api/v1/snapshot HTTP/1.1\r\nHost: attacker.example\r\n\(auth)").status == 421)
        #expect(daemon.daemon.api.access.failureCounts["host_not_allowed"] ?? 0 >= 2)
    }

    // MARK: Origin

    /// A page on another origin cannot open the board socket, even with a valid token in the URL or
    /// cookie and no `allowed_origins` (the default); the daemon's own origin and listed ones can.
    @Test func foreignOriginCannotOpenTheSocket() throws {
        var policy = AccessTestDaemon.policy
        policy.allowedOrigins = []
        for daemon in [try AccessTestDaemon(policy: nil), try AccessTestDaemon(policy: policy)] {
            defer { daemon.stop() }
            let port = daemon.daemon.port
            let url = "ws://127.0.0.1:\(port)/ws?token=wbt_viewer-test-token"
            for origin in ["http://evil.example", "http://127.0.0.1:\(port + 1)", "null", "http://127.0.0.1:\(port).evil.example"] {
                #expect(throws: (any Error).self, "\(origin)") { _ = try WebSocketClient(url: url, headers: ["Origin": origin]) }
                #expect(throws: (any Error).self, "\(origin) with cookie") {
                    _ = try WebSocketClient(
                        url: "ws://127.0.0.1:\(port)/ws", headers: ["Origin": origin, "Cookie": "wallboard_token=wbt_viewer-test-token"])
                }
            }
            let same = try WebSocketClient(url: url, headers: ["Origin": "http://127.0.0.1:\(port)"])
            #expect(try same.next(type: "hello")["type"] == "hello")
            same.close()
            #expect(daemon.daemon.api.access.failureCounts["origin_not_allowed"] == 8)
        }
    }

    /// REST requests from a foreign Origin are refused too (reads and writes); a listed origin gets CORS
    /// headers; preflights grant nothing unless the origin is listed.
    @Test func foreignOriginOnRESTAndPreflights() throws {
        let daemon = try AccessTestDaemon()  // allowed_origins: [https://wall.example.com]
        defer { daemon.stop() }
        let evil = try daemon.request("GET", "/api/v1/snapshot", token: "admin", headers: ["Origin": "http://evil.example"])
        #expect(try evil.status == 403 && JSONC.parse(evil.text)["code"] == "origin_not_allowed")
        let post = try daemon.request("POST", "/api/v1/events", token: "ingest", headers: ["Origin": "http://evil.example"], body: "{}")
        #expect(post.status == 403)
        let listed = try daemon.request("GET", "/api/v1/snapshot", token: "viewer", headers: ["Origin": "https://wall.example.com"])
        #expect(listed.status == 200 && listed.headers["access-control-allow-origin"] == "https://wall.example.com")
        let preflight = try HTTPClient.request(
            "OPTIONS", daemon.base + "/api/v1/events",
            headers: ["Origin": "https://wall.example.com", "Access-Control-Request-Method": "POST"])
        #expect(preflight.status == 204)
        #expect(preflight.headers["access-control-allow-origin"] == "https://wall.example.com")
        #expect(preflight.headers["access-control-allow-headers"]?.contains("authorization") == true)
        let foreignPreflight = try HTTPClient.request(
            "OPTIONS", daemon.base + "/api/v1/actions/pause",
            headers: ["Origin": "http://evil.example", "Access-Control-Request-Method": "POST"])
        #expect(foreignPreflight.status == 403 && foreignPreflight.headers["access-control-allow-origin"] == nil)
        let bare = try HTTPClient.request("OPTIONS", daemon.base + "/api/v1/events")
        #expect(bare.status == 204 && bare.headers["access-control-allow-origin"] == nil && bare.headers["access-control-allow-methods"] == nil)
    }

    // MARK: Body types

    /// Events posted as a form or text/plain (what a cross-site page can send without a preflight)
    /// are refused with 415 and not applied; JSON and NDJSON are taken.
    @Test func crossSiteBodyTypesAreRefusedAndNotApplied() throws {
        let daemon = try AccessTestDaemon(policy: nil)
        defer { daemon.stop() }
        let event = #"{"id":"x1","ts":"\#(RFC3339.format(SystemClock().now()))","type":"agent.login","agent":"intruder","name":"X","queues":["q9"]}"#
        for type in ["text/plain", "text/plain;charset=UTF-8", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", nil] {
            let response = try HTTPClient.request(
                "POST", daemon.base + "/api/v1/events", headers: type.map { ["Content-Type": $0] } ?? [:], body: Array(event.utf8))
            #expect(response.status == 415, "\(type ?? "none"): \(response.text)")
            #expect(response.text.contains("application/json"))
        }
        for path in ["/api/v1/actions/pause", "/api/v1/alerts/x/ack", "/api/v1/interactions/c1/monitor"] {
            let response = try HTTPClient.request(
                "POST", daemon.base + path, headers: ["Content-Type": "text/plain"], body: Array(#"{"agent":"a1","paused":true}"#.utf8))
            #expect(response.status == 415, "\(path)")
        }
        let snapshot = try daemon.request("GET", "/api/v1/snapshot")
        #expect(!snapshot.text.contains("intruder"))
        let json = try HTTPClient.request(
            "POST", daemon.base + "/api/v1/events", headers: ["Content-Type": "application/json; charset=utf-8"], body: Array(event.utf8))
        #expect(json.status == 200, "\(json.text)")
    }

    // MARK: The quick start

    /// Without an access section anonymous callers are masked viewers; loopback callers may also post
    /// events. Lookups, actions, acknowledgements and monitors need a token.
    @Test func quickStartAnonymousIsAMaskedViewer() throws {
        let daemon = try AccessTestDaemon(policy: nil)
        defer { daemon.stop() }
        #expect(try daemon.request("POST", "/api/v1/events", body: Self.seedEvents()).status == 200)
        var snapshot = JSONValue.null
        for _ in 0..<60 {
            snapshot = try JSONC.parse(try daemon.request("GET", "/api/v1/snapshot").text)
            if snapshot["waiting"]?.arrayValue?.isEmpty == false { break }
            Thread.sleep(forTimeInterval: 0.1)
        }
        #expect(snapshot["waiting"]?.arrayValue?.isEmpty == false)
        #expect(snapshot["masked"] == true)
        #expect(!JSONC.encode(snapshot).contains("+15550100"))
        for (method, path, body) in [
            ("GET", "/api/v1/interactions", ""), ("GET", "/api/v1/agents/a2/interaction", ""),
            ("POST", "/api/v1/actions/pause", #"{"agent":"a1","queue":"q1","paused":true}"#),
            ("POST", "/api/v1/actions/remove", #"{"agent":"a1","queue":"q1"}"#),
            ("POST", "/api/v1/interactions/c2/monitor", #"{"endpoint":"DAHDI/1/900123456"}"#),
            ("POST", "/api/v1/alerts/x/ack", "{}"), ("POST", "/api/v1/reload", "{}"),
        ] {
            let response = try daemon.request(method, path, body: body)
            #expect(response.status == 403, "\(method) \(path): \(response.text)")
            #expect(response.text.contains("anonymous"))
        }
        let board = try WebSocketClient(url: "ws://127.0.0.1:\(daemon.daemon.port)/ws")
        defer { board.close() }
        _ = try board.next(type: "hello")
        try board.send(text: #"{"op":"subscribe","topics":["snapshot"]}"#)
        let frame = try board.next(type: "topic")
        #expect(frame["data"]?["masked"] == true)
        #expect(!JSONC.encode(frame).contains("+15550100"))
    }

    /// Two agents and a waiting contact with a caller number (posted here anonymously, from loopback).
    static func seedEvents() -> String {
        let now = SystemClock().now()
        func ts(_ secondsAgo: Int64) -> String { RFC3339.format(now.advanced(by: -.seconds(secondsAgo))) }
        return [
            #"{"id":"s1","ts":"\#(ts(90))","type":"agent.login","agent":"a1","name":"Ann","team":"t1","queues":["q1"]}"#,
            #"{"id":"s2","ts":"\#(ts(90))","type":"agent.login","agent":"a2","name":"Bob","team":"t2","queues":["q2"]}"#,
            #"{"id":"s4","ts":"\#(ts(60))","type":"contact.queued","contact":"c1","queue":"q1","channel":"voice","customer":{"id":"+15550100","segment":"vip"}}"#,
        ].joined(separator: "\n")
    }

    // MARK: Scopes

    /// A supervisor limited to q2 may act on q2 only: pause, remove, monitor and acknowledge elsewhere
    /// are refused (403) before anything reaches the PBX; inside its scope the request goes on (409
    /// here: this daemon has no Asterisk source).
    @Test func scopedSupervisorActsOnlyInItsScope() throws {
        var policy = AccessTestDaemon.policy
        let index = try #require(policy.tokens.firstIndex { $0.name == "site-supervisor" })
        policy.tokens[index].monitorEndpoint = "PJSIP/2002"
        let daemon = try AccessTestDaemon(policy: policy)
        defer { daemon.stop() }
        try daemon.seedInteractions()
        _ = try daemon.waitForSnapshot { ($0["agents"]?.arrayValue?.count ?? 0) == 2 }
        func post(_ path: String, _ body: String) throws -> HTTPClient.Response {
            try daemon.request("POST", path, token: "site-supervisor", body: body)
        }
        #expect(try post("/api/v1/actions/pause", #"{"agent":"a1","queue":"q1","paused":true}"#).status == 403)
        #expect(try post("/api/v1/actions/pause", #"{"agent":"a1","queue":"q2","paused":true}"#).status == 403)
        let allQueues = try post("/api/v1/actions/pause", #"{"agent":"a2","paused":true}"#)
        #expect(allQueues.status == 403 && allQueues.text.contains("queue"))
        #expect(try post("/api/v1/actions/remove", #"{"agent":"a1","queue":"q1"}"#).status == 403)
        #expect(try post("/api/v1/actions/pause", #"{"agent":"a2","queue":"q2","paused":true}"#).status == 409)
        #expect(try post("/api/v1/interactions/c1/monitor", "{}").status == 403)
        #expect(try post("/api/v1/interactions/c2/monitor", "{}").status == 409)
        let audit = try daemon.auditLines()
        #expect(audit.filter { $0["status"] == 403 && $0["who"] == "site-supervisor" }.count == 5)
    }

    /// The one decision for alerts: a scoped token sees and acknowledges only alerts on its queues,
    /// teams and agents; center-wide alerts need an unscoped token.
    @Test func alertScopeDecisions() {
        let snapshot: JSONValue = [
            "queues": [["id": "q1"], ["id": "q2"]],
            "agents": [["id": "a1", "team": "t1", "queues": ["q1"]], ["id": "a2", "team": "t2", "queues": ["q2"]]],
        ]
        let site = AccessPrincipal(name: "site", role: .supervisor, scope: AccessScope(queues: ["q2"]))
        #expect(site.mayAct(on: .alert(scope: "queue:q2"), snapshot: snapshot))
        #expect(site.mayAct(on: .alert(scope: "agent:a2"), snapshot: snapshot))
        #expect(!site.mayAct(on: .alert(scope: "queue:q1"), snapshot: snapshot))
        #expect(!site.mayAct(on: .alert(scope: "agent:a1"), snapshot: snapshot))
        #expect(!site.mayAct(on: .alert(scope: "team:t2"), snapshot: snapshot))
        #expect(!site.mayAct(on: .alert(scope: "center"), snapshot: snapshot))
        let list: JSONValue = [
            "active": [["id": "1", "scope": "queue:q1"], ["id": "2", "scope": "queue:q2"]],
            "resolved_today": [["id": "3", "scope": "center"]],
        ]
        let seen = site.viewAlerts(list, snapshot: snapshot)
        #expect(seen["active"]?.arrayValue?.compactMap { $0["id"]?.stringValue } == ["2"])
        #expect(seen["resolved_today"] == .array([]))
        let all = AccessPrincipal(name: "jane", role: .supervisor)
        #expect(all.viewAlerts(list, snapshot: snapshot) == list)
    }

    // MARK: Reload

    /// A reload that removes a token or lowers its role closes that token's open boards (1008) at once;
    /// other boards stay.
    @Test func reloadClosesRevokedAndLoweredTokensBoards() throws {
        let daemon = try AccessTestDaemon()
        defer { daemon.stop() }
        func board(_ token: String) throws -> WebSocketClient {
            let client = try WebSocketClient(url: "ws://127.0.0.1:\(daemon.daemon.port)/ws?token=\(AccessTestDaemon.tokens[token]!)")
            _ = try client.next(type: "hello")
            try client.send(text: #"{"op":"subscribe","topics":["snapshot"]}"#)
            _ = try client.next(type: "topic")
            return client
        }
        let viewer = try board("viewer")
        let supervisor = try board("supervisor")
        let admin = try board("admin")
        defer { [viewer, supervisor, admin].forEach { $0.close() } }
        var policy = AccessTestDaemon.policy
        policy.tokens.removeAll { $0.name == "viewer" }
        let index = try #require(policy.tokens.firstIndex { $0.name == "supervisor" })
        policy.tokens[index].role = .viewer
        daemon.daemon.configureAccess(policy, stateDirectory: daemon.stateDirectory)
        for client in [viewer, supervisor] {
            var closed: (Int, String)?
            for _ in 0..<50 {
                if case .close(let code, let reason) = try client.receive() {
                    closed = (Int(code), reason)
                    break
                }
            }
            #expect(closed?.0 == 1008)
            #expect(closed?.1.contains("reload") == true)
        }
        let event = #"{"id":"r1","ts":"\#(RFC3339.format(SystemClock().now()))","type":"agent.login","agent":"z","name":"Z","queues":["q1"]}"#
        #expect(try daemon.request("POST", "/api/v1/events", token: "ingest", body: event).status == 200)
        #expect(try admin.next(type: "topic")["topic"] == "snapshot")
        #expect(throws: (any Error).self) {
            _ = try WebSocketClient(url: "ws://127.0.0.1:\(daemon.daemon.port)/ws?token=wbt_viewer-test-token")
        }
    }

    // MARK: Secrets

    /// A presented token never comes back: not in a refusal, not on /metrics.
    @Test func tokensAreNotEchoed() throws {
        let daemon = try AccessTestDaemon()
        defer { daemon.stop() }
        let wrong = try daemon.request("GET", "/api/v1/snapshot", token: "wbt_guessed-secret-value")
        #expect(wrong.status == 401 && !wrong.text.contains("guessed-secret-value"))
        let forbidden = try daemon.request("GET", "/api/v1/interactions", token: "viewer")
        #expect(forbidden.status == 403 && !forbidden.text.contains("wbt_"))
        let metrics = try daemon.request("GET", "/metrics", token: "admin")
        #expect(metrics.status == 200 && !metrics.text.contains("wbt_") && !metrics.text.contains("test-token"))
    }
}

/// Secrets on disk: a dead-lettered notification keeps only the webhook's scheme and host, and the
/// outbox, alert state and dead-letter files are owner-only.
@Suite(.serialized) struct SecretFilesTests {
    @Test func deadLettersHideTheWebhookSecretAndStateFilesAreOwnerOnly() throws {
        let receiver = try WebhookReceiver(script: [(400, 0)])  // a revoked URL: dead-lettered at once
        defer { receiver.stop() }
        let stateDir = NSTemporaryDirectory() + "wallboard-secrets-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: stateDir) }
        let secretURL = receiver.url + "/services/T000/B000/SECRETxyz?token=also-secret"
        let daemon = try WebhookDeliveryTests.daemon(url: secretURL, stateDir: stateDir)
        defer { daemon.stop() }
        let now = RFC3339.format(SystemClock().now())
        #expect(try daemon.post("/api/v1/events", body: #"{"id":"1","ts":"\#(now)","type":"contact.queued","contact":"c1","queue":"q1"}"#).status == 200)
        let path = stateDir + "/alerts-dead-letters.jsonl"
        for _ in 0..<100 where (try? String(contentsOfFile: path, encoding: .utf8))?.isEmpty ?? true { usleep(100_000) }
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text.contains("\"url\":\"http:\\/\\/127.0.0.1:\(receiver.server.port)\\/…\"") || text.contains("127.0.0.1:\(receiver.server.port)/…"), "\(text)")
        #expect(!text.contains("SECRETxyz") && !text.contains("also-secret"))
        for file in ["alerts-dead-letters.jsonl", "alerts-outbox.json", "alerts-state.json"] {
            let attributes = try FileManager.default.attributesOfItem(atPath: stateDir + "/" + file)
            #expect((attributes[.posixPermissions] as? Int).map { $0 & 0o077 } == 0, "\(file) is readable by others")
        }
    }

    @Test(arguments: [
        ("https://hooks.slack.com/services/T0/B0/XYZ", "https://hooks.slack.com/…"),
        ("https://user:pw@example.com:8443/x?y=1", "https://example.com:8443/…"),
        ("https://events.pagerduty.com", "https://events.pagerduty.com"),
        ("http://h:1?k=s", "http://h:1/…"), ("not a url", "…"),
    ])
    func urlsAreCutToSchemeAndHost(url: String, shown: String) {
        #expect(Redaction.url(url) == shown)
    }
}

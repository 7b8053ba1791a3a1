import Foundation
import JSONC
import JSONModel
import Testing
import WallboardClient
import WallboardCore
@testable import WallboardServer

/// The real daemon with an access policy: each endpoint per role, masking, lookups, audit, throttling.
@Suite(.serialized) struct AccessLiveTests {
    /// Expected status per role for each endpoint (`docs/security.md`'s table); `none` = no token.
    @Test(arguments: [
        ("GET", "/healthz", ["none": 200, "viewer": 200, "ingest": 200, "supervisor": 200, "admin": 200]),
        ("GET", "/api/v1/snapshot", ["none": 401, "viewer": 200, "ingest": 403, "supervisor": 200, "admin": 200, "site": 200]),
        ("GET", "/metrics", ["none": 401, "viewer": 200, "ingest": 403, "supervisor": 200, "admin": 200, "site": 403]),
        ("GET", "/api/v1/interactions", ["none": 401, "viewer": 403, "ingest": 403, "supervisor": 200, "admin": 200]),
        ("GET", "/api/v1/agents/a2/interaction", ["none": 401, "viewer": 403, "ingest": 403, "supervisor": 200, "admin": 200]),
        ("POST", "/api/v1/events", ["none": 401, "viewer": 403, "ingest": 200, "supervisor": 403, "admin": 200]),
        ("GET", "/api/v1/nothing-here", ["none": 401, "viewer": 404, "ingest": 404]),
    ])
    func eachRoleIsAllowedOrRefusedAsDocumented(method: String, path: String, expected: [String: Int]) throws {
        let daemon = try AccessTestDaemon()
        defer { daemon.stop() }
        try daemon.seedInteractions()
        _ = try daemon.waitForSnapshot { $0["waiting"]?.arrayValue?.isEmpty == false }
        for (role, status) in expected.sorted(by: { $0.key < $1.key }) {
            let body = method == "POST" ? #"{"id":"x-\#(role)","ts":"\#(RFC3339.format(SystemClock().now()))","type":"agent.logout","agent":"zz"}"# : ""
            let response = try daemon.request(method, path, token: role == "none" ? nil : role, body: body)
            #expect(response.status == status, "\(role) \(method) \(path): \(response.text)")
            if status == 401 {
                #expect(response.headers["www-authenticate"]?.hasPrefix("Bearer") == true)
                #expect(try JSONC.parse(response.text)["code"] == "missing_token")
            }
            if status == 403 { #expect(try JSONC.parse(response.text)["error"]?.stringValue?.contains("needs") == true) }
        }
    }

    /// A viewer's REST snapshot carries no customer identifier; a supervisor's does.
    @Test func viewerSnapshotHasNoCustomerIdentifiers() throws {
        let daemon = try AccessTestDaemon()
        defer { daemon.stop() }
        try daemon.seedInteractions()
        let full = try daemon.waitForSnapshot { $0["waiting"]?.arrayValue?.count == 1 }
        #expect(JSONC.encode(full).contains("+15550100"))
        let viewer = try daemon.request("GET", "/api/v1/snapshot", token: "viewer")
        #expect(viewer.status == 200)
        #expect(!viewer.text.contains("+15550100") && !viewer.text.contains("cust-42"))
        #expect(try JSONC.parse(viewer.text)["masked"] == true)
        // The board's own ways of passing the token: the URL and the cookie.
        let byQuery = try HTTPClient.get(daemon.base + "/api/v1/snapshot?token=wbt_viewer-test-token")
        #expect(byQuery.status == 200 && !byQuery.text.contains("+15550100"))
        let byCookie = try HTTPClient.get(daemon.base + "/api/v1/snapshot", headers: ["Cookie": "wallboard_token=wbt_viewer-test-token"])
        #expect(byCookie.status == 200 && !byCookie.text.contains("+15550100"))
        // A site board scoped to q1 sees q1 only.
        let site = try JSONC.parse(try daemon.request("GET", "/api/v1/snapshot", token: "site").text)
        #expect(site["queues"]?.arrayValue?.compactMap { $0["id"]?.stringValue } == ["q1"])
        #expect(site["agents"]?.arrayValue?.compactMap { $0["id"]?.stringValue } == ["a1"])
    }

    /// A supervisor finds the agent's live interaction with its monitor handle; every lookup is audited.
    @Test func supervisorLookupReturnsMonitorHandleAndIsAudited() throws {
        let daemon = try AccessTestDaemon()
        defer { daemon.stop() }
        try daemon.seedInteractions()
        _ = try daemon.waitForSnapshot { $0["waiting"]?.arrayValue?.count == 1 }
        let agent = try daemon.request("GET", "/api/v1/agents/a2/interaction", token: "supervisor")
        #expect(agent.status == 200)
        let interaction = try #require(try JSONC.parse(agent.text)["interaction"])
        #expect(interaction["contact"] == "c2")
        #expect(interaction["customer"] == "cust-42")
        #expect(interaction["monitor"] == ["kind": "asterisk.channel", "target": "PJSIP/1002-00000012"])
        #expect(interaction["queue"] == "q2" && interaction["channel"] == "chat" && interaction["agent"] == "a2")
        #expect((interaction["handle_seconds"]?.doubleValue ?? 0) >= 30)

        let byCustomer = try JSONC.parse(
            try daemon.request("GET", "/api/v1/interactions?customer=%2B15550100", token: "admin").text)
        #expect(byCustomer["count"] == 1)
        #expect(byCustomer["interactions"]?.arrayValue?.first?["segment"] == "vip")
        #expect(try daemon.request("GET", "/api/v1/interactions?channel=fax", token: "admin").status == 400)
        #expect(try daemon.request("GET", "/api/v1/interactions?agnet=a1", token: "admin").status == 400)
        #expect(try daemon.request("GET", "/api/v1/agents/a1/interaction", token: "supervisor").status == 404)
        // A supervisor scoped to q2 does not find q1's contact.
        let scoped = try JSONC.parse(try daemon.request("GET", "/api/v1/interactions", token: "site-supervisor").text)
        #expect(scoped["interactions"]?.arrayValue?.compactMap { $0["contact"]?.stringValue } == ["c2"])

        let lines = try daemon.auditLines()
        #expect(lines.count == 4)
        let first = try #require(lines.first)
        #expect(first["who"] == "supervisor" && first["role"] == "supervisor")
        #expect(first["action"] == "agent.interaction" && first["query"] == ["agent": "a2"])
        #expect(first["result_count"] == 1 && first["status"] == 200)
        #expect(first["peer"]?.stringValue?.contains("127.0.0.1") == true)
        #expect(lines[1]["query"] == ["customer": "+15550100"] && lines[1]["who"] == "admin")
        #expect(lines[3]["who"] == "site-supervisor" && lines[3]["result_count"] == 1)
        #expect(lines.allSatisfy { $0["ts"]?.stringValue?.hasSuffix("Z") == true })
    }

    /// Ten wrong tokens from one address, then 429 with Retry-After, even for a right token.
    @Test func bruteForceAttemptsAreThrottled() throws {
        let daemon = try AccessTestDaemon()
        defer { daemon.stop() }
        for attempt in 0..<10 {
            let response = try daemon.request("GET", "/api/v1/snapshot", token: "wbt_guess-\(attempt)")
            #expect(response.status == 401)
            #expect(try JSONC.parse(response.text)["code"] == "invalid_token")
        }
        let throttled = try daemon.request("GET", "/api/v1/snapshot", token: "admin")
        #expect(throttled.status == 429)
        #expect(Int(throttled.headers["retry-after"] ?? "") ?? 0 > 0)
        #expect(try daemon.request("GET", "/healthz").status == 200)
        #expect(daemon.daemon.api.access.failureCounts["invalid_token"] == 10)
    }

    /// WebSocket upgrades check the token (header, URL or cookie) and the Origin allowlist.
    @Test func webSocketUpgradeChecksTokenAndOrigin() throws {
        let daemon = try AccessTestDaemon()
        defer { daemon.stop() }
        let url = "ws://127.0.0.1:\(daemon.daemon.port)/ws"
        #expect(throws: (any Error).self) { _ = try WebSocketClient(url: url) }
        #expect(throws: (any Error).self) { _ = try WebSocketClient(url: url + "?token=wbt_ingest-test-token") }
        #expect(throws: (any Error).self) {
            _ = try WebSocketClient(url: url + "?token=wbt_viewer-test-token", headers: ["Origin": "https://evil.example"])
        }
        let client = try WebSocketClient(
            url: url + "?token=wbt_site-viewer-q1", headers: ["Origin": "https://wall.example.com"])
        defer { client.close() }
        #expect(try client.next(type: "hello")["type"] == "hello")
        let cookie = try WebSocketClient(url: url, headers: ["Cookie": "wallboard_token=wbt_viewer-test-token"])
        cookie.close()
        // The connection's principal is known for per-connection shaping.
        let principals = daemon.daemon.api.access.webSocketPrincipals
        #expect(principals.contains { $0.name == "site" && $0.scope == AccessScope(queues: ["q1"]) })
    }

    /// With no access section anonymous callers are masked viewers on any listen address (the quick
    /// start): no lookups; events only from loopback callers (SafeDefaultsTests has the rest).
    @Test(arguments: ["127.0.0.1", "0.0.0.0"])
    func noAccessSectionIsAMaskedViewer(host: String) throws {
        let daemon = try AccessTestDaemon(policy: nil, host: host)
        defer { daemon.stop() }
        #expect(try daemon.request("GET", "/api/v1/interactions").status == 403)
        // Accepted for a loopback caller (400: the body is empty), never 401/403.
        #expect(try daemon.request("POST", "/api/v1/events", body: "").status == 400)
        let snapshot = try daemon.request("GET", "/api/v1/snapshot")
        let json = try JSONC.parse(snapshot.text)
        #expect(snapshot.status == 200 && json["masked"] == true)
    }

    /// The resolution rule itself, for callers a loopback test cannot be: anonymous callers from other
    /// machines are viewers that may not post events; with an access section they need a token unless
    /// `loopback_without_token` is set and they are local.
    @Test func anonymousRightsByPeer() {
        let lan = AccessGate.resolve(digest: nil, peer: "10.0.0.7", policy: nil)
        #expect(lan?.role == .viewer && lan?.alsoIngests == false)
        #expect(AccessGate.resolve(digest: nil, peer: "::1", policy: nil)?.alsoIngests == true)
        #expect(AccessGate.resolve(digest: nil, peer: "127.0.0.1", policy: AccessPolicy()) == nil)
        #expect(AccessGate.resolve(digest: nil, peer: "127.0.0.1", policy: AccessPolicy(loopbackWithoutToken: true))?.role == .admin)
        #expect(AccessGate.resolve(digest: nil, peer: "10.0.0.7", policy: AccessPolicy(loopbackWithoutToken: true)) == nil)
    }
}

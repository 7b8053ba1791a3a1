import Foundation
import JSONC
import JSONModel
import Logging
import WallboardClient
import WallboardCore
@testable import WallboardServer

/// A real daemon on 127.0.0.1 port 0 with an `access` policy: one token per role, plus a viewer
/// scoped to queue `q1`, audit files in a temp state directory.
final class AccessTestDaemon: @unchecked Sendable {
    static let tokens: [String: String] = [
        "viewer": "wbt_viewer-test-token", "supervisor": "wbt_supervisor-test-token", "ingest": "wbt_ingest-test-token",
        "admin": "wbt_admin-test-token", "site": "wbt_site-viewer-q1", "site-supervisor": "wbt_site-supervisor-q2",
    ]

    static var policy: AccessPolicy {
        func entry(_ name: String, _ role: AccessRole, _ scope: AccessScope = .all) -> AccessPolicy.TokenEntry {
            .init(name: name, role: role, hash: SHA256.hash(tokens[name]!.utf8), scope: scope)
        }
        return AccessPolicy(
            tokens: [
                entry("viewer", .viewer), entry("supervisor", .supervisor), entry("ingest", .ingest), entry("admin", .admin),
                entry("site", .viewer, AccessScope(queues: ["q1"])),
                entry("site-supervisor", .supervisor, AccessScope(queues: ["q2"])),
            ],
            allowedOrigins: ["https://wall.example.com"])
    }

    let daemon: Daemon
    let stateDirectory: String
    var base: String { "http://127.0.0.1:\(daemon.port)" }

    init(policy: AccessPolicy? = AccessTestDaemon.policy, host: String = "127.0.0.1") throws {
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        stateDirectory = NSTemporaryDirectory() + "wallboard-access-\(UUID().uuidString)"
        var options = DaemonOptions(host: host, port: 0, simulator: false)
        options.host = host
        daemon = Daemon.make(options: options, logger: logger)
        daemon.configureAccess(policy, stateDirectory: stateDirectory)
        try daemon.start()
    }

    func stop() {
        let done = DispatchSemaphore(value: 0)
        daemon.shutdown { done.signal() }
        done.wait()
        try? FileManager.default.removeItem(atPath: stateDirectory)
    }

    func request(
        _ method: String, _ path: String, token: String? = nil, headers: [String: String] = [:], body: String = ""
    ) throws -> HTTPClient.Response {
        var headers = headers
        if let token { headers["Authorization"] = "Bearer \(Self.tokens[token] ?? token)" }
        if method == "POST" { headers["Content-Type"] = "application/x-ndjson" }
        return try HTTPClient.request(method, base + path, headers: headers, body: Array(body.utf8))
    }

    /// Posts two agents, a waiting VIP contact in q1 and an answered contact in q2 with a monitor handle.
    func seedInteractions() throws {
        let now = SystemClock().now()
        func ts(_ secondsAgo: Int64) -> String { RFC3339.format(now.advanced(by: -.seconds(secondsAgo))) }
        let events = [
            #"{"id":"s1","ts":"\#(ts(90))","type":"agent.login","agent":"a1","name":"Ann","team":"t1","queues":["q1"]}"#,
            #"{"id":"s2","ts":"\#(ts(90))","type":"agent.login","agent":"a2","name":"Bob","team":"t2","queues":["q2"]}"#,
            #"{"id":"s3","ts":"\#(ts(80))","type":"agent.state","agent":"a2","state":"available"}"#,
            #"{"id":"s4","ts":"\#(ts(60))","type":"contact.queued","contact":"c1","queue":"q1","channel":"voice","customer":{"id":"+15550100","segment":"vip"},"language":"en","reason":"billing"}"#,
            #"{"id":"s5","ts":"\#(ts(50))","type":"contact.queued","contact":"c2","queue":"q2","channel":"chat","customer":{"id":"cust-42"}}"#,
            #"{"id":"s6","ts":"\#(ts(40))","type":"contact.answered","contact":"c2","agent":"a2","monitor":{"kind":"asterisk.channel","target":"PJSIP/1002-00000012"}}"#,
        ].joined(separator: "\n")
        let response = try request("POST", "/api/v1/events", token: "ingest", body: events)
        guard response.status == 200, (try JSONC.parse(response.text))["accepted"] == 6 else {
            throw ClientError.protocolViolation("seed refused: \(response.status) \(response.text)")
        }
    }

    /// Waits until a published snapshot shows the seeded contacts.
    func waitForSnapshot(_ predicate: (JSONValue) -> Bool) throws -> JSONValue {
        for _ in 0..<60 {
            let response = try request("GET", "/api/v1/snapshot", token: "admin")
            if response.status == 200, let json = try? JSONC.parse(response.text), predicate(json) { return json }
            Thread.sleep(forTimeInterval: 0.1)
        }
        throw ClientError.protocolViolation("snapshot never matched")
    }

    /// The audit lines written so far.
    func auditLines() throws -> [JSONValue] {
        daemon.api.access.audit?.flush()
        let path = stateDirectory + "/audit/" + AuditLog.fileName(for: SystemClock().now())
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return [] }
        return try text.split(separator: "\n").map { try JSONC.parse(String($0)) }
    }
}

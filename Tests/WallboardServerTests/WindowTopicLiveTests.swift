import Foundation
import JSONC
import JSONModel
import Testing
import WallboardClient
@testable import WallboardServer

/// Window-limited topics from a real daemon with access control: a board gets the windows it named, masked
/// or scoped as its token says; bad names get an error and the connection goes on.
@Suite(.serialized) struct WindowTopicLiveTests {
    private func board(_ daemon: AccessTestDaemon, token: String, topics: [String]) throws -> (WebSocketClient, JSONValue) {
        let client = try WebSocketClient(url: "ws://127.0.0.1:\(daemon.daemon.port)/ws?token=\(AccessTestDaemon.tokens[token]!)")
        let hello = try client.next(type: "hello")
        try client.send(text: JSONC.encode(["op": "subscribe", "topics": .array(topics.map { .string($0) }), "bundle": true]))
        return (client, hello)
    }

    /// Each topic's first payload as the board's bundles bring it, and the errors on the way.
    private func payloads(_ client: WebSocketClient, _ topics: Set<String>) throws -> (data: [String: JSONValue], errors: [JSONValue]) {
        var data: [String: JSONValue] = [:]
        var errors: [JSONValue] = []
        for _ in 0..<40 where !topics.isSubset(of: data.keys) {
            guard case .text(let text) = try client.receive() else { break }
            let message = try JSONC.parse(text)
            if message["type"] == "error" { errors.append(message) }
            for part in message["messages"]?.arrayValue ?? [] {
                if let topic = part["topic"]?.stringValue, let payload = part["data"], data[topic] == nil { data[topic] = payload }
            }
        }
        return (data, errors)
    }

    private func windows(_ scope: JSONValue?) -> [String] { scope?["metrics"]?.objectValue?.members.map(\.key) ?? [] }

    @Test func aViewerGetsTheWindowsItNamedMaskedAndBadNamesAnError() throws {
        let daemon = try AccessTestDaemon()
        defer { daemon.stop() }
        try daemon.seedInteractions()
        _ = try daemon.waitForSnapshot { ($0["waiting"]?.arrayValue?.count ?? 0) == 1 }
        let limited: Set<String> = ["queue:q1@primary", "center@primary,today"]
        let (viewer, hello) = try board(
            daemon, token: "viewer", topics: limited.sorted() + ["queue:q1@15m,nope", "agents@15m", "queue:q1@"])
        defer { viewer.close() }
        #expect(hello["windows"] == ["5m", "15m", "30m", "60m", "interval", "today"], "what a list may name")
        let got = try payloads(viewer, limited)
        let queue = try #require(got.data["queue:q1@primary"])
        #expect(windows(queue["queue"]) == ["15m"])
        #expect(queue["waiting"]?[0]?["contact"] == "c1")
        #expect(queue["waiting"]?[0]?["customer"] == .null, "masked for a viewer")
        #expect(windows(got.data["center@primary,today"]?["center"]) == ["15m", "today"])
        let error = try #require(got.errors.first)
        #expect(error["code"] == "bad_windows")
        let message = error["message"]?.stringValue ?? ""
        #expect(message.contains("no window \"nope\"") && message.contains("agents has no window figures")
                && message.contains("queue:q1@: no window after"), "\(message)")
        #expect(got.errors.count == 1, "one error for the three names")

        // The connection goes on: the whole topic beside the limited one.
        try viewer.send(text: JSONC.encode(["op": "subscribe", "topics": ["queue:q1"], "bundle": true]))
        let whole = try #require(try payloads(viewer, ["queue:q1"]).data["queue:q1"])
        #expect(windows(whole["queue"]) == ["5m", "15m", "30m", "60m", "interval", "today"])
        #expect(whole["queue"]?["metrics"]?["15m"] == queue["queue"]?["metrics"]?["15m"])

        let (supervisor, _) = try board(daemon, token: "supervisor", topics: ["queue:q1@primary"])
        defer { supervisor.close() }
        let full = try #require(try payloads(supervisor, ["queue:q1@primary"]).data["queue:q1@primary"])
        #expect(full["waiting"]?[0]?["customer"] == "+15550100", "a supervisor sees the customer")
    }

    @Test func aScopedTokenMayLimitOnlyTopicsItMaySee() throws {
        let daemon = try AccessTestDaemon()
        defer { daemon.stop() }
        try daemon.seedInteractions()
        _ = try daemon.waitForSnapshot { ($0["waiting"]?.arrayValue?.count ?? 0) == 1 }
        let (site, _) = try board(daemon, token: "site", topics: ["queue:q1@primary", "queue:q2@primary", "center@primary"])
        defer { site.close() }
        let got = try payloads(site, ["queue:q1@primary", "center@primary"])
        #expect(got.errors.map { $0["code"] } == ["forbidden_topic"])
        #expect(got.errors.first?["message"]?.stringValue?.contains("queue:q2@primary") == true)
        #expect(got.data["queue:q2@primary"] == nil)
        #expect(windows(got.data["queue:q1@primary"]?["queue"]) == ["15m"])
        #expect(got.data["center@primary"]?["center"]?["scoped"] == true, "the center cut to the scope")
        #expect(got.data["center@primary"]?["center"]?["metrics"] == nil)
    }

    @Test func theRESTMirrorsAnswerLimitedNamesAsABoardGetsThem() throws {
        let daemon = try AccessTestDaemon()
        defer { daemon.stop() }
        try daemon.seedInteractions()
        _ = try daemon.waitForSnapshot { ($0["waiting"]?.arrayValue?.count ?? 0) == 1 }
        // Nobody subscribes: built when asked, forgotten by the hub at its next publish, built again when asked
        // again (each answer a whole payload of the windows named).
        var sequences: [Int64] = []
        for _ in 0..<6 {
            let answer = try daemon.request("GET", "/api/v1/snapshot?topics=center,queue:q1@primary", token: "viewer")
            #expect(answer.status == 200, "\(answer.text)")
            let body = try JSONC.parse(answer.text)
            #expect(windows(body["queue:q1@primary"]?["queue"]) == ["15m"])
            #expect(body["queue:q1@primary"]?["waiting"]?[0]?["customer"] == .null, "masked for a viewer")
            #expect(windows(body["center"]?["center"]).count == 6)
            let tag = answer.headers.first { $0.key.lowercased() == "etag" }?.value ?? ""
            if let match = tag.split(separator: ",").last?.split(separator: "-").dropFirst().first, let sequence = Int64(match) {
                sequences.append(sequence)
            }
            Thread.sleep(forTimeInterval: 0.3)  // spaced over publishes; nothing is asserted on time
        }
        #expect(sequences == sequences.sorted(), "the ETag's sequence never goes back: \(sequences)")
        let bad = try daemon.request("GET", "/api/v1/snapshot?topics=center,queue:q1@15m,nope", token: "admin")
        #expect(bad.status == 400)
        #expect(try JSONC.parse(bad.text)["error"]?.stringValue?.contains("queue:q1@15m,nope: no window \"nope\"") == true, "\(bad.text)")
        let listed = try daemon.request("GET", "/api/v1/snapshot?topics=center@primary,today,queue:q1@15m,today,alerts", token: "admin")
        #expect(listed.status == 200, "\(listed.text)")
        let body = try JSONC.parse(listed.text)
        #expect(body.objectValue?.members.map(\.key) == ["center@primary,today", "queue:q1@15m,today", "alerts"], "a list's commas stay in its name")
        #expect(windows(body["queue:q1@15m,today"]?["queue"]) == ["15m", "today"])
        #expect(try daemon.request("GET", "/api/v1/queues/q1@today", token: "admin").status == 200)
        #expect(try daemon.request("GET", "/api/v1/queues/q1@", token: "admin").status == 400)
        #expect(try daemon.request("GET", "/api/v1/snapshot?topics=queue:q2@primary", token: "site").status == 403)
        #expect(try daemon.request("GET", "/api/v1/snapshot?topics=queue:q1@primary", token: "site").status == 200)
    }
}

import Foundation
import JSONC
import JSONModel
import Logging
import Synchronization
import Testing
import WallboardAlerts
import WallboardClient
import WallboardCore
@testable import WallboardServer

/// A transport that records requests and fails the first `failures` of them with HTTP 503.
final class RecordingTransport: NotificationTransport {
    let sent = Mutex<[(url: String, body: JSONValue)]>([])
    let remainingFailures: Mutex<Int>

    init(failures: Int = 0) { remainingFailures = Mutex(failures) }

    func send(_ request: NotificationRequest, bodyBytes: [UInt8], timeout: Millis,
              completion: @escaping @Sendable (Result<Int, DeliveryFailure>) -> Void)
    {
        var bytes = bodyBytes
        let body = (try? JSONC.parse(bytes: &bytes)) ?? .null
        let fail = remainingFailures.withLock { count -> Bool in
            defer { count = max(0, count - 1) }
            return count > 0
        }
        if fail {
            completion(.failure(.status(503, retryAfter: 1)))
        } else {
            sent.withLock { $0.append((request.url, body)) }
            completion(.success(200))
        }
    }

    var bodies: [JSONValue] { sent.withLock { $0.map(\.body) } }
}

@Suite(.serialized) struct AlertsLiveTests {
    static let rules = """
        alerts:
          notifiers:
            - name: hook
              kind: webhook
              url: http://127.0.0.1:9/hook
          delivery:
            initial_backoff: 1s
          rules:
            - name: calls-waiting
              metric: waiting_now
              scope: queue:*
              comparison: ">="
              threshold: 1
              severity: critical
              notifiers: [hook]
        """

    /// A user writes a rule, breaks it, sees the alert on the `alerts` topic and gets the webhook
    /// (after the receiver's first failure), acknowledges it, and watches it resolve.
    @Test func ruleFiresNotifiesAcknowledgesAndResolves() throws {
        let configuration = try DaemonConfiguration.parse(yaml: Self.rules, fileName: "alerts.yaml")
        var options = DaemonOptions(configuration: configuration, configPath: nil, webRootFallback: nil)
        options.port = 0
        let transport = RecordingTransport(failures: 1)
        let daemon = try TestDaemon(options: options, transport: transport)
        // Acknowledging needs a supervisor token; the alert names the token ("sam").
        daemon.daemon.configureAccess(.supervisorSam, stateDirectory: nil)
        defer { daemon.stop() }
        let board = try daemon.connect(subscribe: ["alerts"])
        defer { board.close() }
        let empty = try board.next(type: "topic")
        #expect(empty["data"]?["active"] == .array([]))

        let now = SystemClock().now()
        let ts = RFC3339.format(now)
        #expect(try daemon.post("/api/v1/events", body: #"""
            {"id":"1","ts":"\#(ts)","type":"agent.login","agent":"a1","name":"Ann","queues":["q1"]}
            {"id":"2","ts":"\#(ts)","type":"contact.queued","contact":"c1","queue":"q1"}
            """#).status == 200)
        let firing = try board.nextSnapshot { $0["active"]?.arrayValue?.first?["state"] == "firing" }
        let alert = try #require(firing["data"]?["active"]?.arrayValue?.first)
        #expect(alert["rule"] == "calls-waiting")
        #expect(alert["severity"] == "critical")
        let id = try #require(alert["id"]?.stringValue)

        // The webhook got the fire once the receiver recovered from its 503.
        for _ in 0..<60 where transport.bodies.isEmpty { usleep(100_000) }
        #expect(transport.bodies.count == 1)
        #expect(transport.bodies.first?["event"] == "fire")

        let ack = try HTTPClient.request(
            "POST", daemon.base + "/api/v1/alerts/\(id)/ack", headers: AccessPolicy.samHeaders, body: Array("{}".utf8))
        #expect(ack.status == 200)
        let acked = try board.nextSnapshot { $0["active"]?.arrayValue?.first?["state"] == "acknowledged" }
        #expect(acked["data"]?["active"]?.arrayValue?.first?["acknowledged_by"] == "sam")
        #expect(try HTTPClient.request("POST", daemon.base + "/api/v1/alerts/nope/ack", headers: AccessPolicy.samHeaders).status == 404)

        _ = try daemon.post("/api/v1/events", body: #"{"id":"3","ts":"\#(RFC3339.format(SystemClock().now()))","type":"contact.answered","contact":"c1","agent":"a1"}"#)
        let resolved = try board.nextSnapshot { $0["active"] == .array([]) }
        #expect(resolved["data"]?["resolved_today"]?.arrayValue?.first?["id"] == .string(id))
        for _ in 0..<50 where transport.bodies.count < 3 { usleep(100_000) }
        #expect(transport.bodies.compactMap { $0["event"]?.stringValue } == ["fire", "acknowledge", "resolve"])

        let list = try JSONC.parse(try daemon.get("/api/v1/alerts").text)
        #expect(list["resolved_today"]?.arrayValue?.count == 1)
    }

    @Test func invalidRuleIsAConfigErrorNamingTheRuleAndLine() {
        let yaml = Self.rules.replacingOccurrences(of: "threshold: 1", with: "threshold: lots")
        do {
            _ = try DaemonConfiguration.parse(yaml: yaml, fileName: "alerts.yaml")
            Issue.record("no error")
        } catch {
            let text = "\(error)"
            #expect(text == "alerts.yaml:13: alerts.rules[0].threshold: rule \"calls-waiting\": expected a number, found string")
        }
    }
}

import Foundation
import JSONC
import JSONModel
import LWS
import Logging
import Synchronization
import Testing
import WallboardClient
import WallboardCore
@testable import WallboardServer

/// A local webhook receiver on libwebsockets: answers each POST with the next scripted status
/// (after an optional delay) and records what arrived.
final class WebhookReceiver: LWSServerDelegate, @unchecked Sendable {
    // @unchecked: mutable state is in Mutexes; `server` is set once before start.
    struct Received: Sendable {
        let body: JSONValue
        let idempotencyKey: String?
        let status: Int
    }

    let script: Mutex<[(status: Int, delay: Double)]>
    let received = Mutex<[Received]>([])
    var server: LWSServer!

    init(script: [(status: Int, delay: Double)], port: Int = 0) throws {
        self.script = Mutex(script)
        var logger = Logger(label: "webhook")
        logger.logLevel = .critical
        server = LWSServer(
            configuration: LWSServer.Configuration(host: "127.0.0.1", port: port, dynamicPrefixes: ["/hook"]),
            delegate: self, logger: logger)
        try server.start()
    }

    var url: String { "http://127.0.0.1:\(server.port)/hook" }

    func stop() {
        let done = DispatchSemaphore(value: 0)
        server.shutdown { done.signal() }
        done.wait()
        server = nil  // the server holds its delegate (self): drop the cycle once it is down
    }

    /// Bodies of the requests answered with 2xx.
    var delivered: [JSONValue] { received.withLock { $0.filter { (200..<300).contains($0.status) }.map(\.body) } }

    func handle(_ request: HTTPRequest, respond: @escaping @Sendable (HTTPResponse) -> Void) {
        let (status, delay) = script.withLock { $0.isEmpty ? (200, 0) : $0.removeFirst() }
        var body = request.body
        let json = (try? JSONC.parse(bytes: &body)) ?? .null
        received.withLock {
            $0.append(Received(body: json, idempotencyKey: request.headers["idempotency-key"], status: status))
        }
        DispatchQueue.global().asyncAfter(deadline: .now() + delay) { respond(HTTPResponse(status: status, text: "{}")) }
    }

    func shouldAcceptWebSocket(path: String, query: [(name: String, value: String)], headers: [String: String], peer: String) -> Int? { 403 }
    func webSocketOpened(_ connection: ConnectionID, path: String, query: [(name: String, value: String)], headers: [String: String], peer: String) {}
    func webSocketReceived(_ connection: ConnectionID, text: [UInt8]) {}
    func webSocketClosed(_ connection: ConnectionID) {}
}

/// Alert notifications over real HTTP (libwebsockets' client) to a receiver that is down, fails, or
/// is slow: every notification arrives once it is back, as documented, across a daemon restart.
@Suite(.serialized) struct WebhookDeliveryTests {
    static func config(url: String, stateDir: String) -> String {
        """
        state_dir: \(stateDir)
        alerts:
          notifiers:
            - name: hook
              kind: webhook
              url: \(url)
          delivery:
            initial_backoff: 1s
            max_backoff: 2s
          rules:
            - name: calls-waiting
              metric: waiting_now
              scope: queue:*
              comparison: ">="
              threshold: 1
              severity: critical
              notifiers: [hook]
        """
    }

    static func daemon(url: String, stateDir: String) throws -> TestDaemon {
        let configuration = try DaemonConfiguration.parse(yaml: config(url: url, stateDir: stateDir), fileName: "hook.yaml")
        var options = DaemonOptions(configuration: configuration, configPath: nil, webRootFallback: nil)
        options.port = 0
        let daemon = try TestDaemon(options: options)
        // Acknowledging needs a supervisor token; the alert names the token ("sam").
        daemon.daemon.configureAccess(.supervisorSam, stateDirectory: nil)
        return daemon
    }

    static func metric(_ daemon: TestDaemon, _ prefix: String) throws -> Int {
        let line = try daemon.get("/metrics").text.split(separator: "\n").first { $0.hasPrefix(prefix) }
        return line.flatMap { Int($0.split(separator: " ").last ?? "") } ?? 0
    }

    @Test func notificationsSurviveAReceiverOutageFailuresSlownessAndARestart() throws {
        let stateDir = FileManager.default.temporaryDirectory.appendingPathComponent("wb-hook-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: stateDir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: stateDir) }
        // Reserve a port for the receiver, then take it down: the first attempts find nobody.
        let probe = try WebhookReceiver(script: [])
        let port = probe.server.port
        let url = probe.url
        probe.stop()

        var daemon = try Self.daemon(url: url, stateDir: stateDir)
        let now = RFC3339.format(SystemClock().now())
        #expect(try daemon.post("/api/v1/events", body: #"""
            {"id":"1","ts":"\#(now)","type":"agent.login","agent":"a1","name":"Ann","queues":["q1"]}
            {"id":"2","ts":"\#(now)","type":"contact.queued","contact":"c1","queue":"q1"}
            """#).status == 200)
        for _ in 0..<600 where try Self.metric(daemon, #"wallboardd_alert_deliveries_total{outcome="failed"}"#) < 1 {
            usleep(100_000)
        }
        #expect(try Self.metric(daemon, #"wallboardd_alert_deliveries_total{outcome="failed"}"#) >= 1)
        daemon.stop()

        // The receiver comes back, fails twice, then answers slowly (1.5 s) but fine.
        let receiver = try WebhookReceiver(script: [(503, 0), (500, 0), (200, 1.5)], port: port)
        defer { receiver.stop() }
        daemon = try Self.daemon(url: url, stateDir: stateDir)
        for _ in 0..<600 where receiver.delivered.isEmpty { usleep(100_000) } // up to 60 s: two retries with backoff and a 1.5 s answer, on a loaded machine
        let fired = try #require(receiver.delivered.first)
        #expect(fired["event"] == "fire")
        #expect(fired["alert"]?["rule"] == "calls-waiting")
        #expect(fired["alert"]?["state"] == "firing")
        let attempts = receiver.received.withLock { $0 }
        #expect(attempts.map(\.status) == [503, 500, 200], "two failures, then the slow success")
        let keys = Set(attempts.compactMap { $0.body["alert"]?["dedup_key"]?.stringValue })
        #expect(keys.count == 1, "every attempt of one notification carries the same dedup key")
        let id = try #require(fired["alert"]?["id"]?.stringValue)

        // Acknowledge, then clear it: two more notifications, each delivered once.
        let ack = try HTTPClient.request(
            "POST", daemon.base + "/api/v1/alerts/\(id)/ack", headers: AccessPolicy.samHeaders, body: Array("{}".utf8))
        #expect(ack.status == 200)
        #expect(try daemon.post("/api/v1/events", body: #"{"id":"3","ts":"\#(RFC3339.format(SystemClock().now()))","type":"contact.answered","contact":"c1","agent":"a1"}"#).status == 200)
        for _ in 0..<600 where receiver.delivered.count < 3 { usleep(100_000) }
        #expect(receiver.delivered.compactMap { $0["event"]?.stringValue } == ["fire", "acknowledge", "resolve"])
        #expect(receiver.delivered.last?["alert"]?["acknowledged_by"] == "sam")
        daemon.stop()
    }
}

import Foundation
import Glibc
import JSONC
import JSONModel
import LWS
import Logging
import Synchronization
import Testing
import WallboardClient
import WallboardCore
@testable import WallboardServer

/// A local Slack incoming-webhook stub that enforces Slack's documented Block Kit limits: a message over
/// any of them is refused whole with `400 invalid_blocks`, as Slack does; otherwise `200 ok`.
final class SlackStub: LWSServerDelegate, @unchecked Sendable {
    // @unchecked: mutable state is in a Mutex; `server` is set once before start.
    let answers = Mutex<[(status: Int, body: JSONValue)]>([])
    var server: LWSServer!

    init() throws {
        var logger = Logger(label: "slack")
        logger.logLevel = .critical
        server = LWSServer(
            configuration: LWSServer.Configuration(host: "127.0.0.1", port: 0, dynamicPrefixes: ["/services"]),
            delegate: self, logger: logger)
        try server.start()
    }

    var url: String { "http://127.0.0.1:\(server.port)/services/T000/B000/XXXX" }

    func stop() {
        let done = DispatchSemaphore(value: 0)
        server.shutdown { done.signal() }
        done.wait()
        server = nil
    }

    /// Slack's limits: header text 150, section text 3,000, at most 10 fields of 2,000 each, context at most
    /// 10 elements, any text object 3,000, none empty; the message `text` 40,000. Lengths in UTF-16 units
    /// (never fewer than characters or code points).
    static func violations(_ body: JSONValue) -> [String] {
        func length(_ value: JSONValue?) -> Int { value?.stringValue?.utf16.count ?? 0 }
        var problems: [String] = []
        guard let blocks = body["blocks"]?.arrayValue, !blocks.isEmpty, blocks.count <= 50 else { return ["blocks"] }
        for block in blocks {
            switch block["type"]?.stringValue {
            case "header":
                if !(1...150).contains(length(block["text"]?["text"])) { problems.append("header.text") }
            case "section":
                if let text = block["text"], !(1...3000).contains(length(text["text"])) { problems.append("section.text") }
                let fields = block["fields"]?.arrayValue ?? []
                if block["text"] == nil, fields.isEmpty { problems.append("section empty") }
                if fields.count > 10 { problems.append("section.fields count") }
                if fields.contains(where: { !(1...2000).contains(length($0["text"])) }) { problems.append("section.fields text") }
            case "context":
                let elements = block["elements"]?.arrayValue ?? []
                if !(1...10).contains(elements.count) { problems.append("context.elements count") }
                if elements.contains(where: { !(1...3000).contains(length($0["text"])) }) { problems.append("context text") }
            default:
                problems.append("block type")
            }
        }
        if length(body["text"]) > 40_000 { problems.append("text") }
        return problems
    }

    func handle(_ request: HTTPRequest, respond: @escaping @Sendable (HTTPResponse) -> Void) {
        var bytes = request.body
        let body = (try? JSONC.parse(bytes: &bytes)) ?? .null
        let status = Self.violations(body).isEmpty ? 200 : 400
        answers.withLock { $0.append((status, body)) }
        respond(HTTPResponse(status: status, text: status == 200 ? "ok" : "invalid_blocks"))
    }

    func shouldAcceptWebSocket(path: String, query: [(name: String, value: String)], headers: [String: String], peer: String) -> Int? { 403 }
    func webSocketOpened(_ connection: ConnectionID, path: String, query: [(name: String, value: String)], headers: [String: String], peer: String) {}
    func webSocketReceived(_ connection: ConnectionID, text: [UInt8]) {}
    func webSocketClosed(_ connection: ConnectionID) {}
}

/// A real Prometheus Alertmanager (Debian's `prometheus-alertmanager`) on a loopback port, with its
/// config and storage in a temporary directory, clustering off.
final class AlertmanagerProcess {
    static let binary = "/usr/bin/prometheus-alertmanager"
    let process = Process()
    let directory: String
    let port: Int
    var base: String { "http://127.0.0.1:\(port)" }

    init() throws {
        guard FileManager.default.isExecutableFile(atPath: Self.binary) else {
            throw ClientError.protocolViolation(
                "\(Self.binary) is missing: install Debian's prometheus-alertmanager (scripts/install-deps test)")
        }
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("wb-am-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try """
            route:
              receiver: nobody
              group_wait: 1s
            receivers:
              - name: nobody
            """.write(toFile: directory + "/alertmanager.yml", atomically: true, encoding: .utf8)
        port = try Self.freeLoopbackPort()
        process.executableURL = URL(fileURLWithPath: Self.binary)
        process.arguments = [
            "--config.file=\(directory)/alertmanager.yml", "--storage.path=\(directory)/data",
            "--web.listen-address=127.0.0.1:\(port)", "--cluster.listen-address=", "--log.level=warn",
        ]
        let log = FileHandle(forWritingAtPath: "/dev/null")
        process.standardOutput = log
        process.standardError = log
        try process.run()
        for _ in 0..<100 {
            if (try? HTTPClient.get(base + "/-/ready"))?.status == 200 { return }
            usleep(100_000)
        }
        stop()
        throw ClientError.protocolViolation("Alertmanager did not become ready on \(base) within 10 s")
    }

    func stop() {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// `GET /api/v2/alerts`: the alerts Alertmanager holds as active (resolved ones are left out).
    func alerts() throws -> [JSONValue] {
        try JSONC.parse(try HTTPClient.get(base + "/api/v2/alerts").text).arrayValue ?? []
    }

    /// A port the kernel hands out on 127.0.0.1 right now (closed again for Alertmanager to take).
    static func freeLoopbackPort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(fd, pointer, length) == 0 && getsockname(fd, pointer, &length) == 0
            }
        }
        guard bound else { throw ClientError.protocolViolation("no free loopback port: errno \(errno)") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

/// The notifiers against the services themselves (or stubs that enforce what the services document).
@Suite(.serialized) struct NotifierServicesLiveTests {
    static func daemon(notifier: String, source: String? = nil, summary: String? = nil) throws -> TestDaemon {
        let yaml = """
            alerts:
            \(source.map { "  source: \($0)\n" } ?? "")  notifiers:
            \(notifier)
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
            \(summary.map { "      summary: \"\($0)\"\n" } ?? "")      labels: { site: lyon, cost-center: "42" }
                  notifiers: [out]
            """
        let configuration = try DaemonConfiguration.parse(yaml: yaml, fileName: "notifiers.yaml")
        var options = DaemonOptions(configuration: configuration, configPath: nil, webRootFallback: nil)
        options.port = 0
        return try TestDaemon(options: options)
    }

    static func queueACall(_ daemon: TestDaemon) throws {
        let now = RFC3339.format(SystemClock().now())
        let response = try daemon.post("/api/v1/events", body: #"""
            {"id":"1","ts":"\#(now)","type":"agent.login","agent":"a1","name":"Ann","queues":["q1"]}
            {"id":"2","ts":"\#(now)","type":"contact.queued","contact":"c1","queue":"q1"}
            """#)
        #expect(response.status == 200)
    }

    static func answerTheCall(_ daemon: TestDaemon) throws {
        let now = RFC3339.format(SystemClock().now())
        let body = #"{"id":"3","ts":"\#(now)","type":"contact.answered","contact":"c1","agent":"a1"}"#
        #expect(try daemon.post("/api/v1/events", body: body).status == 200)
    }

    /// A 10,000-character summary (with `<`, `&` and emoji) reaches a Slack that enforces its limits:
    /// accepted at the first attempt, with the whole summary in the fallback text.
    @Test func aTenThousandCharacterSummaryPostsToSlack() throws {
        let stub = try SlackStub()
        defer { stub.stop() }
        let summary = String(String(repeating: "Queue <q1> & 🚨 wait ", count: 500).prefix(10_000))
        let daemon = try Self.daemon(
            notifier: "    - { name: out, kind: slack, url: \"\(stub.url)\" }", summary: summary)
        defer { daemon.stop() }
        try Self.queueACall(daemon)
        for _ in 0..<100 where stub.answers.withLock({ $0.isEmpty }) { usleep(100_000) }
        let answers = stub.answers.withLock { $0 }
        #expect(answers.map(\.status) == [200], "\(answers.map { SlackStub.violations($0.body) })")
        let text = try #require(answers.first?.body["text"]?.stringValue)
        #expect(text.contains(summary.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;")))
    }

    /// Two daemons, two sites: each pages with its own `source`; one without `alerts.source` uses the host name.
    @Test func twoDaemonsPageWithDifferentSources() throws {
        let receiver = try WebhookReceiver(script: [])
        defer { receiver.stop() }
        let notifier = "    - { name: out, kind: pagerduty, routing_key: R0UT1NGK3Y, url: \"\(receiver.url)\" }"
        for source in ["lyon-1", "paris-2", nil] {
            let daemon = try Self.daemon(notifier: notifier, source: source)
            defer { daemon.stop() }
            let before = receiver.delivered.count
            try Self.queueACall(daemon)
            for _ in 0..<100 where receiver.delivered.count == before { usleep(100_000) }
        }
        let sources = receiver.delivered.compactMap { $0["payload"]?["source"]?.stringValue }
        let hostName = try String(contentsOfFile: "/proc/sys/kernel/hostname", encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(sources == ["lyon-1", "paris-2", hostName])
    }

    /// Our alert enters a real Alertmanager through `POST /api/v2/alerts`, stays active with an `endsAt`
    /// ahead, and is resolved there when the condition clears.
    @Test func alertsAppearInARealAlertmanagerAndResolveThere() throws {
        let alertmanager = try AlertmanagerProcess()
        defer { alertmanager.stop() }
        let url = alertmanager.base + "/api/v2/alerts"
        let daemon = try Self.daemon(notifier: "    - { name: out, kind: alertmanager, url: \"\(url)\" }", source: "lyon-1")
        defer { daemon.stop() }
        try Self.queueACall(daemon)
        func ours() throws -> JSONValue? {
            try alertmanager.alerts().first { $0["labels"]?["alertname"] == "calls-waiting" }
        }
        var alert = try ours()
        for _ in 0..<100 where alert == nil {
            usleep(100_000)
            alert = try ours()
        }
        let active = try #require(alert, "the alert never reached Alertmanager")
        #expect(active["status"]?["state"] == "active")
        #expect(active["labels"]?["scope"] == "queue:q1")
        #expect(active["labels"]?["severity"] == "critical")
        #expect(active["labels"]?["cost_center"] == "42")
        #expect(active["annotations"]?["source"] == "lyon-1")
        let endsAt = try #require(active["endsAt"]?.stringValue.flatMap(RFC3339.parse))
        #expect(endsAt > SystemClock().now(), "open until wallboardd re-posts it")

        try Self.answerTheCall(daemon)
        for _ in 0..<100 where try ours() != nil { usleep(100_000) }
        #expect(try ours() == nil, "resolved in Alertmanager")
    }
}

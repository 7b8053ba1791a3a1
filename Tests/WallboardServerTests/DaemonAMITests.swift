import AMIAdapter
import Foundation
import JSONC
import JSONModel
import Logging
import Synchronization
import Testing
import WallboardClient
import WallboardCore
@testable import WallboardServer

/// The whole path a user runs: `wallboardd` pointed at an Asterisk manager interface (a fake one
/// replaying a real capture over loopback TCP), and a board on the WebSocket seeing the truth.
@Suite(.serialized) struct DaemonAMITests {
    @Test func boardShowsTheCapturesQueueFiguresFromALiveAMIConnection() throws {
        let truth = try AMICapture.truth("A_basic")
        let t0 = AMICapture.t0(truth)
        let clock = AMITestClock(Instant(milliseconds: t0))
        let box = AMITestBox(Mutex<AMISource?>(nil))
        let server = try FakeAMIServer(
            plans: FakeAMIServer.Plan.fromCapture(try AMICapture.rows("A_basic"), truth: truth), t0: t0, clock: clock,
            delivered: { box.value.withLock { $0?.counters.bytesReceived ?? 0 } })
        defer { server.stop() }
        let secretFile = FileManager.default.temporaryDirectory.appendingPathComponent("ami-\(UUID().uuidString).secret")
        try "wallboard-capture\n".write(to: secretFile, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: secretFile) }

        var options = DaemonOptions(host: "127.0.0.1", port: 0, webRoot: TestDaemon.webRoot, simulator: false)
        options.amiSources = [
            .init(name: "asterisk", host: "127.0.0.1", port: server.port, username: "wallboard",
                  secretFile: secretFile.path, wrapUp: ["sales": 5000]),
        ]
        let daemon = try TestDaemon(options: options, clock: clock)
        defer { daemon.stop() }
        box.value.withLock { $0 = daemon.daemon.amiSources.first }
        let board = try daemon.connect()
        defer { board.close() }

        let message = try board.nextSnapshot(limit: 400) { data in
            let sales = data["queues"]?.arrayValue?.first { $0["id"] == "sales" }
            return sales?["metrics"]?["today"]?["answered"] == 10
        }
        let data = try #require(message["data"])
        let sales = try #require(data["queues"]?.arrayValue?.first { $0["id"] == "sales" })
        let today = try #require(sales["metrics"]?["today"])
        #expect(today["offered"] == 10)
        #expect(today["abandoned"] == 0)
        #expect(today["answered_within_threshold"] == 9)
        #expect(today["max_wait_seconds"] == .number(32.033))
        #expect(sales["threshold_seconds"] == 30)  // Asterisk's own servicelevel for the queue
        let source = data["sources"]?.arrayValue?.first { $0["name"] == "asterisk" }
        #expect(source?["kind"] == "asterisk")
        #expect(source?["state"] == "connected")
    }

    @Test func unreadableSecretFileStopsTheStartWithAClearError() throws {
        var options = DaemonOptions(host: "127.0.0.1", port: 0, simulator: false)
        options.amiSources = [
            .init(name: "pbx", host: "127.0.0.1", port: 5038, username: "u", secretFile: "/nonexistent/ami.secret", wrapUp: [:]),
        ]
        #expect {
            _ = try TestDaemon(options: options)
        } throws: { error in
            "\(error)".contains("/nonexistent/ami.secret")
        }
    }
}

/// Silent monitoring as a supervisor starts it: the daemon finds the agent's exact call from the AMI
/// events, originates ChanSpy to the supervisor's endpoint and answers with what became of that call.
@Suite(.serialized) struct DaemonMonitorTests {
    /// A daemon on the A_basic capture up to 15 s (A01, answered at 6.5 s, is still talking) and the
    /// contact id of A01; `script` is what the fake Asterisk does after "Originate successfully queued".
    static func withMonitorDaemon(
        script: (before: [[UInt8]], response: String, reason: Int) = ([], "Success", 4),
        _ body: (TestDaemon, FakeAMIServer, String) throws -> Void
    ) throws {
        let truth = try AMICapture.truth("A_basic")
        let t0 = AMICapture.t0(truth)
        let clock = AMITestClock(Instant(milliseconds: t0))
        let box = AMITestBox(Mutex<AMISource?>(nil))
        let rows = try AMICapture.rows("A_basic").filter { $0.recvMs < 15_000 }
        let server = try FakeAMIServer(
            plans: FakeAMIServer.Plan.fromCapture(rows, truth: truth), t0: t0, clock: clock,
            delivered: { box.value.withLock { $0?.counters.bytesReceived ?? 0 } })
        defer { server.stop() }
        server.originateScript.withLock { $0 = script }
        let secretFile = FileManager.default.temporaryDirectory.appendingPathComponent("ami-\(UUID().uuidString).secret")
        try "wallboard-capture".write(to: secretFile, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: secretFile) }
        var options = DaemonOptions(host: "127.0.0.1", port: 0, simulator: false)
        options.amiSources = [
            .init(name: "pbx", host: "127.0.0.1", port: server.port, username: "wallboard", secretFile: secretFile.path,
                  wrapUp: [:]),
        ]
        let daemon = try TestDaemon(options: options, clock: clock)
        defer { daemon.stop() }
        // `sam` is a supervisor whose phone is PJSIP/2001 (the config's monitor_endpoint).
        daemon.daemon.configureAccess(.supervisorSam, stateDirectory: nil)
        box.value.withLock { $0 = daemon.daemon.amiSources.first }
        for _ in 0..<100 where server.replayed < 1 { usleep(50_000) }
        let calls = truth["calls"] as! [[String: Any]]
        try body(daemon, server, calls[0]["caller_uniqueid"] as! String)
    }

    /// POSTs a monitor request, again while the engine and mapper do not have the call yet (404).
    static func monitor(
        _ daemon: TestDaemon, _ contact: String, mode: String, headers: [String: String] = AccessPolicy.samHeaders
    ) throws
        -> HTTPClient.Response
    {
        let body = Array(#"{"endpoint":"PJSIP/2001","mode":"\#(mode)"}"#.utf8)
        let url = daemon.base + "/api/v1/interactions/\(contact)/monitor"
        var response = try HTTPClient.request("POST", url, headers: headers, body: body, timeoutSeconds: 60)
        for _ in 0..<50 where response.status == 404 {
            usleep(100_000)
            response = try HTTPClient.request("POST", url, headers: headers, body: body, timeoutSeconds: 60)
        }
        return response
    }

    @Test func monitorEndpointOriginatesChanSpyOnTheAgentsCallAndAnswersOnceItIsAnswered() throws {
        try Self.withMonitorDaemon { daemon, server, contact in
            let response = try Self.monitor(daemon, contact, mode: "whisper")
            #expect(response.status == 200, "\(response.text)")
            let answer = try JSONC.parse(response.text)
            #expect(answer["started"] == true)
            #expect(answer["outcome"] == "answered")
            #expect(answer["mode"] == "whisper")
            #expect(answer["channel"]?.stringValue?.isEmpty == false)
            // The exact call by its Uniqueid (`u`), ending when there is nothing (left) to spy on (`S`, `E`).
            let data = try #require(server.originated.withLock { $0 }.first)
            #expect(data.hasSuffix(",quSEw"), "\(data)")
            #expect(!data.contains("/"), "a Uniqueid, not a channel-name prefix: \(data)")

            let unknown = try HTTPClient.request(
                "POST", daemon.base + "/api/v1/interactions/nope/monitor", headers: AccessPolicy.samHeaders,
                body: Array(#"{"endpoint":"PJSIP/2001"}"#.utf8))
            #expect(unknown.status == 404)
            let badMode = try HTTPClient.request(
                "POST", daemon.base + "/api/v1/interactions/\(contact)/monitor", headers: AccessPolicy.samHeaders,
                body: Array(#"{"endpoint":"PJSIP/2001","mode":"shout"}"#.utf8))
            #expect(badMode.status == 400)
            #expect(badMode.text.contains("shout"))

            // The phone that rings is the config's, never the request's: another endpoint is refused and
            // nothing more is originated; a principal without a monitor_endpoint cannot start one.
            let originated = server.originated.withLock { $0.count }
            for endpoint in ["DAHDI/1/900123456", "Local/900123456@default", "PJSIP/2002"] {
                let other = try HTTPClient.request(
                    "POST", daemon.base + "/api/v1/interactions/\(contact)/monitor", headers: AccessPolicy.samHeaders,
                    body: Array(#"{"endpoint":"\#(endpoint)"}"#.utf8))
                #expect(other.status == 403, "\(endpoint): \(other.text)")
            }
            let tokenless = try Self.monitor(daemon, contact, mode: "listen", headers: ["Content-Type": "application/json"])
            #expect(tokenless.status == 403 && tokenless.text.contains("monitor_endpoint"), "\(tokenless.text)")
            #expect(server.originated.withLock { $0.count } == originated)
            let pause = try HTTPClient.request(
                "POST", daemon.base + "/api/v1/actions/pause", headers: AccessPolicy.samHeaders,
                body: Array(#"{"agent":"Local/1002@agents/n","queue":"sales","paused":true,"reason":"Coaching"}"#.utf8))
            #expect(pause.status == 200)
            #expect(server.actions.contains("QueuePause"))
        }
    }

    /// The supervisor's phone is busy: Asterisk's OriginateResponse says so, and so does the API.
    @Test func aBusySupervisorPhoneIsReportedNotStarted() throws {
        try Self.withMonitorDaemon(script: ([], "Failure", 5)) { daemon, _, contact in
            let response = try Self.monitor(daemon, contact, mode: "listen")
            #expect(response.status == 409, "\(response.text)")
            let answer = try JSONC.parse(response.text)
            #expect(answer["started"] == false)
            #expect(answer["outcome"] == "busy")
            #expect(answer["error"]?.stringValue?.contains("busy") == true)
        }
    }

    /// The agent hangs up while the supervisor's phone rings (the capture's own AgentComplete for A01):
    /// ChanSpy (`S`) ends the supervisor's call at once, and the API says the agent's call had ended.
    @Test func anAgentWhoHungUpEndsTheMonitorAndTheAPISaysWhy() throws {
        let hangup = try #require(
            try AMICapture.rows("A_basic").first {
                String(decoding: $0.block, as: UTF8.self).hasPrefix("Event: AgentComplete")
                    && String(decoding: $0.block, as: UTF8.self).contains("Uniqueid: 1795350484.1\r\n")
            })
        try Self.withMonitorDaemon(script: ([hangup.block], "Success", 4)) { daemon, _, contact in
            // With an access policy, so the audit line is written.
            let stateDirectory = NSTemporaryDirectory() + "wallboard-monitor-\(UUID().uuidString)"
            defer { try? FileManager.default.removeItem(atPath: stateDirectory) }
            daemon.daemon.configureAccess(.supervisorSam, stateDirectory: stateDirectory)
            let response = try Self.monitor(daemon, contact, mode: "barge")
            #expect(response.status == 409, "\(response.text)")
            let answer = try JSONC.parse(response.text)
            #expect(answer["started"] == false)
            #expect(answer["outcome"] == "answered")
            #expect(answer["error"]?.stringValue?.contains("the agent's call ended") == true)

            daemon.daemon.api.access.audit?.flush()
            let path = stateDirectory + "/audit/" + AuditLog.fileName(for: SystemClock().now())
            let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map { try JSONC.parse(String($0)) }
            let audit = try #require(lines.last { $0["action"] == "interaction.monitor" }, "\(lines)")
            #expect(audit["query"]?["outcome"] == "target_ended")
            #expect(audit["query"]?["mode"] == "barge")
            #expect(audit["status"] == 409)
            #expect(audit["who"] == "sam")
        }
    }
}

/// The monitor answer for each outcome: status and wording.
@Suite struct MonitorAnswerTests {
    @Test(arguments: [
        (OriginateOutcome.answered, false, 200), (.answered, true, 409), (.busy, false, 409), (.noAnswer, false, 409),
        (.declined, false, 409), (.congestion, false, 502), (.failed(reason: 0), false, 502),
    ])
    func statusPerOutcome(outcome: OriginateOutcome, ended: Bool, status: Int) {
        let result = AMISource.MonitorResult(
            target: AMIMonitorHandle(channel: "PJSIP/1001-00000012", uniqueid: "1.2"), outcome: outcome, targetEnded: ended)
        let answer = WallboardAPI.monitorAnswer(
            result, contact: "c1", endpoint: "PJSIP/2001", mode: .listen, channel: "PJSIP/1001-00000012", source: "pbx")
        #expect(answer.status == status)
        #expect(answer.body["outcome"] == .string(outcome.code))
        #expect(answer.body["started"] == .bool(status == 200))
        #expect((answer.body["error"] != nil) == (status != 200))
    }
}

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

/// Silent monitoring as a supervisor starts it: the daemon finds the agent's exact channel for a
/// live call from the AMI events and originates ChanSpy to the supervisor's endpoint.
@Suite(.serialized) struct DaemonMonitorTests {
    @Test func monitorEndpointOriginatesChanSpyOnTheAgentsChannel() throws {
        let truth = try AMICapture.truth("A_basic")
        let t0 = AMICapture.t0(truth)
        let clock = AMITestClock(Instant(milliseconds: t0))
        let box = AMITestBox(Mutex<AMISource?>(nil))
        // The capture up to 15 s: A01 (answered at 6.5 s) is still talking.
        let rows = try AMICapture.rows("A_basic").filter { $0.recvMs < 15_000 }
        let server = try FakeAMIServer(
            plans: FakeAMIServer.Plan.fromCapture(rows, truth: truth), t0: t0, clock: clock,
            delivered: { box.value.withLock { $0?.counters.bytesReceived ?? 0 } })
        defer { server.stop() }
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
        let contact = calls[0]["caller_uniqueid"] as! String
        func monitor(_ contact: String, _ body: String, headers: [String: String] = AccessPolicy.samHeaders) throws
            -> HTTPClient.Response
        {
            try HTTPClient.request(
                "POST", daemon.base + "/api/v1/interactions/\(contact)/monitor", headers: headers, body: Array(body.utf8))
        }

        var response = try monitor(contact, #"{"mode":"whisper"}"#)
        for _ in 0..<50 where response.status == 404 {  // until the engine and mapper have the call
            usleep(100_000)
            response = try monitor(contact, #"{"mode":"whisper"}"#)
        }
        #expect(response.status == 202, "\(response.text)")
        let answer = try JSONC.parse(response.text)
        #expect(answer["mode"] == "whisper")
        #expect(answer["endpoint"] == "PJSIP/2001")
        let channel = try #require(answer["channel"]?.stringValue)
        #expect(server.originated.withLock { $0 }.first?.hasPrefix(channel + ",") == true)

        #expect(try monitor("nope", "{}").status == 404)
        let badMode = try monitor(contact, #"{"mode":"shout"}"#)
        #expect(badMode.status == 400)
        #expect(badMode.text.contains("shout"))
        // The phone that rings is the config's, never the request's: another endpoint is refused and
        // nothing more is originated; a principal without a monitor_endpoint cannot start one.
        let originated = server.originated.withLock { $0.count }
        for endpoint in ["DAHDI/1/900123456", "Local/900123456@default", "PJSIP/2002"] {
            let other = try monitor(contact, #"{"endpoint":"\#(endpoint)"}"#)
            #expect(other.status == 403, "\(endpoint): \(other.text)")
        }
        let tokenless = try monitor(contact, "{}", headers: ["Content-Type": "application/json"])
        #expect(tokenless.status == 403 && tokenless.text.contains("monitor_endpoint"), "\(tokenless.text)")
        #expect(server.originated.withLock { $0.count } == originated)

        let pause = try HTTPClient.request(
            "POST", daemon.base + "/api/v1/actions/pause", headers: AccessPolicy.samHeaders,
            body: Array(#"{"agent":"Local/1002@agents/n","queue":"sales","paused":true,"reason":"Coaching"}"#.utf8))
        #expect(pause.status == 200)
        #expect(server.actions.contains("QueuePause"))
    }
}

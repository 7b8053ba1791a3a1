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

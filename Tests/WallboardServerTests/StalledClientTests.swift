import Foundation
import JSONC
import Testing
import WallboardClient
import WallboardCore
@testable import WallboardServer

/// A board that stops reading (a frozen TV) is disconnected once its frames have waited past the
/// stall timeout; a healthy board on the same daemon keeps getting every update.
@Suite(.serialized) struct StalledClientTests {
    @Test func aClientThatStopsReadingIsDisconnectedAndOthersCarryOn() throws {
        var options = DaemonOptions(host: "127.0.0.1", port: 0, simulator: false)
        options.stallTimeoutSeconds = 1
        let daemon = try TestDaemon(options: options)
        defer { daemon.stop() }
        // 3000 agents make each snapshot frame large (~0.5 MB), so a reader that stops fills the
        // socket buffers within a few updates.
        let now = SystemClock().now()
        let logins = (0..<3000).map { index in
            #"{"id":"l\#(index)","ts":"\#(RFC3339.format(now))","type":"agent.login","agent":"agent-\#(index)","name":"Agent number \#(index) with a longish name","team":"team-\#(index % 20)","queues":["q\#(index % 10)"]}"#
        }.joined(separator: "\n")
        #expect(try daemon.post("/api/v1/events", body: logins).status == 200)

        let stalled = try daemon.connect(subscribe: ["snapshot"])  // reads nothing from here on
        let healthy = try daemon.connect(subscribe: ["center"])
        defer { healthy.close() }
        var stalledDisconnects = 0
        var change = 0
        let deadline = Date().addingTimeInterval(30)
        while stalledDisconnects == 0, Date() < deadline {
            change += 1
            // A reason of its own each time, so the center's not-ready reasons change even when two
            // changes fall into one publish cycle (figures that do not visibly change send nothing).
            _ = try daemon.post(
                "/api/v1/events",
                body: #"{"id":"s\#(change)","ts":"\#(RFC3339.format(SystemClock().now()))","type":"agent.state","agent":"agent-1","state":"not_ready","reason":"r\#(change)"}"#)
            _ = try healthy.next(type: "topic")
            let metrics = try daemon.get("/metrics").text
            let line = metrics.split(separator: "\n").first { $0.hasPrefix("wallboardd_websocket_stalled_disconnects_total ") }
            stalledDisconnects = line.flatMap { Int($0.split(separator: " ")[1]) } ?? 0
        }
        #expect(stalledDisconnects == 1)
        // The healthy board is still served.
        _ = try daemon.post(
            "/api/v1/events",
            body: #"{"id":"after","ts":"\#(RFC3339.format(SystemClock().now()))","type":"agent.state","agent":"agent-1","state":"available"}"#)
        let later = try healthy.nextSnapshot { $0["center"]?["not_ready_reasons"] == [:] }
        #expect(later["topic"] == "center")
        for _ in 0..<50 where daemon.daemon.server.webSocketCount != 1 { usleep(100_000) }
        #expect(daemon.daemon.server.webSocketCount == 1)
        stalled.close()
    }
}

import Foundation
import Glibc
import Logging
import Synchronization
import Testing
import WallboardCore
import WallboardClient
@testable import WallboardServer

@Suite struct JournaldLogHandlerTests {
    final class Lines: Sendable {
        let lines = Mutex<[String]>([])
        func append(_ line: String) { lines.withLock { $0.append(line) } }
        var all: [String] { lines.withLock { $0 } }
    }

    @Test func journalLinesCarryThePriorityAndMetadataOnOneLine() {
        let captured = Lines()
        let logger = Logger(label: "t") { label in
            JournaldLogHandler(label: label, level: .info, toJournal: true, sink: captured.append)
        }
        logger.warning("source down", metadata: ["source": "pbx 1", "ami.state": "connecting"])
        logger.error("two\nlines")
        logger.debug("not shown at info")
        #expect(captured.all == ["<4>source down ami.state=connecting source=\"pbx 1\"\n", "<3>two\\nlines\n"])
    }

    /// Text from a socket quoted in a log line cannot move the cursor, ring, or split the line, and a
    /// huge value is cut (issue 13: raw AMI bytes went into the log as they came).
    @Test func controlBytesAreEscapedAndLongValuesCut() {
        let captured = Lines()
        let logger = Logger(label: "t") { label in
            JournaldLogHandler(label: label, level: .info, toJournal: true, sink: captured.append)
        }
        logger.warning("bad line \u{1B}[2J\u{07}\r", metadata: ["peer.text": "a\u{00}b\u{7F}\u{85}c é"])
        logger.warning("big", metadata: ["v": "\(String(repeating: "x", count: 10_000))"])
        let lines = captured.all
        #expect(lines.first == #"<4>bad line \x1B[2J\x07\r peer.text="a\x00b\x7F\x85c é""# + "\n")
        #expect(lines.count == 2)
        #expect(lines[1].count < 4200)
        #expect(lines[1].contains("…(10000 characters)"))
    }

    @Test(arguments: [
        (Logger.Level.trace, 7), (.debug, 7), (.info, 6), (.notice, 5), (.warning, 4), (.error, 3), (.critical, 2),
    ])
    func levelsMapToSyslogPriorities(level: Logger.Level, priority: Int) {
        #expect(JournaldLogHandler.priority(level) == priority)
    }
}

@Suite(.serialized) struct MetricsEndpointTests {
    @Test func metricsExposeEventsClientsAndQueues() throws {
        let daemon = try TestDaemon(simulator: true)
        defer { daemon.stop() }
        let board = try daemon.connect()
        _ = try board.next(type: "topic")
        _ = try daemon.post("/api/v1/events", body: #"{"id":"x","ts":"bad","type":"agent.logout","agent":"a"}"#)
        let response = try daemon.get("/metrics")
        #expect(response.status == 200)
        #expect(response.headers["content-type"]?.hasPrefix("text/plain; version=0.0.4") == true)
        let text = response.text
        #expect(text.contains("# TYPE wallboardd_events_applied_total counter"))
        #expect(text.contains(#"wallboardd_events_applied_total{source="simulator",type="agent.login"} 15"#))
        #expect(text.contains(#"wallboardd_events_rejected_total{reason="bad_timestamp"} 1"#))
        #expect(text.contains("wallboardd_websocket_clients 1"))
        #expect(text.contains(#"wallboardd_topic_subscribers{topic="snapshot"} 1"#))
        #expect(text.contains(#"wallboardd_source_up{source="simulator",kind="simulator"} 1"#))
        #expect(text.contains(#"wallboardd_queue_waiting{queue="sales"}"#))
        #expect(text.contains("wallboardd_agents_logged_in 15"))
        board.close()
    }
}

@Suite(.serialized) struct JournalMetricsTests {
    @Test func journalAppendsAndFsyncLatencyAreOnMetrics() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("wb-metrics-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var options = DaemonOptions(host: "127.0.0.1", port: 0, simulator: false)
        options.journal = EngineService.JournalSettings(directory: directory + "/journal")
        let daemon = try TestDaemon(options: options)
        defer { daemon.stop() }
        let now = RFC3339.format(SystemClock().now())
        let response = try daemon.post(
            "/api/v1/events", body: #"{"id":"m1","ts":"\#(now)","type":"contact.queued","contact":"c1","queue":"q1"}"#)
        #expect(response.status == 200)
        let text = try daemon.get("/metrics").text
        #expect(text.contains("wallboardd_journal_appends_total 1"))
        #expect(text.contains("wallboardd_journal_writable 1"))
        let count = text.split(separator: "\n").first { $0.hasPrefix("wallboardd_journal_fsync_seconds_count ") }
        #expect((count.flatMap { Int($0.split(separator: " ")[1]) } ?? 0) >= 1, "the ack waited for a group commit")
        let waits = text.split(separator: "\n").first { $0.hasPrefix("wallboardd_journal_commit_wait_seconds_count ") }
        #expect((waits.flatMap { Int($0.split(separator: " ")[1]) } ?? 0) == 1, "one batch waited for its commit")
    }
}

/// sd_notify: the real binary, started as systemd would (`NOTIFY_SOCKET`, `WATCHDOG_USEC`).
@Suite(.serialized) struct SystemdNotifyTests {
    @Test func readyThenWatchdogPingsThenStoppingArriveOnTheNotifySocket() throws {
        let path = "/tmp/wb-notify-\(getpid())-\(UInt32.random(in: 0...999_999)).sock"
        let receiver = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        #expect(receiver >= 0)
        defer {
            close(receiver)
            unlink(path)
        }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: Array(path.utf8)) }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(receiver, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        #expect(bound == 0)
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(receiver, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))

        let process = Process()
        process.executableURL = DaemonProcessTests.binary
        process.arguments = ["--listen", "127.0.0.1:0", "--no-simulator", "--log-level", "error"]
        var environment = ProcessInfo.processInfo.environment
        environment["NOTIFY_SOCKET"] = path
        environment["WATCHDOG_USEC"] = "400000"  // ping every 200 ms
        environment.removeValue(forKey: "WATCHDOG_PID")
        process.environment = environment
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer { if process.isRunning { process.terminate() } }

        func receive() -> String? {
            var buffer = [UInt8](repeating: 0, count: 4096)
            let count = recv(receiver, &buffer, buffer.count, 0)
            return count > 0 ? String(decoding: buffer[..<count], as: UTF8.self) : nil
        }
        var messages: [String] = []
        while messages.filter({ $0 == "WATCHDOG=1" }).count < 2, let message = receive() { messages.append(message) }
        #expect(messages.first?.hasPrefix("READY=1\nSTATUS=serving on 127.0.0.1:") == true)
        #expect(messages.filter { $0 == "WATCHDOG=1" }.count == 2)

        kill(process.processIdentifier, SIGTERM)
        var stopping = false
        while let message = receive() {
            if message == "STOPPING=1" {
                stopping = true
                break
            }
        }
        process.waitUntilExit()
        #expect(stopping)
        #expect(process.terminationStatus == 0)
    }
}

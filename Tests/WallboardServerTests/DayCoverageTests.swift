import Foundation
import JSONC
import JSONModel
import Testing
import WallboardCore
@testable import WallboardServer

/// The partial-day notice: a daemon whose "today" does not start at the day's start says so in `/healthz`
/// and the snapshot's and `center` topic's `center` (`today_since`, `today_partial_reason`); one restarted
/// moments after it stopped does not.
@Suite(.serialized) struct DayCoverageTests {
    static let t: Instant = Instant(milliseconds: 1_796_133_600_000)  // 2026-12-01T14:00:00Z

    @Test func assessmentTellsWhyTodayIsPartial() {
        #expect(DayCoverage.assess(hasStateDirectory: false, lastAlive: nil, startedAt: Self.t) == DayCoverage(since: Self.t, reason: .noStateDirectory))
        #expect(DayCoverage.assess(hasStateDirectory: true, lastAlive: nil, startedAt: Self.t) == DayCoverage(since: Self.t, reason: .noHistory))
        // A restart within the tolerance missed nothing worth a notice; a longer stop is a gap.
        #expect(DayCoverage.assess(hasStateDirectory: true, lastAlive: Self.t.advanced(by: -DayCoverage.gapTolerance), startedAt: Self.t) == nil)
        let down = Self.t.advanced(by: -DayCoverage.gapTolerance - 1)
        #expect(DayCoverage.assess(hasStateDirectory: true, lastAlive: down, startedAt: Self.t) == DayCoverage(since: Self.t, reason: .downtime, downSince: down))
    }

    /// Partial until the next start of day (center time), whole from then on.
    @Test func partialOnlyUntilTheNextDayStarts() {
        let coverage = DayCoverage(since: Self.t, reason: .noStateDirectory)
        let calendar = CenterCalendar()
        #expect(coverage.isPartial(now: Self.t, calendar: calendar))
        #expect(coverage.isPartial(now: Self.t.advanced(by: .minutes(9 * 60 + 59)), calendar: calendar))
        #expect(!coverage.isPartial(now: Self.t.advanced(by: .minutes(10 * 60)), calendar: calendar))
    }

    @Test func aliveFileRoundTripsAndBadContentIsReported() throws {
        let directory = NSTemporaryDirectory() + "wallboard-alive-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        #expect(DayCoverage.readMarker(stateDirectory: directory).0 == nil)
        #expect(DayCoverage.writeMarker(stateDirectory: directory, now: Self.t) == nil)
        #expect(DayCoverage.readMarker(stateDirectory: directory).0 == Self.t)
        try Data("yesterday\n".utf8).write(to: URL(fileURLWithPath: DayCoverage.markerPath(stateDirectory: directory)))
        let (time, problem) = DayCoverage.readMarker(stateDirectory: directory)
        #expect(time == nil)
        #expect(problem?.contains("does not hold epoch milliseconds (yesterday)") == true)
    }

    @Test func healthzAndSnapshotSayTodayStartedAtARestartWithoutStateDirectory() throws {
        let daemon = try TestDaemon(simulator: false)
        defer { daemon.stop() }
        let health = try JSONC.parse(try daemon.get("/healthz").text)
        #expect(health["status"] == "ok")
        #expect(health["today_partial_reason"] == "no_state_dir")
        let since = try #require(health["today_since"]?.stringValue)
        #expect(RFC3339.parse(since) != nil)
        let client = try daemon.connect()
        defer { client.close() }
        let snapshot = try #require(try client.nextSnapshot(limit: 20) { $0["center"]?["today_since"] != nil }["data"])
        #expect(snapshot["center"]?["today_since"]?.stringValue == since)
        #expect(snapshot["center"]?["today_partial_reason"] == "no_state_dir")
        let center = try daemon.connect(subscribe: ["center"])
        defer { center.close() }
        let topic = try center.next(type: "topic")
        #expect(topic["topic"] == "center")
        #expect(topic["data"]?["center"]?["today_since"]?.stringValue == since)
    }

    /// With a state directory: the first start has no history; a quick restart is whole; a restart after a
    /// stop longer than the tolerance names the gap.
    @Test func stateDirectoryRestartsAreWholeUnlessTheDaemonWasDownLong() throws {
        let directory = NSTemporaryDirectory() + "wallboard-coverage-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var options = DaemonOptions(host: "127.0.0.1", port: 0, webRoot: TestDaemon.webRoot, simulator: false)
        options.stateDirectory = directory
        options.journal = EngineService.JournalSettings(directory: directory + "/journal")

        let first = try TestDaemon(options: options)
        #expect(try JSONC.parse(try first.get("/healthz").text)["today_partial_reason"] == "no_history")
        first.stop()
        let stoppedAt = try #require(DayCoverage.readMarker(stateDirectory: directory).0)

        let quick = try TestDaemon(options: options)
        let whole = try JSONC.parse(try quick.get("/healthz").text)
        #expect(whole["today_since"] == nil)
        #expect(whole["today_partial_reason"] == nil)
        quick.stop()
        #expect(try #require(DayCoverage.readMarker(stateDirectory: directory).0) >= stoppedAt)

        let longAgo = SystemClock().now().advanced(by: -.minutes(10))
        DayCoverage.writeMarker(stateDirectory: directory, now: longAgo)
        let late = try TestDaemon(options: options)
        defer { late.stop() }
        let gap = try JSONC.parse(try late.get("/healthz").text)
        #expect(gap["today_partial_reason"] == "daemon_down")
        #expect(gap["today_down_since"]?.stringValue == RFC3339.format(longAgo))
    }
}

import Foundation
import JSONC
import JSONModel
import Testing
import WallboardClient
import WallboardCore
@testable import WallboardServer

/// Intervals survive restarts (checkpoint, or the journal alone), and an older day is read back from
/// the journal, by the endpoint and by `IntervalJournal` (what `wallboardctl report` runs).
@Suite(.serialized) struct IntervalsJournalTests {
    static let day1 = RFC3339.parse("2026-11-28T08:00:00Z")!

    static func at(_ seconds: Int64) -> Instant { day1.advanced(by: seconds * 1000) }

    static func options(_ stateDir: String) -> DaemonOptions {
        var options = DaemonOptions(
            host: "127.0.0.1", port: 0, webRoot: TestDaemon.webRoot, simulator: false,
            engine: EngineConfiguration(queues: [QueueSettings(id: "sales")]))
        options.stateDirectory = stateDir
        options.journal = EngineService.JournalSettings(directory: stateDir + "/journal")
        return options
    }

    /// The interval starting `start` in the answer to `path`, waiting (bounded) for the engine's tick.
    static func interval(_ daemon: TestDaemon, _ path: String, start: String) throws -> JSONValue? {
        for _ in 0..<200 {
            let response = try daemon.get(path)
            if response.status == 200,
                let found = try JSONC.parse(response.text)["intervals"]?.arrayValue?.first(where: {
                    $0["start"]?.stringValue == start && $0["complete"] == true
                })
            {
                return found
            }
            Thread.sleep(forTimeInterval: 0.05)
        }
        return nil
    }

    @Test func intervalsSurviveRestartsAndOlderDaysComeFromTheJournal() throws {
        let stateDir = JournalRestartTests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: stateDir) }
        let clock = AMITestClock(Self.at(0))
        var daemon = try TestDaemon(options: Self.options(stateDir), clock: clock)
        let lines = [
            IntervalsAPITests.line("l1", "agent.login", #""agent":"a1","name":"A","queues":["sales"]"#, 1),
            IntervalsAPITests.line("q1", "contact.queued", #""contact":"c1","queue":"sales""#, 60),
            IntervalsAPITests.line("a1", "contact.answered", #""contact":"c1","agent":"a1""#, 75),
            IntervalsAPITests.line("e1", "contact.ended", #""contact":"c1""#, 135),
            IntervalsAPITests.line("w1", "contact.wrapup_done", #""contact":"c1","agent":"a1""#, 145),
            IntervalsAPITests.line("q2", "contact.queued", #""contact":"c2","queue":"sales""#, 100),
            IntervalsAPITests.line("b2", "contact.abandoned", #""contact":"c2""#, 190),
        ].map { $0.replacingOccurrences(of: "2026-12-01", with: "2026-11-28") }
        clock.set(Self.at(200))
        #expect(try daemon.post("/api/v1/events", body: lines.joined(separator: "\n")).status == 200)
        clock.set(Self.at(1805))
        let path = "/api/v1/intervals?scope=queue:sales"
        let start = "2026-11-28T08:00:00.000Z"
        let original = try #require(try Self.interval(daemon, path, start: start))
        #expect(original["offered"] == 2)
        #expect(original["aht_seconds"] == 70)
        #expect(original["staffed"] == 1)
        daemon.stop()

        // Restart from the checkpoint the stop wrote.
        clock.set(Self.at(1900))
        daemon = try TestDaemon(options: Self.options(stateDir), clock: clock)
        #expect(try Self.interval(daemon, path, start: start) == original)
        daemon.stop()

        // Restart from the journal alone.
        for file in try FileManager.default.contentsOfDirectory(atPath: stateDir + "/journal") where file.hasPrefix("checkpoint-") {
            try FileManager.default.removeItem(atPath: stateDir + "/journal/" + file)
        }
        daemon = try TestDaemon(options: Self.options(stateDir), clock: clock)
        #expect(try Self.interval(daemon, path, start: start) == original)
        daemon.stop()

        // Two days later: 2026-11-28 is neither today nor yesterday, so it comes from the journal.
        clock.set(RFC3339.parse("2026-11-30T09:00:00Z")!)
        daemon = try TestDaemon(options: Self.options(stateDir), clock: clock)
        defer { daemon.stop() }
        #expect(try Self.interval(daemon, path + "&day=2026-11-28", start: start) == original)
        let csv = try daemon.get(path + "&day=2026-11-28", headers: ["Accept": "text/csv"])
        #expect(csv.status == 200)
        #expect(csv.text.contains("queue:sales,2026-11-28,2026-11-28T08:00:00.000Z,2026-11-28T08:30:00.000Z,true,2,1,1,"))
        let missing = try daemon.get(path + "&day=2026-11-20")
        #expect(missing.status == 404)
        #expect(try JSONC.parse(missing.text)["error"]?.stringValue?.hasPrefix("the journal in \(stateDir)/journal holds no events of 2026-11-20") == true)

        // What `wallboardctl report` runs.
        let configuration = EngineConfiguration(queues: [QueueSettings(id: "sales")])
        let dayStart = configuration.calendar.startOfDay(localDate: "2026-11-28")!
        let engine = try IntervalJournal.replay(
            directory: stateDir + "/journal", configuration: configuration, dayStart: dayStart,
            now: RFC3339.parse("2026-11-30T09:00:00Z")!)
        let report = try #require(engine.closedIntervalReport(scope: .queue("sales"), dayStart: dayStart))
        #expect(report.intervals.count == 48, "the whole day, 00:00 to 24:00")
        let replayed = try #require(report.intervals.first { RFC3339.format($0.start) == start })
        #expect(IntervalReport.json(replayed) == original)

        // `wallboardctl report` itself, the daemon still running (it only reads the journal).
        let csvRun = try WallboardctlTests.run(["report", "--day", "2026-11-28", "--state-dir", stateDir, "--csv", "--scope", "queue:sales"])
        #expect(csvRun.status == 0, "\(csvRun.errors)")
        let csvLines = csvRun.output.split(separator: "\r\n")
        #expect(csvLines.count == 49)
        #expect(csvLines.first == Substring(IntervalReport.csvColumns.joined(separator: ",")))
        #expect(csvLines.contains { $0.hasPrefix("queue:sales,2026-11-28,2026-11-28T08:00:00.000Z,2026-11-28T08:30:00.000Z,true,2,1,1,0,") })
        let table = try WallboardctlTests.run(["report", "--day", "2026-11-28", "--state-dir", stateDir])
        #expect(table.status == 0, "\(table.errors)")
        #expect(table.output.contains("center  2026-11-28  (UTC, 30-minute intervals)"))
        #expect(table.output.contains("queue:sales  2026-11-28"))
        #expect(table.output.contains("08:00-08:30         2        1         1     0      1  50.0%  50.0%   15.0   70.0    90.0       1"), "\(table.output)")
        let bad = try WallboardctlTests.run(["report", "--day", "28/11/2026", "--state-dir", stateDir])
        #expect(bad.status != 0)
        #expect(bad.errors.contains("--day 28/11/2026 is not a date YYYY-MM-DD"))
        let absent = try WallboardctlTests.run(["report", "--day", "2026-11-20", "--state-dir", stateDir])
        #expect(absent.status != 0)
        #expect(absent.errors.contains("holds no events of 2026-11-20"))
    }
}

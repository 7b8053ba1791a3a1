import Dispatch
import Foundation
import Synchronization
import Testing
import WallboardCore
@testable import WallboardServer

/// `?day=YYYY-MM-DD` of a day the engine no longer holds (IntervalsAPI.swift, PastDayReplays.swift): one
/// journal replay at a time with a few waiting at most, and last week's day, once read for the board,
/// answered without a replay.
@Suite struct PastDayReplaysTests {
    @Test func replaysRunOneAtATimeAndRequestsBeyondTheWaitingBoundAreRefused() {
        let gate = PastDayReplays(maxWaiting: 2)
        let release = DispatchSemaphore(value: 0)
        let finished = DispatchSemaphore(value: 0)
        let running = Mutex((now: 0, most: 0))
        let replay: @Sendable () -> Void = {
            running.withLock { $0.now += 1; $0.most = max($0.most, $0.now) }
            release.wait()
            running.withLock { $0.now -= 1 }
            finished.signal()
        }
        #expect(gate.submit(replay))
        #expect(gate.submit(replay))
        #expect(!gate.submit(replay), "a third request while two wait is refused, nothing run")
        #expect(gate.count == 2)
        release.signal()
        #expect(finished.wait(timeout: .now() + 30) == .success)
        // One finished: room again once the gate has counted it out (it does so after the replay returns,
        // which on a loaded machine can be a moment after `finished` is signalled).
        for _ in 0..<1000 where gate.count > 1 { Thread.sleep(forTimeInterval: 0.01) }
        let third = gate.submit(replay)
        #expect(third)
        let left = third ? 2 : 1
        for _ in 0..<left { release.signal() }
        // Bounded waits: a failed expectation above must fail the test, not hang the run.
        for _ in 0..<left { #expect(finished.wait(timeout: .now() + 30) == .success) }
        #expect(running.withLock { $0.most } == 1, "never two replays at once")
        for _ in 0..<100 where gate.count > 0 { Thread.sleep(forTimeInterval: 0.01) }
        #expect(gate.count == 0)
    }

    @Test func lastWeeksDayOnceReadIsAnsweredWithoutTheJournal() throws {
        let configuration = EngineConfiguration(queues: [QueueSettings(id: "sales")])
        let engine = WallboardEngine(configuration: configuration)
        let now = RFC3339.parse("2026-12-08T10:00:00Z")!
        let dayStart = RFC3339.parse("2026-12-01T00:00:00Z")!
        var metrics = WindowMetrics()
        metrics.offered = 7
        let interval = IntervalFigures(start: dayStart.advanced(by: .minutes(8 * 60)), end: dayStart.advanced(by: .minutes(8 * 60 + 30)),
            complete: true, metrics: metrics, staffed: 2)
        let day = DayIntervals(dayStart: dayStart, date: "2026-12-01", scopes: [.queue("sales"): [interval], .center: [interval]])
        let query = WallboardAPI.IntervalsQuery(scope: .queue("sales"), day: .date("2026-12-01"), csv: false)
        // A journal folder that does not exist: a replay would fail; the held day answers.
        let answer = WallboardAPI.answer(query, engine: engine, now: now, journal: "/nonexistent/journal", lastWeek: .held(day))
        guard case .report(let report) = answer else {
            Issue.record("expected a report, got \(answer)")
            return
        }
        #expect(report.intervals == [interval])
        #expect(report.json()["day"] == "2026-12-01")
        #expect(report.json()["target"]?["threshold_seconds"] == 30)
        // Another past day still goes to the journal.
        let other = WallboardAPI.IntervalsQuery(scope: .queue("sales"), day: .date("2026-11-30"), csv: false)
        guard case .journal = WallboardAPI.answer(other, engine: engine, now: now, journal: "/nonexistent/journal", lastWeek: .held(day))
        else {
            Issue.record("another day should be read from the journal")
            return
        }
    }
}

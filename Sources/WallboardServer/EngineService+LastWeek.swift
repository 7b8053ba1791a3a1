import Dispatch
import WallboardCore

/// The same weekday last week beside today's intervals (LastWeekIntervals.swift, docs/intervals.md).
extension EngineService {
    /// Reads last week's day now and again whenever the business day or the configuration changes
    /// (checked every second; the read itself runs off the engine queue, once a day).
    func startLastWeek() {
        dispatchPrecondition(condition: .onQueue(queue))
        refreshLastWeek()
        addTimer(every: .seconds(1)) { $0.refreshLastWeek() }
    }

    func refreshLastWeek() {
        dispatchPrecondition(condition: .onQueue(queue))
        lastWeek.refresh(now: clock.now(), configuration: engine.configuration)
    }

    /// The same weekday last week's closed intervals per scope (center and queues), once read from the
    /// journal; nil while being read or when not held (``lastWeekStatus``). Engine queue only: for
    /// code that runs there (e.g. a projection of today's close from that day's interval pattern).
    var lastWeekIntervals: DayIntervals? {
        dispatchPrecondition(condition: .onQueue(queue))
        return lastWeek.held
    }

    /// What is held of last week's day (engine queue only).
    var lastWeekStatus: LastWeekIntervals.Status? {
        dispatchPrecondition(condition: .onQueue(queue))
        return lastWeek.status
    }

    /// Calls `completion` (on the engine queue) with the same weekday last week's closed intervals per
    /// scope, or nil while being read or when not held.
    public func readLastWeekIntervals(completion: @escaping @Sendable (DayIntervals?) -> Void) {
        queue.async { [self] in completion(lastWeek.held) }
    }

    /// Like ``read(_:completion:)``, with what is held of last week's day.
    func readWithLastWeek<T: Sendable>(
        _ body: @escaping @Sendable (WallboardEngine, Instant, LastWeekIntervals.Status?) -> T,
        completion: @escaping @Sendable (T) -> Void
    ) {
        queue.async { [self] in completion(body(engine, clock.now(), lastWeek.status)) }
    }
}

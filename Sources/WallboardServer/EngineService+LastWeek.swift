import Dispatch
import WallboardCore

/// Which held day's patterns the projected close was given, and for which day.
struct LastWeekPatternKey: Equatable {
    var day: String
    var appliesTo: String
    var intervalLength: Millis
}

/// The same weekday last week beside today's intervals (LastWeekIntervals.swift, docs/intervals.md), and
/// as the projected close's interval pattern.
extension EngineService {
    /// Reads last week's day now and again whenever the business day or the configuration changes
    /// (checked every second; the read itself runs off the engine queue, once a day).
    func startLastWeek() {
        dispatchPrecondition(condition: .onQueue(queue))
        lastWeek.whenHeld = { [weak self] _ in
            guard let self else { return }
            applyLastWeekPatterns(now: clock.now())
        }
        refreshLastWeek()
        addTimer(every: .seconds(1)) { $0.refreshLastWeek() }
    }

    func refreshLastWeek() {
        dispatchPrecondition(condition: .onQueue(queue))
        let now = clock.now()
        lastWeek.refresh(now: now, configuration: engine.configuration)
        applyLastWeekPatterns(now: now)
    }

    /// Hands the held day to the projected close as each scope's interval pattern for today (docs/metrics.md,
    /// "Projected close": the same weekday last week first), once per day read; a scope the day did not know
    /// (a queue added since) keeps its fallback (yesterday, then today's own rate).
    func applyLastWeekPatterns(now: Instant) {
        dispatchPrecondition(condition: .onQueue(queue))
        guard let day = lastWeek.held else { return }
        let calendar = engine.configuration.calendar
        let today = calendar.localDate(of: calendar.startOfDay(containing: now))
        guard lastWeekPatternsApplied != LastWeekPatternKey(day: day.date, appliesTo: today, intervalLength: calendar.intervalLength)
        else { return }
        lastWeekPatternsApplied = LastWeekPatternKey(day: day.date, appliesTo: today, intervalLength: calendar.intervalLength)
        for (scope, intervals) in day.scopes {
            let pattern = IntervalPattern(source: .lastWeek, day: day.date, appliesTo: today, intervals: intervals, calendar: calendar)
            guard engine.intervalPatterns[scope] != pattern else { continue }
            engine.setIntervalPattern(pattern, for: scope)
            dirty = true
        }
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

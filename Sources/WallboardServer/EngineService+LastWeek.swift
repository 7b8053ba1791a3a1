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
            applyLastWeekPatterns(now: clock.now(), fresh: true)
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
    /// "Projected close": the same weekday last week first), once per day read (`fresh`: a read just finished,
    /// e.g. again after a configuration change, so it is applied even for the same day). Only the day a week
    /// before today's counts (a read finishing just after midnight was for yesterday). A scope the day offered
    /// nothing (a queue added since, a holiday) keeps its fallback (yesterday, then today's own rate). A
    /// pattern's interval length is the day's own, so after a change of `interval_minutes` the engine ignores
    /// the old day's until the new read is applied.
    func applyLastWeekPatterns(now: Instant, fresh: Bool = false) {
        dispatchPrecondition(condition: .onQueue(queue))
        guard let day = lastWeek.held else { return }
        let calendar = engine.configuration.calendar
        let todayStart = calendar.startOfDay(containing: now)
        guard calendar.startOfDay(weekBefore: todayStart) == day.dayStart else { return }
        let today = calendar.localDate(of: todayStart)
        let key = LastWeekPatternKey(day: day.date, appliesTo: today, intervalLength: calendar.intervalLength)
        guard fresh || lastWeekPatternsApplied != key else { return }
        lastWeekPatternsApplied = key
        for (scope, intervals) in day.scopes {
            var pattern: IntervalPattern?
            if let first = intervals.first, intervals.contains(where: { $0.metrics.offered > 0 }) {
                var made = IntervalPattern(source: .lastWeek, day: day.date, appliesTo: today, intervals: intervals, calendar: calendar)
                made.intervalLength = first.end.since(first.start)
                pattern = made
            }
            let current = engine.intervalPatterns[scope]
            // Only ever replace or remove a pattern of last week's (the setter's own patterns stay).
            guard current != pattern, pattern != nil || current?.source == .lastWeek else { continue }
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

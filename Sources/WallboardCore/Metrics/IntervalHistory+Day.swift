/// One past business day's closed clock intervals per scope (the center and each queue), as the interval
/// history counted them: what the daemon holds of the same weekday last week (`last_week` in
/// `GET /api/v1/intervals` and the `intervals:<scope>` topics, docs/intervals.md), and what a projection
/// of today's close can take as that weekday's interval pattern. Read from the journal by replaying the
/// day (``WallboardEngine/dayIntervals(dayStart:)`` of the replayed engine).
public struct DayIntervals: Sendable, Equatable {
    /// The start of the business day.
    public var dayStart: Instant
    /// Its local date in the center's time zone, `YYYY-MM-DD`.
    public var date: String
    /// Per scope (``ScopeKey/center`` and ``ScopeKey/queue(_:)`` of every queue the replay knew), the
    /// day's closed intervals, oldest first, all `complete`; a scope without contacts has them with
    /// zero counts.
    public var scopes: [ScopeKey: [IntervalFigures]]

    public init(dayStart: Instant, date: String, scopes: [ScopeKey: [IntervalFigures]]) {
        self.dayStart = dayStart
        self.date = date
        self.scopes = scopes
    }

    /// The day's intervals of `scope`; empty for a scope the day did not know (a queue added since).
    public func intervals(of scope: ScopeKey) -> [IntervalFigures] { scopes[scope] ?? [] }
}

extension WallboardEngine {
    /// The closed intervals of the business day starting at `dayStart` for the center and every queue,
    /// or nil when the engine holds no interval of that day (it keeps today's and yesterday's).
    public func dayIntervals(dayStart: Instant) -> DayIntervals? {
        guard history.intervals.intervals(ofDay: dayStart) != nil else { return nil }
        var scopes: [ScopeKey: [IntervalFigures]] = [:]
        for scope in [ScopeKey.center] + queueOrder.map(ScopeKey.queue) {
            scopes[scope] = closedIntervals(of: scope, dayStart: dayStart)
        }
        return DayIntervals(dayStart: dayStart, date: configuration.calendar.localDate(of: dayStart), scopes: scopes)
    }
}

extension CenterCalendar {
    /// The start of the business day seven days before the one starting at `dayStart`: the same weekday
    /// last week (whatever daylight saving time did in between).
    public func startOfDay(weekBefore dayStart: Instant) -> Instant {
        // Seven days of 23 to 25 hours back lands within an hour of that day's start: half a day in is inside it.
        startOfDay(containing: dayStart.advanced(by: -.minutes(7 * 24 * 60 - 12 * 60)))
    }
}

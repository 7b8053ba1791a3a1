extension WallboardEngine {
    /// Sets (or with nil, removes) the interval pattern the projected close of `scope` uses on the day
    /// it applies to, ahead of yesterday's intervals (docs/metrics.md, "Projected close").
    public mutating func setIntervalPattern(_ pattern: IntervalPattern?, for scope: ScopeKey) {
        intervalPatterns[scope] = pattern
    }

    /// Where `scope` (the center or a queue) is projected to close today, as seen at `now`; nil for other
    /// scopes. It stands on the intervals closed by the start of the current interval, so it changes only
    /// when an interval closes, the staffed agents change or a pattern is set.
    public func closeProjection(scope: ScopeKey, now: Instant) -> CloseProjection? {
        guard IntervalBook.keeps(scope) else { return nil }
        let calendar = configuration.calendar
        let todayStart = calendar.startOfDay(containing: now)
        let intervalStart = calendar.startOfInterval(containing: now)
        let today = calendar.localDate(of: todayStart)
        var actual = WindowMetrics()
        var firstBusy: Instant?
        for interval in closedIntervals(of: scope, dayStart: todayStart) ?? [] where interval.end <= intervalStart {
            actual.merge(interval.metrics)
            if firstBusy == nil, interval.metrics.offered > 0 { firstBusy = interval.start }
        }
        let pattern = pattern(of: scope, today: today, todayStart: todayStart)
        // Without a pattern: today's mean arrival rate from the first interval with offered contacts.
        var rate = 0.0
        if pattern == nil, let firstBusy, intervalStart > firstBusy {
            rate = Double(actual.offered) / intervalStart.since(firstBusy).asSeconds
        }
        let close = closeInstant(of: scope, pattern: pattern, todayStart: todayStart, calendar: calendar)
        let threshold: Millis?
        let treatment: QueueSettings.AbandonTreatment
        switch scope {
        case .queue(let id):
            threshold = settings[id].threshold
            treatment = settings[id].abandonTreatment
        default:
            threshold = target(of: scope)?.threshold
            let treatments = Set(configuration.queues.map(\.abandonTreatment))
            treatment = treatments.count == 1 ? treatments.first! : .negative
        }
        let input = CloseProjection.Input(
            actual: actual,
            slots: CloseProjection.slots(from: intervalStart, close: close, calendar: calendar, pattern: pattern, rate: rate),
            agents: history.intervals.staffed(at: now)[scope] ?? 0, threshold: threshold, treatment: treatment,
            source: pattern?.source ?? .todayRate, patternDay: pattern?.day, close: close)
        return CloseProjection.project(input)
    }

    /// The pattern set for `scope` if it applies today, else yesterday's intervals when they offered any.
    private func pattern(of scope: ScopeKey, today: String, todayStart: Instant) -> IntervalPattern? {
        if let set = intervalPatterns[scope], set.appliesTo == today, set.intervalLength == configuration.calendar.intervalLength {
            return set
        }
        let calendar = configuration.calendar
        let yesterdayStart = calendar.startOfDay(containing: todayStart.advanced(by: -1))
        guard let yesterday = closedIntervals(of: scope, dayStart: yesterdayStart),
            yesterday.contains(where: { $0.metrics.offered > 0 })
        else { return nil }
        return IntervalPattern(
            source: .yesterday, day: calendar.localDate(of: yesterdayStart), appliesTo: today, intervals: yesterday,
            calendar: calendar)
    }

    /// The configured close (the queue's, else the center's), else the end of the pattern's last interval
    /// with offered contacts, else the end of the business day.
    private func closeInstant(of scope: ScopeKey, pattern: IntervalPattern?, todayStart: Instant, calendar: CenterCalendar)
        -> Instant
    {
        var configured = configuration.projectionClose
        if case .queue(let id) = scope, let close = settings[id].close { configured = close }
        if let configured { return calendar.instant(ofLocalTime: configured, inDayStarting: todayStart) }
        if let minute = pattern?.lastBusyEnd {
            return calendar.instant(ofLocalTime: Millis(minute % 1440) * 60_000, inDayStarting: todayStart)
        }
        return calendar.startOfDay(after: todayStart)
    }
}

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
        closeProjections(of: [scope], now: now)[scope]
    }

    /// ``closeProjection(scope:now:)`` of each of `scopes` (the center and queues; others are left out),
    /// with one pass over today's and yesterday's intervals and the day's clock intervals worked out once.
    public func closeProjections(of scopes: [ScopeKey], now: Instant) -> [ScopeKey: CloseProjection] {
        let calendar = configuration.calendar
        let todayStart = calendar.startOfDay(containing: now)
        let intervalStart = calendar.startOfInterval(containing: now)
        let yesterdayStart = calendar.startOfDay(containing: todayStart.advanced(by: -1))
        let today = calendar.localDate(of: todayStart)
        let kept = scopes.filter(IntervalBook.keeps)
        guard !kept.isEmpty else { return [:] }
        let ids = kept.map { history.registry.lookup($0) }
        // Today so far (closed intervals), and the first of them with contacts, per scope.
        var actual = [WindowMetrics](repeating: WindowMetrics(), count: kept.count)
        var firstBusy = [Instant?](repeating: nil, count: kept.count)
        for interval in history.intervals.intervals(ofDay: todayStart) ?? [] where interval.end <= intervalStart {
            for (index, id) in ids.enumerated() {
                guard let id, let metrics = interval.figures[id] else { continue }
                Self.addProjectionCounts(metrics, to: &actual[index])
                if firstBusy[index] == nil, metrics.offered > 0 { firstBusy[index] = interval.start }
            }
        }
        // The pattern set for today, else yesterday's intervals when they offered any.
        var patterns = kept.map { scope -> IntervalPattern? in
            guard let set = intervalPatterns[scope], set.appliesTo == today, set.intervalLength == calendar.intervalLength
            else { return nil }
            return set
        }
        // Yesterday's intervals are a pattern only at today's interval length: the day `interval_minutes`
        // changed, their counts are per interval of another length (as with a set pattern, above).
        if patterns.contains(where: { $0 == nil }), let yesterday = history.intervals.intervals(ofDay: yesterdayStart),
            yesterday.allSatisfy({ $0.end.since($0.start) == calendar.intervalLength })
        {
            var offered = [[Int: Int]](repeating: [:], count: kept.count)
            var seen = Set<Int>()
            for interval in yesterday {
                // A 25-hour yesterday has one clock hour twice: its first pass stands for that hour.
                let key = calendar.localMinuteOfDay(of: interval.start)
                guard seen.insert(key).inserted else { continue }
                for (index, id) in ids.enumerated() where patterns[index] == nil {
                    guard let id, let count = interval.figures[id]?.offered, count > 0 else { continue }
                    offered[index][key] = count
                }
            }
            let day = calendar.localDate(of: yesterdayStart)
            for index in kept.indices where patterns[index] == nil && !offered[index].isEmpty {
                patterns[index] = IntervalPattern(
                    source: .yesterday, day: day, appliesTo: today, offered: offered[index], intervalLength: calendar.intervalLength)
            }
        }
        let boundaries = CloseProjection.boundaries(from: intervalStart, until: calendar.startOfDay(after: todayStart), calendar: calendar)
        let staffed = history.intervals.staffed(at: now)
        let treatments = Set(configuration.queues.map(\.abandonTreatment))
        var result: [ScopeKey: CloseProjection] = [:]
        for (index, scope) in kept.enumerated() {
            let pattern = patterns[index]
            // Without a pattern: today's mean arrival rate from the first interval with offered contacts.
            var rate = 0.0
            if pattern == nil, let first = firstBusy[index], intervalStart > first {
                rate = Double(actual[index].offered) / intervalStart.since(first).asSeconds
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
                treatment = treatments.count == 1 ? treatments.first! : .negative
            }
            result[scope] = CloseProjection.project(
                CloseProjection.Input(
                    actual: actual[index],
                    slots: CloseProjection.slots(boundaries, from: intervalStart, close: close, pattern: pattern, rate: rate),
                    agents: staffed[scope] ?? 0, threshold: threshold, treatment: treatment,
                    source: pattern?.source ?? .todayRate, patternDay: pattern?.day, close: close))
        }
        return result
    }

    /// Adds the counts the projection reads (not the mixes: cheaper than a whole merge).
    private static func addProjectionCounts(_ metrics: WindowMetrics, to total: inout WindowMetrics) {
        total.offered += metrics.offered
        total.answered += metrics.answered
        total.abandoned += metrics.abandoned
        total.answeredWithinThreshold += metrics.answeredWithinThreshold
        total.serviceLevelNumerator += metrics.serviceLevelNumerator
        total.serviceLevelDenominator += metrics.serviceLevelDenominator
        total.handledCount += metrics.handledCount
        total.totalTalk += metrics.totalTalk
        total.totalHold += metrics.totalHold
        total.totalWrapUp += metrics.totalWrapUp
    }

    /// The configured close (the queue's, else the center's), else the end of the pattern's last interval
    /// with offered contacts, else the end of the business day.
    private func closeInstant(of scope: ScopeKey, pattern: IntervalPattern?, todayStart: Instant, calendar: CenterCalendar)
        -> Instant
    {
        var configured = configuration.projectionClose
        if case .queue(let id) = scope, let close = settings[id].close { configured = close }
        if let configured { return calendar.instant(ofLocalTime: configured, inDayStarting: todayStart) }
        if let minute = pattern?.lastBusyEnd(dayStartMinute: Int(calendar.dayStart / 60_000)) {
            return calendar.instant(ofLocalTime: Millis(minute % 1440) * 60_000, inDayStarting: todayStart)
        }
        return calendar.startOfDay(after: todayStart)
    }
}

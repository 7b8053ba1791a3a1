/// Which business day an interval report is about.
public enum IntervalDay: Sendable, Equatable {
    /// Today's closed intervals and the current one.
    case today
    /// Yesterday's intervals, all closed.
    case yesterday
}

extension WallboardEngine {
    /// The interval report of `scope` (``ScopeKey/center`` or a queue) for `day` as seen at `now`, or nil
    /// for yesterday when the engine holds none of its intervals (docs/metrics.md, "Interval history").
    /// `current` is the scope's `interval` window at `now` when the caller has it (a snapshot's);
    /// otherwise it is read from the history.
    public func intervalReport(
        scope: ScopeKey, day: IntervalDay, now: Instant, current: WindowMetrics? = nil
    ) -> IntervalReport? {
        let calendar = configuration.calendar
        let todayStart = calendar.startOfDay(containing: now)
        let yesterdayStart = calendar.startOfDay(containing: todayStart.advanced(by: -1))
        let yesterday = closedIntervals(of: scope, dayStart: yesterdayStart)
        var report = IntervalReport(
            scope: scope, dayStart: todayStart, calendar: calendar, target: target(of: scope), intervals: [])
        switch day {
        case .yesterday:
            return closedIntervalReport(scope: scope, dayStart: yesterdayStart)
        case .today:
            let intervalStart = calendar.startOfInterval(containing: now)
            report.intervals = (closedIntervals(of: scope, dayStart: todayStart) ?? []).filter { $0.end <= intervalStart }
            let metrics = current ?? windowTables(now: now).byWindow[WindowName.interval]?[scope] ?? WindowMetrics()
            let staffed = history.intervals.staffed(at: now)[scope] ?? 0
            report.intervals.append(
                IntervalFigures(
                    start: intervalStart, end: calendar.endOfInterval(startingAt: intervalStart), complete: false,
                    metrics: metrics, staffed: staffed))
            report.yesterday = yesterday
            report.projection = closeProjection(scope: scope, now: now)  // Metrics/CloseProjection+Engine.swift
        }
        return report
    }

    /// Whether an interval ended after the last ``expire(now:)`` but by `now`: it closes at the next one,
    /// so a report read at `now` before then lacks it (read it from a copy advanced to `now`).
    public func hasIntervalToClose(at now: Instant) -> Bool {
        guard let current = history.interval, let frontier = history.frontier, now > frontier else { return false }
        return current.start < configuration.calendar.startOfInterval(containing: now)
    }

    /// The report of a past business day (all its intervals closed) for `scope`, or nil when the engine
    /// holds no interval of that day (it keeps today's and yesterday's).
    public func closedIntervalReport(scope: ScopeKey, dayStart: Instant) -> IntervalReport? {
        guard let intervals = closedIntervals(of: scope, dayStart: dayStart) else { return nil }
        return IntervalReport(
            scope: scope, dayStart: dayStart, calendar: configuration.calendar, target: target(of: scope), intervals: intervals)
    }

    /// The closed intervals of the business day starting at `dayStart` for `scope`, oldest first; nil
    /// when the engine holds no interval of that day.
    public func closedIntervals(of scope: ScopeKey, dayStart: Instant) -> [IntervalFigures]? {
        guard let closed = history.intervals.intervals(ofDay: dayStart) else { return nil }
        let id = history.registry.lookup(scope)
        return closed.map { interval in
            IntervalFigures(
                start: interval.start, end: interval.end, complete: true,
                metrics: id.flatMap { interval.figures[$0] } ?? WindowMetrics(),
                staffed: interval.staffed[scope] ?? 0)
        }
    }

    /// A queue's target; the center's when every configured queue has the same one, else nil.
    public func target(of scope: ScopeKey) -> IntervalReport.Target? {
        switch scope {
        case .queue(let id):
            let queue = settings[id]
            return IntervalReport.Target(serviceLevel: queue.target, threshold: queue.threshold)
        default:
            let targets = Set(configuration.queues.map { IntervalReport.Target(serviceLevel: $0.target, threshold: $0.threshold) })
            return targets.count == 1 ? targets.first : nil
        }
    }

    /// Sets the staffed counts the interval history starts from after a restore: the agents' current states.
    mutating func rebuildStaffedCounts() {
        var counts: [ScopeKey: Int] = [:]
        for agent in agents.values where IntervalBook.isStaffed(agent.state) {
            for scope in agent.scopes where IntervalBook.keeps(scope) { counts[scope, default: 0] += 1 }
        }
        history.intervals.staffedNow = counts
    }
}

extension Millis {
    /// `self + other`, saturating at the bounds (times come from events).
    func adding(_ other: Millis) -> Millis {
        let (sum, overflow) = addingReportingOverflow(other)
        return overflow ? (other > 0 ? .max : .min) : sum
    }
}

// How the engine feeds and reads `AgentDayBook`: its transitions call `noteAgentLeft(_:next:at:)`,
// `agentDays.handled` and `agentDays.transferred`; `expire(now:)` advances it.
extension WallboardEngine {
    /// Each agent ever seen today (logged in now, or with figures from earlier today), sorted by id, with
    /// today's figures and the rolling windows' at `now`: computed here, on request, from ``agentDays``.
    public func agentDay(now: Instant) -> [(id: String, record: AgentRecord?, today: AgentFigures, windows: [String: AgentFigures])] {
        let windows = configuration.windows.map { (name: $0.name, length: $0.length) }
        // A day that began since the last `expire(now:)` is started on a copy, so "today" never shows yesterday.
        var book = agentDays
        let dayStart = configuration.calendar.startOfDay(containing: now)
        if let held = book.dayStart, dayStart > held { book.prune(now: now, dayStart: dayStart) }
        let ids = Set(agents.keys).union(book.agentIDs).sorted()
        return ids.map { id in
            let record = agents[id]
            let (today, byWindow) = book.figures(of: id, current: record, now: now, windows: windows)
            return (id, record, today, byWindow)
        }
    }

    /// Keeps ``agentDays``' marks for the longest window and starts its new day (from ``expire(now:)``).
    mutating func advanceAgentDays(now: Instant, dayStart: Instant) {
        agentDays.keep = configuration.longestWindow.adding(MetricsHistory.rewindAllowance)
        agentDays.prune(now: now, dayStart: dayStart)
    }

    /// Records that `record`'s agent left its state at `at` for `next` (`nil`: logged out).
    mutating func noteAgentLeft(_ record: AgentRecord, next: AgentState?, at: Instant) {
        agentDays.left(
            record.id, state: record.state, reason: record.reason, team: record.team, from: record.stateSince, to: at, next: next,
            dayStart: configuration.calendar.startOfDay(containing: at))
    }
}

// An agent's logged-in time by the team it was under, for the agents with an hourly rate of their own
// (`costs.agents`, docs/metrics.md "Cost per contact"): the windows' team figures price that time at the
// team's rate, and ``CostSheet`` replaces it by the agent's. Read only for those agents, at snapshot time.
extension AgentDayBook {
    /// `agent`'s logged-in time (every state but offline) inside `[start, now]` for each of `starts`, by the
    /// team it was under (nil: none): its closed stretches from the marks, and `current` (the agent's
    /// record when logged in) up to `now`. Exact for windows the marks still cover (``keep``).
    func staffedByTeam(of agent: String, current: AgentRecord?, now: Instant, starts: [Instant]) -> [[String?: Millis]] {
        var result = Array(repeating: [String?: Millis](), count: starts.count)
        if let marks = entries[agent]?.marks {
            for mark in marks where mark.kind == .span && mark.state != .offline {
                let team = team(code: mark.second)
                for (index, start) in starts.enumerated() {
                    let overlap = min(mark.at, now).since(max(mark.from, start))
                    if overlap > 0 { result[index][team, default: 0] = result[index][team, default: 0].adding(overlap) }
                }
            }
        }
        if let current, current.state != .offline {
            for (index, start) in starts.enumerated() {
                let time = now.since(max(current.stateSince, start))
                if time > 0 { result[index][current.team, default: 0] = result[index][current.team, default: 0].adding(time) }
            }
        }
        return result
    }

    /// `agent`'s logged-in time from `dayStart` (the start of `now`'s day) to `now` by team: today's running
    /// totals less the part of stretches that end after `now`, plus `current` up to `now`. When the book's day
    /// is another one (`now` in a day the book has not started yet, or before the one it holds) the marks
    /// give it, as for a rolling window.
    func staffedTodayByTeam(of agent: String, current: AgentRecord?, now: Instant, dayStart: Instant) -> [String?: Millis] {
        guard self.dayStart == dayStart, let entry = entries[agent] else {
            return staffedByTeam(of: agent, current: current, now: now, starts: [dayStart])[0]
        }
        var result: [String?: Millis] = [:]
        for time in entry.todayTeams.times(total: entry.today.loggedIn) {
            result[team(code: time.team), default: 0] = result[team(code: time.team), default: 0].adding(time.time)
        }
        for mark in entry.marks where mark.kind == .span && mark.state != .offline && mark.at > now {
            let later = mark.at.since(max(mark.from, dayStart, now))
            if later > 0 { result[team(code: mark.second), default: 0] -= later }
        }
        if let current, current.state != .offline {
            let time = now.since(max(current.stateSince, dayStart))
            if time > 0 { result[current.team, default: 0] = result[current.team, default: 0].adding(time) }
        }
        return result.filter { $0.value > 0 }
    }
}

extension WallboardEngine {
    /// For each window of `tables` at `now`, the logged-in time of every agent with a rate of its own in
    /// `costs`, by the team it was under: what ``CostSheet`` reprices. O(agents with a rate × their marks ×
    /// windows); agents with a rate who were never seen cost a lookup.
    func ownRateTimes(_ costs: CostConfiguration, tables: WindowTables, now: Instant) -> [String: [OwnRateTime]] {
        guard !costs.agentRates.isEmpty else { return [:] }
        let names = tables.names
        let dayStart = configuration.calendar.startOfDay(containing: now)
        let rolling = names.filter { $0 != WindowName.today }
        let starts = rolling.map { tables.starts[$0] ?? now }
        // The fewer of the rated agents and the agents seen today decides the walk.
        let candidates: [String]
        if costs.agentRates.count <= agents.count + agentDays.entries.count {
            candidates = Array(costs.agentRates.keys)
        } else {
            candidates = Array(Set(agents.keys).union(agentDays.entries.keys)).filter { costs.agentRates[$0] != nil }
        }
        var result: [String: [OwnRateTime]] = [:]
        for agent in candidates.sorted() {
            guard let rate = costs.agentRates[agent] else { continue }
            let current = agents[agent]
            guard current != nil || agentDays.entries[agent] != nil else { continue }
            let windows = agentDays.staffedByTeam(of: agent, current: current, now: now, starts: starts)
            for (index, name) in rolling.enumerated() {
                for (team, time) in windows[index] { result[name, default: []].append(OwnRateTime(team: team, time: time, hourly: rate)) }
            }
            if names.contains(WindowName.today) {
                for (team, time) in agentDays.staffedTodayByTeam(of: agent, current: current, now: now, dayStart: dayStart) {
                    result[WindowName.today, default: []].append(OwnRateTime(team: team, time: time, hourly: rate))
                }
            }
        }
        return result
    }
}

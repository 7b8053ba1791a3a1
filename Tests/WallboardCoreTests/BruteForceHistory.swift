@testable import WallboardCore

/// The reference for ``IncrementalHistoryTests``: every entry and agent-state change ever recorded, and
/// every window recomputed from all of them by a plain scan on each call (the scan the engine did on
/// every publish before issue 14), with no running totals, cursors or forgetting.
struct BruteForceHistory {
    struct Recorded {
        var entry: TimelineEntry
        /// A departure's settings when it was recorded.
        var judged: QueueSettings?
    }

    struct Change {
        var scope: ScopeKey
        var delta: AgentTime.Classes
        var time: Instant
    }

    var entries: [Recorded] = []
    var changes: [Change] = []

    mutating func insert(_ entry: TimelineEntry, settings: SettingsLookup) {
        var judged: QueueSettings?
        if case .departure(let record) = entry { judged = settings[record.queue] }
        if case .callback(let record) = entry { judged = settings[record.queue] }
        entries.append(Recorded(entry: entry, judged: judged))
    }

    mutating func agentChange(scopes: [ScopeKey], from old: AgentState?, to new: AgentState?, at time: Instant) {
        let delta = AgentTime.Classes.change(from: old, to: new)
        for scope in scopes { changes.append(Change(scope: scope, delta: delta, time: time)) }
    }

    /// A rolling window `[now − length, now]`, every departure judged by `settings`.
    func rolling(now: Instant, length: Millis, settings: SettingsLookup) -> ScopeTable {
        table(from: now.advanced(by: -length), now: now) { record in
            if case .departure(let departure) = record.entry { return settings[departure.queue] }
            if case .callback(let callback) = record.entry { return settings[callback.queue] }
            return nil
        }
    }

    /// A period `[start, now]`, every departure judged by the settings it was recorded under.
    func period(now: Instant, start: Instant) -> ScopeTable { table(from: start, now: now) { $0.judged } }

    private func table(from start: Instant, now: Instant, judge: (Recorded) -> QueueSettings?) -> ScopeTable {
        var table = ScopeTable()
        for record in entries where record.entry.time >= start && record.entry.time <= now {
            for scope in record.entry.scopes {
                switch record.entry {
                case .departure(let r): table[scope, default: WindowMetrics()].add(r, settings: judge(record)!)
                case .handled(let r): table[scope, default: WindowMetrics()].add(r)
                case .transfer(let r): table[scope, default: WindowMetrics()].add(r)
                case .survey(let r): table[scope, default: WindowMetrics()].add(r.survey)
                case .callback(let r): table[scope, default: WindowMetrics()].add(r, settings: judge(record)!)
                case .selfService(let r): table[scope, default: WindowMetrics()].add(r)
                case .agentSpan: break
                }
            }
        }
        // ∫ over [start, now] of Σ delta·1[τ ≥ t] = Σ delta · (now − max(t, start)) where positive.
        var time: [ScopeKey: AgentTime] = [:]
        for change in changes {
            let overlap = now.since(max(change.time, start))
            guard overlap > 0 else { continue }
            time[change.scope, default: AgentTime()] = time[change.scope, default: AgentTime()]
                + AgentTime.scaled(change.delta, by: overlap)
        }
        for (scope, value) in time where value.loggedIn > 0 { table[scope, default: WindowMetrics()].setAgentTime(value) }
        return table
    }
}

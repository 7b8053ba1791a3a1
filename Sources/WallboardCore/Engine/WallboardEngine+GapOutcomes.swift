/// What a source needs to fill a gap (issue 22: Asterisk's `queue_log` after a daemon restart). The gap's
/// outcomes come in as ordinary events stamped with their real times: the engine takes events up to
/// ``EngineConfiguration/pastTolerance`` old, and records a departure or handled contact stamped before its
/// last advance into "today", "interval" and every rolling window that still covers that time
/// (`MetricsHistory.insert`); agent states changed at such a time start no earlier than the state they
/// replace (docs/asterisk.md, "queue_log").
extension WallboardEngine {
    /// The latest event time the engine's state shows: its newest kept history entry, agent state change or
    /// contact activity (a contact closed as expired counts at its queue time when it expired waiting, and not
    /// at all when it expired after its answer, which counts instead); `nil` when it holds nothing. After a
    /// restart from a checkpoint this is about when the previous run last applied an event. Every contact the
    /// engine saw is still live or queued at or before this time, so a source that adds only calls that
    /// entered after it adds none twice. Costs one pass over the kept history.
    public var latestEventTime: Instant? {
        var latest: Instant?
        for item in history.retained {
            var time = item.time
            // An idle contact is closed long after its last event: its own events' times count, not that.
            if case .departure(let record) = item.entry, record.outcome == .expired {
                guard record.wait > 0 else { continue }
                time = record.leftAt.advanced(by: -record.wait)
            }
            latest = max(latest ?? time, time)
        }
        for agent in agents.values { latest = max(latest ?? agent.stateSince, agent.stateSince) }
        for contact in contacts.values { latest = max(latest ?? contact.lastActivity, contact.lastActivity) }
        return latest
    }
}

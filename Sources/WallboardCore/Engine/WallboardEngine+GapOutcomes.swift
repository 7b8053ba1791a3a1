/// What a source needs to fill a gap (issue 22: Asterisk's `queue_log` after a daemon restart). The gap's
/// outcomes come in as ordinary events stamped with their real times: the engine takes events up to
/// ``EngineConfiguration/pastTolerance`` old, and records a departure or handled contact stamped before its
/// last advance into "today", "interval" and every rolling window that still covers that time
/// (`MetricsHistory.insert`); agent states changed at such a time start no earlier than the state they
/// replace (docs/asterisk.md, "queue_log").
extension WallboardEngine {
    /// The latest event time the engine's state shows: its newest kept history entry, agent state change or
    /// contact activity; `nil` when it holds nothing. After a restart from a checkpoint this is about when
    /// the previous run last applied an event. Every contact the engine saw is either still live or left its
    /// queue at or before this time, so a source that adds only calls that entered after it adds none twice.
    public var latestEventTime: Instant? {
        var latest = history.retained.last?.time
        for agent in agents.values { latest = max(latest ?? agent.stateSince, agent.stateSince) }
        for contact in contacts.values { latest = max(latest ?? contact.lastActivity, contact.lastActivity) }
        return latest
    }
}

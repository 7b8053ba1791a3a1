import WallboardCore

/// The projected close's interval patterns (docs/metrics.md, "Projected close").
extension EngineService {
    /// Sets the interval pattern (e.g. the same weekday last week, read from the journal) the projected
    /// close of `scope` uses on the day the pattern applies to; nil removes it (yesterday's intervals,
    /// then today's own rate, are used instead). Boards see the new projection at the next publish.
    public func setIntervalPattern(_ pattern: IntervalPattern?, for scope: ScopeKey) {
        queue.async { [self] in
            guard engine.intervalPatterns[scope] != pattern else { return }
            engine.setIntervalPattern(pattern, for: scope)
            dirty = true
        }
    }
}

import Foundation
import WallboardCore

/// The partial-day notice (``DayCoverage``): assessed once at start, before the engine restores the journal,
/// and the `alive` file that lets the next start tell a quick restart from a gap.
extension Daemon {
    /// Reads the previous run's `alive` time, tells the engine (board, snapshot, `/healthz`) since when today
    /// counts when that is not the day's start, warns in the log, and starts rewriting the `alive` file every
    /// minute. The simulator's day is generated, so it is never partial.
    func startDayCoverage() {
        guard !options.simulator else { return }
        let now = clock.now()
        var lastAlive: Instant?
        if let directory = options.stateDirectory {
            let (alive, problem) = DayCoverage.readMarker(stateDirectory: directory)
            if let problem { logger.warning("alive file unreadable: today counts as without history", metadata: ["problem": "\(problem)"]) }
            lastAlive = alive
        }
        let coverage = DayCoverage.assess(hasStateDirectory: options.stateDirectory != nil, lastAlive: lastAlive, startedAt: now)
        engine.setDayCoverage(coverage)
        api.dayCoverage.withLock { $0 = coverage.map { ($0, options.engine.calendar) } }
        if let coverage {
            logger.warning(
                "today's figures are partial",
                metadata: [
                    "today.since": "\(RFC3339.format(coverage.since))", "today.partial_reason": "\(coverage.reason.rawValue)",
                    "why": "\(coverage.explanation)",
                ])
        }
        guard let directory = options.stateDirectory else { return }
        writeAliveMarker(directory)
        engine.every(DayCoverage.markerInterval) { [weak self] in self?.writeAliveMarker(directory) }
    }

    /// A reload may move the day's start (time zone, `day_start`): `/healthz` follows it.
    func reloadDayCoverage(calendar: CenterCalendar) {
        api.dayCoverage.withLock { held in held = held.map { ($0.0, calendar) } }
    }

    /// Rewrites `<state_dir>/alive` with the current time (also at shutdown, after the sources stopped).
    func writeAliveMarker(_ directory: String? = nil) {
        guard !options.simulator, let directory = directory ?? options.stateDirectory else { return }
        if let failure = DayCoverage.writeMarker(stateDirectory: directory, now: clock.now()) {
            logger.warning(
                "cannot write the alive file: the next start may count a gap that was none",
                metadata: ["path": "\(DayCoverage.markerPath(stateDirectory: directory))", "error": "\(failure)"])
        }
    }
}

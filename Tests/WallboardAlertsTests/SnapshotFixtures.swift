import JSONModel

@testable import WallboardCore

/// Builds snapshots by hand (Snapshot has no public initializer; tests use `@testable`).
enum SnapshotFixtures {
    static let t0 = RFC3339.parse("2026-11-23T10:00:00Z")!  // a Monday

    /// A window whose service level is `answeredWithin` / `answered` (no abandons).
    static func window(answered: Int, within: Int) -> WindowMetrics {
        var metrics = WindowMetrics()
        metrics.answered = answered
        metrics.offered = answered
        metrics.answeredWithinThreshold = within
        metrics.serviceLevelNumerator = within
        metrics.serviceLevelDenominator = answered
        return metrics
    }

    static func figures(serviceLevel: Double? = nil, waiting: Int = 0) -> Snapshot.ScopeFigures {
        var figures = Snapshot.ScopeFigures()
        figures.waitingNow = waiting
        if let serviceLevel {
            figures.windows["15m"] = window(answered: 1000, within: Int((serviceLevel * 1000).rounded()))
        }
        return figures
    }

    /// One queue `sales` with the given service level over 15m, and `agents`.
    static func snapshot(
        at now: Instant, salesServiceLevel: Double? = nil, waiting: Int = 0, agents: [AgentRecord] = []
    ) -> Snapshot {
        Snapshot(
            generatedAt: now, primaryWindow: "15m", windowNames: ["15m"], sources: [],
            center: figures(serviceLevel: salesServiceLevel, waiting: waiting),
            queues: [
                Snapshot.QueueEntry(
                    settings: QueueSettings(id: "sales", name: "Sales"),
                    figures: figures(serviceLevel: salesServiceLevel, waiting: waiting))
            ],
            agents: agents, contacts: [:])
    }

    static func agent(_ id: String, _ state: AgentState, since: Instant, reason: String? = nil, team: String = "north")
        -> AgentRecord
    {
        AgentRecord(
            id: id, name: "Agent \(id)", team: team, queues: ["sales"], skills: [:], languages: [], state: state,
            reason: reason, stateSince: since, contact: nil)
    }
}

extension Instant {
    static func + (lhs: Instant, rhs: Millis) -> Instant { lhs.advanced(by: rhs) }
}

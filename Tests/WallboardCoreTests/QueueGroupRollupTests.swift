import Testing

@testable import WallboardCore

/// A queue group's roll-up against figures worked out by hand: counts and durations summed, rates
/// recomputed from the sums (never an average of the members' percentages), the longest wait the
/// longest member's, agents counted once.
struct QueueGroupRollupTests {
    static let t0 = Instant(milliseconds: 1_800_000_000_000)

    static func window(offered: Int, answered: Int, abandoned: Int, within: Int, wait: Millis, maxWait: Millis) -> WindowMetrics {
        var m = WindowMetrics()
        m.offered = offered
        m.answered = answered
        m.abandoned = abandoned
        m.answeredWithinThreshold = within
        m.serviceLevelNumerator = within
        m.serviceLevelDenominator = answered + abandoned
        m.totalAnswerWait = wait
        m.maxWait = maxWait
        return m
    }

    static func queue(_ id: String, target: Double, threshold: Millis, waiting: Int, oldest: Instant?, m: WindowMetrics) -> Snapshot.QueueEntry {
        var figures = Snapshot.ScopeFigures()
        figures.waitingNow = waiting
        figures.oldestQueuedAt = oldest
        figures.windows = ["15m": m]
        return Snapshot.QueueEntry(settings: QueueSettings(id: id, threshold: threshold, target: target), figures: figures)
    }

    static func agent(_ id: String, _ state: AgentState, queues: [String], reason: String? = nil) -> AgentRecord {
        AgentRecord(
            id: id, name: id, team: nil, queues: queues, skills: [:], languages: [], state: state, reason: reason,
            stateSince: t0, contact: nil)
    }

    // north = big (100 offered: 90 answered, 60 within 30 s, 10 abandoned) + small (10 offered: 10 answered, 10 within).
    // Members' SLs: 60/100 = 60 % and 10/10 = 100 %; their plain average would be 80 %, the weighted one is
    // (60 + 10) / (100 + 10) = 63.6 %.
    static let queues = [
        queue("big", target: 0.8, threshold: .seconds(30), waiting: 3, oldest: t0.advanced(by: -.seconds(95)),
              m: window(offered: 100, answered: 90, abandoned: 10, within: 60, wait: .seconds(1800), maxWait: .seconds(300))),
        queue("small", target: 0.9, threshold: .seconds(20), waiting: 2, oldest: t0.advanced(by: -.seconds(400)),
              m: window(offered: 10, answered: 10, abandoned: 0, within: 10, wait: .seconds(50), maxWait: .seconds(12))),
        queue("other", target: 0.8, threshold: .seconds(30), waiting: 7, oldest: t0.advanced(by: -.seconds(9000)),
              m: window(offered: 500, answered: 500, abandoned: 0, within: 0, wait: .seconds(9000), maxWait: .seconds(900))),
    ]
    static let agents = [
        agent("a1", .available, queues: ["big", "small"]),  // serves both: counted once
        agent("a2", .notReady, queues: ["small"], reason: "lunch"),
        agent("a3", .onContact, queues: ["other"]),  // not a member's: not counted
        agent("a4", .wrapUp, queues: ["big", "other"]),
    ]

    @Test func sumsCountsAndDurationsAndTakesTheLongestWait() throws {
        let group = QueueGroup(id: "north", name: "North", queues: ["big", "small"])
        let entry = QueueGroupRollup.rollup(group, queues: Self.queues, agents: Self.agents, windowNames: ["15m", "today"])
        let m = try #require(entry.figures.windows["15m"])
        #expect(m.offered == 110)
        #expect(m.answered == 100)
        #expect(m.abandoned == 10)
        #expect(m.serviceLevelNumerator == 70)
        #expect(m.serviceLevelDenominator == 110)
        #expect(abs((m.serviceLevel ?? 0) - 70.0 / 110.0) < 1e-12)
        #expect(m.averageSpeedOfAnswer == 18.5)  // (1800 + 50) s / 100 answered
        #expect(m.maxWait == .seconds(300))
        #expect(entry.figures.windows["today"] == WindowMetrics())  // a window no member has: empty, present
        #expect(entry.figures.waitingNow == 5)
        #expect(entry.figures.oldestQueuedAt == Self.t0.advanced(by: -.seconds(400)))
        #expect(entry.figures.longestWait(at: Self.t0) == .seconds(400))
        #expect(entry.figures.agents.loggedIn == 3)
        #expect(entry.figures.agents.available == 1)
        #expect(entry.figures.agents.wrapUp == 1)
        #expect(entry.figures.agents.notReady == 1)
        #expect(entry.figures.agents.notReadyReasons == ["lunch": 1])
        #expect(entry.figures.staffed == 2)
        // Targets differ (80 %, 90 %): the strictest; thresholds differ: none shown.
        #expect(entry.target == 0.9)
        #expect(abs(entry.warningLevel - 0.8) < 1e-12)
        #expect(entry.threshold == nil)
    }

    @Test func overridesAndACommonThreshold() {
        let group = QueueGroup(id: "g", queues: ["big", "other"], target: 0.75, warningLevel: 0.5)
        let entry = QueueGroupRollup.rollup(group, queues: Self.queues, agents: Self.agents, windowNames: ["15m"])
        #expect(entry.group.name == "g")
        #expect(entry.target == 0.75)
        #expect(entry.warningLevel == 0.5)
        #expect(entry.threshold == .seconds(30))
        #expect(entry.figures.waitingNow == 10)
        #expect(entry.figures.agents.loggedIn == 3)  // a1, a3, a4
        #expect(entry.figures.windows["15m"]?.maxWait == .seconds(900))
    }

    @Test func theSnapshotJSONCarriesTheRollUp() throws {
        var snapshot = Snapshot(
            generatedAt: Self.t0, primaryWindow: "15m", windowNames: ["15m"], sources: [],
            center: Snapshot.ScopeFigures(), queues: Self.queues, agents: Self.agents, contacts: [:])
        snapshot.queueGroups = QueueGroupRollup.rollups([QueueGroup(id: "north", name: "North", queues: ["big", "small"])], of: snapshot)
        let json = snapshot.json()
        let group = try #require(json["queue_groups"]?.arrayValue?.first)
        #expect(group["id"] == "north")
        #expect(group["name"] == "North")
        #expect(group["waiting_now"] == 5)
        #expect(group["longest_wait_seconds"] == 400)
        #expect(group["metrics"]?["15m"]?["offered"] == 110)
        #expect(group["threshold_seconds"] == .null)
        // No groups configured: no key, the snapshot as before.
        snapshot.queueGroups = []
        #expect(snapshot.json()["queue_groups"] == nil)
    }
}

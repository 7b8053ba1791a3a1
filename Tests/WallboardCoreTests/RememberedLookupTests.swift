import Testing

@testable import WallboardCore

/// What the per-event path remembers instead of looking up again (issue 14, "Engine per-event path
/// (session 7)"): each queue's judgement while the settings stay the same, and each logged-in agent's
/// scope ids while its queues and team stay the same. Both must be forgotten when what they stand for
/// changes, so the figures equal those of a history that never remembered anything.
@Suite struct RememberedLookupTests {
    static let start = RFC3339.parse("2026-03-28T08:00:00Z")!

    static func settings(threshold seconds: Int64, shortAbandon: Int64) -> SettingsLookup {
        SettingsLookup(
            EngineConfiguration(queues: [
                QueueSettings(id: "q", threshold: .seconds(seconds), shortAbandon: .seconds(shortAbandon))
            ]))
    }

    static func departure(_ n: Int64, _ outcome: QueueDeparture.Outcome, wait: Int64) -> TimelineEntry {
        .departure(
            QueueDeparture(
                contact: "c\(n)", queue: "q", channel: .voice, outcome: outcome, leftAt: start.advanced(by: .seconds(n)),
                wait: .seconds(wait), customer: nil, language: nil, reason: nil, team: nil, isRepeat: false))
    }

    static func advance(_ history: inout MetricsHistory, to seconds: Int64, _ settings: SettingsLookup) {
        history.advance(
            to: start.advanced(by: .seconds(seconds)), dayStart: start, intervalStart: start, keep: .minutes(20),
            settings: settings)
    }

    static func rolling(_ history: MetricsHistory, at seconds: Int64, _ settings: SettingsLookup) -> [ScopeTable] {
        let tables = history.tables(
            now: start.advanced(by: .seconds(seconds)), dayStart: start, intervalStart: start, settings: settings)
        return Array(tables.prefix(2))
    }

    /// New settings judge every rolling window from then on, entries recorded before included: a history
    /// that judged its entries by other settings first reads exactly like one that always had the new
    /// ones, also after those entries leave the windows (a remembered judgement of the old settings
    /// would count them by one threshold and take them back by another).
    @Test func newSettingsReplaceTheRememberedJudgements() {
        let old = Self.settings(threshold: 20, shortAbandon: 5)
        let new = Self.settings(threshold: 10, shortAbandon: 12)
        var changed = MetricsHistory(windows: [.minutes(2), .minutes(5)])
        var always = MetricsHistory(windows: [.minutes(2), .minutes(5)])
        Self.advance(&changed, to: 0, old)
        Self.advance(&always, to: 0, new)
        let entries: [TimelineEntry] = [
            Self.departure(10, .answered, wait: 15), Self.departure(20, .abandoned, wait: 8),
            Self.departure(30, .answered, wait: 5), Self.departure(40, .abandoned, wait: 14),
        ]
        for entry in entries {
            changed.insert(entry, settings: old)
            always.insert(entry, settings: new)
        }
        Self.advance(&changed, to: 60, old)
        Self.advance(&always, to: 60, new)
        #expect(Self.rolling(changed, at: 60, old) != Self.rolling(always, at: 60, new))
        changed.reconfigure(windows: [.minutes(2), .minutes(5)], settings: new)
        #expect(Self.rolling(changed, at: 60, new) == Self.rolling(always, at: 60, new))
        for (n, entry) in [(70, Self.departure(70, .answered, wait: 11)), (90, Self.departure(90, .abandoned, wait: 6))] {
            changed.insert(entry, settings: new)
            always.insert(entry, settings: new)
            Self.advance(&changed, to: Int64(n), new)
            Self.advance(&always, to: Int64(n), new)
        }
        // The first entries leave the 2-minute window, then the 5-minute one.
        for seconds: Int64 in [150, 170, 200, 330, 400] {
            Self.advance(&changed, to: seconds, new)
            Self.advance(&always, to: seconds, new)
            #expect(Self.rolling(changed, at: seconds, new) == Self.rolling(always, at: seconds, new))
        }
        let answered = Self.rolling(changed, at: 150, new)[1][.queue("q")]
        #expect(answered?.answeredWithinThreshold == 1)
        #expect(answered?.shortAbandoned == 2)
    }

    /// An agent's scope ids are remembered per agent only while its queues and team stay the same: a
    /// login under other queues (with or without a logout first) counts time in the new scopes only,
    /// as in a history told the scopes every time.
    @Test func anAgentsScopesFollowItsQueuesAndTeam() {
        var remembered = MetricsHistory(windows: [.minutes(30)])
        var told = MetricsHistory(windows: [.minutes(30)])
        let settings = Self.settings(threshold: 20, shortAbandon: 0)
        Self.advance(&remembered, to: 0, settings)
        Self.advance(&told, to: 0, settings)
        let changes: [(queues: [String], team: String?, from: AgentState?, to: AgentState?, at: Int64)] = [
            (["q1"], "t1", nil, .available, 10),
            (["q1"], "t1", .available, .onContact, 20),
            (["q1"], "t1", .onContact, nil, 30),  // a new login replaces the record: its old one closes
            (["q2", "q3"], "t2", nil, .available, 30),
            (["q2", "q3"], "t2", .available, .wrapUp, 50),
            (["q2", "q3"], "t2", .wrapUp, nil, 70),
            (["q1"], nil, nil, .notReady, 80),
            (["q1"], nil, .notReady, .available, 100),
        ]
        for change in changes {
            let at = Self.start.advanced(by: .seconds(change.at))
            remembered.agentChange(
                agent: "a", queues: change.queues, team: change.team, from: change.from, to: change.to, at: at)
            told.agentChange(
                scopes: ScopeKey.agentScopes(queues: change.queues, team: change.team), from: change.from, to: change.to,
                at: at)
        }
        Self.advance(&remembered, to: 120, settings)
        Self.advance(&told, to: 120, settings)
        let now = Self.start.advanced(by: .seconds(120))
        let tables = remembered.tables(now: now, dayStart: Self.start, intervalStart: Self.start, settings: settings)
        #expect(tables == told.tables(now: now, dayStart: Self.start, intervalStart: Self.start, settings: settings))
        // q1: 10-30 s and 80-120 s; q2: 30-70 s; t1 only until the first login closed.
        #expect(tables[0][.queue("q1")]?.loggedInTime == .seconds(60))
        #expect(tables[0][.queue("q2")]?.loggedInTime == .seconds(40))
        #expect(tables[0][.team("t1")]?.loggedInTime == .seconds(20))
        #expect(tables[0][.team("t2")]?.handlingTime == .seconds(20))
    }
}

import JSONModel
import Testing
import WallboardAlerts

@testable import WallboardCore

@Suite struct AlertEngineTests {
    typealias F = SnapshotFixtures
    let t0 = SnapshotFixtures.t0

    static func slRule(
        for duration: Millis = .minutes(2), clear: Double? = 0.85, renotify: Millis? = nil, refire: Millis = 0,
        business: WeeklySchedule? = nil, quiet: WeeklySchedule? = nil
    ) -> AlertRule {
        AlertRule(
            name: "sales-sl", metric: .serviceLevel, scope: .queue("sales"), window: "15m", comparison: .lessThan,
            threshold: 0.8, clearThreshold: clear, forDuration: duration, severity: .critical,
            renotifyInterval: renotify, refireAfter: refire, businessHours: business, quietHours: quiet,
            notifiers: ["slack"])
    }

    /// Runs the engine once per second from `start` for `seconds`, with the service level from `level(second)`.
    static func run(
        _ engine: inout AlertEngine, from start: Instant, seconds: Int, level: (Int) -> Double?
    ) -> [(Int, AlertAction)] {
        var all: [(Int, AlertAction)] = []
        for second in 0..<seconds {
            let now = start + .seconds(Int64(second))
            for action in engine.evaluate(snapshot: F.snapshot(at: now, salesServiceLevel: level(second)), now: now) {
                all.append((second, action))
            }
        }
        return all
    }

    static func notifications(_ actions: [(Int, AlertAction)]) -> [(Int, AlertEvent)] {
        actions.compactMap { second, action in action.notification.map { (second, $0.event) } }
    }

    @Test func forDurationFiresOnceAfterTheConditionHeld() {
        var engine = AlertEngine(rules: [Self.slRule(for: .minutes(2))])
        let actions = Self.run(&engine, from: t0, seconds: 600, level: { _ in 0.7 })
        let events = Self.notifications(actions)
        #expect(events.count == 1)
        #expect(events.first?.0 == 120)
        #expect(events.first?.1 == .fire)
        #expect(engine.activeAlerts.first?.state == .firing)
        // The first tick showed it pending on the board.
        #expect(actions.first?.0 == 0 && actions.first?.1 == .update)
    }

    @Test func aBreachShorterThanForNeverFires() {
        var engine = AlertEngine(rules: [Self.slRule(for: .minutes(2))])
        let actions = Self.run(&engine, from: t0, seconds: 600, level: { ($0 / 60) % 2 == 0 ? 0.7 : 0.9 })
        #expect(Self.notifications(actions).isEmpty)
    }

    @Test func hysteresisKeepsAnAlertFiringBetweenThresholdAndClear() {
        var engine = AlertEngine(rules: [Self.slRule(for: 0, clear: 0.85)])
        // Fires at 0.7, then hovers 0.79 ↔ 0.82 (between threshold and clear) for ten minutes, then recovers.
        let actions = Self.run(&engine, from: t0, seconds: 900) { second in
            second == 0 ? 0.7 : second < 600 ? (second % 2 == 0 ? 0.79 : 0.82) : 0.9
        }
        let events = Self.notifications(actions)
        #expect(events.map(\.1) == [.fire, .resolve])
        #expect(events.last?.0 == 600)
    }

    @Test func withoutAClearThresholdTheRefireGuardStopsAStorm() {
        var engine = AlertEngine(rules: [Self.slRule(for: 0, clear: nil, refire: .minutes(5))])
        let actions = Self.run(&engine, from: t0, seconds: 600, level: { $0 % 2 == 0 ? 0.79 : 0.81 })
        let events = Self.notifications(actions)
        // fire at 0, resolve at 1, next fire only once 5 minutes have passed since the resolve.
        #expect(events.map(\.0) == [0, 1, 302, 303])
        #expect(events.map(\.1) == [.fire, .resolve, .fire, .resolve])
    }

    @Test func renotifyRepeatsUntilAcknowledged() throws {
        var engine = AlertEngine(rules: [Self.slRule(for: 0, renotify: .minutes(10))])
        var events = Self.notifications(Self.run(&engine, from: t0, seconds: 1500, level: { _ in 0.5 }))
        #expect(events.map(\.0) == [0, 600, 1200])
        #expect(events.map(\.1) == [.fire, .renotify, .renotify])
        let id = try #require(engine.activeAlerts.first?.id)
        let ack = try engine.acknowledge(id: id, by: "maria", now: t0 + .seconds(1500))
        guard case .acknowledge(let acknowledged) = ack.first else { Issue.record("no ack action"); return }
        #expect(acknowledged.acknowledgedBy == "maria")
        #expect(acknowledged.acknowledgedAt == t0 + .seconds(1500))
        #expect(try engine.acknowledge(id: id, by: "maria", now: t0 + .seconds(1501)).isEmpty)
        events = Self.notifications(Self.run(&engine, from: t0 + .seconds(1501), seconds: 1500, level: { _ in 0.5 }))
        #expect(events.isEmpty)
    }

    @Test func acknowledgedAlertsResolveAndKeepWhoAcknowledged() throws {
        var engine = AlertEngine(rules: [Self.slRule(for: 0)])
        _ = engine.evaluate(snapshot: F.snapshot(at: t0, salesServiceLevel: 0.5), now: t0)
        let id = try #require(engine.activeAlerts.first?.id)
        _ = try engine.acknowledge(id: id, by: "maria", now: t0 + 1000)
        let actions = engine.evaluate(snapshot: F.snapshot(at: t0 + 2000, salesServiceLevel: 0.9), now: t0 + 2000)
        guard case .resolve(let resolved) = actions.first else { Issue.record("expected resolve: \(actions)"); return }
        #expect(resolved.id == id)
        #expect(resolved.state == .resolved)
        #expect(resolved.acknowledgedBy == "maria")
        #expect(resolved.resolution == "cleared")
        #expect(engine.activeAlerts.isEmpty)
        #expect(engine.history.map(\.id) == [id])
        #expect(throws: AlertAckError.alreadyResolved(id: id)) {
            try engine.acknowledge(id: id, by: "x", now: t0 + 3000)
        }
        #expect(throws: AlertAckError.notFound(id: "nope")) {
            try engine.acknowledge(id: "nope", by: "x", now: t0 + 3000)
        }
    }

    @Test func idsAndDedupKeysAreStablePerEpisodeAndNewForTheNext() {
        var engine = AlertEngine(rules: [Self.slRule(for: 0, refire: 0)])
        let actions = Self.run(&engine, from: t0, seconds: 6, level: { $0 < 2 || $0 >= 4 ? 0.5 : 0.9 })
        let alerts = actions.compactMap { $0.1.notification?.alert }
        #expect(alerts.count == 3)
        #expect(alerts[0].dedupKey == alerts[1].dedupKey)  // fire and resolve of episode 1
        #expect(alerts[2].dedupKey != alerts[0].dedupKey)  // episode 2
        #expect(alerts[0].fingerprint == alerts[2].fingerprint)
        #expect(alerts[0].fingerprint == AlertEngine.fingerprint(rule: "sales-sl", instance: "queue:sales"))
    }

    @Test func quietHoursShowTheAlertButHoldTheNotificationUntilTheyEnd() {
        // Quiet 10:00-10:05 local (UTC here); the breach starts at 10:00.
        let quiet = WeeklySchedule(ranges: [WeeklySchedule.Range("10:00-10:05")!])
        var engine = AlertEngine(rules: [Self.slRule(for: 0, quiet: quiet)])
        let actions = Self.run(&engine, from: t0, seconds: 400, level: { _ in 0.5 })
        let events = Self.notifications(actions)
        #expect(events.count == 1)
        #expect(events.first?.0 == 300 && events.first?.1 == .fire)
        #expect(actions.first?.1 == .update)
    }

    @Test func anAlertThatClearsDuringQuietHoursIsNeverSent() {
        let quiet = WeeklySchedule(ranges: [WeeklySchedule.Range("10:00-10:05")!])
        var engine = AlertEngine(rules: [Self.slRule(for: 0, quiet: quiet)])
        let actions = Self.run(&engine, from: t0, seconds: 400, level: { $0 < 60 ? 0.5 : 0.9 })
        #expect(Self.notifications(actions).isEmpty)
        #expect(engine.history.first?.notified == false)
    }

    @Test func businessHoursUseTheCentersLocalTime() {
        // 08:00-18:00 in UTC+9: t0 (10:00Z) is 19:00 local, closed; 23:00Z is 08:00 local next day (Tuesday).
        let hours = WeeklySchedule(days: Set(1...5), ranges: [WeeklySchedule.Range("08:00-18:00")!])
        var engine = AlertEngine(rules: [Self.slRule(for: 0, business: hours)], utcOffset: { _ in .minutes(9 * 60) })
        var actions = engine.evaluate(snapshot: F.snapshot(at: t0, salesServiceLevel: 0.5), now: t0)
        #expect(actions.isEmpty)
        let open = t0 + .minutes(13 * 60)
        actions = engine.evaluate(snapshot: F.snapshot(at: open, salesServiceLevel: 0.5), now: open)
        #expect(actions.first?.notification?.event == .fire)
        // Closing time resolves it.
        let close = t0 + .minutes(23 * 60)
        actions = engine.evaluate(snapshot: F.snapshot(at: close, salesServiceLevel: 0.5), now: close)
        #expect(actions.first?.notification?.event == .resolve)
        #expect(actions.first?.notification?.alert.resolution == "outside_business_hours")
    }

    @Test func wrapUpLongerThanFiveMinutesAlertsForThatAgentOnly() {
        let rule = AlertRule(
            name: "long-wrapup", metric: .agentStateSeconds(state: .wrapUp, reason: nil), scope: .everyAgent,
            comparison: .greaterThan, threshold: 300, notifiers: ["slack"])
        var engine = AlertEngine(rules: [rule])
        let agents = [
            F.agent("a01", .wrapUp, since: t0), F.agent("a02", .onContact, since: t0),
            F.agent("a03", .wrapUp, since: t0 + .minutes(4)),
        ]
        var fired: [Alert] = []
        for second in stride(from: 0, through: 420, by: 10) {
            let now = t0 + .seconds(Int64(second))
            let actions = engine.evaluate(snapshot: F.snapshot(at: now, agents: agents), now: now)
            fired += actions.compactMap { $0.notification?.alert }
        }
        #expect(fired.map(\.instance) == ["agent:a01"])
        #expect(fired.first?.labels["agent"] == "a01")
        #expect(fired.first?.summary == "Time in wrap_up 5m 10s > 5m on agent Agent a01 (a01)")
        // a01 goes available: resolves.
        let later = t0 + .seconds(430)
        let actions = engine.evaluate(
            snapshot: F.snapshot(at: later, agents: [F.agent("a01", .available, since: later)]), now: later)
        #expect(actions.compactMap { $0.notification?.event } == [.resolve])
    }

    @Test func stateSurvivesARoundTripWithoutRepaging() throws {
        var engine = AlertEngine(rules: [Self.slRule(for: 0, renotify: .minutes(10))])
        _ = Self.run(&engine, from: t0, seconds: 5, level: { _ in 0.5 })
        let id = try #require(engine.activeAlerts.first?.id)
        _ = try engine.acknowledge(id: id, by: "maria", now: t0 + 5000)
        var restored = AlertEngine(rules: engine.rules)
        try restored.restore(from: engine.stateJSON())
        #expect(restored.activeAlerts == engine.activeAlerts)
        #expect(restored.stateJSON() == engine.stateJSON())
        let actions = restored.evaluate(snapshot: F.snapshot(at: t0 + 6000, salesServiceLevel: 0.5), now: t0 + 6000)
        #expect(actions.compactMap(\.notification).isEmpty)
        let resolve = restored.evaluate(snapshot: F.snapshot(at: t0 + 7000, salesServiceLevel: 0.95), now: t0 + 7000)
        #expect(resolve.first?.notification?.alert.id == id)
    }

    @Test func removingARuleResolvesItsAlerts() {
        var engine = AlertEngine(rules: [Self.slRule(for: 0)])
        _ = engine.evaluate(snapshot: F.snapshot(at: t0, salesServiceLevel: 0.5), now: t0)
        let actions = engine.replaceRules([], now: t0 + 1000)
        #expect(actions.first?.notification?.event == .resolve)
        #expect(actions.first?.notification?.alert.resolution == "rule_removed")
    }

    @Test func historyKeepsOnlyToday() {
        var engine = AlertEngine(rules: [Self.slRule(for: 0)])
        _ = Self.run(&engine, from: t0, seconds: 2, level: { $0 == 0 ? 0.5 : 0.9 })
        #expect(engine.history.count == 1)
        let tomorrow = t0 + .minutes(24 * 60)
        _ = engine.evaluate(snapshot: F.snapshot(at: tomorrow, salesServiceLevel: 0.9), now: tomorrow)
        #expect(engine.history.isEmpty)
    }
}

import JSONModel
import Testing
import WallboardAlerts
import WallboardCore

/// Alert rules on the projected close (`projected_service_level`, `projected_abandon_rate`; docs/alerts.md).
@Suite struct ProjectionAlertTests {
    typealias F = SnapshotFixtures

    static let slack: JSONValue = ["name": "slack", "kind": "slack", "url": "https://hooks.slack.com/services/T/B/X"]

    /// "Projected close below target": the projected service level under 80 % for 5 minutes.
    static let belowTarget: JSONValue = [
        "name": "projected-close-below-target", "metric": "projected_service_level", "scope": "queue:*",
        "comparison": "<", "threshold": .number(0.8), "for": "5m", "severity": "warning", "notifiers": ["slack"],
    ]

    /// A snapshot whose `sales` queue is projected to close at `within` of 100 contacts within the threshold
    /// (today's actuals, nothing left to expect); nil: an undefined projection (no agent staffed).
    static func snapshot(at now: Instant, within: Int?) -> Snapshot {
        var snapshot = F.snapshot(at: now, salesServiceLevel: 0.9)
        var actual = WindowMetrics()
        actual.offered = 100
        actual.answered = 96
        actual.abandoned = 4
        actual.answeredWithinThreshold = within ?? 0
        actual.serviceLevelNumerator = within ?? 0
        actual.serviceLevelDenominator = 100
        actual.handledCount = 96
        actual.totalTalk = 96 * 200_000
        let slots = within == nil ? [CloseProjection.Slot(start: now, end: now + .minutes(30), arrivals: 10)] : []
        snapshot.queues[0].figures.projection = CloseProjection.project(
            CloseProjection.Input(
                actual: actual, slots: slots, agents: 0, threshold: .seconds(20), treatment: .negative, source: .yesterday,
                patternDay: "2026-11-22", close: now + .minutes(30)))
        return snapshot
    }

    @Test func projectedMetricsReadWithoutAWindowAndAreRates() throws {
        var abandon = Self.belowTarget.objectValue!
        abandon["name"] = "projected-abandons"
        abandon["metric"] = "projected_abandon_rate"
        abandon["comparison"] = ">"
        abandon["threshold"] = .number(0.05)
        let config = try AlertConfiguration(json: ["notifiers": [Self.slack], "rules": [Self.belowTarget, .object(abandon)]])
        #expect(config.rules.map(\.metric) == [.projectedServiceLevel, .projectedAbandonRate])
        #expect(config.rules.allSatisfy { !$0.metric.isWindowMetric && $0.metric.isRate })
        var windowed = Self.belowTarget.objectValue!
        windowed["window"] = "15m"
        #expect(throws: AlertConfigError.self) {
            try AlertConfiguration(json: ["notifiers": [Self.slack], "rules": [.object(windowed)]])
        }
        var percent = Self.belowTarget.objectValue!
        percent["threshold"] = 80
        #expect(throws: AlertConfigError.self) {
            try AlertConfiguration(json: ["notifiers": [Self.slack], "rules": [.object(percent)]])
        }
    }

    @Test func projectedCloseBelowTargetFiresAfterItsDurationAndResolves() throws {
        let config = try AlertConfiguration(json: ["notifiers": [Self.slack], "rules": [Self.belowTarget]])
        var engine = AlertEngine(rules: config.rules)
        let t0 = F.t0
        // 80 % is not below 80 %: nothing.
        #expect(engine.evaluate(snapshot: Self.snapshot(at: t0, within: 80), now: t0).isEmpty)
        _ = engine.evaluate(snapshot: Self.snapshot(at: t0 + .seconds(1), within: 72), now: t0 + .seconds(1))
        #expect(engine.activeAlerts.first?.state == .pending)
        let fire = engine.evaluate(snapshot: Self.snapshot(at: t0 + .minutes(5) + .seconds(1), within: 72), now: t0 + .minutes(5) + .seconds(1))
        let alert = try #require(engine.activeAlerts.first)
        #expect(alert.state == .firing)
        #expect(alert.value == 0.72)
        #expect(alert.summary == "Projected close service level 72% < 80% on queue Sales")
        #expect(fire.contains { $0.notification?.event == .fire })
        // An undefined projection (nobody staffed with contacts expected) never breaches: it resolves.
        _ = engine.evaluate(snapshot: Self.snapshot(at: t0 + .minutes(6), within: nil), now: t0 + .minutes(6))
        #expect(engine.activeAlerts.isEmpty)
    }
}

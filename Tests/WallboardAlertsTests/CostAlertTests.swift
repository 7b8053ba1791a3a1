import JSONModel
import Testing
import WallboardAlerts

@testable import WallboardCore

/// Alert rules on the cost metrics (`cost`, `cost_per_handled`, `cost_per_offered`; docs/alerts.md).
@Suite struct CostAlertTests {
    typealias F = SnapshotFixtures

    static func rule(_ metric: String, scope: String = "queue:sales", threshold: Double = 4.5) -> JSONValue {
        [
            "name": .string("cost-\(metric)"), "metric": .string(metric), "scope": .string(scope), "window": "15m",
            "comparison": ">", "threshold": .number(threshold), "for": "0s", "severity": "warning",
            "notifiers": ["slack"],
        ]
    }

    static let slack: JSONValue = ["name": "slack", "kind": "slack", "url": "https://hooks.slack.com/services/T/B/X"]

    /// A snapshot whose `sales` queue cost `perHandled` cents per handled contact over 15m (EUR).
    static func snapshot(at now: Instant, perHandled: Int64?, team: Bool = false) -> Snapshot {
        var snapshot = F.snapshot(at: now, salesServiceLevel: 0.9)
        snapshot.costs = CostConfiguration(currency: "EUR", agentHourly: 3000)
        let figures = CostFigures(total: perHandled.map { $0 * 10 }, perHandled: perHandled, perOffered: nil)
        snapshot.queues[0].figures.costs["15m"] = figures
        snapshot.center.costs["15m"] = figures
        if team {
            snapshot.agents = [
                AgentRecord(
                    id: "a1", name: "a1", team: "north", queues: ["sales"], skills: [:], languages: [], state: .available,
                    reason: nil, stateSince: now, contact: nil)
            ]
            var north = Snapshot.ScopeFigures()
            north.costs["15m"] = figures
            snapshot.teams = [Snapshot.GroupEntry(id: "north", figures: north)]
        }
        return snapshot
    }

    @Test func costRulesReadAndNeedAWindow() throws {
        let config = try AlertConfiguration(json: [
            "notifiers": [Self.slack],
            "rules": [Self.rule("cost_per_handled"), Self.rule("cost_per_offered"), Self.rule("cost", scope: "team:north")],
        ])
        #expect(config.rules.map(\.metric) == [.costPerHandled, .costPerOffered, .cost])
        #expect(config.rules.allSatisfy { $0.metric.isWindowMetric })
        var windowless = Self.rule("cost_per_handled").objectValue!
        windowless["window"] = nil
        #expect(throws: AlertConfigError.self) {
            try AlertConfiguration(json: ["notifiers": [Self.slack], "rules": [.object(windowless)]])
        }
        #expect(throws: AlertConfigError.self) {
            try AlertConfiguration(json: ["notifiers": [Self.slack], "rules": [Self.rule("cost", scope: "agent:*")]])
        }
    }

    @Test func costPerHandledFiresInTheCurrencysUnitsAndResolves() throws {
        let config = try AlertConfiguration(json: ["notifiers": [Self.slack], "rules": [Self.rule("cost_per_handled")]])
        var engine = AlertEngine(rules: config.rules)
        let t0 = F.t0
        // 4.50 EUR is not above 4.5: nothing.
        #expect(engine.evaluate(snapshot: Self.snapshot(at: t0, perHandled: 450), now: t0).isEmpty)
        let fire = engine.evaluate(snapshot: Self.snapshot(at: t0 + .seconds(1), perHandled: 451), now: t0 + .seconds(1))
        let alert = try #require(engine.activeAlerts.first)
        #expect(alert.state == .firing)
        #expect(alert.value == 4.51)
        #expect(alert.summary == "Cost per handled contact (15m) 4.51 > 4.5 on queue Sales")
        #expect(fire.contains { $0.notification?.event == .fire })
        // Undefined (nothing handled) resolves it.
        _ = engine.evaluate(snapshot: Self.snapshot(at: t0 + .seconds(2), perHandled: nil), now: t0 + .seconds(2))
        #expect(engine.activeAlerts.isEmpty)
    }

    @Test func aTeamsCostIsMeasured() throws {
        let config = try AlertConfiguration(json: [
            "notifiers": [Self.slack], "rules": [Self.rule("cost", scope: "team:north", threshold: 10)],
        ])
        var engine = AlertEngine(rules: config.rules)
        _ = engine.evaluate(snapshot: Self.snapshot(at: F.t0, perHandled: 200, team: true), now: F.t0)
        #expect(engine.activeAlerts.first?.value == 20)
        #expect(engine.activeAlerts.first?.labels["team"] == "north")
    }
}

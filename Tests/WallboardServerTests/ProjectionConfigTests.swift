import Testing
import WallboardAlerts
import WallboardCore
@testable import WallboardServer

/// `projection: { close: }` and a queue's `close:` (docs/configuration.md; docs/metrics.md, "Projected close").
@Suite struct ProjectionConfigTests {
    @Test func closeTimesReadCenterWideAndPerQueue() throws {
        let yaml = """
            projection:
              close: "20:00"
            queues:
              - {id: sales, close: "18:30"}
              - {id: support, close: "24:00"}
              - {id: billing}
            """
        let engine = try DaemonConfiguration.parse(yaml: yaml, fileName: "w.yaml").engine
        #expect(engine.projectionClose == .minutes(20 * 60))
        let closes: [Millis?] = engine.queues.map(\.close)
        let expected: [Millis?] = [Millis.minutes(18 * 60 + 30), 0, nil]
        #expect(closes == expected)
        #expect(try DaemonConfiguration.parse(yaml: "log_level: info", fileName: "w.yaml").engine.projectionClose == nil)
    }

    @Test func badCloseTimesSayWhatIsWrongAndWhere() {
        for (yaml, key, words) in [
            ("projection:\n  close: \"25:00\"", "projection.close", "\"25:00\" is not a time of day HH:MM"),
            ("projection:\n  close: \"8pm\"", "projection.close", "is not a time of day HH:MM"),
            ("projection:\n  close: 20", "projection.close", "string"),
            ("projection:\n  open: \"08:00\"", "projection", "unknown key"),
            ("queues:\n  - {id: sales, close: \"18:5\"}", "queues[0].close", "is not a time of day HH:MM"),
        ] {
            #expect {
                _ = try DaemonConfiguration.parse(yaml: yaml, fileName: "w.yaml")
            } throws: { error in
                "\(error)".contains(key) && "\(error)".contains(words)
            }
        }
    }

    @Test func projectedCloseRulesRead() throws {
        let yaml = """
            alerts:
              notifiers:
                - {name: hook, kind: webhook, url: "https://example.com/hook"}
              rules:
                - {name: projected-close-below-target, metric: projected_service_level, scope: "queue:*", comparison: "<", threshold: 0.8, for: 10m, notifiers: [hook]}
            """
        let rules = try DaemonConfiguration.parse(yaml: yaml, fileName: "w.yaml").alerts.rules
        #expect(rules.first?.metric == .projectedServiceLevel)
    }
}

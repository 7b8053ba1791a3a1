import JSONModel
import Testing
import WallboardAlerts
import WallboardCore

@Suite struct AlertConfigurationTests {
    /// The config loader's `path → line` lookup, faked: every path gets a line from this table.
    static let lines: [String: Int] = [
        "alerts.rules[0].threshold": 12, "alerts.rules[0].metric": 10, "alerts.rules[1].notifiers[0]": 27,
        "alerts.rules[1].scope": 22, "alerts.notifiers[0].kind": 4,
    ]

    static let validRule: JSONValue = [
        "name": "sales-sl", "metric": "service_level", "scope": "queue:sales", "window": "15m", "comparison": "<",
        "threshold": .number(0.8), "clear_threshold": .number(0.85), "for": "2m", "severity": "critical",
        "labels": ["team": "north"], "renotify_every": "30m", "notifiers": ["slack"],
        "business_hours": ["days": ["weekdays"], "hours": ["08:00-18:00"]],
        "quiet_hours": ["hours": "22:00-07:00"],
    ]

    static let slack: JSONValue = ["name": "slack", "kind": "slack", "url": "https://hooks.slack.com/services/T/B/X"]

    @Test func aValidRuleIsReadWithEveryKey() throws {
        let config = try AlertConfiguration(json: ["notifiers": [Self.slack], "rules": [Self.validRule]])
        let rule = try #require(config.rules.first)
        #expect(rule.metric == .serviceLevel)
        #expect(rule.scope == .queue("sales"))
        #expect(rule.comparison == .lessThan)
        #expect(rule.threshold == 0.8 && rule.clearThreshold == 0.85)
        #expect(rule.forDuration == .minutes(2))
        #expect(rule.renotifyInterval == .minutes(30))
        #expect(rule.businessHours?.days == Set(1...5))
        #expect(rule.quietHours?.ranges == [WeeklySchedule.Range(start: 22 * 60, end: 7 * 60)])
        #expect(rule.notifiers == ["slack"])
        #expect(config.notifiers.first?.kind == .slack)
    }

    @Test func errorsNameTheRuleTheKeyAndTheLine() {
        var bad = Self.validRule.objectValue!
        bad["threshold"] = "eighty"
        var second: JSONObject = [
            "name": "wrapup", "metric": "agent_state_seconds", "state": "wrap_up", "scope": "queue:sales",
        ]
        second["comparison"] = ">"
        second["threshold"] = 300
        second["notifiers"] = ["pager"]
        let json: JSONValue = ["notifiers": [Self.slack], "rules": [.object(bad), .object(second)]]
        #expect {
            try AlertConfiguration(json: json, line: { Self.lines[$0] })
        } throws: { error in
            guard let error = error as? AlertConfigError else { return false }
            let threshold = error.issues.first { $0.path == "alerts.rules[0].threshold" }
            let scope = error.issues.first { $0.path == "alerts.rules[1].scope" }
            let notifier = error.issues.first { $0.path == "alerts.rules[1].notifiers[0]" }
            return threshold?.rule == "sales-sl" && threshold?.line == 12
                && scope?.rule == "wrapup" && scope?.line == 22 && scope?.message.contains("agent:*") == true
                && notifier?.line == 27 && notifier?.message.contains("unknown notifier \"pager\"") == true
                && error.description.contains("line 12: rule \"sales-sl\": alerts.rules[0].threshold")
        }
    }

    @Test(arguments: [
        ("metric", JSONValue.string("speed"), "unknown metric"),
        ("comparison", "==", "expected <, <=, > or >="),
        ("threshold", .number(80), "fraction 0..1"),
        ("clear_threshold", .number(0.7), "must be at or above threshold"),
        ("for", "five minutes", "duration"),
        // Durations from config follow the rule for numbers from outside: at most 7 days, never a trap.
        ("for", "99999999999999999s", "duration \"99999999999999999s\" is longer than 7d"),
        ("for", "99999999999999999999999d", "longer than 7d"),
        ("for", .number(1e300), "longer than 7d"),
        ("for", .number(1e17), "longer than 7d"),
        ("refire_after", "8d", "longer than 7d"),
        ("renotify_every", "9223372036854775807ms1h", "longer than 7d"),
        ("severity", "page", "info, warning or critical"),
        ("window", 15, "expected a non-empty string"),
        ("frequency", "1m", "unknown key"),
        ("renotify_every", "10s", "at least 1m"),
        ("state", "wrap_up", "only agent_state_seconds"),
    ])
    func eachBadKeyIsReported(key: String, value: JSONValue, message: String) {
        var rule = Self.validRule.objectValue!
        rule[key] = value
        do {
            _ = try AlertConfiguration(json: ["notifiers": [Self.slack], "rules": [.object(rule)]])
            Issue.record("expected an error for \(key)")
        } catch {
            let issue = error.issues.first { $0.path == "alerts.rules[0].\(key)" }
            #expect(issue?.message.contains(message) == true, "\(error)")
            #expect(issue?.rule == "sales-sl")
        }
    }

    @Test func windowMetricsNeedAKnownWindow() {
        var rule = Self.validRule.objectValue!
        rule["window"] = "45m"
        #expect(throws: AlertConfigError.self) {
            try AlertConfiguration(
                json: ["notifiers": [Self.slack], "rules": [.object(rule)]], knownWindows: ["15m", "60m"])
        }
        rule["window"] = nil
        #expect(throws: AlertConfigError.self) {
            try AlertConfiguration(json: ["notifiers": [Self.slack], "rules": [.object(rule)]])
        }
    }

    @Test func pagerDutyNeedsARoutingKeyAndDefaultsItsURL() throws {
        #expect(throws: AlertConfigError.self) {
            try AlertConfiguration(json: ["notifiers": [["name": "pd", "kind": "pagerduty"]]])
        }
        let config = try AlertConfiguration(json: [
            "notifiers": [["name": "pd", "kind": "pagerduty", "routing_key": "R0"]]
        ])
        #expect(config.notifiers.first?.url == NotifierConfig.pagerDutyEventsURL)
    }

    @Test func deliveryPolicyIsRead() throws {
        let config = try AlertConfiguration(json: [
            "delivery": ["max_attempts": 5, "initial_backoff": "2s", "max_backoff": "1m", "jitter": .number(0.5)]
        ])
        #expect(config.delivery.maxAttempts == 5)
        #expect(config.delivery.initialBackoff == 2000)
        #expect(config.delivery.maxBackoff == 60_000)
        #expect(config.delivery.jitter == 0.5)
    }
}

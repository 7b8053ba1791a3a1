import JSONModel
import Testing
import WallboardAlerts
import WallboardCore

@Suite struct NotificationBuilderTests {
    let t0 = SnapshotFixtures.t0
    let context = NotificationContext(source: "wallboard-01", boardURL: "https://board.example/")

    /// A fired alert, and the same alert resolved two minutes later.
    func alerts() -> (fired: Alert, resolved: Alert) {
        let rule = AlertRule(
            name: "sales-sl", metric: .serviceLevel, scope: .queue("sales"), window: "15m", comparison: .lessThan,
            threshold: 0.8, severity: .critical, labels: ["site": "lyon"], notifiers: ["x"])
        var engine = AlertEngine(rules: [rule])
        let fired = engine.evaluate(snapshot: SnapshotFixtures.snapshot(at: t0, salesServiceLevel: 0.72), now: t0)
        let later = t0 + .minutes(2)
        let resolved = engine.evaluate(
            snapshot: SnapshotFixtures.snapshot(at: later, salesServiceLevel: 0.9), now: later)
        return (fired[0].notification!.alert, resolved[0].notification!.alert)
    }

    func makeBody(_ kind: NotifierConfig.Kind, _ event: AlertEvent, _ alert: Alert) -> JSONValue? {
        let notifier = NotifierConfig(name: "x", kind: kind, url: "https://example/hook", routingKey: "ROUTING")
        let request = NotificationBuilder.request(for: event, alert: alert, notifier: notifier, context: context)
        if let request {
            #expect(request.method == "POST")
            #expect(request.header("content-type") == "application/json")
        }
        return request?.body
    }

    @Test func slackHasFallbackTextAndEscapedBlocks() throws {
        let body = try #require(makeBody(.slack, .fire, alerts().fired))
        let text = try #require(body["text"]?.stringValue)
        #expect(text.contains("FIRING [critical] sales-sl on queue:sales"))
        #expect(text.contains("72% &lt; 80%"))  // mrkdwn: < escaped
        let blocks = try #require(body["blocks"]?.arrayValue)
        #expect(blocks.map { $0["type"]?.stringValue } == ["header", "section", "context"])
        #expect(blocks[0]["text"]?["type"] == "plain_text")
        #expect((blocks[0]["text"]?["text"]?.stringValue?.count ?? 999) <= 150)
        #expect(blocks[1]["text"]?["type"] == "mrkdwn")
        #expect((blocks[1]["fields"]?.arrayValue?.count ?? 99) <= 10)
    }

    @Test func teamsIsAMessageWithOneAdaptiveCard() throws {
        let body = try #require(makeBody(.teams, .fire, alerts().fired))
        #expect(body["type"] == "message")
        let attachment = try #require(body["attachments"]?.arrayValue?.first)
        #expect(body["attachments"]?.arrayValue?.count == 1)
        #expect(attachment["contentType"] == "application/vnd.microsoft.card.adaptive")
        let card = try #require(attachment["content"])
        #expect(card["type"] == "AdaptiveCard")
        #expect(card["$schema"] == "http://adaptivecards.io/schemas/adaptive-card.json")
        #expect(card["version"] == "1.4")
        #expect(card["body"]?.arrayValue?.isEmpty == false)
        #expect(card["actions"]?.arrayValue?.first?["url"] == "https://board.example/")
    }

    @Test func pagerDutyTriggerAndResolveShareTheDedupKey() throws {
        let (fired, resolved) = alerts()
        let trigger = try #require(makeBody(.pagerduty, .fire, fired))
        #expect(trigger["routing_key"] == "ROUTING")
        #expect(trigger["event_action"] == "trigger")
        let payload = try #require(trigger["payload"])
        #expect(payload["summary"] == "Service level (15m) 72% < 80% on queue Sales")
        #expect(payload["source"] == "wallboard-01")
        #expect(payload["severity"] == "critical")
        #expect(payload["timestamp"] == "2026-11-23T10:00:00.000Z")
        #expect(payload["custom_details"]?["value"] == .number(0.72))
        let resolve = try #require(makeBody(.pagerduty, .resolve, resolved))
        #expect(resolve["event_action"] == "resolve")
        #expect(resolve["dedup_key"] == trigger["dedup_key"])
        #expect(resolve["payload"] == nil)
        #expect((trigger["dedup_key"]?.stringValue?.count ?? 999) <= 255)
        #expect(makeBody(.pagerduty, .renotify, fired) == nil)
    }

    @Test(arguments: AlertSeverity.allCases)
    func pagerDutySeveritiesAreOnesItAccepts(severity: AlertSeverity) throws {
        var alert = alerts().fired
        alert.severity = severity
        let value = try #require(makeBody(.pagerduty, .fire, alert)?["payload"]?["severity"]?.stringValue)
        #expect(["critical", "error", "warning", "info"].contains(value))
    }

    @Test func alertmanagerWebhookBodyIsVersion4WithFiringThenResolved() throws {
        let (fired, resolved) = alerts()
        let firing = try #require(makeBody(.alertmanagerWebhook, .fire, fired))
        #expect(firing["version"] == "4")
        #expect(firing["status"] == "firing")
        #expect(firing["receiver"] == "x")
        for key in ["groupKey", "truncatedAlerts", "groupLabels", "commonLabels", "commonAnnotations", "externalURL"] {
            #expect(firing[key] != nil, "missing \(key)")
        }
        let alert = try #require(firing["alerts"]?.arrayValue?.first)
        #expect(alert["labels"]?["alertname"] == "sales-sl")
        #expect(alert["labels"]?["queue"] == "sales")
        #expect(alert["labels"]?["site"] == "lyon")
        #expect(alert["startsAt"] == "2026-11-23T10:00:00.000Z")
        #expect(alert["endsAt"] == "0001-01-01T00:00:00Z")
        #expect(alert["fingerprint"]?.stringValue?.count == 16)
        let done = try #require(makeBody(.alertmanagerWebhook, .resolve, resolved))
        #expect(done["status"] == "resolved")
        #expect(done["alerts"]?.arrayValue?.first?["endsAt"] == "2026-11-23T10:02:00.000Z")
        #expect(done["alerts"]?.arrayValue?.first?["fingerprint"] == alert["fingerprint"])
        #expect(makeBody(.alertmanagerWebhook, .acknowledge, fired) == nil)
    }

    @Test func genericWebhookCarriesTheEventAndTheWholeAlert() throws {
        let (_, resolved) = alerts()
        let body = try #require(makeBody(.webhook, .resolve, resolved))
        #expect(body["version"] == "1")
        #expect(body["event"] == "resolve")
        #expect(body["source"] == "wallboard-01")
        #expect(body["dedup_key"] == .string(resolved.dedupKey))
        #expect(body["alert"]?["state"] == "resolved")
        #expect(body["alert"]?["resolved_at"] == "2026-11-23T10:02:00.000Z")
        #expect(body["alert"]?["resolution"] == "cleared")
        #expect(Alert(json: body["alert"]!) == resolved)
    }

    @Test func acknowledgementsCanBeSwitchedOff() {
        let notifier = NotifierConfig(name: "x", kind: .slack, url: "https://h", sendAcknowledgements: false)
        #expect(NotificationBuilder.request(for: .acknowledge, alert: alerts().fired, notifier: notifier) == nil)
    }
}

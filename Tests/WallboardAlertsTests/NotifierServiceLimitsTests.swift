import JSONModel
import Testing
import WallboardAlerts
import WallboardCore

/// Every payload as the receiving service documents it: Slack's Block Kit limits, Alertmanager's
/// `POST /api/v2/alerts` (`postableAlerts`), and the configured `alerts.source`.
@Suite struct NotifierServiceLimitsTests {
    let t0 = SnapshotFixtures.t0

    func firedAndResolved(summary: String? = nil, labels: [String: String] = ["site": "lyon"]) -> (Alert, Alert) {
        let rule = AlertRule(
            name: "sales-sl", metric: .serviceLevel, scope: .queue("sales"), window: "15m", comparison: .lessThan,
            threshold: 0.8, severity: .critical, labels: labels, summary: summary, notifiers: ["x"])
        var engine = AlertEngine(rules: [rule])
        let fired = engine.evaluate(snapshot: SnapshotFixtures.snapshot(at: t0, salesServiceLevel: 0.72), now: t0)
        let later = t0 + .minutes(2)
        let resolved = engine.evaluate(snapshot: SnapshotFixtures.snapshot(at: later, salesServiceLevel: 0.9), now: later)
        return (fired[0].notification!.alert, resolved[0].notification!.alert)
    }

    func body(_ kind: NotifierConfig.Kind, _ event: AlertEvent, _ alert: Alert, boardURL: String? = "https://board.example/")
        -> JSONValue?
    {
        let notifier = NotifierConfig(name: "x", kind: kind, url: "http://127.0.0.1:9093/api/v2/alerts", routingKey: "R")
        return NotificationBuilder.request(
            for: event, alert: alert, notifier: notifier, context: NotificationContext(source: "lyon-1", boardURL: boardURL)
        )?.body
    }

    // MARK: Slack

    /// What Slack checks before it answers `invalid_blocks`: a problem per broken limit (none = accepted).
    static func slackViolations(_ body: JSONValue) -> [String] {
        func length(_ text: String?) -> Int { text?.utf16.count ?? 0 }
        var problems: [String] = []
        for block in body["blocks"]?.arrayValue ?? [] {
            switch block["type"]?.stringValue {
            case "header":
                let n = length(block["text"]?["text"]?.stringValue)
                if n > 150 || n == 0 { problems.append("header text \(n)") }
            case "section":
                if let text = block["text"] {
                    let n = length(text["text"]?.stringValue)
                    if n > 3000 || n == 0 { problems.append("section text \(n)") }
                }
                let fields = block["fields"]?.arrayValue ?? []
                if fields.count > 10 { problems.append("\(fields.count) fields") }
                for field in fields where length(field["text"]?.stringValue) > 2000 {
                    problems.append("field \(length(field["text"]?.stringValue))")
                }
            case "context":
                let elements = block["elements"]?.arrayValue ?? []
                if elements.count > 10 { problems.append("\(elements.count) context elements") }
                for element in elements where length(element["text"]?.stringValue) > 3000 {
                    problems.append("context text \(length(element["text"]?.stringValue))")
                }
            default:
                problems.append("unknown block")
            }
        }
        if length(body["text"]?.stringValue) > 40_000 { problems.append("text \(length(body["text"]?.stringValue))") }
        return problems
    }

    /// A 10,000-character summary full of characters that grow when escaped (`<`, `&`) or take two UTF-16
    /// units (emoji): every Block Kit text fits its limit, nothing is cut inside an escape, and the fallback
    /// `text` keeps the whole summary.
    @Test(arguments: AlertEvent.allCases)
    func slackCutsEveryBlockKitTextToItsLimitAndKeepsTheFullFallback(event: AlertEvent) throws {
        let summary = String(repeating: "Queue <sales> & 🚨 wait ", count: 435).prefix(10_000)
        #expect(summary.count == 10_000)
        let (fired, resolved) = firedAndResolved(summary: String(summary))
        let body = try #require(self.body(.slack, event, event == .resolve ? resolved : fired))
        #expect(Self.slackViolations(body) == [])
        let section = try #require(body["blocks"]?.arrayValue?.first { $0["type"] == "section" })
        let text = try #require(section["text"]?["text"]?.stringValue)
        #expect(text.hasSuffix("…"))
        #expect(text.utf16.count > 2900, "cut near the limit, not far below it")
        let beforeEllipsis = text.dropLast()
        #expect(!beforeEllipsis.hasSuffix("&") && !beforeEllipsis.hasSuffix("&l") && !beforeEllipsis.hasSuffix("&am"))
        let fallback = try #require(body["text"]?.stringValue)
        #expect(fallback.contains(NotificationBuilderEscape.escape(String(summary))))
    }

    @Test func slackKeepsAShortSummaryWholeAndDropsAnEmptyOne() throws {
        let (fired, _) = firedAndResolved(summary: "72% < 80%")
        let section = try #require(body(.slack, .fire, fired)?["blocks"]?.arrayValue?[1])
        #expect(section["text"]?["text"] == "72% &lt; 80%")
        let (blank, _) = firedAndResolved(summary: "")
        let empty = try #require(body(.slack, .fire, blank))
        #expect(Self.slackViolations(empty) == [])
        #expect(empty["blocks"]?.arrayValue?[1]["text"] == nil)
        #expect(empty["blocks"]?.arrayValue?[1]["fields"]?.arrayValue?.isEmpty == false)
    }

    @Test func slackCutsAVeryLongLabelValueInItsField() throws {
        var (fired, _) = firedAndResolved()
        fired.rule = String(repeating: "r", count: 5000)
        let body = try #require(self.body(.slack, .fire, fired))
        #expect(Self.slackViolations(body) == [])
    }

    // MARK: Alertmanager API v2

    /// `postAlerts` takes a JSON array of `postableAlert`: `labels` (required, names `[a-zA-Z_][a-zA-Z0-9_]*`),
    /// `annotations`, `startsAt`, `endsAt`, `generatorURL`; nothing else.
    @Test func alertmanagerPostsAnArrayOfPostableAlertsThatEndInTheFutureWhileFiring() throws {
        let (fired, resolved) = firedAndResolved(labels: ["site": "lyon", "cost-center": "42", "9lives": "x", "empty": ""])
        let firing = try #require(body(.alertmanager, .fire, fired)?.arrayValue)
        #expect(firing.count == 1)
        let alert = firing[0]
        #expect(Set(alert.objectValue?.members.map(\.key) ?? []) == ["labels", "annotations", "startsAt", "endsAt", "generatorURL"])
        let labels = try #require(alert["labels"]?.objectValue)
        #expect(alert["labels"]?["alertname"] == "sales-sl")
        #expect(alert["labels"]?["scope"] == "queue:sales")
        #expect(alert["labels"]?["severity"] == "critical")
        #expect(alert["labels"]?["cost_center"] == "42")
        #expect(alert["labels"]?["_lives"] == "x")
        #expect(alert["labels"]?["empty"] == nil)
        for name in labels.members.map(\.key) {
            let valid = name.unicodeScalars.enumerated().allSatisfy { index, scalar in
                ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || scalar == "_"
                    || (index > 0 && ("0"..."9").contains(scalar))
            }
            #expect(valid && !name.isEmpty, "\(name) is not a Prometheus label name")
        }
        #expect(alert["annotations"]?["summary"] == "Service level (15m) 72% < 80% on queue Sales")
        #expect(alert["annotations"]?["source"] == "lyon-1")
        #expect(alert["startsAt"] == "2026-11-23T10:00:00.000Z")
        #expect(alert["endsAt"] == "2026-11-23T10:04:00.000Z", "fired at + 4 min: open until re-posted")
        #expect(alert["generatorURL"] == "https://board.example/")

        let done = try #require(body(.alertmanager, .resolve, resolved)?.arrayValue?.first)
        #expect(done["labels"] == alert["labels"], "the same labels: Alertmanager's identity of the alert")
        #expect(done["endsAt"] == "2026-11-23T10:02:00.000Z")
        #expect(body(.alertmanager, .acknowledge, fired) == nil)
        #expect(body(.alertmanager, .fire, fired, boardURL: nil)?.arrayValue?.first?["generatorURL"] == nil)
    }

    @Test func alertmanagerRefreshMovesEndsAtForwardOnlyForActiveAlertsOfThatKind() throws {
        let (fired, resolved) = firedAndResolved()
        let notifier = NotifierConfig(name: "am", kind: .alertmanager, url: "http://127.0.0.1:9093/api/v2/alerts")
        let context = NotificationContext(source: "lyon-1")
        let later = t0 + .minutes(3)
        let refresh = try #require(
            NotificationBuilder.alertmanagerRefresh(alert: fired, notifier: notifier, context: context, now: later))
        #expect(refresh.body.arrayValue?.first?["endsAt"] == "2026-11-23T10:07:00.000Z")
        #expect(refresh.body.arrayValue?.first?["startsAt"] == "2026-11-23T10:00:00.000Z")
        #expect(NotificationBuilder.alertmanagerRefresh(alert: resolved, notifier: notifier, context: context, now: later) == nil)
        var slack = notifier
        slack.kind = .slack
        #expect(NotificationBuilder.alertmanagerRefresh(alert: fired, notifier: slack, context: context, now: later) == nil)
    }

    // MARK: Configuration

    @Test func alertmanagerURLMustBeTheV2AlertsEndpoint() throws {
        let good: JSONValue = ["notifiers": [["name": "am", "kind": "alertmanager", "url": "http://am:9093/api/v2/alerts"]]]
        #expect(try AlertConfiguration(json: good).notifiers.first?.kind == .alertmanager)
        let hook: JSONValue = ["notifiers": [["name": "am", "kind": "alertmanager_webhook", "url": "http://bridge:9095/hook"]]]
        #expect(try AlertConfiguration(json: hook).notifiers.first?.kind == .alertmanagerWebhook)
        let bad: JSONValue = ["notifiers": [["name": "am", "kind": "alertmanager", "url": "http://bridge:9095/hook"]]]
        #expect {
            try AlertConfiguration(json: bad)
        } throws: { error in
            "\(error)".contains("alerts.notifiers[0].url") && "\(error)".contains("/api/v2/alerts")
                && "\(error)".contains("alertmanager_webhook")
        }
    }

    @Test func sourceIsReadAndChecked() throws {
        #expect(try AlertConfiguration(json: ["source": "lyon-1"]).source == "lyon-1")
        #expect(try AlertConfiguration(json: [:]).source == nil)
        for bad: JSONValue in ["", .string(String(repeating: "x", count: 256)), "a\nb", 3] {
            #expect(throws: AlertConfigError.self) { try AlertConfiguration(json: ["source": bad]) }
        }
    }

    @Test(arguments: [NotifierConfig.Kind.pagerduty, .webhook])
    func pagerDutyAndWebhookSendTheConfiguredSource(kind: NotifierConfig.Kind) throws {
        let (fired, _) = firedAndResolved()
        let sent = try #require(body(kind, .fire, fired))
        #expect((sent["payload"]?["source"] ?? sent["source"]) == "lyon-1")
    }
}

/// Slack's escaping as the builder does it, for comparing the fallback.
enum NotificationBuilderEscape {
    static func escape(_ text: String) -> String {
        text.replacingAll("&", "&amp;").replacingAll("<", "&lt;").replacingAll(">", "&gt;")
    }
}

extension String {
    func replacingAll(_ target: Character, _ replacement: String) -> String {
        var out = ""
        for character in self { if character == target { out += replacement } else { out.append(character) } }
        return out
    }
}

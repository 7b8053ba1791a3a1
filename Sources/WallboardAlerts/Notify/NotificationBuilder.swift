import JSONModel
import WallboardCore

/// What every notification may mention besides the alert: who sends it and where the board is.
public struct NotificationContext: Sendable, Equatable {
    /// Names the sender (the configured `alerts.source`, else the host name): PagerDuty `payload.source`,
    /// the webhook's `source`, Slack/Teams footers.
    public var source: String
    /// The board or API base URL for links (`client_url`, `externalURL`, "Open wallboard"); `nil` for none.
    public var boardURL: String?

    public init(source: String = "wallboardd", boardURL: String? = nil) {
        self.source = source
        self.boardURL = boardURL
    }
}

/// Builds the HTTP request each notifier kind documents for an alert event. Pure: no I/O.
public enum NotificationBuilder {
    /// The request announcing `event` for `alert` to `notifier`, or `nil` when that notifier has nothing
    /// to say about it (Alertmanager has no acknowledgement; PagerDuty escalates on its own, so no renotify;
    /// `send_acknowledgements: false`).
    public static func request(
        for event: AlertEvent, alert: Alert, notifier: NotifierConfig,
        context: NotificationContext = NotificationContext()
    ) -> NotificationRequest? {
        if event == .acknowledge, !notifier.sendAcknowledgements { return nil }
        let body: JSONValue?
        switch notifier.kind {
        case .webhook: body = webhookBody(event, alert, context)
        case .slack: body = slackBody(event, alert, context)
        case .teams: body = teamsBody(event, alert, context)
        case .pagerduty: body = pagerDutyBody(event, alert, routingKey: notifier.routingKey ?? "", context)
        case .alertmanager: body = alertmanagerAPIBody(event, alert, context)
        case .alertmanagerWebhook: body = alertmanagerBody(event, alert, receiver: notifier.name, context)
        }
        guard let body else { return nil }
        return request(body, notifier: notifier)
    }

    /// `body` as a POST to `notifier` with its headers.
    static func request(_ body: JSONValue, notifier: NotifierConfig) -> NotificationRequest {
        var headers = [NotificationRequest.Header("Content-Type", "application/json")]
        for name in notifier.headers.keys.sorted() { headers.append(.init(name, notifier.headers[name]!)) }
        return NotificationRequest(url: notifier.url, headers: headers, body: body)
    }

    /// A headline such as `FIRING [critical] sl-low` / `RESOLVED ...`.
    static func headline(_ event: AlertEvent, _ alert: Alert) -> String {
        let word: String
        switch event {
        case .fire: word = "FIRING"
        case .renotify: word = "STILL FIRING"
        case .acknowledge: word = "ACKNOWLEDGED"
        case .resolve: word = "RESOLVED"
        }
        return "\(word) [\(alert.severity.rawValue)] \(alert.rule) on \(alert.instance)"
    }

    /// One line that says who/when for acknowledgements and resolutions, else `nil`.
    static func statusLine(_ event: AlertEvent, _ alert: Alert) -> String? {
        switch event {
        case .acknowledge:
            return
                "Acknowledged by \(alert.acknowledgedBy ?? "?") at \(alert.acknowledgedAt.map(RFC3339.format) ?? "?")"
        case .resolve:
            let by = alert.resolution.map { " (\($0.replacingUnderscores))" } ?? ""
            return "Resolved at \(alert.resolvedAt.map(RFC3339.format) ?? "?")\(by)"
        case .fire, .renotify:
            return nil
        }
    }

    /// Name/value pairs shown by Slack fields and Teams facts.
    static func facts(_ alert: Alert) -> [(String, String)] {
        var facts: [(String, String)] = [
            ("Rule", alert.rule), ("Scope", alert.instance), ("Severity", alert.severity.rawValue),
            ("Value", alert.value.map(JSONValue.formatNumber) ?? "n/a"),
            ("Threshold", "\(alert.comparison.rawValue) \(JSONValue.formatNumber(alert.threshold))"),
            ("Since", RFC3339.format(alert.firedAt ?? alert.activeAt)),
        ]
        if let window = alert.window { facts.insert(("Window", window), at: 3) }
        return facts
    }
}

extension String {
    var replacingUnderscores: String { String(map { $0 == "_" ? " " : $0 }) }
}

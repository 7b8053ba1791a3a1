import JSONModel
import WallboardCore

extension NotificationBuilder {
    // MARK: Generic webhook (docs/alerts.md "Generic webhook")

    static func webhookBody(_ event: AlertEvent, _ alert: Alert, _ context: NotificationContext) -> JSONValue {
        [
            "version": "1", "event": .string(event.rawValue), "source": .string(context.source),
            "board_url": .optional(context.boardURL, JSONValue.string), "dedup_key": .string(alert.dedupKey),
            "alert": alert.json,
        ]
    }

    // MARK: Microsoft Teams Workflows webhook: a message with one Adaptive Card attachment

    static func teamsBody(_ event: AlertEvent, _ alert: Alert, _ context: NotificationContext) -> JSONValue {
        let color =
            event == .resolve
            ? "Good" : event == .acknowledge ? "Accent" : alert.severity == .critical ? "Attention" : "Warning"
        var body: [JSONValue] = [
            [
                "type": "TextBlock", "text": .string(headline(event, alert)), "weight": "Bolder", "size": "Medium",
                "color": .string(color), "wrap": true,
            ],
            ["type": "TextBlock", "text": .string(alert.summary), "wrap": true],
            [
                "type": "FactSet",
                "facts": .array(facts(alert).map { ["title": .string($0.0), "value": .string($0.1)] }),
            ],
        ]
        if let status = statusLine(event, alert) {
            body.append(["type": "TextBlock", "text": .string(status), "isSubtle": true, "wrap": true])
        }
        var card: JSONObject = [
            "$schema": "http://adaptivecards.io/schemas/adaptive-card.json", "type": "AdaptiveCard", "version": "1.4",
            "body": .array(body),
        ]
        if let url = context.boardURL {
            card["actions"] = [["type": "Action.OpenUrl", "title": "Open wallboard", "url": .string(url)]]
        }
        return [
            "type": "message",
            "attachments": [
                ["contentType": "application/vnd.microsoft.card.adaptive", "contentUrl": nil, "content": .object(card)]
            ],
        ]
    }

    // MARK: PagerDuty Events API v2

    static func pagerDutyBody(_ event: AlertEvent, _ alert: Alert, routingKey: String, _ context: NotificationContext)
        -> JSONValue?
    {
        switch event {
        case .renotify:
            return nil
        case .acknowledge, .resolve:
            return [
                "routing_key": .string(routingKey),
                "event_action": .string(event == .resolve ? "resolve" : "acknowledge"),
                "dedup_key": .string(alert.dedupKey),
            ]
        case .fire:
            var details = JSONObject()
            details["rule"] = .string(alert.rule)
            details["scope"] = .string(alert.instance)
            details["metric"] = .string(alert.metric)
            details["window"] = .optional(alert.window, JSONValue.string)
            details["value"] = .number(alert.value)
            details["threshold"] = .number(alert.threshold)
            details["comparison"] = .string(alert.comparison.rawValue)
            details["labels"] = labelsJSON(alert.labels)
            var payload: JSONObject = [
                "summary": .string(String(alert.summary.prefix(1024))), "source": .string(context.source),
                "severity": .string(alert.severity.rawValue),
                "timestamp": .string(RFC3339.format(alert.firedAt ?? alert.activeAt)),
                "component": .string(alert.instance), "class": .string(alert.metric),
            ]
            if let group = alert.labels["queue"] ?? alert.labels["team"] { payload["group"] = .string(group) }
            payload["custom_details"] = .object(details)
            var body: JSONObject = [
                "routing_key": .string(routingKey), "event_action": "trigger", "dedup_key": .string(alert.dedupKey),
                "payload": .object(payload), "client": "wallboardd",
            ]
            if let url = context.boardURL { body["client_url"] = .string(url) }
            return .object(body)
        }
    }

    // MARK: Alertmanager webhook_config body (version 4)

    static func alertmanagerBody(_ event: AlertEvent, _ alert: Alert, receiver: String, _ context: NotificationContext)
        -> JSONValue?
    {
        guard event != .acknowledge else { return nil }
        let status = event == .resolve ? "resolved" : "firing"
        let annotations: JSONValue = [
            "summary": .string(alert.summary), "description": .string(headline(event, alert)),
        ]
        let entry: JSONValue = [
            "status": .string(status), "labels": labelsJSON(alert.labels), "annotations": annotations,
            "startsAt": .string(RFC3339.format(alert.firedAt ?? alert.activeAt)),
            // Alertmanager's zero time means "no end yet".
            "endsAt": .string(
                event == .resolve ? RFC3339.format(alert.resolvedAt ?? alert.activeAt) : "0001-01-01T00:00:00Z"),
            "generatorURL": .string(context.boardURL ?? ""), "fingerprint": .string(alert.fingerprint),
        ]
        return [
            "version": "4", "groupKey": .string("{}:{alertname=\"\(alert.rule)\", scope=\"\(alert.instance)\"}"),
            "truncatedAlerts": 0, "status": .string(status), "receiver": .string(receiver),
            "groupLabels": ["alertname": .string(alert.rule), "scope": .string(alert.instance)],
            "commonLabels": labelsJSON(alert.labels), "commonAnnotations": annotations,
            "externalURL": .string(context.boardURL ?? ""), "alerts": [entry],
        ]
    }

    static func labelsJSON(_ labels: [String: String]) -> JSONValue {
        var object = JSONObject()
        for key in labels.keys.sorted() { object[key] = .string(labels[key]!) }
        return .object(object)
    }
}

import JSONModel
import WallboardCore

extension NotificationBuilder {
    /// How wallboardd keeps its alerts alive in an Alertmanager (`kind: alertmanager`), as Prometheus does.
    ///
    /// Alertmanager resolves an alert by itself once its `endsAt` has passed. A firing alert is posted with
    /// `endsAt` = posting time + ``validity`` and posted again every ``resendInterval`` while it is active,
    /// so it stays open while wallboardd runs, and ends on its own within ``validity`` if wallboardd stops.
    public enum AlertmanagerAPI {
        /// How often an active alert is posted again (Prometheus' `resend_delay`).
        public static let resendInterval: Millis = .minutes(1)
        /// How far past each post its `endsAt` lies: four resends, as Prometheus does.
        public static let validity: Millis = .minutes(4)
    }

    // MARK: Alertmanager API v2: POST /api/v2/alerts with a JSON array of postable alerts

    /// The `postAlerts` body for `event`: one alert, firing until `endsAt` or, on resolve, ended at the
    /// resolution time. `nil` for acknowledgements (Alertmanager silences, it does not acknowledge).
    static func alertmanagerAPIBody(_ event: AlertEvent, _ alert: Alert, _ context: NotificationContext) -> JSONValue?
    {
        switch event {
        case .acknowledge:
            return nil
        case .resolve:
            let endedAt = alert.resolvedAt ?? alert.lastNotifiedAt ?? alert.activeAt
            return alertmanagerAPIAlerts(alert, endsAt: endedAt, context)
        case .fire, .renotify:
            // The moment of this notification: when the engine handed it out.
            let postedAt = alert.lastNotifiedAt ?? alert.firedAt ?? alert.activeAt
            return alertmanagerAPIAlerts(alert, endsAt: OutboxMath.advance(postedAt, by: AlertmanagerAPI.validity), context)
        }
    }

    /// The re-post that keeps an active alert open in an Alertmanager at `now`; `nil` unless `notifier` is
    /// an `alertmanager` notifier and the alert is firing or acknowledged and was notified.
    public static func alertmanagerRefresh(
        alert: Alert, notifier: NotifierConfig, context: NotificationContext, now: Instant
    ) -> NotificationRequest? {
        guard notifier.kind == .alertmanager, alert.notified, alert.state == .firing || alert.state == .acknowledged
        else { return nil }
        let endsAt = OutboxMath.advance(now, by: AlertmanagerAPI.validity)
        return request(alertmanagerAPIAlerts(alert, endsAt: endsAt, context), notifier: notifier)
    }

    private static func alertmanagerAPIAlerts(_ alert: Alert, endsAt: Instant, _ context: NotificationContext)
        -> JSONValue
    {
        let startsAt = alert.firedAt ?? alert.activeAt
        var entry: JSONObject = [
            "labels": alertmanagerLabels(alert.labels),
            "annotations": [
                "summary": .string(alert.summary), "description": .string(headline(.fire, alert)),
                "source": .string(context.source),
            ],
            "startsAt": .string(RFC3339.format(startsAt)),
            // Alertmanager refuses an alert that ends before it starts.
            "endsAt": .string(RFC3339.format(max(endsAt, startsAt))),
        ]
        // `generatorURL` is a URI: left out, not empty, when there is no board URL.
        if let url = context.boardURL { entry["generatorURL"] = .string(url) }
        return [.object(entry)]
    }

    /// The alert's labels with every name made a valid Prometheus label name (`[a-zA-Z_][a-zA-Z0-9_]*`,
    /// any other character becomes `_`), which Alertmanager insists on; an empty value is left out
    /// (Alertmanager reads it as no label at all).
    static func alertmanagerLabels(_ labels: [String: String]) -> JSONValue {
        var object = JSONObject()
        for key in labels.keys.sorted() where !labels[key]!.isEmpty {
            let name = prometheusLabelName(key)
            // Two keys that map to one name (`team-x`, `team_x`): the first in sorted order stays.
            if object[name] == nil { object[name] = .string(labels[key]!) }
        }
        return .object(object)
    }

    static func prometheusLabelName(_ key: String) -> String {
        var name = ""
        for scalar in key.unicodeScalars {
            let isLetter = ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || scalar == "_"
            let isDigit = ("0"..."9").contains(scalar)
            name.unicodeScalars.append(isLetter || (isDigit && !name.isEmpty) ? scalar : "_")
        }
        return name.isEmpty ? "_" : name
    }
}

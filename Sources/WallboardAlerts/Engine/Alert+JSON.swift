import JSONModel
import WallboardCore

extension Alert {
    /// The alert as `GET /api/v1/alerts`, the `alerts` topic and the generic webhook show it
    /// (snake_case keys, RFC 3339 UTC times, `null` for unset values). Also its checkpoint form.
    public var json: JSONValue {
        var object: JSONObject = [
            "id": .string(id), "fingerprint": .string(fingerprint), "dedup_key": .string(dedupKey),
            "rule": .string(rule), "scope": .string(instance), "metric": .string(metric),
            "window": .optional(window, JSONValue.string), "comparison": .string(comparison.rawValue),
            "threshold": .number(threshold), "value": .number(value), "severity": .string(severity.rawValue),
            "state": .string(state.rawValue), "summary": .string(summary),
        ]
        object["labels"] = NotificationBuilder.labelsJSON(labels)
        object["notifiers"] = .array(notifiers.map(JSONValue.string))
        object["active_at"] = .string(RFC3339.format(activeAt))
        object["fired_at"] = .optional(firedAt) { .string(RFC3339.format($0)) }
        object["acknowledged_by"] = .optional(acknowledgedBy, JSONValue.string)
        object["acknowledged_at"] = .optional(acknowledgedAt) { .string(RFC3339.format($0)) }
        object["resolved_at"] = .optional(resolvedAt) { .string(RFC3339.format($0)) }
        object["resolution"] = .optional(resolution, JSONValue.string)
        object["notified"] = .bool(notified)
        object["last_notified_at"] = .optional(lastNotifiedAt) { .string(RFC3339.format($0)) }
        object["notification_count"] = .int(notificationCount)
        return .object(object)
    }

    /// Reads ``json`` back; `nil` if a required key is missing or malformed. A notification count outside
    /// 0...Int32.max (a damaged file) is clamped into it, so counting on cannot overflow.
    public init?(json: JSONValue) {
        func time(_ key: String) -> Instant?? {
            guard let value = json[key] else { return .some(nil) }
            if value.isNull { return .some(nil) }
            guard let text = value.stringValue, let instant = RFC3339.parse(text) else { return nil }
            return .some(instant)
        }
        guard let id = json["id"]?.stringValue, let fingerprint = json["fingerprint"]?.stringValue,
            let rule = json["rule"]?.stringValue, let instance = json["scope"]?.stringValue,
            let metric = json["metric"]?.stringValue,
            let comparison = json["comparison"]?.stringValue.flatMap(AlertComparison.init(rawValue:)),
            let threshold = json["threshold"]?.doubleValue,
            let severity = json["severity"]?.stringValue.flatMap(AlertSeverity.init(rawValue:)),
            let state = json["state"]?.stringValue.flatMap(State.init(rawValue:)),
            let summary = json["summary"]?.stringValue, let activeAt = time("active_at") ?? nil,
            let firedAt = time("fired_at"), let acknowledgedAt = time("acknowledged_at"),
            let resolvedAt = time("resolved_at"), let lastNotifiedAt = time("last_notified_at")
        else { return nil }
        var labels: [String: String] = [:]
        for member in json["labels"]?.objectValue?.members ?? [] { labels[member.key] = member.value.stringValue }
        self.init(
            id: id, fingerprint: fingerprint, rule: rule, instance: instance, metric: metric,
            window: json["window"]?.stringValue, comparison: comparison, threshold: threshold, severity: severity,
            labels: labels, summary: summary, notifiers: json["notifiers"]?.arrayValue?.compactMap(\.stringValue) ?? [],
            state: state, value: json["value"]?.doubleValue, activeAt: activeAt, firedAt: firedAt,
            acknowledgedBy: json["acknowledged_by"]?.stringValue, acknowledgedAt: acknowledgedAt,
            resolvedAt: resolvedAt, resolution: json["resolution"]?.stringValue,
            notified: json["notified"]?.boolValue ?? false, lastNotifiedAt: lastNotifiedAt,
            notificationCount: Int(min(max(json["notification_count"]?.integerValue ?? 0, 0), Int64(Int32.max))))
    }
}

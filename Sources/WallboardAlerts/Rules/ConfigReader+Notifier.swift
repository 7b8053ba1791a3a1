import JSONModel
import WallboardCore

extension ConfigReader {
    /// One notifier, or `nil` (with issues recorded).
    mutating func notifier(_ value: JSONValue, at path: String) -> NotifierConfig? {
        guard let object = object(value, at: path, rule: nil) else { return nil }
        let before = issues.count
        let name = object["name"].flatMap { string($0, at: path + ".name", rule: nil) }
        if object["name"] == nil { fail(path + ".name", rule: nil, "missing: every notifier needs a name") }
        rejectUnknown(
            object, at: path, rule: name,
            allowed: ["name", "kind", "url", "routing_key", "headers", "send_acknowledgements"])
        var kind: NotifierConfig.Kind?
        if let value = object["kind"], let text = string(value, at: path + ".kind", rule: name) {
            kind = NotifierConfig.Kind(rawValue: text)
            if kind == nil {
                let kinds = NotifierConfig.Kind.allCases.map(\.rawValue).joined(separator: ", ")
                fail(path + ".kind", rule: name, "expected one of \(kinds), found \"\(text)\"")
            }
        } else if object["kind"] == nil {
            fail(path + ".kind", rule: name, "missing")
        }
        var url = object["url"].flatMap { string($0, at: path + ".url", rule: name) }
        if let text = url, !(text.hasPrefix("https://") || text.hasPrefix("http://")) {
            fail(path + ".url", rule: name, "expected an http:// or https:// URL")
        }
        if let text = url, kind == .alertmanager, !Self.isAlertmanagerAlertsURL(text) {
            fail(
                path + ".url", rule: name,
                "expected the Alertmanager API URL ending in \(NotifierConfig.alertmanagerAlertsPath) "
                    + "(e.g. http://alertmanager:9093\(NotifierConfig.alertmanagerAlertsPath)); "
                    + "for a receiver that takes Alertmanager's webhook body use kind alertmanager_webhook")
        }
        if url == nil, kind == .pagerduty { url = NotifierConfig.pagerDutyEventsURL }
        if url == nil, object["url"] == nil, kind != nil { fail(path + ".url", rule: name, "missing") }
        let routingKey = object["routing_key"].flatMap { string($0, at: path + ".routing_key", rule: name) }
        if kind == .pagerduty, routingKey == nil, object["routing_key"] == nil {
            fail(path + ".routing_key", rule: name, "missing: the Events API v2 integration key")
        }
        var headers: [String: String] = [:]
        if let value = object["headers"], let map = self.object(value, at: path + ".headers", rule: name) {
            for member in map.members {
                if let text = member.value.stringValue {
                    headers[member.key] = text
                } else {
                    fail("\(path).headers.\(member.key)", rule: name, "expected a string")
                }
            }
        }
        var acks = true
        if let value = object["send_acknowledgements"] {
            if let flag = value.boolValue {
                acks = flag
            } else {
                fail(path + ".send_acknowledgements", rule: name, "expected true or false")
            }
        }
        guard issues.count == before, let name, let kind, let url else { return nil }
        return NotifierConfig(
            name: name, kind: kind, url: url, routingKey: routingKey, headers: headers, sendAcknowledgements: acks)
    }

    /// Whether `url`'s path (before any query) ends with `/api/v2/alerts`.
    static func isAlertmanagerAlertsURL(_ url: String) -> Bool {
        let path = url.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)[0]
        return path.hasSuffix(NotifierConfig.alertmanagerAlertsPath)
    }

    /// `alerts.source`: a name of 1...255 characters without control characters.
    mutating func source(_ value: JSONValue, at path: String) -> String? {
        guard let text = string(value, at: path, rule: nil) else { return nil }
        guard !text.isEmpty, text.count <= 255, !text.unicodeScalars.contains(where: { $0.properties.generalCategory == .control })
        else {
            fail(path, rule: nil, "expected this daemon's instance or site name: 1 to 255 characters, no control characters")
            return nil
        }
        return text
    }

    /// The `delivery` policy; defaults for anything left out.
    mutating func delivery(_ value: JSONValue, at path: String) -> OutboxPolicy {
        var policy = OutboxPolicy()
        guard let object = object(value, at: path, rule: nil) else { return policy }
        rejectUnknown(
            object, at: path, rule: nil, allowed: ["max_attempts", "initial_backoff", "max_backoff", "jitter"])
        if let value = object["max_attempts"] {
            if let count = value.integerValue, count >= 1, count <= 1000 {
                policy.maxAttempts = Int(count)
            } else {
                fail(path + ".max_attempts", rule: nil, "expected a whole number 1...1000")
            }
        }
        if let value = object["initial_backoff"], let millis = duration(value, at: path + ".initial_backoff", rule: nil)
        {
            policy.initialBackoff = max(1, millis)
        }
        if let value = object["max_backoff"], let millis = duration(value, at: path + ".max_backoff", rule: nil) {
            policy.maxBackoff = millis
        }
        if policy.maxBackoff < policy.initialBackoff {
            fail(path + ".max_backoff", rule: nil, "must not be shorter than initial_backoff")
        }
        if let value = object["jitter"] {
            if let fraction = value.doubleValue, (0...1).contains(fraction) {
                policy.jitter = fraction
            } else {
                fail(path + ".jitter", rule: nil, "expected a fraction 0..1")
            }
        }
        return policy
    }
}

import JSONModel
import WallboardCore

extension ConfigReader {
    static let ruleKeys: Set<String> = [
        "name", "metric", "state", "reason", "scope", "window", "comparison", "threshold", "clear_threshold",
        "for", "severity", "labels", "summary", "renotify_every", "refire_after", "business_hours", "quiet_hours",
        "notifiers",
    ]

    /// One rule, or `nil` (with issues recorded) when any key is wrong.
    mutating func rule(_ value: JSONValue, at path: String, notifiers: Set<String>, windows: [String]?) -> AlertRule? {
        guard let object = object(value, at: path, rule: nil) else { return nil }
        let before = issues.count
        var name: String?
        if let value = object["name"] {
            name = string(value, at: path + ".name", rule: nil)
        } else {
            fail(path + ".name", rule: nil, "missing: every rule needs a name")
        }
        rejectUnknown(object, at: path, rule: name, allowed: Self.ruleKeys)

        func required(_ key: String) -> JSONValue? {
            guard let value = object[key] else {
                fail("\(path).\(key)", rule: name, "missing")
                return nil
            }
            return value
        }

        var metric: AlertMetric?
        if object["metric"] == nil {
            fail(path + ".metric", rule: name, "missing (one of: \(AlertMetric.names.joined(separator: ", ")))")
        } else {
            metric = self.metric(object, at: path, rule: name)
        }
        if let metric, metric != .contactSeconds, !metric.isAgentMetric {
            for key in ["state", "reason"] where object[key] != nil {
                fail("\(path).\(key)", rule: name, "only agent_state_seconds takes a \(key)")
            }
        }
        let scopeText = object["scope"].flatMap { string($0, at: path + ".scope", rule: name) } ?? "center"
        let scope = AlertScope(scopeText)
        if scope == nil {
            fail(
                path + ".scope", rule: name,
                "expected center, queue:<id>, queue:*, team:<id> or agent:*, found \"\(scopeText)\"")
        }
        if let metric, let scope { checkScope(metric, scope, at: path + ".scope", rule: name) }

        var window: String?
        if let value = object["window"] {
            window = string(value, at: path + ".window", rule: name)
            if let metric, !metric.isWindowMetric {
                fail(path + ".window", rule: name, "\(metric.name) is a now-value and takes no window")
            } else if let window, let windows, !windows.contains(window) {
                fail(
                    path + ".window", rule: name,
                    "unknown window \"\(window)\" (configured: \(windows.joined(separator: ", ")))")
            }
        } else if let metric, metric.isWindowMetric {
            fail(path + ".window", rule: name, "missing: \(metric.name) needs a window such as 15m")
        }

        var comparison: AlertComparison?
        if let value = required("comparison"), let text = string(value, at: path + ".comparison", rule: name) {
            comparison = AlertComparison(rawValue: text)
            if comparison == nil {
                fail(path + ".comparison", rule: name, "expected <, <=, > or >=, found \"\(text)\"")
            }
        }
        let threshold = required("threshold").flatMap { number($0, at: path + ".threshold", rule: name) }
        let clear = object["clear_threshold"].flatMap { number($0, at: path + ".clear_threshold", rule: name) }
        if let metric, metric.isRate {
            for (key, value) in [("threshold", threshold), ("clear_threshold", clear)] {
                if let value, !(0...1).contains(value) {
                    fail("\(path).\(key)", rule: name, "\(metric.name) is a fraction 0..1 (write 0.8 for 80%)")
                }
            }
        }
        if let comparison, let threshold, let clear {
            if comparison.breachesUpward ? clear > threshold : clear < threshold {
                let side = comparison.breachesUpward ? "at or below" : "at or above"
                fail(
                    path + ".clear_threshold", rule: name,
                    "must be \(side) threshold \(JSONValue.formatNumber(threshold)) for \(comparison.rawValue)")
            }
        }
        if let metric, metric.isAgentMetric, let comparison, !comparison.breachesUpward {
            fail(path + ".comparison", rule: name, "\(metric.name) grows with time: use > or >=")
        }

        let forDuration = object["for"].flatMap { duration($0, at: path + ".for", rule: name) } ?? 0
        var severity = AlertSeverity.warning
        if let value = object["severity"], let text = string(value, at: path + ".severity", rule: name) {
            if let parsed = AlertSeverity(rawValue: text) {
                severity = parsed
            } else {
                fail(path + ".severity", rule: name, "expected info, warning or critical, found \"\(text)\"")
            }
        }
        var labels: [String: String] = [:]
        if let value = object["labels"], let map = self.object(value, at: path + ".labels", rule: name) {
            for member in map.members {
                if let text = member.value.stringValue ?? member.value.doubleValue.map(JSONValue.formatNumber) {
                    labels[member.key] = text
                } else {
                    fail(
                        "\(path).labels.\(member.key)", rule: name, "expected a string, found \(member.value.typeName)")
                }
            }
        }
        let summary = object["summary"].flatMap { string($0, at: path + ".summary", rule: name) }
        let renotify = object["renotify_every"].flatMap { duration($0, at: path + ".renotify_every", rule: name) }
        if let renotify, renotify < .minutes(1) {
            fail(path + ".renotify_every", rule: name, "must be at least 1m (a shorter interval is an alert storm)")
        }
        let refire = object["refire_after"].flatMap { duration($0, at: path + ".refire_after", rule: name) }
        let business = object["business_hours"].flatMap { schedule($0, at: path + ".business_hours", rule: name) }
        let quiet = object["quiet_hours"].flatMap { schedule($0, at: path + ".quiet_hours", rule: name) }
        var notifierNames: [String] = []
        if let value = object["notifiers"], let list = array(value, at: path + ".notifiers", rule: name) {
            for (index, item) in list.enumerated() {
                let itemPath = "\(path).notifiers[\(index)]"
                guard let text = string(item, at: itemPath, rule: name) else { continue }
                if notifiers.contains(text) {
                    notifierNames.append(text)
                } else {
                    let known =
                        notifiers.isEmpty
                        ? "none are configured" : "configured: " + notifiers.sorted().joined(separator: ", ")
                    fail(itemPath, rule: name, "unknown notifier \"\(text)\" (\(known))")
                }
            }
        }
        guard issues.count == before, let name, let metric, let scope, let comparison, let threshold else { return nil }
        return AlertRule(
            name: name, metric: metric, scope: scope, window: window, comparison: comparison, threshold: threshold,
            clearThreshold: clear, forDuration: forDuration, severity: severity, labels: labels, summary: summary,
            renotifyInterval: renotify, refireAfter: refire ?? AlertRule.defaultRefireAfter, businessHours: business,
            quietHours: quiet, notifiers: notifierNames)
    }

    private mutating func metric(_ object: JSONObject, at path: String, rule: String?) -> AlertMetric? {
        guard let text = string(object["metric"]!, at: path + ".metric", rule: rule) else { return nil }
        switch text {
        case "service_level": return .serviceLevel
        case "abandon_rate": return .abandonRate
        case "asa_seconds": return .asaSeconds
        case "waiting_now": return .waitingNow
        case "longest_wait_seconds": return .longestWaitSeconds
        case "agents_available": return .agentsAvailable
        case "agents_not_ready": return .agentsNotReady
        case "contact_seconds": return .contactSeconds
        case "cost": return .cost
        case "cost_per_handled": return .costPerHandled
        case "cost_per_offered": return .costPerOffered
        case "callback_service_level": return .callbackServiceLevel
        case "callback_wait_seconds": return .callbackWaitSeconds
        case "containment_rate": return .containmentRate
        case "projected_service_level": return .projectedServiceLevel
        case "projected_abandon_rate": return .projectedAbandonRate
        case "agent_state_seconds":
            let allowed: [AgentState] = [.wrapUp, .notReady, .onContact, .available, .ringing]
            guard let value = object["state"] else {
                fail(
                    path + ".state", rule: rule,
                    "missing: agent_state_seconds needs a state (wrap_up, not_ready, on_contact, available, ringing)")
                return nil
            }
            guard let stateText = string(value, at: path + ".state", rule: rule) else { return nil }
            guard let state = AgentState(rawValue: stateText), allowed.contains(state) else {
                fail(
                    path + ".state", rule: rule,
                    "expected one of \(allowed.map(\.rawValue).joined(separator: ", ")), found \"\(stateText)\"")
                return nil
            }
            let reason = object["reason"].flatMap { string($0, at: path + ".reason", rule: rule) }
            if reason != nil, state != .notReady {
                fail(path + ".reason", rule: rule, "a reason only applies to state not_ready")
            }
            return .agentStateSeconds(state: state, reason: reason)
        default:
            fail(
                path + ".metric", rule: rule,
                "unknown metric \"\(text)\" (expected one of: \(AlertMetric.names.joined(separator: ", ")))")
            return nil
        }
    }

    private mutating func checkScope(_ metric: AlertMetric, _ scope: AlertScope, at path: String, rule: String?) {
        if metric.isAgentMetric {
            if scope != .everyAgent {
                fail(path, rule: rule, "\(metric.name) is measured per agent: use scope agent:*")
            }
            return
        }
        switch scope {
        case .everyAgent:
            fail(path, rule: rule, "scope agent:* only takes agent metrics (agent_state_seconds, contact_seconds)")
        case .team:
            if metric != .agentsAvailable && metric != .agentsNotReady && !metric.isMoney {
                fail(
                    path, rule: rule,
                    "team scopes only have agent counts and costs (agents_available, agents_not_ready, cost, cost_per_handled, cost_per_offered)")
            }
        case .center, .queue, .everyQueue:
            break
        }
    }
}

import WallboardCore

/// The alert rules' state machine: fed a snapshot and `now` each tick, it returns what to notify.
///
/// A value type with no clock, no I/O and no queues: the server owns one inside its engine queue,
/// calls ``evaluate(snapshot:now:)`` from its tick timer, ``acknowledge(id:by:now:)`` from the API,
/// and checkpoints ``stateJSON()`` so a restart neither re-pages nor forgets an open alert.
///
/// Per rule and scope instance (e.g. `queue:sales`) there is at most one active alert:
/// none → pending (condition holds) → firing (held for `for:`) → acknowledged (optional) → resolved
/// (figure back past the clear threshold). Notifications happen only on those changes, never per tick.
public struct AlertEngine: Sendable {
    public private(set) var rules: [AlertRule]
    /// The center's UTC offset at an instant, in milliseconds (the server reads tzdata; tests pass a constant).
    public var utcOffset: @Sendable (Instant) -> Millis
    /// How many resolved alerts ``history`` keeps at most (it also drops those resolved before today).
    public var historyLimit: Int

    /// Active (pending, firing, acknowledged) alerts by fingerprint.
    var active: [String: Alert] = [:]
    /// When each fingerprint last resolved, for `refire_after`.
    var lastResolvedAt: [String: Instant] = [:]
    /// Resolved alerts of the local day, oldest first.
    public internal(set) var history: [Alert] = []

    public init(
        rules: [AlertRule], utcOffset: @escaping @Sendable (Instant) -> Millis = { _ in 0 }, historyLimit: Int = 500
    ) {
        self.rules = rules
        self.utcOffset = utcOffset
        self.historyLimit = historyLimit
    }

    /// Pending, firing and acknowledged alerts, most severe and oldest first.
    public var activeAlerts: [Alert] {
        active.values.sorted { lhs, rhs in
            let left = Self.rank(lhs), right = Self.rank(rhs)
            if left != right { return left > right }
            if lhs.activeAt != rhs.activeAt { return lhs.activeAt < rhs.activeAt }
            return lhs.id < rhs.id
        }
    }

    /// The alert with `id`, active or from today's history.
    public func alert(id: String) -> Alert? {
        active.values.first(where: { $0.id == id }) ?? history.last(where: { $0.id == id })
    }

    /// Evaluates every rule against `snapshot` at `now` and returns the resulting actions in rule order.
    public mutating func evaluate(snapshot: Snapshot, now: Instant) -> [AlertAction] {
        var actions: [AlertAction] = []
        for rule in rules {
            let open = rule.businessHours?.contains(now, utcOffset: utcOffset) ?? true
            let quiet = rule.quietHours?.contains(now, utcOffset: utcOffset) ?? false
            var seen: Set<String> = []
            if open {
                for measurement in measure(rule, in: snapshot, now: now) {
                    let fingerprint = Self.fingerprint(rule: rule.name, instance: measurement.instance)
                    seen.insert(fingerprint)
                    step(rule, measurement, fingerprint: fingerprint, quiet: quiet, now: now, into: &actions)
                }
            }
            let orphans = active.filter { $0.value.rule == rule.name && !seen.contains($0.key) }.keys.sorted()
            for fingerprint in orphans {
                end(fingerprint, reason: open ? "scope_gone" : "outside_business_hours", now: now, into: &actions)
            }
        }
        pruneHistory(now: now)
        return coalesced(actions)
    }

    /// Replaces the rules (config reload). Alerts of rules that are gone resolve with reason `rule_removed`;
    /// the others carry on under the new settings.
    public mutating func replaceRules(_ newRules: [AlertRule], now: Instant) -> [AlertAction] {
        rules = newRules
        let names = Set(newRules.map(\.name))
        var actions: [AlertAction] = []
        for fingerprint in active.filter({ !names.contains($0.value.rule) }).keys.sorted() {
            end(fingerprint, reason: "rule_removed", now: now, into: &actions)
        }
        return coalesced(actions)
    }

    /// Marks a firing alert acknowledged by `user`. Acknowledging an acknowledged alert again changes
    /// nothing and returns no actions (so a retried API call is harmless).
    public mutating func acknowledge(id: String, by user: String, now: Instant) throws(AlertAckError) -> [AlertAction] {
        guard let (fingerprint, alert) = active.first(where: { $0.value.id == id }) else {
            if history.contains(where: { $0.id == id }) { throw .alreadyResolved(id: id) }
            throw .notFound(id: id)
        }
        switch alert.state {
        case .acknowledged: return []
        case .pending, .resolved: throw .notFiring(id: id, state: alert.state)
        case .firing: break
        }
        var acknowledged = alert
        acknowledged.state = .acknowledged
        acknowledged.acknowledgedBy = user
        acknowledged.acknowledgedAt = now
        active[fingerprint] = acknowledged
        return [acknowledged.notified ? .acknowledge(acknowledged) : .update]
    }

    // MARK: - Lifecycle steps

    private mutating func step(
        _ rule: AlertRule, _ measurement: Measurement, fingerprint: String, quiet: Bool, now: Instant,
        into actions: inout [AlertAction]
    ) {
        let breached = measurement.value.map(rule.isBreached) ?? false
        guard var alert = active[fingerprint] else {
            guard breached else { return }
            var alert = makePending(rule, measurement, fingerprint: fingerprint, now: now)
            if rule.forDuration == 0, refireAllowed(fingerprint, rule: rule, now: now) {
                fire(&alert, quiet: quiet, now: now, into: &actions)
            } else {
                actions.append(.update)
            }
            active[fingerprint] = alert
            return
        }
        alert.value = measurement.value ?? alert.value
        switch alert.state {
        case .pending:
            guard breached else {
                active[fingerprint] = nil
                actions.append(.update)
                return
            }
            if now.since(alert.activeAt) >= rule.forDuration, refireAllowed(fingerprint, rule: rule, now: now) {
                alert.summary = rule.summary ?? Self.summary(rule, measurement)
                fire(&alert, quiet: quiet, now: now, into: &actions)
            }
        case .firing, .acknowledged:
            // Hysteresis: only a value back past the clear threshold (or no value at all) resolves.
            guard let value = measurement.value, !rule.isCleared(value) else {
                active[fingerprint] = alert
                end(fingerprint, reason: "cleared", now: now, into: &actions)
                return
            }
            if alert.state == .firing, !quiet {
                if !alert.notified {
                    markNotified(&alert, now: now)
                    actions.append(.fire(alert))
                } else if let every = rule.renotifyInterval, let last = alert.lastNotifiedAt, now.since(last) >= every {
                    markNotified(&alert, now: now)
                    actions.append(.renotify(alert))
                }
            }
        case .resolved:
            break
        }
        active[fingerprint] = alert
    }

    private func makePending(_ rule: AlertRule, _ measurement: Measurement, fingerprint: String, now: Instant) -> Alert
    {
        var labels = measurement.labels
        for (key, value) in rule.labels where labels[key] == nil { labels[key] = value }
        labels["alertname"] = rule.name
        labels["severity"] = rule.severity.rawValue
        return Alert(
            id: "\(fingerprint)-\(now.milliseconds)", fingerprint: fingerprint, rule: rule.name,
            instance: measurement.instance, metric: rule.metric.name, window: rule.window,
            comparison: rule.comparison, threshold: rule.threshold, severity: rule.severity, labels: labels,
            summary: rule.summary ?? Self.summary(rule, measurement), notifiers: rule.notifiers, state: .pending,
            value: measurement.value, activeAt: now, firedAt: nil, acknowledgedBy: nil, acknowledgedAt: nil,
            resolvedAt: nil, resolution: nil, notified: false, lastNotifiedAt: nil, notificationCount: 0)
    }

    private func refireAllowed(_ fingerprint: String, rule: AlertRule, now: Instant) -> Bool {
        guard let resolved = lastResolvedAt[fingerprint] else { return true }
        return now.since(resolved) >= rule.refireAfter
    }

    private func fire(_ alert: inout Alert, quiet: Bool, now: Instant, into actions: inout [AlertAction]) {
        alert.state = .firing
        alert.firedAt = now
        if quiet {
            actions.append(.update)  // on the board now; the notification waits for quiet hours to end
        } else {
            markNotified(&alert, now: now)
            actions.append(.fire(alert))
        }
    }

    private func markNotified(_ alert: inout Alert, now: Instant) {
        alert.notified = true
        alert.lastNotifiedAt = now
        alert.notificationCount += 1
    }

    /// Ends the active alert at `fingerprint`: a pending one just vanishes, a firing one resolves into history.
    private mutating func end(_ fingerprint: String, reason: String, now: Instant, into actions: inout [AlertAction]) {
        guard var alert = active.removeValue(forKey: fingerprint) else { return }
        guard alert.state != .pending else {
            actions.append(.update)
            return
        }
        alert.state = .resolved
        alert.resolvedAt = now
        alert.resolution = reason
        lastResolvedAt[fingerprint] = now
        history.append(alert)
        // A receiver that never heard of the alert does not need to hear it ended.
        actions.append(alert.notified ? .resolve(alert) : .update)
    }

    private mutating func pruneHistory(now: Instant) {
        let offset = utcOffset(now)
        let local = now.milliseconds + offset
        let dayStart = Instant(milliseconds: local - ((local % 86_400_000) + 86_400_000) % 86_400_000 - offset)
        history.removeAll { ($0.resolvedAt ?? now) < dayStart }
        if history.count > historyLimit { history.removeFirst(history.count - historyLimit) }
        // Refire guards older than a day can no longer matter.
        lastResolvedAt = lastResolvedAt.filter { now.since($0.value) < 86_400_000 }
    }

    /// Drops `.update`s made redundant by a notifying action or another `.update`, keeping order.
    private func coalesced(_ actions: [AlertAction]) -> [AlertAction] {
        let notifying = actions.filter { $0 != .update }
        if notifying.isEmpty { return actions.isEmpty ? [] : [.update] }
        return notifying
    }

    private static func rank(_ alert: Alert) -> Int {
        let severity = AlertSeverity.allCases.firstIndex(of: alert.severity) ?? 0
        let state = alert.state == .firing ? 2 : alert.state == .acknowledged ? 1 : 0
        return state * 10 + severity
    }

    /// FNV-1a 64 of rule name, NUL, instance, as 16 hex digits: stable across restarts and builds.
    public static func fingerprint(rule: String, instance: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in Array(rule.utf8) + [0] + Array(instance.utf8) {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}

/// Why an acknowledgement was refused.
public enum AlertAckError: Error, Sendable, Equatable {
    /// No alert has this id (today).
    case notFound(id: String)
    /// The alert is pending (it has not fired yet).
    case notFiring(id: String, state: Alert.State)
    /// The alert already resolved.
    case alreadyResolved(id: String)
}

extension AlertAckError: CustomStringConvertible {
    /// The message an API caller sees.
    public var description: String {
        switch self {
        case .notFound(let id): return "no alert \(id) today"
        case .notFiring(let id, let state): return "alert \(id) is \(state.rawValue), not firing: nothing to acknowledge yet"
        case .alreadyResolved(let id): return "alert \(id) already resolved"
        }
    }
}

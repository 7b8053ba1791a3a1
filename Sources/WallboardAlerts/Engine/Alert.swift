import WallboardCore

/// One episode of one rule on one scope instance: from the moment it fired until it resolved.
///
/// `id` is stable for the episode and is also the dedup key sent to PagerDuty and receivers, so a
/// trigger and its resolve always match. A new episode of the same rule and instance gets a new id.
public struct Alert: Sendable, Equatable {
    /// Where the alert is in its lifecycle. `pending` alerts show on the board but never notify.
    public enum State: String, Sendable, Equatable, CaseIterable {
        case pending, firing, acknowledged, resolved
    }

    /// `<fingerprint>-<fired at, ms since epoch>`: URL-safe, unique per episode.
    public var id: String
    /// 16 hex digits from the rule name and scope instance: equal for every episode of the pair.
    public var fingerprint: String
    public var rule: String
    /// The concrete scope, e.g. `queue:sales`, `agent:a01`, `center`.
    public var instance: String
    public var metric: String
    public var window: String?
    public var comparison: AlertComparison
    public var threshold: Double
    public var severity: AlertSeverity
    /// The rule's labels plus `alertname`, `scope`, `severity` (and `queue`/`team`/`agent` for the instance).
    public var labels: [String: String]
    public var summary: String
    public var notifiers: [String]
    public var state: State
    /// The figure at the last evaluation (while active) or when it resolved.
    public var value: Double?
    /// When the condition started to hold.
    public var activeAt: Instant
    public var firedAt: Instant?
    public var acknowledgedBy: String?
    public var acknowledgedAt: Instant?
    public var resolvedAt: Instant?
    /// Why it resolved: `cleared`, `scope_gone` (queue or agent no longer there), `outside_business_hours`,
    /// `rule_removed`.
    public var resolution: String?
    /// `true` once the fire notification was handed out (it waits during quiet hours).
    public var notified: Bool
    public var lastNotifiedAt: Instant?
    /// Notifications handed out for this episode (fire + renotifies).
    public var notificationCount: Int

    /// The key receivers deduplicate on (PagerDuty `dedup_key`): `wallboardd:` + ``id``.
    public var dedupKey: String { "wallboardd:" + id }
}

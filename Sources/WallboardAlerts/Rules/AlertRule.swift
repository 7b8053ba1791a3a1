import WallboardCore

/// One threshold rule from the config's `alerts.rules` list: which figure of which scope to watch,
/// when it counts as breached, how long before it fires, and who hears about it.
///
/// Built and validated by ``AlertConfiguration/init(json:path:line:knownWindows:)``; see `docs/alerts.md`.
public struct AlertRule: Sendable, Equatable {
    public var name: String
    public var metric: AlertMetric
    public var scope: AlertScope
    /// The window of a window metric (`service_level`, `abandon_rate`, `asa_seconds`); `nil` for now-values.
    public var window: String?
    public var comparison: AlertComparison
    public var threshold: Double
    /// The value the figure must get back past before the alert resolves (hysteresis). Equals `threshold` by default.
    public var clearThreshold: Double
    /// How long the condition must hold before the alert fires (Prometheus' `for:`).
    public var forDuration: Millis
    public var severity: AlertSeverity
    public var labels: [String: String]
    /// A fixed summary; `nil` makes one from the metric, scope and value.
    public var summary: String?
    /// Re-send a still-firing, unacknowledged alert this often; `nil` never re-sends.
    public var renotifyInterval: Millis?
    /// After an alert of this rule and scope resolves, the same scope cannot fire again for this long.
    public var refireAfter: Millis
    /// Evaluated only inside these hours; `nil` means always.
    public var businessHours: WeeklySchedule?
    /// Inside these hours alerts still show on the board but notifications wait (see docs/alerts.md).
    public var quietHours: WeeklySchedule?
    /// Names of entries in `alerts.notifiers`.
    public var notifiers: [String]

    public init(
        name: String, metric: AlertMetric, scope: AlertScope, window: String? = nil,
        comparison: AlertComparison, threshold: Double, clearThreshold: Double? = nil, forDuration: Millis = 0,
        severity: AlertSeverity = .warning, labels: [String: String] = [:], summary: String? = nil,
        renotifyInterval: Millis? = nil, refireAfter: Millis = AlertRule.defaultRefireAfter,
        businessHours: WeeklySchedule? = nil, quietHours: WeeklySchedule? = nil, notifiers: [String] = []
    ) {
        self.name = name
        self.metric = metric
        self.scope = scope
        self.window = window
        self.comparison = comparison
        self.threshold = threshold
        self.clearThreshold = clearThreshold ?? threshold
        self.forDuration = forDuration
        self.severity = severity
        self.labels = labels
        self.summary = summary
        self.renotifyInterval = renotifyInterval
        self.refireAfter = refireAfter
        self.businessHours = businessHours
        self.quietHours = quietHours
        self.notifiers = notifiers
    }

    /// Five minutes: a queue hovering around its threshold pages at most once per five minutes.
    public static let defaultRefireAfter: Millis = .minutes(5)

    /// `true` when `value` is past the threshold (the condition that makes an alert pending, then firing).
    public func isBreached(_ value: Double) -> Bool { comparison.holds(value, threshold) }

    /// `true` when `value` is back past the clear threshold (what resolves a firing alert).
    public func isCleared(_ value: Double) -> Bool { !comparison.holds(value, clearThreshold) }
}

/// What a rule measures. Window metrics need a window; agent metrics need scope `agent:*`.
public enum AlertMetric: Sendable, Equatable, Hashable {
    case serviceLevel
    case abandonRate
    case asaSeconds
    case waitingNow
    case longestWaitSeconds
    case agentsAvailable
    case agentsNotReady
    /// Seconds an agent has been in `state` (and with `reason`, when given).
    case agentStateSeconds(state: AgentState, reason: String?)
    /// Seconds since the agent answered their current contact.
    case contactSeconds
    /// What the window cost (`cost`), per handled and per offered contact, in the currency's major
    /// units (e.g. euros, `4.5`); needs the `costs:` section (docs/metrics.md, "Cost per contact").
    case cost
    case costPerHandled
    case costPerOffered
    /// Callbacks connected within the queue's callback threshold ÷ (connected + failed) (docs/metrics.md, "Callbacks").
    case callbackServiceLevel
    /// Mean time from a callback's request to its connection.
    case callbackWaitSeconds
    /// Self-served ÷ (self-served + reached a queue), center only (docs/metrics.md, "Self-service containment").
    case containmentRate
    /// Where today is projected to close: service level and abandon rate at the end of the business day
    /// (docs/metrics.md, "Projected close"); null (never breaching) when the projection is undefined.
    case projectedServiceLevel
    case projectedAbandonRate

    /// The name used in the config (`service_level`, ...).
    public var name: String {
        switch self {
        case .serviceLevel: return "service_level"
        case .abandonRate: return "abandon_rate"
        case .asaSeconds: return "asa_seconds"
        case .waitingNow: return "waiting_now"
        case .longestWaitSeconds: return "longest_wait_seconds"
        case .agentsAvailable: return "agents_available"
        case .agentsNotReady: return "agents_not_ready"
        case .agentStateSeconds: return "agent_state_seconds"
        case .contactSeconds: return "contact_seconds"
        case .cost: return "cost"
        case .costPerHandled: return "cost_per_handled"
        case .costPerOffered: return "cost_per_offered"
        case .callbackServiceLevel: return "callback_service_level"
        case .callbackWaitSeconds: return "callback_wait_seconds"
        case .containmentRate: return "containment_rate"
        case .projectedServiceLevel: return "projected_service_level"
        case .projectedAbandonRate: return "projected_abandon_rate"
        }
    }

    /// All metric names the config accepts.
    public static let names = [
        "service_level", "abandon_rate", "asa_seconds", "waiting_now", "longest_wait_seconds",
        "agents_available", "agents_not_ready", "agent_state_seconds", "contact_seconds",
        "cost", "cost_per_handled", "cost_per_offered",
        "callback_service_level", "callback_wait_seconds", "containment_rate",
        "projected_service_level", "projected_abandon_rate",
    ]

    /// Needs a window (`window:` key).
    public var isWindowMetric: Bool {
        switch self {
        case .serviceLevel, .abandonRate, .asaSeconds: return true
        case .cost, .costPerHandled, .costPerOffered: return true
        case .callbackServiceLevel, .callbackWaitSeconds, .containmentRate: return true
        default: return false
        }
    }

    /// Measured per agent (scope `agent:*`).
    public var isAgentMetric: Bool {
        switch self {
        case .agentStateSeconds, .contactSeconds: return true
        default: return false
        }
    }

    /// A fraction 0..1 (thresholds must be too).
    public var isRate: Bool {
        self == .serviceLevel || self == .abandonRate || self == .callbackServiceLevel || self == .containmentRate
            || self == .projectedServiceLevel || self == .projectedAbandonRate
    }

    /// An amount of money (the cost metrics).
    public var isMoney: Bool { self == .cost || self == .costPerHandled || self == .costPerOffered }
}

/// Which part of the center a rule watches. Wildcards make one alert per instance (queue, agent).
public enum AlertScope: Sendable, Equatable, Hashable, CustomStringConvertible {
    case center
    case queue(String)
    case everyQueue
    case team(String)
    case everyAgent

    /// Parses `center`, `queue:<id>`, `queue:*`, `team:<id>`, `agent:*`.
    public init?(_ text: String) {
        if text == "center" {
            self = .center
        } else if text == "queue:*" {
            self = .everyQueue
        } else if text == "agent:*" {
            self = .everyAgent
        } else if text.hasPrefix("queue:"), text.count > 6 {
            self = .queue(String(text.dropFirst(6)))
        } else if text.hasPrefix("team:"), text.count > 5, !text.hasSuffix("*") {
            self = .team(String(text.dropFirst(5)))
        } else {
            return nil
        }
    }

    public var description: String {
        switch self {
        case .center: return "center"
        case .queue(let id): return "queue:\(id)"
        case .everyQueue: return "queue:*"
        case .team(let id): return "team:\(id)"
        case .everyAgent: return "agent:*"
        }
    }
}

/// How the figure is compared with the threshold.
public enum AlertComparison: String, Sendable, Equatable, CaseIterable {
    case lessThan = "<"
    case lessThanOrEqual = "<="
    case greaterThan = ">"
    case greaterThanOrEqual = ">="

    /// `value <op> threshold`.
    public func holds(_ value: Double, _ threshold: Double) -> Bool {
        switch self {
        case .lessThan: return value < threshold
        case .lessThanOrEqual: return value <= threshold
        case .greaterThan: return value > threshold
        case .greaterThanOrEqual: return value >= threshold
        }
    }

    /// `>` and `>=`: breaching means going up, so the clear threshold must not be above the threshold.
    public var breachesUpward: Bool { self == .greaterThan || self == .greaterThanOrEqual }
}

/// How urgent an alert is. PagerDuty gets the same word.
public enum AlertSeverity: String, Sendable, Equatable, CaseIterable {
    case info, warning, critical
}

/// One entry of `alerts.notifiers`: where notifications go and in which format.
public struct NotifierConfig: Sendable, Equatable {
    /// The payload format (see docs/alerts.md "Notifier formats").
    public enum Kind: String, Sendable, Equatable, CaseIterable {
        /// wallboardd's own JSON body.
        case webhook
        /// Slack incoming webhook: `text` + Block Kit `blocks`.
        case slack
        /// Microsoft Teams Workflows webhook: a message with an Adaptive Card attachment.
        case teams
        /// PagerDuty Events API v2.
        case pagerduty
        /// A Prometheus Alertmanager's own API, `POST /api/v2/alerts`: our alerts enter its routing,
        /// silencing and inhibition (re-posted while firing, ended on resolve).
        case alertmanager
        /// The body an Alertmanager posts to its `webhook_config` receivers, for tools that take that format.
        case alertmanagerWebhook = "alertmanager_webhook"
    }

    public var name: String
    public var kind: Kind
    /// The URL to POST to. PagerDuty defaults to ``NotifierConfig/pagerDutyEventsURL``.
    public var url: String
    /// PagerDuty's integration (routing) key; `nil` for other kinds.
    public var routingKey: String?
    /// Extra request headers (e.g. `Authorization` for a generic webhook).
    public var headers: [String: String]
    /// Which events go out: by default fire, acknowledge and resolve (and renotify when the rule asks).
    public var sendAcknowledgements: Bool

    public init(
        name: String, kind: Kind, url: String, routingKey: String? = nil, headers: [String: String] = [:],
        sendAcknowledgements: Bool = true
    ) {
        self.name = name
        self.kind = kind
        self.url = url
        self.routingKey = routingKey
        self.headers = headers
        self.sendAcknowledgements = sendAcknowledgements
    }

    /// The path every `alertmanager` notifier URL ends with: Alertmanager's `postAlerts` operation.
    public static let alertmanagerAlertsPath = "/api/v2/alerts"

    /// `https://events.pagerduty.com/v2/enqueue`.
    public static let pagerDutyEventsURL = "https://events.pagerduty.com/v2/enqueue"
}

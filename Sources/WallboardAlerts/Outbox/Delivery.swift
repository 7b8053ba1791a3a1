import WallboardCore

/// One notification on its way to one notifier, with its retry bookkeeping.
public struct Delivery: Sendable, Equatable {
    /// `<alert dedup key>/<event>[-<n>]/<notifier>`: the same state change to the same notifier is enqueued once.
    /// Sent as the `Idempotency-Key` header so receivers can drop a repeat (delivery is at least once).
    public var id: String
    public var notifier: String
    /// The alert id; deliveries of one alert to one notifier go out strictly in order (a PagerDuty resolve
    /// must never overtake its trigger).
    public var alertID: String
    public var event: AlertEvent
    public var request: NotificationRequest
    public var createdAt: Instant
    /// Attempts made so far (failed or in flight).
    public var attempts: Int
    /// Not to be sent before this.
    public var nextAttemptAt: Instant
    /// Set while a sender holds it; past this it counts as lost and is due again.
    public var leasedUntil: Instant?
    /// What went wrong last time, for the dead-letter log and `/metrics`.
    public var lastError: String?
    /// When it was given up on (dead letters only).
    public var deadAt: Instant?
}

/// How an attempt failed.
public enum DeliveryFailure: Sendable, Equatable, CustomStringConvertible {
    /// The receiver answered with a non-2xx status; `retryAfter` from its `Retry-After` header, if any.
    case status(Int, retryAfter: Millis? = nil)
    /// No answer: connection refused, TLS failure, timeout...
    case transport(String)

    /// 4xx other than 408 (timeout), 425 and 429 (slow down): the request itself is wrong, so retrying
    /// cannot help. It is dead-lettered at once.
    public var isPermanent: Bool {
        guard case .status(let code, _) = self else { return false }
        return (400..<500).contains(code) && ![408, 425, 429].contains(code)
    }

    public var description: String {
        switch self {
        case .status(let code, _): return "HTTP \(code)"
        case .transport(let reason): return reason
        }
    }
}

/// What ``Outbox/markFailed(id:failure:now:random:)`` decided.
public enum DeliveryOutcome: Sendable, Equatable {
    /// It will be tried again at this instant.
    case retry(at: Instant)
    /// Given up: moved to the dead-letter list (log it).
    case deadLettered(Delivery)
    /// No such delivery in flight (already delivered, or unknown).
    case unknown
}

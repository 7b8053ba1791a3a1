/// What one evaluation (or acknowledgement) asks the server to do.
///
/// The four notifying cases carry the alert as it is after the change; hand them to
/// ``NotificationBuilder`` for each of `alert.notifiers` and enqueue the requests in the ``Outbox``.
public enum AlertAction: Sendable, Equatable {
    /// An alert started firing (or its deferred fire notification is due now that quiet hours ended).
    case fire(Alert)
    /// A still-firing, unacknowledged alert reached its `renotify_every` interval.
    case renotify(Alert)
    /// Someone acknowledged a firing alert.
    case acknowledge(Alert)
    /// A firing or acknowledged alert resolved (only when its fire was notified; else it is an ``update``).
    case resolve(Alert)
    /// The alert list changed without a notification (pending appeared or vanished, quiet-hours fire,
    /// resolve of a never-notified alert, value change): republish the `alerts` topic.
    case update

    /// The alert to notify about, with its event, or `nil` for ``update``.
    public var notification: (event: AlertEvent, alert: Alert)? {
        switch self {
        case .fire(let alert): return (.fire, alert)
        case .renotify(let alert): return (.renotify, alert)
        case .acknowledge(let alert): return (.acknowledge, alert)
        case .resolve(let alert): return (.resolve, alert)
        case .update: return nil
        }
    }
}

/// The state change a notification reports.
public enum AlertEvent: String, Sendable, Equatable, CaseIterable {
    case fire, renotify, acknowledge, resolve
}

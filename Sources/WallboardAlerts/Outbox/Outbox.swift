import WallboardCore

/// The durable queue of notifications: at-least-once delivery with capped, jittered exponential backoff
/// and a dead-letter list. A pure state machine; the server persists ``json`` after each change and
/// does the HTTP.
///
/// Server loop (on its queue): `enqueue` the engine's actions; on a timer at ``nextWakeup``,
/// ``claimDue(now:)`` and send each; report back with ``markDelivered(id:now:)`` or
/// ``markFailed(id:failure:now:random:)``. A delivery claimed but never reported (crash, hang) is due
/// again once its lease ends, so nothing is lost; receivers dedupe repeats on `Idempotency-Key`.
public struct Outbox: Sendable, Equatable {
    public var policy: OutboxPolicy
    /// Deliveries not yet delivered or dead, oldest first.
    public internal(set) var pending: [Delivery] = []
    /// Given-up deliveries, oldest first, at most `policy.memoryLimit`.
    public internal(set) var deadLetters: [Delivery] = []
    /// Ids already delivered (most recent `policy.memoryLimit`), so a replayed enqueue is not sent twice.
    public internal(set) var deliveredIDs: [String] = []

    public init(policy: OutboxPolicy = OutboxPolicy()) { self.policy = policy }

    /// Adds a request unless a delivery with `id` is pending, delivered or dead already. Returns `true` if added.
    @discardableResult
    public mutating func enqueue(
        _ request: NotificationRequest, id: String, notifier: String, alertID: String, event: AlertEvent, now: Instant
    ) -> Bool {
        guard !pending.contains(where: { $0.id == id }), !deliveredIDs.contains(id),
            !deadLetters.contains(where: { $0.id == id })
        else { return false }
        var request = request
        request.headers.append(.init("Idempotency-Key", id))
        pending.append(
            Delivery(
                id: id, notifier: notifier, alertID: alertID, event: event, request: request, createdAt: now,
                attempts: 0, nextAttemptAt: now, leasedUntil: nil, lastError: nil, deadAt: nil))
        return true
    }

    /// Builds and enqueues the requests for one engine action, one per notifier of the alert that has
    /// something to send. Returns the ids added.
    @discardableResult
    public mutating func enqueue(
        _ action: AlertAction, notifiers: [NotifierConfig], context: NotificationContext = NotificationContext(),
        now: Instant
    ) -> [String] {
        guard let (event, alert) = action.notification else { return [] }
        var added: [String] = []
        for name in alert.notifiers {
            guard let notifier = notifiers.first(where: { $0.name == name }),
                let request = NotificationBuilder.request(
                    for: event, alert: alert, notifier: notifier, context: context)
            else { continue }
            let step = event == .renotify ? "\(event.rawValue)-\(alert.notificationCount)" : event.rawValue
            let id = "\(alert.dedupKey)/\(step)/\(name)"
            if enqueue(request, id: id, notifier: name, alertID: alert.id, event: event, now: now) { added.append(id) }
        }
        return added
    }

    /// Deliveries that may be sent at `now`: time reached, not leased (or lease expired), and no earlier
    /// delivery of the same alert to the same notifier still pending.
    public func due(now: Instant) -> [Delivery] {
        var blocked: Set<String> = []
        var result: [Delivery] = []
        for delivery in pending {
            let lane = delivery.notifier + "\u{0}" + delivery.alertID
            defer { blocked.insert(lane) }
            guard !blocked.contains(lane), delivery.nextAttemptAt <= now else { continue }
            if let lease = delivery.leasedUntil, lease > now { continue }
            result.append(delivery)
        }
        return result
    }

    /// ``due(now:)``, each leased for `policy.leaseDuration` and counted as an attempt: send these now.
    ///
    /// First pulls in any retry time later than `now + maxBackoff` and any lease longer than
    /// `leaseDuration`: the outbox never schedules that far itself, so such a time comes from a damaged or
    /// hand-edited outbox file, a clock that jumped back, or a lowered `max_backoff`, and would otherwise
    /// hold the delivery (and every later one of its alert) back for as long as the file says.
    public mutating func claimDue(now: Instant) -> [Delivery] {
        pullInSchedule(now: now)
        let ids = Set(due(now: now).map(\.id))
        var claimed: [Delivery] = []
        for index in pending.indices where ids.contains(pending[index].id) {
            pending[index].attempts = OutboxMath.increment(pending[index].attempts)
            pending[index].leasedUntil = OutboxMath.advance(now, by: policy.leaseDuration)
            claimed.append(pending[index])
        }
        return claimed
    }

    private mutating func pullInSchedule(now: Instant) {
        let latestAttempt = OutboxMath.advance(now, by: policy.maxBackoff)
        let latestLeaseEnd = OutboxMath.advance(now, by: policy.leaseDuration)
        for index in pending.indices {
            if pending[index].nextAttemptAt > latestAttempt { pending[index].nextAttemptAt = latestAttempt }
            if let lease = pending[index].leasedUntil, lease > latestLeaseEnd {
                pending[index].leasedUntil = latestLeaseEnd
            }
        }
    }

    /// The receiver accepted it (2xx).
    public mutating func markDelivered(id: String, now: Instant) {
        guard let index = pending.firstIndex(where: { $0.id == id }) else { return }
        pending.remove(at: index)
        remember(id)
    }

    /// The attempt failed: schedule the next one, or dead-letter after `policy.maxAttempts` attempts or on a
    /// permanent failure. `random` supplies the jitter (inject a seeded generator in tests).
    public mutating func markFailed<R: RandomNumberGenerator>(
        id: String, failure: DeliveryFailure, now: Instant, random: inout R
    ) -> DeliveryOutcome {
        guard let index = pending.firstIndex(where: { $0.id == id }) else { return .unknown }
        var delivery = pending[index]
        delivery.attempts = max(delivery.attempts, 1)
        delivery.leasedUntil = nil
        delivery.lastError = failure.description
        if failure.isPermanent || delivery.attempts >= policy.maxAttempts {
            delivery.deadAt = now
            pending.remove(at: index)
            deadLetters.append(delivery)
            if deadLetters.count > policy.memoryLimit {
                deadLetters.removeFirst(deadLetters.count - policy.memoryLimit)
            }
            return .deadLettered(delivery)
        }
        var delay = policy.backoff(afterFailures: delivery.attempts)
        delay -= OutboxMath.jitterCut(of: delay, fraction: policy.jitter, random: Double.random(in: 0..<1, using: &random))
        // Retry-After (already bounded by ``RetryAfter``) may lengthen the wait, never past maxBackoff.
        if case .status(_, let retryAfter?) = failure { delay = max(delay, min(retryAfter, policy.maxBackoff)) }
        delivery.nextAttemptAt = OutboxMath.advance(now, by: max(delay, 1))
        pending[index] = delivery
        return .retry(at: delivery.nextAttemptAt)
    }

    /// When the server should next call ``claimDue(now:)``: the earliest retry time or lease end, `nil` when empty.
    /// Deliveries queued behind an earlier one of the same alert and notifier do not count: they wait for it.
    public var nextWakeup: Instant? {
        var lanes: Set<String> = []
        var earliest: Instant?
        for delivery in pending where lanes.insert(delivery.notifier + "\u{0}" + delivery.alertID).inserted {
            let at = max(delivery.nextAttemptAt, delivery.leasedUntil ?? delivery.nextAttemptAt)
            earliest = min(earliest ?? at, at)
        }
        return earliest
    }

    private mutating func remember(_ id: String) {
        deliveredIDs.append(id)
        if deliveredIDs.count > policy.memoryLimit { deliveredIDs.removeFirst(deliveredIDs.count - policy.memoryLimit) }
    }
}

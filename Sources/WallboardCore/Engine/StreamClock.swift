/// The clock a contact goes idle by (``EngineConfiguration/contactExpiry``): the event stream's time, not
/// the wall clock's.
///
/// While events keep arriving it stands at the newest event time; while none arrive it moves on with the
/// wall clock from there; it is never ahead of the wall clock. So a live stream reads the wall clock, a
/// source that falls silent still lets its contacts expire, and a day posted again at speed (a Redis
/// catch-up, a re-post of an old file, a queue_log gap) keeps each contact until its own events end it.
/// Before, a contact queued five hours before it was posted expired as idle at the next tick, its later
/// events were held back as "unknown contact" and then rejected.
struct StreamClock: Sendable, Equatable {
    /// The newest event time noted.
    private(set) var latestEvent: Instant
    /// When (wall clock) the last event arrived.
    private(set) var arrivedAt: Instant

    /// The stream's time at wall time `now`.
    func reference(at now: Instant) -> Instant {
        min(now, latestEvent.advanced(by: max(0, now.since(arrivedAt))))
    }
}

extension Optional where Wrapped == StreamClock {
    /// Notes an event stamped `timestamp` that arrived at wall time `now`.
    mutating func note(_ timestamp: Instant, arrivedAt now: Instant) {
        let latest = self.map { Swift.max($0.latestEvent, timestamp) } ?? timestamp
        self = StreamClock(latestEvent: latest, arrivedAt: now)
    }
}

/// Contacts that never end (a source lost an event, a bridge restarted while a call was up) and
/// contacts a source's live state no longer has are closed as `expired` (docs/metrics.md, "Expired
/// contacts"): counted only in their own figure, never as answered, abandoned or handled, and gone
/// from waiting now, longest wait and lookups at once.
extension WallboardEngine {
    /// Closes the live contact `contact` as expired at `at` and returns what to log about it, or `nil`
    /// when no such contact is live. A waiting contact leaves its queue with outcome
    /// ``QueueDeparture/Outcome/expired``; a connected, held or ended one is taken off its agent, whose
    /// state then follows the contacts left. Nothing else is counted: not answered, abandoned or handled.
    @discardableResult
    public mutating func expireContact(_ contact: String, at: Instant, cause: ExpiredContact.Cause) -> ExpiredContact? {
        guard let live = contacts[contact] else { return nil }
        let at = max(at, live.queuedAt)
        let departure = QueueDeparture(
            contact: live.id, queue: live.queue, channel: live.channel, outcome: .expired, leftAt: at,
            wait: live.phase == .waiting ? max(0, at.since(live.queuedAt)) : 0, customer: live.customer,
            language: live.language, reason: live.reason, agent: live.agent, team: live.team, isRepeat: live.isRepeat)
        history.insert(.departure(departure), settings: settings)
        finish(live, at: at)
        detach(contact, from: live.agent, at: at, refresh: true)
        counters.expired += 1
        let record = ExpiredContact(
            contact: live.id, queue: live.queue, channel: live.channel, phase: live.phase, agent: live.agent,
            lastActivity: live.lastActivity, at: at, cause: cause)
        if expiredLog.count < Self.expiredLogLimit {
            expiredLog.append(record)
        } else {
            expiredLogDropped += 1
        }
        return record
    }

    /// The contacts expired since the last call, oldest first, and how many more were not kept (at
    /// most ``expiredLogLimit`` are kept between calls): the server logs each once.
    public mutating func takeExpiredContacts() -> (contacts: [ExpiredContact], dropped: Int) {
        defer {
            expiredLog = []
            expiredLogDropped = 0
        }
        return (expiredLog, expiredLogDropped)
    }

    /// No live contact can go idle: nothing to look at until an event makes one live.
    static let noIdleScan = Instant(milliseconds: .max)

    /// Expired contacts kept for the log between two ``takeExpiredContacts()``.
    public static let expiredLogLimit = 1000

    /// Expires every contact idle for longer than ``EngineConfiguration/contactExpiry`` at `now`: a
    /// waiting one queued that long ago, any other with no event about it for that long. Each is closed
    /// at the moment it became idle for that long, so the result does not depend on how often this runs.
    mutating func expireIdleContacts(now: Instant) {
        let age = configuration.contactExpiry
        guard age > 0 else {
            idleScanDue = Self.noIdleScan
            return
        }
        var due: [(at: Instant, id: String)] = []
        var next = Self.noIdleScan
        for live in contacts.values {
            let since = live.phase == .waiting ? live.queuedAt : live.lastActivity
            if now.since(since) > age {
                due.append((since.advanced(by: age), live.id))
            } else {
                next = min(next, since.advanced(by: age + 1))
            }
        }
        for item in due.sorted(by: { ($0.at, $0.id) < ($1.at, $1.id) }) {
            expireContact(item.id, at: item.at, cause: .idle)
        }
        next = min(next, expireIdleCallbacks(now: now, age: age))  // Engine/WallboardEngine+Callbacks.swift
        idleScanDue = next
    }
}

/// A contact the engine closed as expired, for the log.
public struct ExpiredContact: Sendable, Equatable {
    public enum Cause: String, Sendable, Equatable {
        /// No event about it for ``EngineConfiguration/contactExpiry``.
        case idle
        /// A `source.snapshot` covering its queue no longer has it.
        case reconciled
    }

    public var contact: String
    public var queue: String
    public var channel: Channel
    /// Where it was when it expired.
    public var phase: LiveContact.Phase
    public var agent: String?
    public var lastActivity: Instant
    /// When it was closed.
    public var at: Instant
    public var cause: Cause
}

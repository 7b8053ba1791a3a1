/// Callbacks and self-service (docs/metrics.md, "Callbacks" and "Self-service containment").
///
/// A waiting caller who chooses a callback leaves the waiting list (``pendingCallbacks``), keeps its
/// queue, and counts as neither abandoned nor answered; when the customer is reached it becomes a
/// connected contact of its agent like an answered one (hold, end, wrap-up and handle time as usual),
/// without a departure. Callback events naming a contact of today's abandoned list mark that entry
/// (the supervisors' call-back list) and count in nothing else.
extension WallboardEngine {
    mutating func requestCallback(_ contact: String, at: Instant) throws(EventRejection) {
        let live = try waitingContact(contact, event: "contact.callback_requested")
        recordCallback(live, .requested, at: at)
        contacts[contact] = nil
        pendingCallbacks[contact] = PendingCallback(contact: live, requestedAt: at, attempts: 0, touchedAt: at)
    }

    mutating func attemptCallback(_ contact: String, at: Instant) throws(EventRejection) {
        if var pending = pendingCallbacks[contact] {
            pending.attempts += 1
            pending.touchedAt = max(pending.touchedAt, at)
            pendingCallbacks[contact] = pending
            recordCallback(pending.contact, .attempted, at: at)
            return
        }
        try markCalledBack(contact, .attempted, agent: nil, reason: nil, at: at, event: "contact.callback_attempted")
    }

    mutating func connectCallback(_ contact: String, agent: String, at: Instant) throws(EventRejection) {
        guard let pending = pendingCallbacks[contact] else {
            try markCalledBack(contact, .connected, agent: agent, reason: nil, at: at, event: "contact.callback_connected")
            return
        }
        if let live = contacts[contact] {
            throw EventRejection(
                .invalidTransition,
                "contact.callback_connected: contact \"\(contact)\" is already \(live.phase.rawValue) in queue \"\(live.queue)\"")
        }
        pendingCallbacks[contact] = nil
        var live = pending.contact
        live.agent = agent
        live.team = agents[agent]?.team
        recordCallback(live, .connected, at: at, wait: max(0, at.since(pending.requestedAt)))
        live.phase = .connected
        live.answeredAt = at
        live.touchedAt = at
        contacts[contact] = live
        assign(contact, channel: live.channel, to: agent, at: at)
    }

    mutating func failCallback(_ contact: String, reason: String?, at: Instant) throws(EventRejection) {
        guard let pending = pendingCallbacks.removeValue(forKey: contact) else {
            try markCalledBack(contact, .failed, agent: nil, reason: reason, at: at, event: "contact.callback_failed")
            return
        }
        recordCallback(pending.contact, .failed, at: at, reason: reason)
        finish(pending.contact, at: at)
    }

    /// Closes pending callbacks and self-service sessions with no event for ``EngineConfiguration/contactExpiry``
    /// (`age`) at `now`, each at the moment it reached that age; returns when the next one can.
    mutating func expireIdleCallbacks(now: Instant, age: Millis) -> Instant {
        var next = Self.noIdleScan
        var dueCallbacks: [(at: Instant, id: String)] = []
        for pending in pendingCallbacks.values {
            if now.since(pending.touchedAt) > age {
                dueCallbacks.append((pending.touchedAt.advanced(by: age), pending.contact.id))
            } else {
                next = min(next, pending.touchedAt.advanced(by: age + 1))
            }
        }
        for item in dueCallbacks.sorted(by: { ($0.at, $0.id) < ($1.at, $1.id) }) {
            guard let pending = pendingCallbacks.removeValue(forKey: item.id) else { continue }
            recordCallback(pending.contact, .expired, at: item.at)
            finish(pending.contact, at: item.at)
            counters.expired += 1
        }
        var dueSessions: [(at: Instant, id: String)] = []
        for session in selfServiceSessions.values {
            if now.since(session.enteredAt) > age {
                dueSessions.append((session.enteredAt.advanced(by: age), session.contact))
            } else {
                next = min(next, session.enteredAt.advanced(by: age + 1))
            }
        }
        for item in dueSessions.sorted(by: { ($0.at, $0.id) < ($1.at, $1.id) }) {
            guard let session = selfServiceSessions.removeValue(forKey: item.id) else { continue }
            history.insert(
                .selfService(SelfServiceRecord(contact: session.contact, entryPoint: session.entryPoint, outcome: .expired, at: item.at)),
                settings: settings)
        }
        return next
    }

    // MARK: - Self-service

    mutating func enterSelfService(_ contact: String, entryPoint: String, at: Instant) throws(EventRejection) {
        if let session = selfServiceSessions[contact] {
            throw EventRejection(
                .invalidTransition,
                "contact.entered_self_service: contact \"\(contact)\" is already in self-service at \"\(session.entryPoint)\"")
        }
        if let live = contacts[contact] {
            throw EventRejection(
                .invalidTransition,
                "contact.entered_self_service: contact \"\(contact)\" is already \(live.phase.rawValue) in queue \"\(live.queue)\"")
        }
        if pendingCallbacks[contact] != nil {
            throw EventRejection(
                .invalidTransition, "contact.entered_self_service: contact \"\(contact)\" has a callback pending")
        }
        selfServiceSessions[contact] = SelfServiceSession(contact: contact, entryPoint: entryPoint, enteredAt: at)
        history.insert(
            .selfService(SelfServiceRecord(contact: contact, entryPoint: entryPoint, outcome: .entered, at: at)),
            settings: settings)
    }

    mutating func selfServed(_ contact: String, reason: String?, at: Instant) throws(EventRejection) {
        guard let session = selfServiceSessions.removeValue(forKey: contact) else {
            throw EventRejection(
                .unknownContact, "contact.self_served for contact \"\(contact)\" that is not in self-service")
        }
        history.insert(
            .selfService(
                SelfServiceRecord(
                    contact: contact, entryPoint: session.entryPoint, outcome: .selfServed, at: max(at, session.enteredAt),
                    reason: reason)),
            settings: settings)
    }

    /// A contact in self-service that queues went on to a queue: counted against its entry point.
    mutating func reachQueueFromSelfService(_ contact: String, at: Instant) {
        guard let session = selfServiceSessions.removeValue(forKey: contact) else { return }
        history.insert(
            .selfService(
                SelfServiceRecord(
                    contact: contact, entryPoint: session.entryPoint, outcome: .reachedQueue, at: max(at, session.enteredAt))),
            settings: settings)
    }

    // MARK: - Helpers

    private mutating func recordCallback(
        _ live: LiveContact, _ kind: CallbackRecord.Kind, at: Instant, wait: Millis = 0, reason: String? = nil
    ) {
        history.insert(
            .callback(
                CallbackRecord(
                    contact: live.id, queue: live.queue, channel: live.channel, kind: kind, at: at, wait: wait,
                    reason: kind == .failed ? reason : nil, agent: kind == .connected ? live.agent : nil,
                    team: kind == .connected ? live.team : nil, segment: live.customer?.segment, language: live.language)),
            settings: settings)
    }

    /// Marks the newest entry of today's abandoned list for `contact` as called back, or throws
    /// `unknown_contact` when there is none (the event may precede the abandon: it is held back).
    private mutating func markCalledBack(
        _ contact: String, _ state: CallBackMark.State, agent: String?, reason: String?, at: Instant, event: String
    ) throws(EventRejection) {
        guard let index = abandonedToday.lastIndex(where: { $0.contact == contact }) else {
            throw EventRejection(
                .unknownContact, "\(event) for contact \"\(contact)\" that has no callback pending and did not abandon today")
        }
        var mark = abandonedToday[index].calledBack ?? CallBackMark(state: state, at: at, attempts: 0)
        if state == .attempted { mark.attempts += 1 }
        // A later event decides the state; an attempt never undoes a connection.
        if at >= mark.at, !(state == .attempted && mark.state == .connected) {
            mark.state = state
            mark.at = at
            mark.agent = agent ?? (state == .attempted ? mark.agent : nil)
            mark.reason = reason
        }
        abandonedToday[index].calledBack = mark
    }
}

/// A callback a caller requested, waiting to be connected.
public struct PendingCallback: Sendable, Equatable {
    /// The contact as it waited (queue, channel, customer, ...).
    public var contact: LiveContact
    public var requestedAt: Instant
    /// `contact.callback_attempted` events so far.
    public var attempts: Int
    /// The last event about it (expiry counts from it).
    public var touchedAt: Instant
}

/// A contact in self-service that has neither self-served nor reached a queue yet.
public struct SelfServiceSession: Sendable, Equatable {
    public var contact: String
    public var entryPoint: String
    public var enteredAt: Instant
}

/// How far the call-back of an abandoned contact got (``AbandonedContact/calledBack``).
public struct CallBackMark: Sendable, Equatable {
    public enum State: String, Sendable, Equatable, CaseIterable {
        case attempted, connected, failed
    }

    public var state: State
    /// When the state was reported.
    public var at: Instant
    /// `contact.callback_attempted` events for it.
    public var attempts: Int
    /// Who talked to the customer (connected only).
    public var agent: String? = nil
    /// Why it failed (failed only).
    public var reason: String? = nil
}

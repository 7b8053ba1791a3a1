/// The whole domain state of the center: agents, live contacts, queues and the history that
/// windows are computed from. A value-type state machine: events and `now` go in, snapshots come out.
///
/// Not thread-safe by itself: the server confines one instance to its engine queue. `now` is always
/// passed in; nothing here reads a clock.
public struct WallboardEngine: Sendable {
    /// The result of ``apply(_:now:)``.
    public enum ApplyResult: Sendable, Equatable {
        /// Applied to the state.
        case applied
        /// The id was applied before; nothing changed.
        case duplicate
        /// It names a contact or agent not known yet: held back for up to `reorderTolerance`, applied
        /// as soon as the event it depends on arrives, else rejected by ``expire(now:)`` with this reason.
        case held(EventRejection)
        case rejected(EventRejection)
    }

    public internal(set) var configuration: EngineConfiguration
    public internal(set) var agents: [String: AgentRecord] = [:]
    public internal(set) var contacts: [String: LiveContact] = [:]
    /// Queue ids in display order: configured ones first, then others as events name them.
    public internal(set) var queueOrder: [String] = []
    /// Team ids in the order events named them.
    public internal(set) var teamOrder: [String] = []
    public internal(set) var counters = EngineCounters()
    /// Today's abandoned contacts (short abandons excluded), oldest first, for call-backs.
    public internal(set) var abandonedToday: [AbandonedContact] = []
    var history = MetricsHistory()
    var settings: SettingsLookup
    /// Ids accepted today and the business day before (see ``SeenEventIDs`` for the rule).
    var seenEventIDs = SeenEventIDs()
    /// Events waiting for the event that should have come before them, with when they arrived; sorted
    /// by event time (arrival order among equal times).
    var deferred: [(event: Event, receivedAt: Instant, rejection: EventRejection)] = []
    /// The ids the held events name, so that an applied event retries only those it may release
    /// (WallboardEngine+Held.swift). Rebuilt from `deferred` after a restore.
    var heldIndex = HeldIndex()
    /// The newest event time applied and when it arrived: the clock contacts go idle by. Not checkpointed
    /// (after a restore, the wall clock until the first event).
    var streamClock: StreamClock?
    /// When each customer id last queued a contact (for repeat contacts).
    var lastContactByCustomer = ExpiringIndex<Instant>()
    /// What surveys need to know about contacts that are no longer live.
    var finishedContacts = FinishedContactIndex()
    /// Contacts expired since the server last took them for its log (not checkpointed: a log queue).
    var expiredLog: [ExpiredContact] = []
    var expiredLogDropped = 0
    /// The earliest instant a live contact can become idle for ``EngineConfiguration/contactExpiry``;
    /// `nil`: unknown, look at every contact on the next ``expire(now:)``. Not checkpointed.
    var idleScanDue: Instant?
    /// Each agent's day, for the supervisor console (Metrics/AgentDay.swift).
    public internal(set) var agentDays = AgentDayBook()
    /// Callbacks requested and not yet connected, failed or expired, by contact id
    /// (Engine/WallboardEngine+Callbacks.swift).
    public internal(set) var pendingCallbacks: [String: PendingCallback] = [:]
    /// Contacts in self-service that have neither self-served nor reached a queue yet, by contact id.
    public internal(set) var selfServiceSessions: [String: SelfServiceSession] = [:]
    /// Interval patterns set from outside (the same weekday last week), per scope, for the projected close
    /// (Metrics/CloseProjection+Engine.swift). Not checkpointed: the server sets them again.
    public internal(set) var intervalPatterns: [ScopeKey: IntervalPattern] = [:]

    public init(configuration: EngineConfiguration = EngineConfiguration()) {
        self.configuration = configuration
        self.settings = SettingsLookup(configuration)
        self.queueOrder = configuration.queues.map(\.id)
        self.history = MetricsHistory(windows: configuration.windows.map(\.length))
    }

    /// Stops keeping running totals for the rolling windows: each read (``snapshot(now:)``) then sums
    /// them from the kept entries. The figures are the same; for a consumer that reads once at the end
    /// (``Replay``) it saves each entry entering and leaving every window's totals. Not undone by
    /// ``reconfigure(_:)``; a checkpoint does not carry it (a restored engine keeps running totals).
    public mutating func summingWindowsWhenRead() {
        history.summingWindowsWhenRead()
    }

    /// Replaces the configuration (thresholds, windows, display names) and keeps all state.
    /// Rolling windows are recomputed from the kept entries under the new queue settings; "today" and
    /// "interval" keep what was judged under the settings in force when each contact left, and the new
    /// settings apply from now on (docs/metrics.md, "Settings changes").
    public mutating func reconfigure(_ configuration: EngineConfiguration) {
        self.configuration = configuration
        self.settings = SettingsLookup(configuration)
        let configured = configuration.queues.map(\.id)
        queueOrder = configured + queueOrder.filter { !configured.contains($0) }
        history.reconfigure(windows: configuration.windows.map(\.length), settings: settings)
        seenEventIDs.recalibrate(calendar: configuration.calendar)
    }

    /// Departures still kept in the history (the longest window and a few minutes more), oldest first.
    public var departures: [QueueDeparture] {
        history.retained.compactMap { if case .departure(let record) = $0.entry { return record } else { return nil } }
    }

    /// Contacts whose wrap-up ended, still kept in the history, oldest first.
    public var handled: [HandledContact] {
        history.retained.compactMap { if case .handled(let record) = $0.entry { return record } else { return nil } }
    }

    /// Applies one event received at `now`. A rejected event changes nothing.
    @discardableResult
    public mutating func apply(_ event: Event, now: Instant) -> ApplyResult {
        seenEventIDs.advance(to: now, calendar: configuration.calendar)
        let digest = IDDigest(event.id)
        if seenEventIDs.contains(digest) {
            counters.duplicates += 1
            return .duplicate
        }
        var event = event
        if now.since(event.timestamp) > configuration.pastTolerance {
            let rejection = EventRejection(
                .tooOld,
                "\(event.type) \"ts\" \(RFC3339.format(event.timestamp)) is more than "
                    + "\(configuration.pastTolerance / 3_600_000) h before now; old events are not applied to the live state")
            counters.rejected[rejection.code, default: 0] += 1
            return .rejected(rejection)
        }
        if event.timestamp.since(now) > configuration.futureTolerance {
            event.timestamp = now
            counters.clampedFromFuture += 1
        }
        do {
            try transition(event)
        } catch {
            if configuration.reorderTolerance > 0, error.code == .unknownContact || error.code == .unknownAgent {
                seenEventIDs.insert(digest)
                streamClock.note(event.timestamp, arrivedAt: now)
                holdBack(event, receivedAt: now, rejection: error)  // WallboardEngine+Held.swift
                return .held(error)
            }
            counters.rejected[error.code, default: 0] += 1
            return .rejected(error)
        }
        seenEventIDs.insert(digest)
        streamClock.note(event.timestamp, arrivedAt: now)
        counters.applied[event.type, default: 0] += 1
        noteActivity(at: event.timestamp)
        retryDeferred(after: event)
        return .applied
    }

    /// Counts a rejection that happened before an event could be decoded (bad JSON, bad fields).
    public mutating func countRejection(_ rejection: EventRejection) {
        counters.rejected[rejection.code, default: 0] += 1
    }

    /// Advances the engine to `now`: rejects held-back events whose predecessor never came (returned,
    /// so the caller can log them), folds history into today's running totals, forgets what no window
    /// needs. Call it on every tick, with a `now` that never goes back.
    @discardableResult
    public mutating func expire(now: Instant) -> [DeferredRejection] {
        seenEventIDs.advance(to: now, calendar: configuration.calendar)
        var expired: [DeferredRejection] = []
        deferred.removeAll { item in
            guard now.since(item.receivedAt) > configuration.reorderTolerance else { return false }
            counters.rejected[item.rejection.code, default: 0] += 1
            counters.deferred -= 1
            heldIndex.remove(item.event)
            expired.append(DeferredRejection(event: item.event, rejection: item.rejection))
            return true
        }
        // Idle on the stream's clock, not the wall clock (Engine/StreamClock.swift).
        let idleNow = streamClock?.reference(at: now) ?? now
        if idleScanDue.map({ idleNow >= $0 }) ?? true { expireIdleContacts(now: idleNow) }
        let dayStart = configuration.calendar.startOfDay(containing: now)
        history.advance(
            to: now, dayStart: dayStart, intervalStart: configuration.calendar.startOfInterval(containing: now),
            keep: configuration.longestWindow + MetricsHistory.rewindAllowance, settings: settings,
            calendar: configuration.calendar)
        advanceAgentDays(now: now, dayStart: dayStart)
        // Appended in arrival order, so yesterday's are at the front: one pass a day, not one per call.
        if let oldest = abandonedToday.first, oldest.at < dayStart { abandonedToday.removeAll { $0.at < dayStart } }
        let repeatHorizon = now.advanced(by: -configuration.repeatWindow)
        lastContactByCustomer.prune(before: repeatHorizon)
        let surveyHorizon = now.advanced(by: -max(configuration.repeatWindow, .minutes(24 * 60)))
        finishedContacts.prune(before: surveyHorizon)
        return expired
    }

    /// An event stamped `at` may have made a contact live or active at `at`: it can go idle from then.
    mutating func noteActivity(at: Instant) {
        guard let due = idleScanDue else { return }
        idleScanDue = min(due, at.advanced(by: configuration.contactExpiry + 1))
    }
}

/// A held-back event rejected because the event it depends on never arrived in time.
public struct DeferredRejection: Sendable, Equatable {
    public var event: Event
    public var rejection: EventRejection
}

/// An abandoned contact, for the call-back list.
public struct AbandonedContact: Sendable, Equatable {
    public var contact: String
    public var customer: Customer?
    public var queue: String
    public var channel: Channel
    public var wait: Millis
    /// When the customer hung up.
    public var at: Instant
    /// The latest call-back of this contact (`contact.callback_*` naming it), if any.
    public var calledBack: CallBackMark? = nil
}

/// What a survey needs to know about a contact that has finished.
struct FinishedContact: Sendable {
    var queue: String
    var channel: Channel
    var team: String?
    var segment: String?
    var language: String?
    var at: Instant
}

/// What the engine did with the events it was given.
public struct EngineCounters: Sendable, Equatable {
    /// Applied events by type.
    public var applied: [String: Int] = [:]
    public var duplicates = 0
    /// Rejected events by reason.
    public var rejected: [EventRejection.Code: Int] = [:]
    /// Events stamped too far in the future, applied at `now` instead.
    public var clampedFromFuture = 0
    public var surveys = 0
    /// Events held back right now, waiting for an earlier event (see ``EngineConfiguration/reorderTolerance``).
    public var deferred = 0
    /// `contact.wrapup_done` events for contacts already handled (their agent moved on first): applied
    /// without changing anything (docs/metrics.md, "When handling ends").
    public var lateWrapUps = 0
    /// Contacts closed as `expired` (never ended, or gone from a source's live state).
    public var expired = 0
}

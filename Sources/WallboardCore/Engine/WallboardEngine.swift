/// The whole domain state of the center: agents, live contacts, queues and the history that
/// windows are computed from. A value-type state machine: events and `now` go in, snapshots come out.
///
/// Not thread-safe by itself: the server confines one instance to its engine queue.
public struct WallboardEngine: Sendable {
    /// The result of ``apply(_:now:)``.
    public enum ApplyResult: Sendable, Equatable {
        case applied
        /// The id was applied before; nothing changed.
        case duplicate
        case rejected(EventRejection)
    }

    public private(set) var configuration: EngineConfiguration
    public private(set) var agents: [String: AgentRecord] = [:]
    public private(set) var contacts: [String: LiveContact] = [:]
    /// Queue ids in display order: configured ones first, then others as events name them.
    public private(set) var queueOrder: [String] = []
    /// Departures from queues, oldest first, kept as long as the longest window needs them.
    public private(set) var departures: [QueueDeparture] = []
    /// Contacts whose wrap-up ended, oldest first, kept as long as the longest window needs them.
    public private(set) var handled: [HandledContact] = []
    public private(set) var counters = EngineCounters()
    private var seenEventIDs: Set<String> = []

    public init(configuration: EngineConfiguration = EngineConfiguration()) {
        self.configuration = configuration
        self.queueOrder = configuration.queues.map(\.id)
    }

    /// Replaces the configuration (thresholds, windows, display names) and keeps all state.
    public mutating func reconfigure(_ configuration: EngineConfiguration) {
        self.configuration = configuration
        let configured = configuration.queues.map(\.id)
        queueOrder = configured + queueOrder.filter { !configured.contains($0) }
    }

    /// Applies one event received at `now`. A rejected event changes nothing.
    @discardableResult
    public mutating func apply(_ event: Event, now: Instant) -> ApplyResult {
        if seenEventIDs.contains(event.id) {
            counters.duplicates += 1
            return .duplicate
        }
        var event = event
        if event.timestamp.since(now) > configuration.futureTolerance {
            event.timestamp = now
            counters.clampedFromFuture += 1
        }
        do {
            try transition(event)
        } catch {
            counters.rejected[error.code, default: 0] += 1
            return .rejected(error)
        }
        seenEventIDs.insert(event.id)
        counters.applied[event.type, default: 0] += 1
        return .applied
    }

    /// Counts a rejection that happened before an event could be decoded (bad JSON, bad fields).
    public mutating func countRejection(_ rejection: EventRejection) {
        counters.rejected[rejection.code, default: 0] += 1
    }

    /// Forgets history no window needs any more.
    public mutating func expire(now: Instant) {
        let longest = configuration.windows.map(\.length).max() ?? 0
        let horizon = now.advanced(by: -longest)
        if let keepFrom = departures.firstIndex(where: { $0.leftAt > horizon }) {
            departures.removeFirst(keepFrom)
        } else {
            departures.removeAll()
        }
        if let keepFrom = handled.firstIndex(where: { $0.finishedAt > horizon }) {
            handled.removeFirst(keepFrom)
        } else {
            handled.removeAll()
        }
    }

    // MARK: - Transitions

    private mutating func transition(_ event: Event) throws(EventRejection) {
        let at = event.timestamp
        switch event.body {
        case .agentLogin(let login):
            agents[login.agent] = AgentRecord(
                id: login.agent, name: login.name.isEmpty ? login.agent : login.name, team: login.team,
                queues: login.queues, skills: login.skills, languages: login.languages, state: .available,
                reason: nil, stateSince: at, contact: nil)
            login.queues.forEach { noteQueue($0) }
        case .agentState(let agent, let state, let reason):
            guard agents[agent] != nil else {
                throw EventRejection(.unknownAgent, "agent.state for agent \"\(agent)\" who is not logged in")
            }
            if state == .offline {
                agents[agent] = nil
            } else {
                setAgentState(agent, state, reason: state == .notReady ? reason : nil, at: at)
            }
        case .agentLogout(let agent):
            guard agents.removeValue(forKey: agent) != nil else {
                throw EventRejection(.unknownAgent, "agent.logout for agent \"\(agent)\" who is not logged in")
            }
        case .contactQueued(let queued):
            try enqueue(queued, at: at)
        case .contactAnswered(let contact, let agent, let monitor):
            try answer(contact, agent: agent, monitor: monitor, at: at)
        case .contactAbandoned(let contact):
            let live = try waitingContact(contact, event: "contact.abandoned")
            recordDeparture(live, .abandoned, at: at)
            contacts[contact] = nil
        case .contactTransferred(let contact, let toQueue, let toAgent):
            try transfer(contact, toQueue: toQueue, toAgent: toAgent, at: at)
        case .contactHeld(let contact):
            var live = try connectedContact(contact, event: "contact.held")
            guard live.phase == .connected else {
                throw EventRejection(.invalidTransition, "contact.held: contact \"\(contact)\" is already on hold")
            }
            live.phase = .held
            live.heldSince = at
            contacts[contact] = live
        case .contactResumed(let contact):
            var live = try connectedContact(contact, event: "contact.resumed")
            guard live.phase == .held, let since = live.heldSince else {
                throw EventRejection(.invalidTransition, "contact.resumed: contact \"\(contact)\" is not on hold")
            }
            live.holdTotal += max(0, at.since(since))
            live.heldSince = nil
            live.phase = .connected
            contacts[contact] = live
        case .contactEnded(let contact):
            var live = try connectedContact(contact, event: "contact.ended")
            endTalk(&live, at: at)
            contacts[contact] = live
            if let agent = live.agent, agents[agent]?.contact == contact {
                setAgentState(agent, .wrapUp, reason: nil, at: at)
            }
        case .contactWrapupDone(let contact, let agent):
            try finishWrapUp(contact, agent: agent, at: at)
        case .surveyCompleted:
            counters.surveys += 1
        }
    }

    private mutating func enqueue(_ queued: ContactQueued, at: Instant) throws(EventRejection) {
        if let existing = contacts[queued.contact] {
            throw EventRejection(
                .invalidTransition,
                "contact.queued: contact \"\(queued.contact)\" is already \(existing.phase.rawValue) in queue \"\(existing.queue)\"")
        }
        noteQueue(queued.queue)
        contacts[queued.contact] = LiveContact(
            id: queued.contact, queue: queued.queue, channel: queued.channel, customer: queued.customer,
            language: queued.language, reason: queued.reason, priority: queued.priority, phase: .waiting,
            queuedAt: at)
    }

    private mutating func answer(_ contact: String, agent: String, monitor: MonitorHandle?, at: Instant)
        throws(EventRejection)
    {
        var live = try waitingContact(contact, event: "contact.answered")
        recordDeparture(live, .answered, at: at)
        live.phase = .connected
        live.answeredAt = at
        live.agent = agent
        live.monitor = monitor
        contacts[contact] = live
        if agents[agent] != nil {
            agents[agent]?.contact = contact
            setAgentState(agent, .onContact, reason: nil, at: at)
        }
    }

    private mutating func transfer(_ contact: String, toQueue: String?, toAgent: String?, at: Instant)
        throws(EventRejection)
    {
        guard var live = contacts[contact] else {
            throw EventRejection(.unknownContact, "contact.transferred for contact \"\(contact)\" that is not live")
        }
        if let toQueue {
            if live.phase == .waiting {
                recordDeparture(live, .transferredOut, at: at)
            } else {
                releaseAgent(of: &live, at: at)
            }
            noteQueue(toQueue)
            live = LiveContact(
                id: contact, queue: toQueue, channel: live.channel, customer: live.customer, language: live.language,
                reason: live.reason, priority: live.priority, phase: .waiting, queuedAt: at)
            contacts[contact] = live
        } else if let toAgent {
            guard live.phase == .connected || live.phase == .held else {
                throw EventRejection(
                    .invalidTransition, "contact.transferred to_agent: contact \"\(contact)\" is not connected to an agent")
            }
            releaseAgent(of: &live, at: at)
            live.agent = toAgent
            contacts[contact] = live
            if agents[toAgent] != nil {
                agents[toAgent]?.contact = contact
                setAgentState(toAgent, .onContact, reason: nil, at: at)
            }
        }
    }

    private mutating func finishWrapUp(_ contact: String, agent: String, at: Instant) throws(EventRejection) {
        guard var live = contacts[contact], live.phase != .waiting else {
            throw EventRejection(
                .unknownContact, "contact.wrapup_done for contact \"\(contact)\" that was never answered or is gone")
        }
        if live.endedAt == nil { endTalk(&live, at: at) }
        let answeredAt = live.answeredAt ?? live.queuedAt
        let endedAt = live.endedAt ?? at
        handled.append(
            HandledContact(
                contact: contact, queue: live.queue, agent: agent, finishedAt: at,
                talk: max(0, endedAt.since(answeredAt) - live.holdTotal), hold: live.holdTotal,
                wrapUp: max(0, at.since(endedAt))))
        contacts[contact] = nil
        if let record = agents[agent], record.contact == contact {
            agents[agent]?.contact = nil
            if record.state == .wrapUp || record.state == .onContact {
                setAgentState(agent, .available, reason: nil, at: at)
            }
        }
    }

    // MARK: - Helpers

    private mutating func endTalk(_ live: inout LiveContact, at: Instant) {
        if let since = live.heldSince {
            live.holdTotal += max(0, at.since(since))
            live.heldSince = nil
        }
        live.phase = .wrapUp
        live.endedAt = at
    }

    private mutating func releaseAgent(of live: inout LiveContact, at: Instant) {
        guard let agent = live.agent, agents[agent]?.contact == live.id else { return }
        agents[agent]?.contact = nil
        setAgentState(agent, .wrapUp, reason: nil, at: at)
    }

    private mutating func setAgentState(_ agent: String, _ state: AgentState, reason: String?, at: Instant) {
        guard var record = agents[agent] else { return }
        if record.state != state || record.reason != reason { record.stateSince = at }
        record.state = state
        record.reason = reason
        if state == .available || state == .notReady { record.contact = nil }
        agents[agent] = record
    }

    private mutating func recordDeparture(_ live: LiveContact, _ outcome: QueueDeparture.Outcome, at: Instant) {
        let departure = QueueDeparture(
            contact: live.id, queue: live.queue, channel: live.channel, outcome: outcome, leftAt: at,
            wait: max(0, at.since(live.queuedAt)))
        // Keep departures sorted by time even when events arrive slightly out of order.
        var index = departures.endIndex
        while index > departures.startIndex, departures[index - 1].leftAt > at { index -= 1 }
        departures.insert(departure, at: index)
    }

    private mutating func noteQueue(_ queue: String) {
        if !queueOrder.contains(queue) { queueOrder.append(queue) }
    }

    private func waitingContact(_ contact: String, event: String) throws(EventRejection) -> LiveContact {
        guard let live = contacts[contact] else {
            throw EventRejection(.unknownContact, "\(event) for contact \"\(contact)\" that was never queued")
        }
        guard live.phase == .waiting else {
            throw EventRejection(
                .invalidTransition, "\(event): contact \"\(contact)\" is \(live.phase.rawValue), not waiting in a queue")
        }
        return live
    }

    private func connectedContact(_ contact: String, event: String) throws(EventRejection) -> LiveContact {
        guard let live = contacts[contact] else {
            throw EventRejection(.unknownContact, "\(event) for contact \"\(contact)\" that is not live")
        }
        guard live.phase == .connected || live.phase == .held else {
            throw EventRejection(
                .invalidTransition, "\(event): contact \"\(contact)\" is \(live.phase.rawValue), not connected to an agent")
        }
        return live
    }
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
}

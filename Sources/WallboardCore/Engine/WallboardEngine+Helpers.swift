extension WallboardEngine {
    mutating func endTalk(_ live: inout LiveContact, at: Instant) {
        if let since = live.heldSince {
            live.holdTotal += max(0, at.since(since))
            live.heldSince = nil
        }
        live.phase = .wrapUp
        live.endedAt = at
    }

    /// Forgets a live contact, keeping what a later survey needs.
    mutating func finish(_ live: LiveContact, at: Instant) {
        contacts[live.id] = nil
        finishedContacts.set(
            live.id,
            FinishedContact(
                queue: live.queue, channel: live.channel, team: live.team, segment: live.customer?.segment,
                language: live.language, at: at),
            at: at)
    }

    mutating func releaseAgent(of live: inout LiveContact, at: Instant) {
        guard let agent = live.agent, agents[agent]?.contact == live.id else { return }
        agents[agent]?.contact = nil
        setAgentState(agent, .wrapUp, reason: nil, at: at)
    }

    /// Changes an agent's state, recording the time spent in the previous one.
    mutating func setAgentState(_ agent: String, _ state: AgentState, reason: String?, at: Instant) {
        guard var record = agents[agent] else { return }
        if record.state != state || record.reason != reason {
            recordSpan(record, until: at)
            record.stateSince = max(record.stateSince, at)
        }
        record.state = state
        record.reason = reason
        if state == .available || state == .notReady { record.contact = nil }
        agents[agent] = record
    }

    /// Logs an agent out, recording the time spent in their last state.
    mutating func closeAgent(_ agent: String, at: Instant) {
        guard let record = agents.removeValue(forKey: agent) else { return }
        recordSpan(record, until: at)
    }

    private mutating func recordSpan(_ record: AgentRecord, until at: Instant) {
        guard at > record.stateSince else { return }
        history.insert(.agentSpan(record.openSpan(until: at)), settings: settings)
    }

    @discardableResult
    mutating func recordDeparture(_ live: LiveContact, _ outcome: QueueDeparture.Outcome, at: Instant)
        -> QueueDeparture
    {
        let departure = QueueDeparture(
            contact: live.id, queue: live.queue, channel: live.channel, outcome: outcome, leftAt: at,
            wait: max(0, at.since(live.queuedAt)), customer: live.customer, language: live.language,
            reason: live.reason, agent: outcome == .answered ? live.agent : nil,
            team: outcome == .answered ? live.team : nil, isRepeat: live.isRepeat)
        history.insert(.departure(departure), settings: settings)
        return departure
    }

    mutating func noteQueue(_ queue: String) {
        if !queueOrder.contains(queue) { queueOrder.append(queue) }
    }

    func waitingContact(_ contact: String, event: String) throws(EventRejection) -> LiveContact {
        guard let live = contacts[contact] else {
            throw EventRejection(.unknownContact, "\(event) for contact \"\(contact)\" that was never queued")
        }
        guard live.phase == .waiting else {
            throw EventRejection(
                .invalidTransition, "\(event): contact \"\(contact)\" is \(live.phase.rawValue), not waiting in a queue")
        }
        return live
    }

    func connectedContact(_ contact: String, event: String) throws(EventRejection) -> LiveContact {
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

extension AgentRecord {
    /// The time in the current state as a span ending at `end`.
    func openSpan(until end: Instant) -> AgentStateSpan {
        AgentStateSpan(agent: id, team: team, queues: queues, state: state, from: stateSince, to: end)
    }
}

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

    /// Takes a transferred contact off its agent, who wraps up unless still on another contact.
    mutating func releaseAgent(of live: inout LiveContact, at: Instant) {
        guard let agent = live.agent, let record = agents[agent], record.contacts.contains(live.id) else { return }
        detach(live.id, from: agent, at: at, refresh: false)
        let busy = record.contacts.contains { $0 != live.id && [.connected, .held].contains(contacts[$0]?.phase) }
        setAgentState(agent, busy ? .onContact : .wrapUp, reason: nil, at: at)
    }

    /// Changes an agent's state, recording the time spent in the previous one.
    mutating func setAgentState(_ agent: String, _ state: AgentState, reason: String?, at: Instant) {
        // By index: read and written back without hashing the agent's id twice (issue 14).
        guard let index = agents.index(forKey: agent) else { return }
        var record = agents.values[index]
        if record.state != state || record.reason != reason {
            // An event stamped before the current state began changes the state from its start on.
            let change = max(record.stateSince, at)
            noteAgentLeft(record, next: state, at: change)  // Metrics/AgentDay.swift
            history.agentChange(
                agent: record.id, queues: record.queues, team: record.team, from: record.state, to: state, at: change)
            record.stateSince = change
        }
        record.state = state
        record.reason = reason
        // An agent said to be available or not ready is on no contact: the ones still connected are
        // handled when they end (ended ones were handled before this change, see `transition`).
        if state == .available || state == .notReady { record.contacts = [] }
        agents.values[index] = record
        syncWrapUpClocks(of: record, at: record.stateSince)
    }

    /// Logs an agent in (replacing a record of the same id), counting their time from `record.stateSince`.
    mutating func openAgent(_ record: AgentRecord) {
        if agents.index(forKey: record.id) != nil { closeAgent(record.id, at: record.stateSince) }
        agents[record.id] = record
        history.agentChange(
            agent: record.id, queues: record.queues, team: record.team, from: nil, to: record.state, at: record.stateSince)
    }

    /// Logs an agent out, recording the time spent in their last state.
    mutating func closeAgent(_ agent: String, at: Instant) {
        guard let record = agents.removeValue(forKey: agent) else { return }
        noteAgentLeft(record, next: nil, at: max(record.stateSince, at))  // Metrics/AgentDay.swift
        history.agentChange(
            agent: record.id, queues: record.queues, team: record.team, from: record.state, to: nil,
            at: max(record.stateSince, at))
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
    /// The scopes this agent's time counts in.
    var scopes: [ScopeKey] { ScopeKey.agentScopes(queues: queues, team: team) }
}

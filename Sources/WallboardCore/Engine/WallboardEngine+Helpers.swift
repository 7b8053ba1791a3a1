extension WallboardEngine {
    mutating func endTalk(_ live: inout LiveContact, at: Instant) { live.endTalk(at: at) }

    /// Forgets a live contact, keeping what a later survey needs.
    mutating func finish(_ live: LiveContact, at: Instant) {
        contacts[live.id] = nil
        noteFinished(live, at: at)
    }

    /// Keeps what a later survey needs of `live`, already taken out of ``contacts``.
    mutating func noteFinished(_ live: LiveContact, at: Instant) {
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
        guard let index = agents.index(forKey: agent) else { return }
        setAgentState(at: index, state, reason: reason, at: at)
    }

    /// ``setAgentState(_:_:reason:at:)`` for the agent at `index` of ``agents``: its record is read and
    /// changed in place (``withAgent(_:_:)``), never copied out and written back (each copy retained its
    /// strings, arrays and skills; issue 14). `index` stays valid: nothing here adds or removes an agent.
    mutating func setAgentState(at index: [String: AgentRecord].Index, _ state: AgentState, reason: String?, at: Instant) {
        let (old, oldReason, since) = withAgent(index) { ($0.state, $0.reason, $0.stateSince) }
        var start = since
        if old != state || oldReason != reason {
            // An event stamped before the current state began changes the state from its start on.
            start = max(since, at)
            let (id, queues, team) = withAgent(index) { ($0.id, $0.queues, $0.team) }
            agentDays.left(  // Metrics/AgentDay.swift
                id, state: old, reason: oldReason, team: team, from: since, to: start, next: state,
                dayStart: configuration.calendar.startOfDay(containing: start))
            history.agentChange(agent: id, queues: queues, team: team, from: old, to: state, at: start)
        }
        let held: [String] = withAgent(index) { record in
            record.stateSince = start
            record.state = state
            record.reason = reason
            // An agent said to be available or not ready is on no contact: the ones still connected are
            // handled when they end (ended ones were handled before this change, see `transition`).
            if state == .available || state == .notReady, !record.contacts.isEmpty { record.contacts = [] }
            return record.contacts
        }
        if !held.isEmpty { syncWrapUpClocks(of: held, state: state, at: start) }
    }

    /// Runs `body` on the record at `index` of ``agents`` in place, for reading as well: the dictionary's
    /// getter copies the whole record even to read one field (issue 14).
    @inline(__always)
    mutating func withAgent<R>(_ index: [String: AgentRecord].Index, _ body: (inout AgentRecord) -> R) -> R {
        body(&agents.values[index])
    }

    /// ``withAgent(_:_:)`` for the live contact at `index` of ``contacts``.
    @inline(__always)
    mutating func withContact<R>(_ index: [String: LiveContact].Index, _ body: (inout LiveContact) -> R) -> R {
        body(&contacts.values[index])
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

    /// Where the waiting `contact` is in ``contacts`` (its id hashed once), or the rejection of `event`.
    mutating func waitingIndex(_ contact: String, event: String) throws(EventRejection) -> [String: LiveContact].Index {
        guard let index = contacts.index(forKey: contact) else {
            throw EventRejection(.unknownContact, "\(event) for contact \"\(contact)\" that was never queued")
        }
        let phase = withContact(index) { $0.phase }
        guard phase == .waiting else {
            throw EventRejection(
                .invalidTransition, "\(event): contact \"\(contact)\" is \(phase.rawValue), not waiting in a queue")
        }
        return index
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

    /// Where the connected or held `contact` is in ``contacts`` (its id hashed once), or the rejection of `event`.
    mutating func connectedIndex(_ contact: String, event: String) throws(EventRejection) -> [String: LiveContact].Index {
        guard let index = contacts.index(forKey: contact) else {
            throw EventRejection(.unknownContact, "\(event) for contact \"\(contact)\" that is not live")
        }
        let phase = withContact(index) { $0.phase }
        guard phase == .connected || phase == .held else {
            throw EventRejection(
                .invalidTransition, "\(event): contact \"\(contact)\" is \(phase.rawValue), not connected to an agent")
        }
        return index
    }
}

extension LiveContact {
    /// Ends the talk at `at`: a hold still running ends with it; the contact is in wrap-up.
    mutating func endTalk(at: Instant) {
        if let since = heldSince {
            holdTotal += max(0, at.since(since))
            heldSince = nil
        }
        phase = .wrapUp
        endedAt = at
    }
}

extension AgentRecord {
    /// The scopes this agent's time counts in.
    var scopes: [ScopeKey] { ScopeKey.agentScopes(queues: queues, team: team) }
}

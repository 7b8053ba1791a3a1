/// When handling ends (docs/metrics.md, "When handling ends"): an ended contact is handled at the first
/// of its `contact.wrapup_done`, its agent's next `agent.state` other than `wrap_up` or logout, or its
/// agent answering another contact on a channel with no spare capacity. Many ACDs never send
/// `contact.wrapup_done`; without these rules their handle times would never count.
extension WallboardEngine {
    /// Gives `contact` (answered or transferred to `agent`) to a logged-in agent: ended contacts of the
    /// same channel that leave no spare capacity are handled now, then the agent is on a contact.
    mutating func assign(_ contact: String, channel: Channel, to agent: String, at: Instant) {
        guard var index = agents.index(forKey: agent) else { return }
        let (held, id, team) = withAgent(index) { ($0.contacts, $0.id, $0.team) }
        if !held.isEmpty {
            let limit = configuration.capacity.limit(agent: id, team: team, channel: channel)
            var sameChannel = held.filter { $0 != contact && contacts[$0]?.channel == channel }
            while sameChannel.count >= limit, let ended = sameChannel.first(where: { contacts[$0]?.phase == .wrapUp }) {
                closeHandled(ended, agent: agent, at: at, refresh: false)
                sameChannel.removeAll { $0 == ended }
            }
            // closeHandled adds or removes no agent, but look again rather than rely on it.
            guard let again = agents.index(forKey: agent) else { return }
            index = again
        }
        withAgent(index) { if !$0.contacts.contains(contact) { $0.contacts.append(contact) } }
        setAgentState(at: index, .onContact, reason: nil, at: at)
    }

    /// The contacts `agent` holds per channel (in ``Channel`` order) against its capacity there.
    public func load(of agent: AgentRecord) -> [AgentLoad] {
        var counts: [Channel: Int] = [:]
        for contact in agent.contacts { if let channel = contacts[contact]?.channel { counts[channel, default: 0] += 1 } }
        return Channel.allCases.compactMap { channel in
            counts[channel].map { AgentLoad(channel: channel, live: $0, capacity: capacity(of: agent, channel: channel)) }
        }
    }

    /// How many contacts of `channel` the agent may hold at once.
    func capacity(of agent: AgentRecord, channel: Channel) -> Int {
        configuration.capacity.limit(agent: agent.id, team: agent.team, channel: channel)
    }

    /// Handles every ended contact of `agent` at `at`, leaving the agent's state alone (the caller sets
    /// it): the agent's own `agent.state` other than `wrap_up`, or its logout, ends their wrap-up.
    mutating func closeEndedContacts(of agent: String, at: Instant) {
        guard let index = agents.index(forKey: agent) else { return }
        let held = withAgent(index) { $0.contacts }
        for contact in held where phase(of: contact) == .wrapUp {
            closeHandled(contact, agent: agent, at: at, refresh: false)
        }
    }

    /// The phase of live contact `contact` (its id hashed once, the contact not copied).
    mutating func phase(of contact: String) -> LiveContact.Phase? {
        guard let index = contacts.index(forKey: contact) else { return nil }
        return withContact(index) { $0.phase }
    }

    /// Records `contact` as handled at `at` by `agent` (its own agent when `nil`) and forgets it. Its
    /// wrap-up is the time its agent spent in `wrap_up` since it ended. With `refresh`, the agent's
    /// state follows the contacts it still has (``refreshAgentState(_:at:)``).
    mutating func closeHandled(_ contact: String, agent: String?, at: Instant, refresh: Bool) {
        guard let index = contacts.index(forKey: contact) else { return }
        closeHandled(at: index, agent: agent, at: at, refresh: refresh)
    }

    /// ``closeHandled(_:agent:at:refresh:)`` for the contact at `index` of ``contacts``: finished in place
    /// and moved out, never copied (issue 14).
    mutating func closeHandled(at index: [String: LiveContact].Index, agent: String?, at: Instant, refresh: Bool) {
        withContact(index) { live in
            if live.endedAt == nil { live.endTalk(at: at) }
            if let since = live.wrapUpSince { live.wrapUpTotal += max(0, at.since(since)) }
            live.wrapUpSince = nil
        }
        var (contact, live) = contacts.remove(at: index)
        live.team = recordHandled(live, agent: agent ?? live.agent ?? "", at: at)
        noteFinished(live, at: at)
        detach(contact, from: live.agent, at: at, refresh: refresh)
        if let agent, agent != live.agent { detach(contact, from: agent, at: at, refresh: refresh) }
    }

    /// Records the visit `live` (answered, then ended by `at` or ended at it) as one handled entry of
    /// its queue by `agentID`, and in that agent's day; returns the team it counts for. Talk runs from
    /// the answer to the end less hold; wrap-up is what `live` collected (docs/metrics.md, "Transfers"
    /// for visits that end by a transfer).
    @discardableResult
    mutating func recordHandled(_ live: LiveContact, agent agentID: String, at: Instant) -> String? {
        let answeredAt = live.answeredAt ?? live.queuedAt
        let endedAt = live.endedAt ?? at
        // The handling agent's team (none for an agent without one); the team at the answer once it logged out.
        let team = agents.index(forKey: agentID).map { withAgent($0) { $0.team } } ?? live.team
        let talk = max(0, endedAt.since(answeredAt) - live.holdTotal)
        history.insert(
            .handled(
                HandledContact(
                    contact: live.id, queue: live.queue, agent: agentID, finishedAt: max(at, endedAt),
                    talk: talk, hold: live.holdTotal, wrapUp: live.wrapUpTotal, channel: live.channel, team: team,
                    segment: live.customer?.segment, language: live.language)), settings: settings)
        if !agentID.isEmpty {
            agentDays.handled(  // Metrics/AgentDay.swift
                agentID, talk: talk, hold: live.holdTotal, wrapUp: live.wrapUpTotal, at: max(at, endedAt),
                dayStart: configuration.calendar.startOfDay(containing: at))
        }
        return team
    }

    /// Takes `contact` off `agent`'s list, then (with `refresh`) sets the agent's state by what is left.
    mutating func detach(_ contact: String, from agent: String?, at: Instant, refresh: Bool) {
        guard let agent, let index = agents.index(forKey: agent),
            withAgent(index, { record in record.contacts.firstIndex(of: contact).map { record.contacts.remove(at: $0) } != nil })
        else { return }
        if refresh { refreshAgentState(at: index, at: at) }
    }

    /// After the engine changed an agent's contacts: on a contact while one is connected or held, in
    /// wrap-up while one has ended, else available when the agent was on a contact or wrapping up.
    mutating func refreshAgentState(_ agent: String, at: Instant) {
        guard let index = agents.index(forKey: agent) else { return }
        refreshAgentState(at: index, at: at)
    }

    /// ``refreshAgentState(_:at:)`` for the agent at `index` of ``agents``.
    mutating func refreshAgentState(at index: [String: AgentRecord].Index, at: Instant) {
        var talking = false
        var wrapping = false
        let (held, state) = withAgent(index) { ($0.contacts, $0.state) }
        for contact in held {
            switch phase(of: contact) {
            case .connected, .held: talking = true
            case .wrapUp: wrapping = true
            case .waiting, nil: break
            }
        }
        if talking {
            setAgentState(at: index, .onContact, reason: nil, at: at)
        } else if wrapping {
            setAgentState(at: index, .wrapUp, reason: nil, at: at)
        } else if state == .wrapUp || state == .onContact {
            setAgentState(at: index, .available, reason: nil, at: at)
        }
    }

    /// Keeps the wrap-up clocks of `agent`'s ended contacts in step with the agent's state: running
    /// while the agent is in `wrap_up`, stopped otherwise.
    mutating func syncWrapUpClocks(of agent: String, at: Instant) {
        guard let index = agents.index(forKey: agent) else { return }
        let (held, state) = withAgent(index) { ($0.contacts, $0.state) }
        syncWrapUpClocks(of: held, state: state, at: at)
    }

    /// ``syncWrapUpClocks(of:at:)`` for the agent's current record (no lookup of it by id).
    mutating func syncWrapUpClocks(of record: AgentRecord, at: Instant) {
        syncWrapUpClocks(of: record.contacts, state: record.state, at: at)
    }

    /// ``syncWrapUpClocks(of:at:)`` for an agent in `state` holding `agentContacts`: each contact changed
    /// in place by index, its id hashed once (issue 14).
    mutating func syncWrapUpClocks(of agentContacts: [String], state: AgentState, at: Instant) {
        for contact in agentContacts {
            guard let index = contacts.index(forKey: contact) else { continue }
            withContact(index) { live in
                guard live.phase == .wrapUp else { return }
                if state == .wrapUp, live.wrapUpSince == nil {
                    live.wrapUpSince = max(at, live.endedAt ?? at)
                } else if state != .wrapUp, let since = live.wrapUpSince {
                    live.wrapUpTotal += max(0, at.since(since))
                    live.wrapUpSince = nil
                }
            }
        }
    }
}

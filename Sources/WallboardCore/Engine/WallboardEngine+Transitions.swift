extension WallboardEngine {
    /// Applies one event's effect, or throws without changing anything.
    mutating func transition(_ event: Event) throws(EventRejection) {
        let at = event.timestamp
        switch event.body {
        case .agentLogin(let login):
            openAgent(AgentRecord(
                id: login.agent, name: login.name.isEmpty ? login.agent : login.name, team: login.team,
                queues: login.queues, skills: login.skills, languages: login.languages, state: .available,
                reason: nil, stateSince: at, contact: nil))
            login.queues.forEach { noteQueue($0) }
            if let team = login.team, !teamOrder.contains(team) { teamOrder.append(team) }
        case .agentState(let agent, let state, let reason):
            guard agents.index(forKey: agent) != nil else {
                throw EventRejection(.unknownAgent, "agent.state for agent \"\(agent)\" who is not logged in")
            }
            // Any state but wrap_up ends the wrap-up of the agent's ended contacts (issue 16).
            if state != .wrapUp { closeEndedContacts(of: agent, at: at) }
            if state == .offline {
                closeAgent(agent, at: at)
            } else {
                setAgentState(agent, state, reason: state == .notReady ? reason : nil, at: at)
            }
        case .agentLogout(let agent):
            guard agents.index(forKey: agent) != nil else {
                throw EventRejection(.unknownAgent, "agent.logout for agent \"\(agent)\" who is not logged in")
            }
            closeEndedContacts(of: agent, at: at)
            closeAgent(agent, at: at)
        case .contactQueued(let queued):
            try enqueue(queued, at: at)
        case .contactAnswered(let contact, let agent, let monitor):
            try answer(contact, agent: agent, monitor: monitor, at: at)
        case .contactAbandoned(let contact):
            let live = try waitingContact(contact, event: "contact.abandoned")
            let departure = recordDeparture(live, .abandoned, at: at)
            let limit = settings[live.queue].shortAbandon
            if limit == 0 || departure.wait >= limit {
                abandonedToday.append(
                    AbandonedContact(
                        contact: contact, customer: live.customer, queue: live.queue, channel: live.channel,
                        wait: departure.wait, at: at))
            }
            finish(live, at: at)
        case .contactTransferred(let contact, let toQueue, let toAgent):
            try transfer(contact, toQueue: toQueue, toAgent: toAgent, at: at)
        case .contactHeld(let contact):
            var live = try connectedContact(contact, event: "contact.held")
            guard live.phase == .connected else {
                throw EventRejection(.invalidTransition, "contact.held: contact \"\(contact)\" is already on hold")
            }
            live.phase = .held
            live.heldSince = at
            live.touchedAt = at
            contacts[contact] = live
        case .contactResumed(let contact):
            var live = try connectedContact(contact, event: "contact.resumed")
            guard live.phase == .held, let since = live.heldSince else {
                throw EventRejection(.invalidTransition, "contact.resumed: contact \"\(contact)\" is not on hold")
            }
            live.holdTotal += max(0, at.since(since))
            live.heldSince = nil
            live.phase = .connected
            live.touchedAt = at
            contacts[contact] = live
        case .contactEnded(let contact):
            // In place, by index: the contact and its agent each hashed once, neither copied (issue 14).
            let index = try connectedIndex(contact, event: "contact.ended")
            let agent = withContact(index) { live in
                live.endTalk(at: at)
                return live.agent
            }
            if let agent, let holder = agents.index(forKey: agent), withAgent(holder, { $0.contacts.contains(contact) }) {
                refreshAgentState(at: holder, at: at)
                let (held, state) = withAgent(holder) { ($0.contacts, $0.state) }
                syncWrapUpClocks(of: held, state: state, at: at)
            } else {
                // No logged-in agent holds it: nobody wraps it up, it is handled at its end.
                closeHandled(contact, agent: nil, at: at, refresh: false)
            }
        case .contactWrapupDone(let contact, let agent):
            try finishWrapUp(contact, agent: agent, at: at)
        case .sourceSnapshot(let snapshot):
            reconcile(snapshot, at: at)
        case .contactCallbackRequested(let contact):
            try requestCallback(contact, at: at)
        case .contactCallbackAttempted(let contact):
            try attemptCallback(contact, at: at)
        case .contactCallbackConnected(let contact, let agent):
            try connectCallback(contact, agent: agent, at: at)
        case .contactCallbackFailed(let contact, let reason):
            try failCallback(contact, reason: reason, at: at)
        case .contactEnteredSelfService(let contact, let entryPoint):
            try enterSelfService(contact, entryPoint: entryPoint, at: at)
        case .contactSelfServed(let contact, let reason):
            try selfServed(contact, reason: reason, at: at)
        case .surveyCompleted(let survey):
            counters.surveys += 1
            let known = contacts[survey.contact].map {
                FinishedContact(
                    queue: $0.queue, channel: $0.channel, team: $0.team, segment: $0.customer?.segment,
                    language: $0.language, at: at)
            } ?? finishedContacts[survey.contact]
            history.insert(
                .survey(
                    SurveyRecord(
                        survey: survey, at: at, queue: known?.queue, channel: known?.channel, team: known?.team,
                        segment: known?.segment, language: known?.language)), settings: settings)
        }
    }

    private mutating func enqueue(_ queued: ContactQueued, at: Instant) throws(EventRejection) {
        if let existing = contacts[queued.contact] {
            throw EventRejection(
                .invalidTransition,
                "contact.queued: contact \"\(queued.contact)\" is already \(existing.phase.rawValue) in queue \"\(existing.queue)\"")
        }
        if pendingCallbacks.index(forKey: queued.contact) != nil {
            throw EventRejection(
                .invalidTransition, "contact.queued: contact \"\(queued.contact)\" has a callback pending; it cannot queue again")
        }
        reachQueueFromSelfService(queued.contact, at: at)  // Engine/WallboardEngine+Callbacks.swift
        noteQueue(queued.queue)
        var live = LiveContact(
            id: queued.contact, queue: queued.queue, channel: queued.channel, customer: queued.customer,
            language: queued.language, reason: queued.reason, priority: queued.priority, phase: .waiting,
            queuedAt: at)
        if let customer = queued.customer?.id {
            if let last = lastContactByCustomer[customer], at >= last, at.since(last) <= configuration.repeatWindow {
                live.isRepeat = true
            }
            let latest = max(lastContactByCustomer[customer] ?? at, at)
            lastContactByCustomer.set(customer, latest, at: latest)
        }
        contacts[queued.contact] = live
    }

    mutating func answer(_ contact: String, agent: String, monitor: MonitorHandle?, at: Instant)
        throws(EventRejection)
    {
        // In place, by index: the contact hashed once and not copied (issue 14).
        let index = try waitingIndex(contact, event: "contact.answered")
        let team = agents.index(forKey: agent).map { withAgent($0) { $0.team } } ?? nil
        let live = withContact(index) { live in
            live.agent = agent
            live.team = team
            return live
        }
        recordDeparture(live, .answered, at: at)
        let channel = withContact(index) { live in
            live.phase = .connected
            live.answeredAt = at
            live.monitor = monitor
            return live.channel
        }
        assign(contact, channel: channel, to: agent, at: at)
    }

    private mutating func transfer(_ contact: String, toQueue: String?, toAgent: String?, at: Instant)
        throws(EventRejection)
    {
        guard var live = contacts[contact] else {
            throw EventRejection(.unknownContact, "contact.transferred for contact \"\(contact)\" that is not live")
        }
        if toAgent != nil, live.phase != .connected, live.phase != .held {
            throw EventRejection(
                .invalidTransition, "contact.transferred to_agent: contact \"\(contact)\" is not connected to an agent")
        }
        history.insert(
            .transfer(TransferRecord(contact: contact, fromQueue: live.queue, channel: live.channel, team: live.team, at: at)),
            settings: settings)
        if let agent = live.agent {  // Metrics/AgentDay.swift
            agentDays.transferred(agent, at: at, dayStart: configuration.calendar.startOfDay(containing: at))
        }
        if live.phase == .connected || live.phase == .held {
            // The visit it leaves is handled by the transferring agent (docs/metrics.md, "Transfers").
            var visit = live
            endTalk(&visit, at: at)
            recordHandled(visit, agent: live.agent ?? "", at: at)
        }
        if let toQueue {
            if live.phase == .waiting {
                recordDeparture(live, .transferredOut, at: at)
            } else {
                releaseAgent(of: &live, at: at)
            }
            noteQueue(toQueue)
            var requeued = LiveContact(
                id: contact, queue: toQueue, channel: live.channel, customer: live.customer, language: live.language,
                reason: live.reason, priority: live.priority, phase: .waiting, queuedAt: at)
            requeued.isRepeat = live.isRepeat
            contacts[contact] = requeued
        } else if let toAgent {
            releaseAgent(of: &live, at: at)
            // The new agent's part is a visit of its own: talk from now, no hold yet.
            live.agent = toAgent
            // The new visit counts in the new agent's team: none for an agent without one (docs/metrics.md).
            live.team = agents[toAgent]?.team
            live.phase = .connected
            live.answeredAt = at
            live.holdTotal = 0
            live.heldSince = nil
            live.touchedAt = at
            contacts[contact] = live
            assign(contact, channel: live.channel, to: toAgent, at: at)
        }
    }

    private mutating func finishWrapUp(_ contact: String, agent: String, at: Instant) throws(EventRejection) {
        guard let index = contacts.index(forKey: contact), withContact(index, { $0.phase }) != .waiting else {
            if contacts.index(forKey: contact) == nil, finishedContacts[contact] != nil {
                // Already handled (its agent moved on first, or it ended with no agent): changes nothing.
                counters.lateWrapUps += 1
                return
            }
            throw EventRejection(
                .unknownContact, "contact.wrapup_done for contact \"\(contact)\" that was never answered or is gone")
        }
        closeHandled(at: index, agent: agent, at: at, refresh: true)
    }
}

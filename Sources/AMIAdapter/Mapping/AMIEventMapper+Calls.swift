import WallboardCore

extension AMIEventMapper {
    mutating func callerJoined(_ message: AMIMessage, at: Instant) {
        guard let id = message["Uniqueid"], let queue = message["Queue"] else {
            return note("QueueCallerJoin", at: at, "no Uniqueid or Queue")
        }
        if var existing = contacts[id] {
            if existing.phase == .waiting && existing.queue == queue && leaves[id] == nil { return }
            // The caller re-entered a queue: a transfer (blind transfer into a queue extension, a Redirect of a
            // waiting caller, or Queue() again). A hold ends with it.
            leaves[id] = nil
            if existing.held {
                emit(.contactResumed(contact: id), at: at, subject: id, what: "resumed")
                existing.held = false
            }
            emit(.contactTransferred(contact: id, toQueue: queue, toAgent: nil), at: at, subject: id, what: "transferred")
            if let agent = existing.agent {
                if agents[agent]?.contact == id { agents[agent]?.contact = nil }
                if let index = wrapUps.firstIndex(where: { $0.contact == id }) {
                    wrapUps[index].emitsEvent = false
                } else {
                    scheduleWrapUp(contact: id, agent: agent, queue: existing.queue, at: at, emitsEvent: false)
                }
                touch(agent)
            }
            existing.queue = queue
            existing.phase = .waiting
            existing.since = at
            existing.agent = nil
            existing.agentChannel = nil
            existing.location = Self.location(of: message) ?? existing.location
            contacts[id] = existing
            return
        }
        selfService[id] = nil  // it reached a queue: the engine counts it so from its contact.queued
        let number = message["CallerIDNum"].flatMap { $0.isEmpty || $0 == "<unknown>" ? nil : $0 }
        emit(
            .contactQueued(ContactQueued(contact: id, queue: queue, channel: .voice, customer: number.map { Customer(id: $0) })),
            at: at, subject: id, what: "queued")
        contacts[id] = ContactModel(
            id: id, queue: queue, channel: message["Channel"], phase: .waiting, linkedid: message["Linkedid"],
            location: Self.location(of: message), since: at)
    }

    /// `Context/Exten` of a caller event (where the caller's dialplan is), when both are there.
    static func location(of message: AMIMessage) -> String? {
        guard let context = message["Context"], let exten = message["Exten"] else { return nil }
        return "\(context)/\(exten)"
    }

    /// Leave is not abandon: it precedes AgentConnect (answered) and follows QueueCallerAbandon. A caller that
    /// leaves otherwise (queue timeout, leavewhenempty) and then hangs up is counted abandoned at the Hangup.
    mutating func callerLeft(_ message: AMIMessage, at: Instant) {}

    /// A caller that hung up leaves from where it ran `Queue()`; one whose dialplan location changed was moved
    /// by a Redirect (app_queue calls that an abandon too): it waits for the caller to join another queue.
    mutating func callerAbandoned(_ message: AMIMessage, at: Instant) {
        guard let id = message["Uniqueid"], let contact = contacts[id], contact.phase == .waiting else { return }
        if let was = contact.location, let now = Self.location(of: message), was != now {
            leaves[id] = PendingLeave(contact: id, at: at, due: at.advanced(by: configuration.transferGrace), fallback: .abandon)
            return
        }
        abandon(id, at: at)
    }

    mutating func abandon(_ id: String, at: Instant) {
        leaves[id] = nil
        emit(.contactAbandoned(contact: id), at: at, subject: id, what: "abandoned")
        contacts[id] = nil
        stopRinging(for: id)
    }

    mutating func stopRinging(for contact: String) {
        for agent in agents.keys where agents[agent]?.ringing == contact {
            agents[agent]?.ringing = nil
            agents[agent]?.ringingChannel = nil
            touch(agent)
        }
    }

    mutating func agentCalled(_ message: AMIMessage, at: Instant) {
        channels.note(message)
        guard let id = message["Uniqueid"], let interface = message["Interface"], agents[interface] != nil else { return }
        agents[interface]?.ringing = id
        agents[interface]?.ringingChannel = message["DestChannel"]
        touch(interface)
    }

    mutating func agentRingNoAnswer(_ message: AMIMessage, at: Instant) {
        if let queue = message["Queue"] { ringNoAnswers[queue, default: 0] += 1 }
        guard let interface = message["Interface"], agents[interface] != nil else { return }
        agents[interface]?.ringing = nil
        agents[interface]?.ringingChannel = nil
        touch(interface)
    }

    /// AgentDump: the member hung up before being bridged (e.g. during the member announcement); the
    /// caller stays in the queue.
    mutating func agentDumped(_ message: AMIMessage, at: Instant) {
        guard let interface = message["Interface"], agents[interface] != nil else { return }
        agents[interface]?.ringing = nil
        agents[interface]?.ringingChannel = nil
        touch(interface)
    }

    mutating func agentConnected(_ message: AMIMessage, at: Instant) {
        channels.note(message)
        guard let id = message["Uniqueid"], let interface = message["Interface"] else {
            return note("AgentConnect", at: at, "no Uniqueid or Interface")
        }
        guard var contact = contacts[id], contact.phase == .waiting else {
            return note("AgentConnect", at: at, "caller \(Self.shown(id)) is not waiting in a queue we know of")
        }
        let handle = monitorHandle(forMemberChannel: message["DestChannel"], uniqueid: message["DestUniqueid"])
        stopRinging(for: id)
        emit(.contactAnswered(contact: id, agent: interface, monitor: handle?.monitorHandle), at: at, subject: id, what: "answered")
        contact.phase = .connected
        contact.since = at
        contact.agent = interface
        contact.agentChannel = message["DestChannel"]
        contacts[id] = contact
        if agents[interface] != nil {
            agents[interface]?.contact = id
            agents[interface]?.untrackedCall = false
            touch(interface)
        }
    }

    func monitorHandle(forMemberChannel channel: String?, uniqueid: String?) -> AMIMonitorHandle? {
        guard let channel else { return nil }
        let device = channels.resolve(ChannelTracker.Ref(name: channel, uniqueid: uniqueid))
        return AMIMonitorHandle(channel: device.name, uniqueid: device.uniqueid)
    }

    /// The device channel to spy on for `contact`, resolved now (the dial to the phone may be seen after
    /// AgentConnect in some dialplans).
    public func monitorTarget(forContact contact: String) -> AMIMonitorHandle? {
        guard let model = contacts[contact], model.phase == .connected else { return nil }
        return monitorHandle(forMemberChannel: model.agentChannel, uniqueid: model.agentChannel.flatMap(channels.uniqueid(of:)))
    }

    mutating func agentCompleted(_ message: AMIMessage, at: Instant) {
        // AgentComplete may come without the caller's Channel fields: fall back to the member side.
        let id =
            message["Uniqueid"]
            ?? message["DestChannel"].flatMap { dest in contacts.values.first { $0.agentChannel == dest }?.id }
            ?? message["Interface"].flatMap { agents[$0]?.contact }
        guard let id, let contact = contacts[id] else {
            return note("AgentComplete", at: at, "no live call matches it")
        }
        // The end of a visit the caller already left: a transfer into another queue (whose QueueCallerJoin may
        // come first) or to another agent.
        if let queue = message["Queue"], queue != contact.queue { return }
        if let interface = message["Interface"], let agent = contact.agent, interface != agent { return }
        let agent = contact.agent ?? message["Interface"]
        if contact.phase == .connected, message["Reason"]?.lowercased() == "transfer" {
            // Transferred to a dialplan extension: a queue (its QueueCallerJoin follows) or elsewhere (the call
            // ends here for us, as for app_queue).
            if leaves[id] == nil {
                leaves[id] = PendingLeave(contact: id, at: at, due: at.advanced(by: configuration.transferGrace), fallback: .end)
            }
        } else if contact.phase == .connected {
            endCall(id, at: at)
        } else if let agent, agents[agent]?.contact == id {
            agents[agent]?.contact = nil
            touch(agent)
        }
    }

    /// Talk ended: `contact.ended` now, `contact.wrapup_done` after the wrap-up time.
    mutating func endCall(_ id: String, at: Instant) {
        guard var contact = contacts[id], contact.phase == .connected else { return }
        leaves[id] = nil
        emit(.contactEnded(contact: id), at: at, subject: id, what: "ended")
        contact.phase = .ended
        contact.held = false
        contacts[id] = contact
        if let agent = contact.agent {
            if agents[agent]?.contact == id { agents[agent]?.contact = nil }
            scheduleWrapUp(contact: id, agent: agent, queue: contact.queue, at: at, emitsEvent: true)
        } else {
            contacts[id] = nil
        }
    }

    mutating func hangup(_ message: AMIMessage, at: Instant) {
        if let channel = message["Channel"] {
            for agent in agents.keys where agents[agent]?.ringingChannel == channel {
                agents[agent]?.ringing = nil
                agents[agent]?.ringingChannel = nil
                touch(agent)
            }
            channels.hungUp(channel)
        }
        guard let id = message["Uniqueid"] else { return }
        selfServiceHangup(id, at: at)  // AMIEventMapper+SelfService.swift
        if leaves[id] != nil { resolveLeave(id) }
        guard let contact = contacts[id] else { return }
        switch contact.phase {
        case .waiting: abandon(id, at: at)
        case .connected: endCall(id, at: at)
        case .ended: break
        }
    }
}

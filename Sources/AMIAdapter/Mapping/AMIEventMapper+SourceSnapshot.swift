import WallboardCore

/// Reconciling the engine with Asterisk's live state after every (re)connect (issue 22): the resync's
/// corrections come out as ordinary events, and after CoreShowChannels a `source.snapshot` says what the PBX
/// has now in the queues QueueStatus covered, so the engine expires whatever it still holds that the PBX
/// lacks (a caller restored from a checkpoint who was answered and hung up while the daemon was down).
extension AMIEventMapper {
    /// Live contacts the engine restored from its checkpoint after a daemon restart. The mapper never saw
    /// them; it adopts those of the queues the first QueueStatus covers, so a caller still waiting or a call
    /// still up is followed as if it had been seen, and one the PBX no longer has is left out of the
    /// `source.snapshot` (the engine closes it as `expired`, never as an abandon or an answer), unless the
    /// `queue_log` says what became of it. `lastSeen`: the engine's latest event time
    /// (`WallboardEngine.latestEventTime`), where the gap a `queue_log` fills starts.
    public mutating func adoptRestored(_ contacts: [SourceSnapshot.Contact], lastSeen: Instant? = nil) {
        resync.restored = contacts
        if let lastSeen { resync.gapStart = min(resync.gapStart ?? lastSeen, lastSeen) }
    }

    /// Moves the restored contacts of `covered` queues into the model (agents are known by now: QueueMember
    /// came first). A connected contact whose agent is not a member here is not adopted: the snapshot leaves it
    /// out. Restored contacts of other queues belong to other sources and are dropped from the hand-over.
    mutating func adoptRestored(covered: Set<String>) {
        let restored = resync.restored
        resync.restored = []
        for entry in restored where covered.contains(entry.queue) && contacts[entry.contact] == nil {
            switch entry.phase {
            case .waiting:
                contacts[entry.contact] = ContactModel(
                    id: entry.contact, queue: entry.queue, channel: nil, phase: .waiting, since: entry.since, restored: true)
            case .connected:
                guard let agent = entry.agent, agents[agent] != nil, agents[agent]?.contact == nil else { continue }
                contacts[entry.contact] = ContactModel(
                    id: entry.contact, queue: entry.queue, channel: nil, phase: .connected, agent: agent,
                    since: entry.since, restored: true)
                agents[agent]?.contact = entry.contact
                agents[agent]?.untrackedCall = false
                touch(agent)
            }
        }
    }

    /// Drops a restored contact the PBX no longer has, without an event.
    mutating func forgetRestored(_ id: String) {
        guard let contact = contacts.removeValue(forKey: id) else { return }
        if let agent = contact.agent, agents[agent]?.contact == id {
            agents[agent]?.contact = nil
            touch(agent)
        }
    }

    /// The PBX's live state for the covered queues: its waiting callers and connected calls as the model now
    /// holds them, and the state of every logged-in member of those queues.
    mutating func emitSourceSnapshot(at: Instant) {
        let covered = resync.covered
        guard !covered.isEmpty else { return }
        for id in contacts.keys where contacts[id]?.restored == true { contacts[id]?.restored = false }
        let live = contacts.values.filter { covered.contains($0.queue) && $0.phase != .ended }
            .sorted { $0.id < $1.id }
            .map { contact in
                SourceSnapshot.Contact(
                    contact: contact.id, queue: contact.queue, phase: contact.phase == .waiting ? .waiting : .connected,
                    agent: contact.phase == .waiting ? nil : contact.agent, since: contact.since)
            }
        let members = agents.values
            .filter { agent in agent.engine != nil && agent.queueOrder.contains { covered.contains($0) } }
            .sorted { $0.id < $1.id }
            .map { agent in
                let (state, reason) = agent.derivedState
                return SourceSnapshot.Agent(agent: agent.id, state: state, reason: reason)
            }
        let snapshot = SourceSnapshot(
            source: configuration.idPrefix, queues: covered.sorted(), contacts: live, agents: members)
        emit(.sourceSnapshot(snapshot), at: at, subject: "resync", what: "snapshot")
    }
}

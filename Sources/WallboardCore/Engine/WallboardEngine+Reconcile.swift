/// `source.snapshot`: a source's live state wins over what the engine holds (issue 22).
extension WallboardEngine {
    /// Reconciles the engine with a source's live state at `at`, in this order:
    /// 1. live contacts of a covered queue that are waiting, connected or held and that the snapshot
    ///    lacks are closed as `expired` (never as an abandon or an answer); ended ones wait for their
    ///    agent as usual;
    /// 2. contacts the snapshot has and the engine lacks are added with their real queue or answer time
    ///    (no departure is counted for one added as connected: its wait is unknown); one the engine
    ///    holds as waiting that the snapshot has connected is answered at the snapshot's `since`;
    /// 3. each listed agent who is logged in takes the listed state (as an `agent.state` event would).
    mutating func reconcile(_ snapshot: SourceSnapshot, at: Instant) {
        let covered = Set(snapshot.queues)
        let listed = Set(snapshot.contacts.map(\.contact))
        let gone = contacts.values.filter {
            covered.contains($0.queue) && $0.phase != .wrapUp && !listed.contains($0.id)
        }.map(\.id).sorted()
        for contact in gone { expireContact(contact, at: at, cause: .reconciled) }

        for entry in snapshot.contacts {
            let since = min(entry.since, at)
            if let live = contacts[entry.contact] {
                if live.phase == .waiting, entry.phase == .connected, let agent = entry.agent, live.queue == entry.queue {
                    try? answer(entry.contact, agent: agent, monitor: nil, at: max(since, live.queuedAt))
                }
                continue
            }
            noteQueue(entry.queue)
            var live = LiveContact(
                id: entry.contact, queue: entry.queue, channel: entry.channel, customer: entry.customer, language: nil,
                reason: nil, priority: nil, phase: entry.phase == .waiting ? .waiting : .connected, queuedAt: since)
            if entry.phase == .connected {
                live.answeredAt = since
                live.agent = entry.agent
                live.team = entry.agent.flatMap { agents[$0]?.team }
            }
            contacts[entry.contact] = live
            if let agent = live.agent { assign(entry.contact, channel: entry.channel, to: agent, at: at) }
        }

        for entry in snapshot.agents where agents.index(forKey: entry.agent) != nil {
            if entry.state != .wrapUp { closeEndedContacts(of: entry.agent, at: at) }
            if entry.state == .offline {
                closeAgent(entry.agent, at: at)
            } else {
                setAgentState(entry.agent, entry.state, reason: entry.state == .notReady ? entry.reason : nil, at: at)
            }
        }
        idleScanDue = nil
    }
}

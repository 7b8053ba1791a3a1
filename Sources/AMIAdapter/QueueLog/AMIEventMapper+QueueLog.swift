import WallboardCore

/// Filling a gap from Asterisk's `queue_log` (issue 22, docs/asterisk.md "queue_log"): when the server read
/// the log at a (re)connect and handed it over, the next QueueStatusComplete first emits what the log says
/// happened while the wallboard was away, each at its line's time, before the resync's own corrections:
/// - the callers and calls the mapper still held (seen before a manager-session drop, or restored from the
///   engine's checkpoint after a daemon restart) get their real outcome: answered at `CONNECT` by that
///   member, ended at `COMPLETE*` (its wrap-up ends after the queue's wrap-up time, at the latest at the
///   resync), abandoned at `ABANDON`/`EXIT*`, moved at a later `ENTERQUEUE` of another queue;
/// - calls that entered a covered queue after the gap started are added (`contact.queued` at `ENTERQUEUE`,
///   then what followed), so the day's counts match the log;
/// - a call whose lines say nothing is left to the resync as before (kept if the PBX still has it, else
///   `expired`). A call answered in the gap and still up is followed like one restored from a checkpoint.
///
/// Event ids are `<prefix>:<uniqueid>:ql-<what>:<epoch ms>`: the same log read twice gives the same ids, which
/// the engine applies once.
extension AMIEventMapper {
    /// Hands over `queue_log` lines read at this (re)connect, at or after ``queueLogSince``; the next
    /// QueueStatusComplete uses them once.
    public mutating func provideQueueLog(_ records: [QueueLogRecord]) {
        resync.queueLog = records
    }

    /// From when the `queue_log` is worth reading at this (re)connect: the whole second before the earliest of
    /// the gap's start (the last AMI message before the connection dropped, or the engine's latest event after
    /// a restart) and the times the mapper last knew a held caller or call at. `nil`: no gap and nothing held.
    public var queueLogSince: Instant? {
        var times = [resync.gapStart].compactMap { $0 }
        times += contacts.values.filter { $0.phase != .ended }.map(\.since)
        times += resync.restored.map(\.since)
        guard let earliest = times.min() else { return nil }
        let seconds = earliest.milliseconds / 1000
        return Instant(milliseconds: seconds.multipliedReportingOverflow(by: 1000).overflow ? earliest.milliseconds : seconds * 1000)
    }

    /// Notes that the connection dropped: the gap starts at the last message seen (the earliest such time is
    /// kept until a resync used the log).
    mutating func noteGapStart() {
        guard let clock else { return }
        resync.gapStart = min(resync.gapStart ?? clock, clock)
    }

    /// Emits what the handed-over `queue_log` says about held and unseen calls of the `covered` queues, at the
    /// lines' times (never after `at`), and updates the model; `members` are the QueueStatus's QueueMember
    /// items (for the member names the log uses).
    mutating func applyQueueLog(members: [AMIMessage], covered: Set<String>, at: Instant) {
        // An answer that covers no queue (an empty list) leaves the log for the one that does.
        guard let records = resync.queueLog, !covered.isEmpty else { return }
        let gapStart = resync.gapStart
        resync.queueLog = nil
        resync.gapStart = nil
        var lines: [String: [QueueLogRecord]] = [:]
        var order: [String] = []
        // A line stamped after the resync tells what the live stream reports too: it is not the gap's.
        for record in records where record.isAboutACall && record.time <= at {
            if lines[record.callID] == nil { order.append(record.callID) }
            lines[record.callID, default: []].append(record)
        }
        let directory = MemberDirectory(agents: agents, members: members)
        var planned: [(at: Instant, sequence: Int, contact: String, step: QueueLogCall.Step)] = []
        for id in order {
            var call = QueueLogCall(state: startState(of: id, covered: covered))
            call.follow(lines[id] ?? [], gapStart: gapStart, covered: covered) { name, queue in
                directory.agent(named: name, queue: queue)
            }
            for (queue, count) in call.ringNoAnswers {
                ringNoAnswers[queue] = (ringNoAnswers[queue] ?? 0).addingReportingOverflow(count).overflow
                    ? Int.max : (ringNoAnswers[queue] ?? 0) + count
            }
            guard !call.steps.isEmpty else { continue }
            for (time, step) in call.steps { planned.append((min(time, at), planned.count, id, step)) }
            adopt(id, final: call.state)
        }
        planned.sort { ($0.at, $0.sequence) < ($1.at, $1.sequence) }
        for item in planned { emitGapStep(item.step, contact: item.contact, at: item.at, resyncAt: at) }
    }

    /// Where the mapper last knew call `id`: held in the model, restored from a checkpoint, or not at all.
    private func startState(of id: String, covered: Set<String>) -> QueueLogCall.State {
        if let contact = contacts[id] {
            guard covered.contains(contact.queue) else { return .ignored }
            switch contact.phase {
            case .waiting: return .waiting(queue: contact.queue, since: contact.since)
            case .connected:
                guard let agent = contact.agent else { return .ignored }
                return .connected(queue: contact.queue, agent: agent, since: contact.since)
            case .ended: return .ignored
            }
        }
        if let entry = resync.restored.first(where: { $0.contact == id }) {
            guard covered.contains(entry.queue) else { return .ignored }
            switch entry.phase {
            case .waiting: return .waiting(queue: entry.queue, since: entry.since)
            case .connected:
                guard let agent = entry.agent else { return .ignored }
                return .connected(queue: entry.queue, agent: agent, since: entry.since)
            }
        }
        return .unknown
    }

    /// Makes the model say what the log left call `id` as: gone when it is over; waiting or connected (as a
    /// contact not seen live, dropped silently and so expired if the PBX does not list it) otherwise.
    private mutating func adopt(_ id: String, final state: QueueLogCall.State) {
        let held = contacts[id]
        if let agent = held?.agent, agents[agent]?.contact == id {
            agents[agent]?.contact = nil
            touch(agent)
        }
        contacts[id] = nil
        leaves[id] = nil
        stopRinging(for: id)
        resync.restored.removeAll { $0.contact == id }
        switch state {
        case .waiting(let queue, let since):
            contacts[id] = ContactModel(
                id: id, queue: queue, channel: held?.channel, phase: .waiting, since: since, restored: held?.restored ?? true)
        case .connected(let queue, let agent, let since):
            // Linked to its member once QueueMember has been read (``adoptRestored(covered:)``).
            resync.restored.append(SourceSnapshot.Contact(contact: id, queue: queue, phase: .connected, agent: agent, since: since))
        default:
            break
        }
    }

    private mutating func emitGapStep(_ step: QueueLogCall.Step, contact id: String, at: Instant, resyncAt: Instant) {
        switch step {
        case .queued(let queue, let callerID):
            emit(
                .contactQueued(ContactQueued(contact: id, queue: queue, channel: .voice, customer: callerID.map { Customer(id: $0) })),
                at: at, subject: id, what: "ql-queued")
        case .answered(let agent):
            emit(.contactAnswered(contact: id, agent: agent, monitor: nil), at: at, subject: id, what: "ql-answered")
        case .transferred(let queue):
            emit(.contactTransferred(contact: id, toQueue: queue, toAgent: nil), at: at, subject: id, what: "ql-transferred")
        case .abandoned:
            emit(.contactAbandoned(contact: id), at: at, subject: id, what: "ql-abandoned")
        case .ended(let queue, let agent):
            emit(.contactEnded(contact: id), at: at, subject: id, what: "ql-ended")
            // Its wrap-up as if seen live, cut at the resync (which then says what the agent is doing).
            let due = min(at.advanced(by: wrapUpTime(queue: queue, agent: agent)), max(at, resyncAt))
            emit(.contactWrapupDone(contact: id, agent: agent), at: due, subject: id, what: "ql-wrapup_done")
        }
    }
}

/// Turns the member name app_queue logs (`MemberName`, or the interface when it has none) into the agent id
/// the mapper uses (the member `Interface`).
struct MemberDirectory {
    /// Interface → name, for the members known now (the mapper's and the QueueStatus's), and their queues.
    private var names: [String: String] = [:]
    private var queues: [String: Set<String>] = [:]

    init(agents: [String: AgentModel], members: [AMIMessage]) {
        for agent in agents.values {
            names[agent.id] = agent.name
            queues[agent.id, default: []].formUnion(agent.memberships.keys)
        }
        for item in members where item.eventName == "QueueMember" {
            guard let fields = AMIEventMapper.MemberFields(item) else { continue }
            names[fields.interface] = fields.name
            queues[fields.interface, default: []].insert(fields.queue)
        }
    }

    /// The interface of the member logged as `name` in `queue`: the interface itself, else the one member of
    /// that name (preferring members of `queue`); `name` as it is when no member or several match.
    func agent(named name: String, queue: String) -> String {
        if names[name] != nil { return name }
        let matches = names.filter { $0.value == name }.map(\.key)
        if matches.count == 1 { return matches[0] }
        let inQueue = matches.filter { queues[$0]?.contains(queue) == true }
        return inQueue.count == 1 ? inQueue[0] : name
    }
}

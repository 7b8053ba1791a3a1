import WallboardCore

/// Hold and transfers (see `docs/asterisk.md`, "Hold and transfers").
///
/// - `Hold`/`Unhold` come from the channel that signalled it: the agent's phone behind a Local member (not the
///   AgentConnect `DestChannel`), the agent's leg during an attended transfer's consultation, or the caller.
///   They carry no queue fields; they are matched to the answered call by channel, caller `Uniqueid`, or the
///   caller's `Linkedid`. An `Unhold` without a `Hold` (Asterisk sends one on the transferer before every
///   `BlindTransfer`) changes nothing; a call that ends on hold gets no `Unhold` (the engine ends the hold
///   with the call).
/// - A blind transfer (or a Redirect of a waiting caller) is seen as the caller joining another queue
///   (`contact.transferred` to_queue, in `callerJoined`); the old queue's `AgentComplete Reason: transfer`
///   or `QueueCallerAbandon` only decides when no join follows within ``Configuration/transferGrace``.
/// - An `AttendedTransfer` to a queue member is `contact.transferred` to_agent (the target is the member
///   whose channel is in the destination bridge); the caller's hold during the consultation ends with it.
extension AMIEventMapper {
    mutating func holdSeen(_ message: AMIMessage, at: Instant, held: Bool) {
        guard let id = heldContact(channel: message["Channel"], uniqueid: message["Uniqueid"], linkedid: message["Linkedid"]),
            let contact = contacts[id], contact.held != held
        else { return }
        contacts[id]?.held = held
        if held {
            emit(.contactHeld(contact: id), at: at, subject: id, what: "held")
        } else {
            emit(.contactResumed(contact: id), at: at, subject: id, what: "resumed")
        }
    }

    /// The answered call a Hold/Unhold belongs to: the caller or agent channel itself, else the one call of
    /// that `Linkedid` (several, e.g. an agent's consultation call queued elsewhere: none, with a problem).
    func heldContact(channel: String?, uniqueid: String?, linkedid: String?) -> String? {
        let talking = contacts.values.filter { $0.phase == .connected }
        if let direct = talking.first(where: { $0.id == uniqueid || (channel != nil && ($0.agentChannel == channel || $0.channel == channel)) }) {
            return direct.id
        }
        guard let linkedid else { return nil }
        let linked = talking.filter { $0.linkedid == linkedid }
        return linked.count == 1 ? linked[0].id : nil
    }

    mutating func blindTransferSeen(_ message: AMIMessage, at: Instant) {
        channels.note(message)
    }

    mutating func attendedTransferSeen(_ message: AMIMessage, at: Instant) {
        channels.note(message)
        guard message["Result"]?.lowercased() == "success", let id = message["TransfereeUniqueid"],
            var contact = contacts[id], contact.phase == .connected
        else { return }
        let transferers = Set(["OrigTransfererChannel", "SecondTransfererChannel"].compactMap { message[$0] })
        var candidates: [String] = []
        if let target = message["TransferTargetChannel"] { candidates.append(target) }
        for bridge in ["DestBridgeUniqueid", "SecondBridgeUniqueid"].compactMap({ message[$0] }) {
            candidates += channels.channels(inBridge: bridge)
        }
        let others = candidates.filter { !transferers.contains($0) && $0 != message["TransfereeChannel"] && $0 != contact.channel }
        let found = others.compactMap { channel in agent(forChannel: channel, preferring: contact.queue).map { ($0, channel) } }
        guard let (target, targetChannel) = found.first(where: { $0.0 != contact.agent }) else {
            // Transferred to someone who is not a member: the AgentComplete (Reason: transfer) that follows ends it.
            return
        }
        leaves[id] = nil
        if contact.held {
            emit(.contactResumed(contact: id), at: at, subject: id, what: "resumed")
            contact.held = false
        }
        emit(.contactTransferred(contact: id, toQueue: nil, toAgent: target), at: at, subject: id, what: "transferred")
        if let previous = contact.agent {
            if agents[previous]?.contact == id { agents[previous]?.contact = nil }
            scheduleWrapUp(contact: id, agent: previous, queue: contact.queue, at: at, emitsEvent: false)
        }
        contact.agent = target
        contact.agentChannel = targetChannel
        contacts[id] = contact
        agents[target]?.contact = id
        agents[target]?.untrackedCall = false
        agents[target]?.ringing = nil
        agents[target]?.ringingChannel = nil
        touch(target)
    }

    /// The member a channel belongs to (`Local/1003@agents-00000005;1` → `Local/1003@agents/n`, or by its
    /// StateInterface), a member of `queue` first.
    func agent(forChannel channel: String, preferring queue: String) -> String? {
        let base = ChannelTracker.interfaceBase(ofChannel: channel)
        let matches = agents.values.filter { agent in
            ChannelTracker.interfaceBase(ofInterface: agent.id) == base
                || agent.stateInterface.map({ ChannelTracker.interfaceBase(ofInterface: $0) == base }) == true
        }.map(\.id).sorted()
        return matches.first { agents[$0]?.memberships[queue] != nil } ?? matches.first
    }

    /// No queue join followed a Redirect or a transfer: the caller counts as app_queue said, when it said so.
    mutating func resolveLeave(_ id: String) {
        guard let leave = leaves.removeValue(forKey: id) else { return }
        switch leave.fallback {
        case .abandon:
            if contacts[id]?.phase == .waiting { abandon(id, at: leave.at) }
        case .end:
            endCall(id, at: leave.at)
        }
    }
}

import WallboardCore

/// List answers being collected for a resync, and callers whose fate waits for the channel list.
struct ResyncState: Sendable {
    /// QueueParams/QueueMember/QueueEntry items by ActionID.
    var lists: [String: [AMIMessage]] = [:]
    var channelLists: [String: [AMIMessage]] = [:]
    /// Callers we had waiting that a QueueStatus no longer lists.
    var vanished: [String] = []
    var vanishedDeadline: Instant?
    /// Live contacts the engine restored after a daemon restart, adopted at the first QueueStatus.
    var restored: [SourceSnapshot.Contact] = []
    /// The queues the last QueueStatus covered: the `source.snapshot` after CoreShowChannels speaks for these.
    var covered: Set<String> = []
    /// `queue_log` lines handed over at this (re)connect, used by the next QueueStatusComplete (QueueLog/).
    var queueLog: [QueueLogRecord]?
    /// Where the gap the `queue_log` fills starts: the last message before a drop, or the engine's latest event.
    var gapStart: Instant?

    mutating func reset() {
        lists.removeAll()
        channelLists.removeAll()
    }

    mutating func collect(_ message: AMIMessage) {
        lists[message.actionID ?? "", default: []].append(message)
    }

    mutating func collectChannel(_ message: AMIMessage) {
        channelLists[message.actionID ?? "", default: []].append(message)
    }
}

extension AMIEventMapper {
    /// QueueStatus finished: correct members (present, paused, reasons), waiting callers (joined or left while
    /// we were away) and members in calls we do not know, for the queues the answer covered.
    mutating func queueStatusComplete(_ message: AMIMessage, at: Instant) {
        let items = resync.lists.removeValue(forKey: message.actionID ?? "") ?? []
        let covered = Set(items.filter { $0.eventName == "QueueParams" }.compactMap { $0["Queue"] })
        // What queue_log says happened while we were away comes first, at its own times (QueueLog/).
        applyQueueLog(members: items, covered: covered, at: at)

        // Members.
        var listed: [String: Set<String>] = [:]
        for item in items where item.eventName == "QueueMember" {
            guard let fields = memberFields(item, at: at) else { continue }
            listed[fields.interface, default: []].insert(fields.queue)
            join(fields, at: at)
            if fields.inCall, agents[fields.interface]?.contact == nil, agents[fields.interface]?.wrapContact == nil {
                agents[fields.interface]?.untrackedCall = true
            } else if !fields.inCall {
                agents[fields.interface]?.untrackedCall = false
            }
        }
        for (id, agent) in agents {
            for queue in agent.queueOrder where covered.contains(queue) && !(listed[id]?.contains(queue) ?? false) {
                leave(id, queue: queue, at: at)
            }
        }
        resync.covered = covered
        adoptRestored(covered: covered)

        // Waiting callers.
        var waiting = Set<String>()
        for item in items where item.eventName == "QueueEntry" {
            guard let id = item["Uniqueid"], let queue = item["Queue"] else { continue }
            waiting.insert(id)
            if let known = contacts[id], known.phase == .waiting, known.queue == queue { continue }
            let waited = durationHeader("Wait", of: item, at: at, instead: "the caller counts as queued at the resync") ?? 0
            let since = at.advanced(by: -waited)
            if contacts[id] != nil {
                callerJoined(item, at: at)
            } else {
                let number = item["CallerIDNum"].flatMap { $0.isEmpty || $0 == "<unknown>" ? nil : $0 }
                // Joined while we were away: queued at now − Wait (whole seconds, so up to 1 s late).
                emit(
                    .contactQueued(ContactQueued(contact: id, queue: queue, channel: .voice, customer: number.map { Customer(id: $0) })),
                    at: since, subject: id, what: "queued")
                contacts[id] = ContactModel(id: id, queue: queue, channel: item["Channel"], phase: .waiting, since: since)
            }
        }
        let gone = contacts.values.filter { $0.phase == .waiting && covered.contains($0.queue) && !waiting.contains($0.id) }
        if !gone.isEmpty {
            resync.vanished += gone.map(\.id).sorted()
            resync.vanishedDeadline = at.advanced(by: configuration.resyncGrace)
        }
    }

    /// CoreShowChannels finished: decide about callers that left a queue while we were away (bridged to a
    /// member → answered, else abandoned) and end calls whose caller channel is gone.
    mutating func channelsComplete(_ message: AMIMessage, at: Instant) {
        let items = resync.channelLists.removeValue(forKey: message.actionID ?? "") ?? []
        var live: [String: AMIMessage] = [:]
        var bridges: [String: [AMIMessage]] = [:]
        for item in items {
            if let id = item["Uniqueid"] { live[id] = item }
            if let bridge = item["BridgeId"] ?? item["BridgeID"], !bridge.isEmpty { bridges[bridge, default: []].append(item) }
        }
        for id in resync.vanished {
            guard let contact = contacts[id], contact.phase == .waiting else { continue }
            if let caller = live[id], let bridge = caller["BridgeId"] ?? caller["BridgeID"], !bridge.isEmpty,
                let (agent, channel) = member(in: bridges[bridge] ?? [], queue: contact.queue, excluding: id)
            {
                let handle = monitorHandle(forMemberChannel: channel["Channel"], uniqueid: channel["Uniqueid"])
                stopRinging(for: id)
                emit(.contactAnswered(contact: id, agent: agent, monitor: handle?.monitorHandle), at: at, subject: id, what: "answered")
                contacts[id]?.phase = .connected
                contacts[id]?.since = at
                contacts[id]?.agent = agent
                contacts[id]?.agentChannel = channel["Channel"]
                agents[agent]?.contact = id
                agents[agent]?.untrackedCall = false
                touch(agent)
            } else if contact.restored {
                forgetRestored(id)
            } else {
                abandon(id, at: at)
            }
        }
        resync.vanished.removeAll()
        resync.vanishedDeadline = nil
        for contact in contacts.values where contact.phase == .connected && live[contact.id] == nil {
            if contact.restored { forgetRestored(contact.id) } else { endCall(contact.id, at: at) }
        }
        emitSourceSnapshot(at: at)
    }

    /// The grace after QueueStatus ran out without a channel list: callers that left are counted abandoned.
    mutating func resolveVanished(at: Instant) {
        for id in resync.vanished where contacts[id]?.phase == .waiting {
            if contacts[id]?.restored == true { forgetRestored(id) } else { abandon(id, at: at) }
        }
        resync.vanished.removeAll()
        resync.vanishedDeadline = nil
    }

    /// The member of `queue` whose channel is in `bridge`.
    func member(in bridge: [AMIMessage], queue: String, excluding caller: String) -> (String, AMIMessage)? {
        for channel in bridge where channel["Uniqueid"] != caller {
            guard let name = channel["Channel"] else { continue }
            let base = ChannelTracker.interfaceBase(ofChannel: name)
            for agent in agents.values where agent.memberships[queue] != nil {
                if ChannelTracker.interfaceBase(ofInterface: agent.id) == base
                    || agent.stateInterface.map({ ChannelTracker.interfaceBase(ofInterface: $0) == base }) == true
                {
                    return (agent.id, channel)
                }
            }
        }
        return nil
    }
}

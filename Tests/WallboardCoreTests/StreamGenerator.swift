import WallboardCore

/// Generates a consistent random event stream for a small center: agents log in, contacts queue, are
/// answered (with hold and wrap-up) or abandon, some are transferred; agents emit explicit state events.
struct StreamGenerator {
    /// What the source leaves out.
    struct Options {
        /// Send `contact.wrapup_done`; without it the agent's next state ends wrap-up (sometimes a late
        /// `contact.wrapup_done` follows anyway).
        var wrapUpEvents = true
        /// Lose now and then a `contact.abandoned` or a `contact.ended` (the agent goes available), so
        /// the contact stays live until the engine expires it.
        var loseEvents = false
        /// Transfer now and then a connected or held contact: to another queue (its agent goes available)
        /// or to an available agent.
        var transferAnswered = false
        /// Send now and then a `survey.completed` (csat 1..5, ces 1..7, resolved, each sometimes left
        /// out) for a contact seen so far, live or finished, or for one the engine never saw.
        var surveys = false
        /// Now and then a waiting contact requests a callback instead of abandoning; pending callbacks
        /// are attempted, then connected to a free agent (and handled like an answered contact) or
        /// failed; now and then a recent abandon is called back. With `loseEvents`, some pending
        /// callbacks and self-service sessions never hear another event (the engine expires them).
        var callbacks = false
        /// Contacts start in self-service ("ivr", "bot") and self-serve or go on to a queue.
        var selfService = false
        /// Now and then an idle agent logs in again under another team (or none): after a logout and a
        /// while away, or straight over its current login.
        var teamChanges = false
    }

    static let queues = ["q1", "q2", "q3"]
    var random: SeededRandom
    var options = Options()
    var now: Instant
    var events: [Event] = []
    private var nextID = 0
    private var nextContact = 0

    private struct Waiting { var contact: String; var queue: String; var since: Instant; var patience: Millis }
    private struct Busy { var contact: String; var endsAt: Instant; var wrapEndsAt: Instant; var held: Bool; var ended = false }

    private var waiting: [Waiting] = []
    private struct Pending { var contact: String; var attempted = false; var lost = false }
    private var pending: [Pending] = []
    private var abandoned: [(contact: String, at: Instant)] = []
    private var sessions: [(contact: String, lost: Bool)] = []
    private var nextSession = 0
    private var agentQueues: [String: [String]] = [:]
    private var busy: [String: Busy] = [:]
    private var notReady: Set<String> = []
    /// Agents logged out by `teamChanges`: when they come back, under which team.
    private var away: [String: (until: Instant, team: String?)] = [:]

    init(seed: UInt64, start: Instant, options: Options = Options()) {
        random = SeededRandom(seed: seed)
        now = start
        self.options = options
    }

    private mutating func emit(_ body: EventBody) {
        nextID += 1
        events.append(Event(id: "g\(nextID)", timestamp: now, body: body))
    }

    mutating func generate(duration: Millis) -> [Event] {
        let end = now.advanced(by: duration)
        for index in 1...5 {
            let agent = "a\(index)"
            let queues = index <= 2 ? ["q1", "q2"] : (index == 5 ? ["q3"] : ["q2", "q3"])
            agentQueues[agent] = queues
            emit(.agentLogin(AgentLogin(agent: agent, name: agent, team: index % 2 == 0 ? "even" : "odd", queues: queues)))
        }
        while now < end {
            now = now.advanced(by: Millis(random.int(100...6000)))
            step()
        }
        return events
    }

    private mutating func step() {
        if random.chance(0.35) {
            nextContact += 1
            let queue = Self.queues[random.int(0...2)]
            let customer = Customer(id: "cust\(random.int(1...15))", segment: random.chance(0.2) ? "vip" : nil)
            let channel: Channel = random.chance(0.7) ? .voice : .chat
            emit(
                .contactQueued(
                    ContactQueued(
                        contact: "c\(nextContact)", queue: queue, channel: channel, customer: customer,
                        language: random.chance(0.5) ? "en" : "fr", reason: random.chance(0.5) ? "billing" : nil)))
            waiting.append(
                Waiting(contact: "c\(nextContact)", queue: queue, since: now, patience: Millis(random.int(1000...90_000))))
        }
        // Abandons and transfers of waiting contacts.
        for item in waiting where now.since(item.since) > item.patience {
            waiting.removeAll { $0.contact == item.contact }
            if random.chance(0.15) {
                let target = Self.queues.filter { $0 != item.queue }[random.int(0...1)]
                emit(.contactTransferred(contact: item.contact, toQueue: target, toAgent: nil))
                waiting.append(Waiting(contact: item.contact, queue: target, since: now, patience: item.patience))
            } else if options.loseEvents, random.chance(0.05) {
                continue  // the abandon never reaches us
            } else if options.callbacks, random.chance(0.25) {
                emit(.contactCallbackRequested(contact: item.contact))
                pending.append(Pending(contact: item.contact, lost: options.loseEvents && random.chance(0.1)))
            } else {
                emit(.contactAbandoned(contact: item.contact))
                // Short abandons (under 5 s, the longest limit the tests set) are not on the call-back list.
                if item.patience >= 5000 { abandoned.append((item.contact, now)) }
            }
        }
        if options.callbacks { stepCallbacks() }
        if options.selfService { stepSelfService() }
        for agent in agentQueues.keys.sorted() { stepAgent(agent) }
        if options.surveys, nextContact > 0, random.chance(0.25) { survey() }
    }

    /// A survey for a random contact so far (most have finished by now), or one time in ten for an
    /// unknown contact (it counts in the center only).
    private mutating func survey() {
        let contact = random.chance(0.1) ? "ghost\(random.int(1...5))" : "c\(random.int(max(1, nextContact - 40)...nextContact))"
        var result = SurveyResult(contact: contact)
        if random.chance(0.7) { result.csat = random.int(1...5) }
        if random.chance(0.6) { result.ces = random.int(1...7) }
        if random.chance(0.6) || (result.csat == nil && result.ces == nil) { result.resolved = random.chance(0.6) }
        emit(.surveyCompleted(result))
    }

    /// Pending callbacks: attempted, then connected to a free agent or failed; a recent abandon of the
    /// same UTC day (the list is today's) is called back now and then.
    private mutating func stepCallbacks() {
        for item in pending where !item.lost && random.chance(0.1) {
            guard item.attempted else {
                emit(.contactCallbackAttempted(contact: item.contact))
                pending = pending.map { $0.contact == item.contact ? Pending(contact: $0.contact, attempted: true) : $0 }
                continue
            }
            let free = agentQueues.keys.sorted().filter { busy[$0] == nil && !notReady.contains($0) }
            if let agent = free.first, random.chance(0.7) {
                pending.removeAll { $0.contact == item.contact }
                emit(.contactCallbackConnected(contact: item.contact, agent: agent))
                emit(.agentState(agent: agent, state: .onContact, reason: nil))
                busy[agent] = Busy(
                    contact: item.contact, endsAt: now.advanced(by: Millis(random.int(5000...120_000))),
                    wrapEndsAt: now.advanced(by: Millis(random.int(125_000...160_000))), held: false)
            } else if random.chance(0.3) {
                pending.removeAll { $0.contact == item.contact }
                emit(.contactCallbackFailed(contact: item.contact, reason: random.chance(0.7) ? "no-answer" : nil))
            }
        }
        let day = now.milliseconds / 86_400_000
        abandoned.removeAll { now.since($0.at) > 60_000 || $0.at.milliseconds / 86_400_000 != day }
        if let recent = abandoned.first, random.chance(0.05) {
            abandoned.removeFirst()
            emit(.contactCallbackAttempted(contact: recent.contact))
            emit(
                random.chance(0.5)
                    ? .contactCallbackConnected(contact: recent.contact, agent: "a1")
                    : .contactCallbackFailed(contact: recent.contact, reason: "busy"))
        }
    }

    /// New self-service contacts, and open ones self-serving or going on to a queue.
    private mutating func stepSelfService() {
        if random.chance(0.2) {
            nextSession += 1
            emit(.contactEnteredSelfService(contact: "s\(nextSession)", entryPoint: random.chance(0.6) ? "ivr" : "bot"))
            sessions.append(("s\(nextSession)", options.loseEvents && random.chance(0.1)))
        }
        for item in sessions where !item.lost && random.chance(0.15) {
            sessions.removeAll { $0.contact == item.contact }
            if random.chance(0.6) {
                let reasons = ["balance", "faq", "hours", "status", "address", "card", "pin"]
                emit(.contactSelfServed(contact: item.contact, reason: random.chance(0.9) ? reasons[random.int(0...6)] : nil))
            } else {
                let queue = Self.queues[random.int(0...2)]
                emit(.contactQueued(ContactQueued(contact: item.contact, queue: queue, channel: .voice)))
                waiting.append(Waiting(contact: item.contact, queue: queue, since: now, patience: Millis(random.int(1000...90_000))))
            }
        }
    }

    /// `teamChanges`: brings an away agent back when its time comes, or sends an idle one away or logs it
    /// in again under another team. True when the agent's step is over.
    private mutating func changeTeam(_ agent: String) -> Bool {
        if let back = away[agent] {
            guard now >= back.until else { return true }
            away[agent] = nil
            notReady.remove(agent)
            emit(.agentLogin(AgentLogin(agent: agent, name: agent, team: back.team, queues: agentQueues[agent]!)))
            return true
        }
        guard busy[agent] == nil, random.chance(0.03) else { return false }
        let team = [nil, "odd", "even"][random.int(0...2)]
        if random.chance(0.5) {
            emit(.agentLogout(agent: agent))
            notReady.insert(agent)  // nobody transfers or calls back to it meanwhile
            away[agent] = (now.advanced(by: Millis(random.int(1000...300_000))), team)
        } else {
            notReady.remove(agent)
            emit(.agentLogin(AgentLogin(agent: agent, name: agent, team: team, queues: agentQueues[agent]!)))
        }
        return true
    }

    private mutating func stepAgent(_ agent: String) {
        if options.teamChanges, changeTeam(agent) { return }
        if var work = busy[agent] {
            if !work.ended, random.chance(0.1) {
                emit(work.held ? .contactResumed(contact: work.contact) : .contactHeld(contact: work.contact))
                work.held.toggle()
            }
            if !work.ended, options.transferAnswered, random.chance(0.02) {
                transferAnswered(work, from: agent)
                return
            }
            if !work.ended, now >= work.endsAt, options.loseEvents, random.chance(0.04) {
                // The end never reaches us: the agent is simply available again.
                emit(.agentState(agent: agent, state: .available, reason: nil))
                busy[agent] = nil
                return
            }
            if !work.ended, now >= work.endsAt {
                emit(.contactEnded(contact: work.contact))
                emit(.agentState(agent: agent, state: .wrapUp, reason: nil))
                work.ended = true
            }
            if work.ended, now >= work.wrapEndsAt {
                busy[agent] = nil
                guard !options.wrapUpEvents else {
                    emit(.contactWrapupDone(contact: work.contact, agent: agent))
                    emit(.agentState(agent: agent, state: .available, reason: nil))
                    return
                }
                if random.chance(0.2) {
                    notReady.insert(agent)
                    emit(.agentState(agent: agent, state: .notReady, reason: "break"))
                } else {
                    emit(.agentState(agent: agent, state: .available, reason: nil))
                }
                if random.chance(0.1) { emit(.contactWrapupDone(contact: work.contact, agent: agent)) }  // late
                return
            }
            busy[agent] = work
            return
        }
        if notReady.contains(agent) {
            if random.chance(0.2) {
                notReady.remove(agent)
                emit(.agentState(agent: agent, state: .available, reason: nil))
            }
            return
        }
        if random.chance(0.03) {
            notReady.insert(agent)
            emit(.agentState(agent: agent, state: .notReady, reason: random.chance(0.5) ? "break" : "lunch"))
            return
        }
        let queues = agentQueues[agent]!
        guard random.chance(0.5), let index = waiting.firstIndex(where: { queues.contains($0.queue) }) else { return }
        let item = waiting.remove(at: index)
        emit(.contactAnswered(contact: item.contact, agent: agent, monitor: nil))
        emit(.agentState(agent: agent, state: .onContact, reason: nil))
        busy[agent] = Busy(
            contact: item.contact, endsAt: now.advanced(by: Millis(random.int(5000...200_000))),
            wrapEndsAt: now.advanced(by: Millis(random.int(205_000...260_000))), held: false)
    }

    /// A blind transfer to another queue (the contact waits there again, the agent is available) or,
    /// when some agent is free, an attended transfer to that agent (who goes on with the contact).
    private mutating func transferAnswered(_ work: Busy, from agent: String) {
        let free = agentQueues.keys.sorted().filter { $0 != agent && busy[$0] == nil && !notReady.contains($0) }
        busy[agent] = nil
        if let target = free.first, random.chance(0.5) {
            emit(.contactTransferred(contact: work.contact, toQueue: nil, toAgent: target))
            emit(.agentState(agent: target, state: .onContact, reason: nil))
            var taken = work
            taken.held = false  // the new agent's visit starts connected
            busy[target] = taken
        } else {
            let target = Self.queues[random.int(0...2)]
            emit(.contactTransferred(contact: work.contact, toQueue: target, toAgent: nil))
            waiting.append(Waiting(contact: work.contact, queue: target, since: now, patience: Millis(random.int(1000...90_000))))
        }
        emit(.agentState(agent: agent, state: .available, reason: nil))
    }
}

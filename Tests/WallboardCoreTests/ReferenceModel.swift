import WallboardCore

/// A deliberately naive recomputation of window figures straight from the raw event list, written
/// apart from the engine: every call rescans every event. Only valid, in-order streams.
///
/// Scopes: "center", a queue id, or `team:`, `channel:`, `segment:`, `language:` followed by an id
/// (docs/metrics.md, "Scopes"). A transfer of an answered contact closes its visit as handled
/// (docs/metrics.md, "Transfers"). Handling ends at the first of `contact.wrapup_done`, the agent's next
/// state other than wrap_up, or its logout (docs/metrics.md, "When handling ends"); a contact with no
/// event for `expiry` is expired at that age when an `expire(now:)` ran after it (`lastExpire`).
struct ReferenceModel {
    /// The figures the property test compares.
    struct Figures: Equatable, CustomStringConvertible {
        var offered = 0, answered = 0, abandoned = 0, shortAbandoned = 0, within = 0
        var slNumerator = 0, slDenominator = 0
        var answerWait: Int64 = 0
        var maxWait: Int64?
        var handled = 0
        var handleTime: Int64 = 0
        var handling: Int64 = 0, available: Int64 = 0, loggedIn: Int64 = 0
        var expired = 0
        var csatCount = 0, csatSum = 0, csatSatisfied = 0, cesCount = 0, cesSum = 0
        var resolvedAnswers = 0, resolvedYes = 0
        /// Callbacks (docs/metrics.md, "Callbacks") and self-service by entry point (center only).
        var callbacks = CallbackFigures()
        var selfService: [String: SelfServiceCounts] = [:]

        var description: String {
            "off \(offered) ans \(answered) ab \(abandoned) short \(shortAbandoned) within \(within) "
                + "sl \(slNumerator)/\(slDenominator) wait \(answerWait) max \(String(describing: maxWait)) "
                + "handled \(handled)/\(handleTime) time \(handling)/\(available)/\(loggedIn) expired \(expired) "
                + "csat \(csatCount)/\(csatSum)/\(csatSatisfied) ces \(cesCount)/\(cesSum) fcr \(resolvedYes)/\(resolvedAnswers) "
                + "callbacks \(callbacks) self-service \(selfService)"
        }
    }

    let events: [Event]
    let settings: [String: QueueSettings]
    /// The engine's contact expiry (0: never) and the time of its last `expire(now:)`.
    var expiry: Int64 = 0
    var lastExpire: Int64? = nil

    /// What a contact carries into every scope it counts in.
    private struct Contact {
        var queue: String
        var channel: Channel
        var segment: String?
        var language: String?
        var queuedAt: Int64
        var team: String?
        var answeredAt: Int64?
        var agent: String?
        var lastActivity: Int64
        var waiting = true
        var ended = false
    }

    /// Figures for `scope` counting what happened in `[start, now]`.
    func figures(scope: String, start: Int64, now: Int64) -> Figures {
        var result = Figures()
        var live: [String: Contact] = [:]
        /// Contacts no longer live, as they were when they left: a later survey counts where they did.
        var finished: [String: Contact] = [:]
        var heldSince: [String: Int64] = [:]
        var agentQueues: [String: [String]] = [:]
        var agentTeam: [String: String] = [:]
        var agentState: [String: (state: AgentState, since: Int64)] = [:]
        /// The ended contact each agent is wrapping up.
        var wrapping: [String: String] = [:]
        /// The contact each agent holds (the generator gives an agent one at a time).
        var holding: [String: String] = [:]
        /// Callbacks requested and not yet connected or failed: the contact, when requested, last event.
        var pending: [String: (contact: Contact, requestedAt: Int64, lastActivity: Int64)] = [:]
        /// Contacts in self-service: entry point and when they entered.
        var sessions: [String: (entryPoint: String, at: Int64)] = [:]

        func inScope(_ c: Contact, team: String?) -> Bool {
            if scope == "center" || scope == c.queue { return true }
            if let id = scope.dropPrefix("team:") { return team == id }
            if let id = scope.dropPrefix("channel:") { return c.channel.rawValue == id }
            if let id = scope.dropPrefix("segment:") { return c.segment == id }
            if let id = scope.dropPrefix("language:") { return c.language == id }
            return false
        }
        func agentInScope(_ agent: String) -> Bool {
            if scope == "center" { return true }
            // `agent:ID@TEAM` (`agent:ID@` for no team): that agent's time under that team.
            if let rest = scope.dropPrefix("agent:") {
                let parts = rest.split(separator: "@", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
                return parts[0] == agent && (agentTeam[agent] ?? "") == parts[1]
            }
            if let id = scope.dropPrefix("team:") { return agentTeam[agent] == id }
            return (agentQueues[agent] ?? []).contains(scope)
        }
        func inWindow(_ t: Int64) -> Bool { t >= start && t <= now }
        func countCallback(_ c: Contact, _ t: Int64, team: String?, _ change: (inout CallbackFigures) -> Void) {
            guard inScope(c, team: team), inWindow(t) else { return }
            change(&result.callbacks)
        }
        func countSelfService(_ entryPoint: String, _ t: Int64, _ change: (inout SelfServiceCounts) -> Void) {
            guard scope == "center", inWindow(t) else { return }
            change(&result.selfService[entryPoint, default: SelfServiceCounts()])
        }
        func depart(_ c: Contact, _ t: Int64, answered: Bool, abandoned: Bool, team: String?) {
            guard inScope(c, team: answered ? team : nil), inWindow(t) else { return }
            let wait = max(0, t - c.queuedAt)
            let s = settings[c.queue] ?? QueueSettings(id: c.queue)
            let within = wait <= s.threshold
            if abandoned, s.shortAbandon > 0, wait < s.shortAbandon {
                result.shortAbandoned += 1
                return
            }
            result.offered += 1
            result.maxWait = max(result.maxWait ?? 0, wait)
            if answered {
                result.answered += 1
                result.answerWait += wait
                result.slDenominator += 1
                if within {
                    result.within += 1
                    result.slNumerator += 1
                }
            } else if abandoned {
                result.abandoned += 1
                if s.abandonTreatment != .ignore { result.slDenominator += 1 }
                if s.abandonTreatment == .positive, within { result.slNumerator += 1 }
            }
        }
        func handle(_ contact: String, _ t: Int64) {
            guard let c = live.removeValue(forKey: contact) else { return }
            finished[contact] = c
            if let agent = c.agent, wrapping[agent] == contact { wrapping[agent] = nil }
            if let agent = c.agent, holding[agent] == contact { holding[agent] = nil }
            guard inScope(c, team: c.team), inWindow(t) else { return }
            result.handled += 1
            result.handleTime += t - c.answeredAt!  // talk + hold + wrap-up: the agent wrapped up throughout
        }
        func closeState(_ agent: String, _ t: Int64) {
            guard let current = agentState[agent], agentInScope(agent) else { return }
            let overlap = max(0, min(t, now) - max(current.since, start))
            guard overlap > 0 else { return }
            result.loggedIn += overlap
            if current.state == .onContact || current.state == .wrapUp { result.handling += overlap }
            if current.state == .available { result.available += overlap }
        }
        func setState(_ agent: String, _ state: AgentState, _ t: Int64) {
            guard agentState[agent] != nil, agentState[agent]?.state != state else { return }
            closeState(agent, t)
            agentState[agent] = (state, t)
        }
        /// What `expire(now:)` closed before `t`: contacts idle longer than `expiry` at an expiry run.
        /// Looks at the contacts only once `t` passes the earliest deadline (else the rescan is slow).
        var nextDeadline = Int64.max
        func expireIdle(before t: Int64) {
            guard expiry > 0, let lastExpire, t > nextDeadline else { return }
            nextDeadline = .max
            for (id, c) in live.sorted(by: { $0.key < $1.key }) {
                let deadline = (c.waiting ? c.queuedAt : c.lastActivity) + expiry
                guard lastExpire > deadline else { continue }  // no expire(now:) ran after it: stays
                guard deadline < t else {
                    nextDeadline = min(nextDeadline, deadline)
                    continue
                }
                live[id] = nil
                finished[id] = c
                if inScope(c, team: c.team), inWindow(deadline) { result.expired += 1 }
            }
            for (id, p) in pending.sorted(by: { $0.key < $1.key }) {
                let deadline = p.lastActivity + expiry
                guard lastExpire > deadline else { continue }
                guard deadline < t else {
                    nextDeadline = min(nextDeadline, deadline)
                    continue
                }
                pending[id] = nil
                finished[id] = p.contact
                countCallback(p.contact, deadline, team: nil) { $0.expired += 1 }
            }
            for (id, session) in sessions.sorted(by: { $0.key < $1.key }) {
                let deadline = session.at + expiry
                guard lastExpire > deadline else { continue }
                guard deadline < t else {
                    nextDeadline = min(nextDeadline, deadline)
                    continue
                }
                sessions[id] = nil
                countSelfService(session.entryPoint, deadline) { $0.expired += 1 }
            }
        }
        /// A contact became live or active at `t`: it can go idle `expiry` later.
        func touched(_ t: Int64) { nextDeadline = min(nextDeadline, t + expiry) }
        for event in events where event.timestamp.milliseconds <= now {
            let t = event.timestamp.milliseconds
            expireIdle(before: t)
            switch event.body {
            case .agentLogin(let login):
                closeState(login.agent, t)  // logged in again: the earlier login's time ends here
                agentQueues[login.agent] = login.queues
                agentTeam[login.agent] = login.team
                agentState[login.agent] = (.available, t)
            case .agentState(let agent, let state, _):
                if state != .wrapUp, let contact = wrapping[agent] { handle(contact, t) }
                if state == .available || state == .notReady { holding[agent] = nil }
                setState(agent, state, t)
            case .agentLogout(let agent):
                if let contact = wrapping[agent] { handle(contact, t) }
                closeState(agent, t)
                agentState[agent] = nil
            case .contactQueued(let queued):
                if let session = sessions.removeValue(forKey: queued.contact) {
                    countSelfService(session.entryPoint, t) { $0.reachedQueue += 1 }
                }
                touched(t)
                live[queued.contact] = Contact(
                    queue: queued.queue, channel: queued.channel, segment: queued.customer?.segment,
                    language: queued.language, queuedAt: t, lastActivity: t)
            case .contactAnswered(let contact, let agent, _):
                guard var c = live[contact] else { continue }
                c.team = agentTeam[agent]
                depart(c, t, answered: true, abandoned: false, team: c.team)
                c.waiting = false
                c.answeredAt = t
                c.agent = agent
                c.lastActivity = t
                touched(t)
                live[contact] = c
                holding[agent] = contact
                setState(agent, .onContact, t)
            case .contactAbandoned(let contact):
                guard let c = live.removeValue(forKey: contact) else { continue }
                finished[contact] = c
                depart(c, t, answered: false, abandoned: true, team: nil)
            case .contactTransferred(let contact, let toQueue, let toAgent):
                guard var c = live[contact] else { continue }
                if c.waiting {
                    depart(c, t, answered: false, abandoned: false, team: nil)
                } else {
                    // The visit it leaves is handled now, in the queue it leaves, with no wrap-up
                    // (docs/metrics.md, "Transfers"); its agent wraps up.
                    if inScope(c, team: c.team), inWindow(t) {
                        result.handled += 1
                        result.handleTime += t - c.answeredAt!
                    }
                    heldSince[contact] = nil
                    if let agent = c.agent, holding[agent] == contact {
                        holding[agent] = nil
                        setState(agent, .wrapUp, t)
                    }
                }
                if let toQueue {
                    c.queue = toQueue
                    c.queuedAt = t
                    c.waiting = true
                    c.answeredAt = nil
                    c.agent = nil
                    c.team = nil
                } else if let toAgent {
                    // A new visit of the same queue: the new agent's, answered now.
                    c.agent = toAgent
                    c.team = agentTeam[toAgent]
                    c.answeredAt = t
                    holding[toAgent] = contact
                    setState(toAgent, .onContact, t)
                }
                c.lastActivity = t
                touched(t)
                live[contact] = c
            case .contactHeld(let contact):
                heldSince[contact] = t
                live[contact]?.lastActivity = t
                touched(t)
            case .contactResumed(let contact):
                heldSince[contact] = nil
                live[contact]?.lastActivity = t
                touched(t)
            case .contactEnded(let contact):
                heldSince[contact] = nil
                guard var c = live[contact] else { continue }
                c.ended = true
                c.lastActivity = t
                touched(t)
                live[contact] = c
                if let agent = c.agent, holding[agent] == contact, agentState[agent] != nil {
                    wrapping[agent] = contact
                    setState(agent, .wrapUp, t)
                } else {
                    handle(contact, t)
                }
            case .contactWrapupDone(let contact, let agent):
                guard live[contact] != nil else { continue }  // already handled: changes nothing
                handle(contact, t)
                if holding[agent] == nil, wrapping[agent] == nil, let state = agentState[agent]?.state,
                    state == .wrapUp || state == .onContact
                {
                    setState(agent, .available, t)
                }
            case .surveyCompleted(let survey):
                // Counted when it arrives, where its contact counts (live or finished: queue, channel, the
                // answering agent's team, segment, language); a contact never seen counts in the center only.
                guard inWindow(t) else { continue }
                if let c = live[survey.contact] ?? finished[survey.contact] {
                    guard inScope(c, team: c.team) else { continue }
                } else if scope != "center" {
                    continue
                }
                if let csat = survey.csat {
                    result.csatCount += 1
                    result.csatSum += csat
                    if csat >= 4 { result.csatSatisfied += 1 }
                }
                if let ces = survey.ces {
                    result.cesCount += 1
                    result.cesSum += ces
                }
                if let resolved = survey.resolved {
                    result.resolvedAnswers += 1
                    if resolved { result.resolvedYes += 1 }
                }
            case .sourceSnapshot:
                break
            case .contactCallbackRequested(let contact):
                guard let c = live.removeValue(forKey: contact) else { continue }
                countCallback(c, t, team: nil) { $0.requested += 1 }
                pending[contact] = (c, t, t)
                touched(t)
            case .contactCallbackAttempted(let contact):
                guard let p = pending[contact] else { continue }  // a call-back of an abandon: only marks the list
                countCallback(p.contact, t, team: nil) { $0.attempted += 1 }
                pending[contact]?.lastActivity = t
                touched(t)
            case .contactCallbackConnected(let contact, let agent):
                guard let p = pending.removeValue(forKey: contact) else { continue }
                var c = p.contact
                c.team = agentTeam[agent]
                let wait = t - p.requestedAt
                let threshold = (settings[c.queue] ?? QueueSettings(id: c.queue)).callbackThreshold
                countCallback(c, t, team: c.team) {
                    $0.connected += 1
                    $0.totalWait += wait
                    if wait <= threshold { $0.connectedWithinThreshold += 1 }
                    $0.maxWait = max($0.maxWait ?? 0, wait)
                }
                c.waiting = false
                c.answeredAt = t
                c.agent = agent
                c.lastActivity = t
                touched(t)
                live[contact] = c
                holding[agent] = contact
                setState(agent, .onContact, t)
            case .contactCallbackFailed(let contact, let reason):
                guard let p = pending.removeValue(forKey: contact) else { continue }
                finished[contact] = p.contact
                countCallback(p.contact, t, team: nil) {
                    $0.failed += 1
                    $0.failedReasons[reason ?? "unspecified", default: 0] += 1
                }
            case .contactEnteredSelfService(let contact, let entryPoint):
                sessions[contact] = (entryPoint, t)
                touched(t)
                countSelfService(entryPoint, t) { $0.entered += 1 }
            case .contactSelfServed(let contact, let reason):
                guard let session = sessions.removeValue(forKey: contact) else { continue }
                countSelfService(session.entryPoint, t) {
                    $0.selfServed += 1
                    $0.reasons[reason ?? "unspecified", default: 0] += 1
                }
            }
        }
        expireIdle(before: now + 1)
        for agent in agentState.keys { closeState(agent, now) }
        return result
    }
}

extension String {
    /// The rest of the string after `prefix`, or `nil` when it does not start with it.
    fileprivate func dropPrefix(_ prefix: String) -> String? {
        hasPrefix(prefix) ? String(dropFirst(prefix.count)) : nil
    }
}

extension ReferenceModel.Figures {
    /// The same figures read from the engine's metrics.
    init(_ m: WindowMetrics) {
        self.init(
            offered: m.offered, answered: m.answered, abandoned: m.abandoned, shortAbandoned: m.shortAbandoned,
            within: m.answeredWithinThreshold, slNumerator: m.serviceLevelNumerator,
            slDenominator: m.serviceLevelDenominator, answerWait: m.totalAnswerWait, maxWait: m.maxWait,
            handled: m.handledCount, handleTime: m.totalHandleTime, handling: m.handlingTime,
            available: m.availableTime, loggedIn: m.loggedInTime, expired: m.expired, csatCount: m.csatCount,
            csatSum: m.csatSum, csatSatisfied: m.csatSatisfied, cesCount: m.cesCount, cesSum: m.cesSum,
            resolvedAnswers: m.resolvedAnswers, resolvedYes: m.resolvedYes, callbacks: m.callbacks,
            selfService: m.selfService.entryPoints)
    }
}

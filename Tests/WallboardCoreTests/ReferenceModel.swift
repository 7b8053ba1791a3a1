import WallboardCore

/// A deliberately naive recomputation of window figures straight from the raw event list, written
/// apart from the engine: every call rescans every event. Only valid, in-order streams.
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

        var description: String {
            "off \(offered) ans \(answered) ab \(abandoned) short \(shortAbandoned) within \(within) "
                + "sl \(slNumerator)/\(slDenominator) wait \(answerWait) max \(String(describing: maxWait)) "
                + "handled \(handled)/\(handleTime) time \(handling)/\(available)/\(loggedIn)"
        }
    }

    let events: [Event]
    let settings: [String: QueueSettings]

    /// Figures for `scope` ("center" or a queue id) counting what happened in `[start, now]`.
    func figures(scope: String, start: Int64, now: Int64) -> Figures {
        var result = Figures()
        var queuedAt: [String: (queue: String, at: Int64)] = [:]
        var answeredAt: [String: Int64] = [:]
        var endedAt: [String: Int64] = [:]
        var heldSince: [String: Int64] = [:]
        var hold: [String: Int64] = [:]
        var handledQueue: [String: String] = [:]
        var agentQueues: [String: [String]] = [:]
        var agentState: [String: (state: AgentState, since: Int64)] = [:]
        func inScope(_ queue: String) -> Bool { scope == "center" || scope == queue }
        func inWindow(_ t: Int64) -> Bool { t >= start && t <= now }
        func depart(_ contact: String, _ t: Int64, answered: Bool, abandoned: Bool) {
            guard let entry = queuedAt.removeValue(forKey: contact), inScope(entry.queue), inWindow(t) else { return }
            let wait = max(0, t - entry.at)
            let s = settings[entry.queue] ?? QueueSettings(id: entry.queue)
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
        func closeState(_ agent: String, _ t: Int64) {
            guard let current = agentState[agent] else { return }
            let queues = agentQueues[agent] ?? []
            guard scope == "center" || queues.contains(scope) else { return }
            let overlap = max(0, min(t, now) - max(current.since, start))
            guard overlap > 0 else { return }
            result.loggedIn += overlap
            if current.state == .onContact || current.state == .wrapUp { result.handling += overlap }
            if current.state == .available { result.available += overlap }
        }
        for event in events where event.timestamp.milliseconds <= now {
            let t = event.timestamp.milliseconds
            switch event.body {
            case .agentLogin(let login):
                agentQueues[login.agent] = login.queues
                agentState[login.agent] = (.available, t)
            case .agentState(let agent, let state, _):
                if agentState[agent]?.state != state {
                    closeState(agent, t)
                    agentState[agent] = (state, t)
                }
            case .agentLogout(let agent):
                closeState(agent, t)
                agentState[agent] = nil
            case .contactQueued(let queued):
                queuedAt[queued.contact] = (queued.queue, t)
            case .contactAnswered(let contact, _, _):
                handledQueue[contact] = queuedAt[contact]?.queue
                depart(contact, t, answered: true, abandoned: false)
                answeredAt[contact] = t
            case .contactAbandoned(let contact):
                depart(contact, t, answered: false, abandoned: true)
            case .contactTransferred(let contact, let toQueue, _):
                depart(contact, t, answered: false, abandoned: false)
                queuedAt[contact] = (toQueue!, t)
            case .contactHeld(let contact):
                heldSince[contact] = t
            case .contactResumed(let contact):
                hold[contact, default: 0] += t - heldSince.removeValue(forKey: contact)!
            case .contactEnded(let contact):
                if let since = heldSince.removeValue(forKey: contact) { hold[contact, default: 0] += t - since }
                endedAt[contact] = t
            case .contactWrapupDone(let contact, _):
                guard let queue = handledQueue[contact], inScope(queue), inWindow(t) else { continue }
                result.handled += 1
                result.handleTime += t - answeredAt[contact]!  // talk + hold + wrap-up
            case .surveyCompleted:
                break
            }
        }
        for agent in agentState.keys { closeState(agent, now) }
        return result
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
            available: m.availableTime, loggedIn: m.loggedInTime)
    }
}

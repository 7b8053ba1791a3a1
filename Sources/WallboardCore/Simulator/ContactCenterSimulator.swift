/// The built-in demo source: a small contact center that generates canonical events.
///
/// A discrete-event simulation driven by the caller's clock: ``advance(to:)`` runs every scheduled
/// happening up to `now` and returns the events they produced, stamped with the time they happened.
/// Seeded, so the same seed and the same sequence of `now` values give the same events.
public struct ContactCenterSimulator: Sendable {
    private enum Happening: Sendable {
        case arrival(queue: Int)
        case patienceRunsOut(contact: String)
        case answer(agent: Int, contact: String)
        case hold(contact: String)
        case resume(contact: String)
        case end(contact: String)
        case wrapUpDone(agent: Int, contact: String)
        case breakOver(agent: Int)
    }

    private struct Scheduled: Sendable {
        var at: Instant
        var order: UInt64
        var happening: Happening
    }

    private enum AgentActivity: Sendable, Equatable {
        case available, ringing, talking, wrapUp, onBreak
    }

    private struct SimAgent: Sendable {
        var config: SimulatorConfiguration.Agent
        var activity: AgentActivity = .available
        var availableSince: Instant
        var contact: String?
    }

    private struct Waiting: Sendable {
        var contact: String
        var queue: Int
        var queuedAt: Instant
        var ringingAgent: Int?
    }

    public let configuration: SimulatorConfiguration
    private var random: SplitMix64
    private var agents: [SimAgent] = []
    private var waiting: [Waiting] = []
    private var talkingQueue: [String: Int] = [:]
    private var schedule: [Scheduled] = []
    private var order: UInt64 = 0
    private var eventSequence = 0
    private var contactSequence = 0
    private var started = false
    private var output: [Event] = []
    private let runID: String

    /// - Parameter runID: prefix of every event id, so ids from two runs never collide in one journal.
    public init(configuration: SimulatorConfiguration = .demo(), runID: String = "sim") {
        self.configuration = configuration
        self.random = SplitMix64(seed: configuration.seed)
        self.runID = runID
    }

    /// The queue settings the simulated center runs with (80/30, short abandons under 5 s).
    public var queueSettings: [QueueSettings] {
        configuration.queues.map { QueueSettings(id: $0.id, name: $0.name) }
    }

    /// Runs the simulation up to `now` and returns the events that happened, oldest first.
    public mutating func advance(to now: Instant) -> [Event] {
        if !started { start(at: now) }
        while let next = schedule.first, next.at <= now {
            schedule.removeFirst()
            run(next.happening, at: next.at)
            dispatchWaitingContacts(at: next.at)
        }
        defer { output.removeAll(keepingCapacity: true) }
        return output
    }

    // MARK: - Happenings

    private mutating func start(at now: Instant) {
        started = true
        agents = configuration.agents.map { SimAgent(config: $0, availableSince: now) }
        for agent in configuration.agents {
            emit(
                .agentLogin(
                    AgentLogin(
                        agent: agent.id, name: agent.name, team: agent.team, queues: agent.queues,
                        skills: Dictionary(uniqueKeysWithValues: agent.queues.map { ($0, 5) }), languages: agent.languages)),
                at: now)
        }
        for index in configuration.queues.indices {
            plan(.arrival(queue: index), at: now.advanced(by: random.exponential(mean: configuration.queues[index].meanInterArrival)))
        }
    }

    private mutating func run(_ happening: Happening, at now: Instant) {
        switch happening {
        case .arrival(let queueIndex):
            let queue = configuration.queues[queueIndex]
            contactSequence += 1
            let contact = "\(runID)-c\(contactSequence)"
            let vip = random.unit() < configuration.vipProbability
            let customer = Customer(id: "cust-\(1000 + Int(random.next() % 400))", segment: vip ? "vip" : "standard")
            let reason = queue.reasons[Int(random.next() % UInt64(queue.reasons.count))]
            let language = random.unit() < 0.2 ? "fr" : "en"
            emit(
                .contactQueued(
                    ContactQueued(
                        contact: contact, queue: queue.id, channel: queue.channel, priority: vip ? 1 : 0,
                        customer: customer, language: language, reason: reason)), at: now)
            waiting.append(Waiting(contact: contact, queue: queueIndex, queuedAt: now))
            plan(.patienceRunsOut(contact: contact), at: now.advanced(by: random.exponential(mean: queue.meanPatience)))
            plan(.arrival(queue: queueIndex), at: now.advanced(by: max(500, random.exponential(mean: queue.meanInterArrival))))
        case .patienceRunsOut(let contact):
            guard let index = waiting.firstIndex(where: { $0.contact == contact }) else { return }
            let gone = waiting.remove(at: index)
            emit(.contactAbandoned(contact: contact), at: now)
            if let agent = gone.ringingAgent { becomeAvailable(agent, at: now) }
        case .answer(let agentIndex, let contact):
            guard let index = waiting.firstIndex(where: { $0.contact == contact }) else { return }
            let answered = waiting.remove(at: index)
            agents[agentIndex].activity = .talking
            let agent = agents[agentIndex].config
            let handle = MonitorHandle(kind: "simulator.seat", target: "SIM/\(agent.id)")
            emit(.contactAnswered(contact: contact, agent: agent.id, monitor: handle), at: now)
            talkingQueue[contact] = answered.queue
            let talk = max(Millis.seconds(8), random.exponential(mean: configuration.queues[answered.queue].meanTalk))
            if random.unit() < configuration.holdProbability {
                let holdAt = now.advanced(by: talk / 2)
                let holdFor = random.uniform(configuration.holdLength)
                plan(.hold(contact: contact), at: holdAt)
                plan(.resume(contact: contact), at: holdAt.advanced(by: holdFor))
                plan(.end(contact: contact), at: now.advanced(by: talk + holdFor))
            } else {
                plan(.end(contact: contact), at: now.advanced(by: talk))
            }
        case .hold(let contact):
            emit(.contactHeld(contact: contact), at: now)
        case .resume(let contact):
            emit(.contactResumed(contact: contact), at: now)
        case .end(let contact):
            guard let agentIndex = agents.firstIndex(where: { $0.contact == contact }) else { return }
            agents[agentIndex].activity = .wrapUp
            emit(.contactEnded(contact: contact), at: now)
            plan(.wrapUpDone(agent: agentIndex, contact: contact), at: now.advanced(by: random.uniform(configuration.wrapUp)))
        case .wrapUpDone(let agentIndex, let contact):
            emit(.contactWrapupDone(contact: contact, agent: agents[agentIndex].config.id), at: now)
            talkingQueue[contact] = nil
            if let survey = surveyAnswer(for: contact) { emit(.surveyCompleted(survey), at: now) }
            agents[agentIndex].contact = nil
            if random.unit() < configuration.breakProbability {
                let reason = configuration.breakReasons[Int(random.next() % UInt64(configuration.breakReasons.count))]
                agents[agentIndex].activity = .onBreak
                emit(.agentState(agent: agents[agentIndex].config.id, state: .notReady, reason: reason), at: now)
                plan(.breakOver(agent: agentIndex), at: now.advanced(by: random.uniform(configuration.breakLength)))
            } else {
                agents[agentIndex].activity = .available
                agents[agentIndex].availableSince = now
            }
        case .breakOver(let agentIndex):
            becomeAvailable(agentIndex, at: now)
        }
    }

    /// Offers each waiting contact, longest wait first, to the longest-idle available agent of its queue.
    private mutating func dispatchWaitingContacts(at now: Instant) {
        for index in waiting.indices where waiting[index].ringingAgent == nil {
            let queueID = configuration.queues[waiting[index].queue].id
            let candidates = agents.indices.filter {
                agents[$0].activity == .available && agents[$0].config.queues.contains(queueID)
            }
            guard let chosen = candidates.min(by: { agents[$0].availableSince < agents[$1].availableSince }) else {
                continue
            }
            waiting[index].ringingAgent = chosen
            agents[chosen].activity = .ringing
            agents[chosen].contact = waiting[index].contact
            emit(.agentState(agent: agents[chosen].config.id, state: .ringing, reason: nil), at: now)
            plan(.answer(agent: chosen, contact: waiting[index].contact), at: now.advanced(by: random.uniform(configuration.ring)))
        }
    }

    private mutating func becomeAvailable(_ agentIndex: Int, at now: Instant) {
        agents[agentIndex].activity = .available
        agents[agentIndex].availableSince = now
        agents[agentIndex].contact = nil
        emit(.agentState(agent: agents[agentIndex].config.id, state: .available, reason: nil), at: now)
    }

    private mutating func surveyAnswer(for contact: String) -> SurveyResult? {
        guard random.unit() < 0.3 else { return nil }
        let csat = 1 + Int(random.next() % 5)
        return SurveyResult(
            contact: contact, csat: max(csat, 2 + Int(random.next() % 4)), ces: 1 + Int(random.next() % 7),
            resolved: random.unit() < 0.8)
    }

    private mutating func plan(_ happening: Happening, at time: Instant) {
        order += 1
        let item = Scheduled(at: time, order: order, happening: happening)
        var low = 0
        var high = schedule.count
        while low < high {
            let mid = (low + high) / 2
            if schedule[mid].at <= time { low = mid + 1 } else { high = mid }
        }
        schedule.insert(item, at: low)
    }

    private mutating func emit(_ body: EventBody, at time: Instant) {
        eventSequence += 1
        output.append(Event(id: "\(runID)-e\(eventSequence)", timestamp: time, body: body))
    }
}

import Testing
import WallboardCore

/// Issue 16 item 5: a brute-force model of concurrent chat contacts (docs/metrics.md, "Concurrent
/// contacts" and "When handling ends") recomputed from the raw events and compared with the engine.
@Suite struct ConcurrentModelTests {
    static let agents = ["a1", "a2", "a3", "a4"]
    static let capacity = 3
    static let origin = RFC3339.parse("2026-11-23T09:00:00Z")!

    /// Seeded chat streams: agents hold up to `capacity` connected chats, some go not_ready or available
    /// while only ended chats are left, some ended chats get `contact.wrapup_done`; times strictly increase.
    struct ChatStreamGenerator {
        var random: SeededRandom
        var events: [Event] = []
        var now: Millis = 0
        var nextContact = 0
        var waiting: [(id: String, since: Millis)] = []
        var connected: [String: [String]] = [:]
        var held: Set<String> = []
        var ended: [String: [String]] = [:]

        init(seed: UInt64) { random = SeededRandom(seed: seed) }

        mutating func emit(_ body: EventBody) {
            events.append(Event(id: "e\(events.count + 1)", timestamp: ConcurrentModelTests.origin.advanced(by: now), body: body))
        }

        mutating func pick<T>(_ items: [T]) -> T? { items.isEmpty ? nil : items[random.int(0...(items.count - 1))] }

        mutating func generate(steps: Int, wrapUpDone: Bool) -> [Event] {
            for agent in ConcurrentModelTests.agents {
                emit(.agentLogin(AgentLogin(agent: agent, name: agent, queues: ["web"])))
                now += 1_000
            }
            for _ in 0..<steps {
                now += Millis(random.int(1...30)) * 1_000
                step(wrapUpDone: wrapUpDone)
            }
            return events
        }

        mutating func step(wrapUpDone: Bool) {
            let roll = random.int(0...99)
            let agents = ConcurrentModelTests.agents
            switch roll {
            case 0..<22 where waiting.count < 8:
                nextContact += 1
                let id = "chat\(nextContact)"
                waiting.append((id, now))
                emit(.contactQueued(ContactQueued(contact: id, queue: "web", channel: .chat)))
            case 0..<50:
                let free = agents.filter { connected[$0, default: []].count < ConcurrentModelTests.capacity }
                guard !waiting.isEmpty, let agent = pick(free) else { return }
                let contact = waiting.removeFirst().id
                connected[agent, default: []].append(contact)
                // Mirror the capacity rule loosely, only to keep the list of wrap-up candidates short.
                if connected[agent]!.count + ended[agent, default: []].count > ConcurrentModelTests.capacity,
                    !ended[agent, default: []].isEmpty
                {
                    ended[agent]!.removeFirst()
                }
                emit(.contactAnswered(contact: contact, agent: agent, monitor: nil))
            case 50..<55:
                guard let index = waiting.indices.first(where: { now - waiting[$0].since >= 10_000 }) else { return }
                let contact = waiting.remove(at: index).id
                emit(.contactAbandoned(contact: contact))
            case 55..<63:
                guard let contact = pick(agents.flatMap { connected[$0, default: []] }) else { return }
                if held.remove(contact) != nil {
                    emit(.contactResumed(contact: contact))
                } else {
                    held.insert(contact)
                    emit(.contactHeld(contact: contact))
                }
            case 63..<85:
                let candidates = agents.flatMap { agent in connected[agent, default: []].filter { !held.contains($0) }.map { (agent, $0) } }
                guard let (agent, contact) = pick(candidates) else { return }
                connected[agent]!.removeAll { $0 == contact }
                ended[agent, default: []].append(contact)
                emit(.contactEnded(contact: contact))
            case 85..<93:
                guard wrapUpDone else { return }
                let candidates = agents.flatMap { agent in ended[agent, default: []].map { (agent, $0) } }
                guard let (agent, contact) = pick(candidates) else { return }
                ended[agent]!.removeAll { $0 == contact }
                emit(.contactWrapupDone(contact: contact, agent: agent))
            default:
                // Only agents with no connected chat change state: their ended chats are handled.
                guard let agent = pick(agents.filter { connected[$0, default: []].isEmpty }) else { return }
                ended[agent] = []
                emit(.agentState(agent: agent, state: random.chance(0.5) ? .notReady : .available, reason: nil))
            }
        }
    }

    /// The figures compared, recomputed by brute force.
    struct Figures: Equatable, CustomStringConvertible {
        var offered = 0, answered = 0, handled = 0
        var talk: Millis = 0, hold: Millis = 0, wrapUp: Millis = 0
        var handling: Millis = 0, available: Millis = 0, loggedIn: Millis = 0

        init() {}
        init(_ m: WindowMetrics, agentTime: Bool) {
            offered = m.offered
            answered = m.answered
            handled = m.handledCount
            talk = m.totalTalk
            hold = m.totalHold
            wrapUp = m.totalWrapUp
            if agentTime {
                handling = m.handlingTime
                available = m.availableTime
                loggedIn = m.loggedInTime
            }
        }

        var description: String {
            "offered \(offered) answered \(answered) handled \(handled) talk \(talk) hold \(hold) wrap \(wrapUp) "
                + "handling \(handling) available \(available) loggedIn \(loggedIn)"
        }
    }

    /// Replays the raw events with the documented rules, independently of the engine.
    struct Model {
        struct Interval { var from: Millis; var to: Millis; var state: AgentState }
        struct Agent {
            var state = AgentState.available
            var since: Millis = 0
            var intervals: [Interval] = []
            var connected: [String] = []
            var ended: [(contact: String, at: Millis)] = []
        }
        struct Contact { var answered: Millis = 0; var agent = ""; var holdSince: Millis?; var hold: Millis = 0; var talk: Millis = 0; var end: Millis = 0 }
        struct Handled { var contact: String; var at: Millis; var talk: Millis; var hold: Millis; var wrapUp: Millis }

        var agents: [String: Agent] = [:]
        var contacts: [String: Contact] = [:]
        var offers: [Millis] = []
        var answers: [Millis] = []
        var handled: [Handled] = []
        /// How many contacts each rule handled ("wrapup_done", "state", "capacity"), and late wrap-ups.
        var rules: [String: Int] = [:]
        let capacity: Int

        init(events: [Event], capacity: Int) {
            self.capacity = capacity
            for event in events { apply(event) }
        }

        mutating func setState(_ agent: String, _ state: AgentState, at: Millis) {
            guard var a = agents[agent], a.state != state else { return }
            a.intervals.append(Interval(from: a.since, to: at, state: a.state))
            a.state = state
            a.since = at
            agents[agent] = a
        }

        /// Time in `states` between `from` and `to`, the current state running until `to`.
        func time(_ agent: Agent, in states: Set<AgentState>, from: Millis, to: Millis) -> Millis {
            let all = agent.intervals + [Interval(from: agent.since, to: max(agent.since, to), state: agent.state)]
            return all.filter { states.contains($0.state) }.reduce(0) { $0 + max(0, min($1.to, to) - max($1.from, from)) }
        }

        mutating func handle(_ contact: String, agent: String, at: Millis) {
            let c = contacts[contact]!
            let wrap = time(agents[agent]!, in: [.wrapUp], from: c.end, to: at)
            handled.append(Handled(contact: contact, at: at, talk: c.talk, hold: c.hold, wrapUp: wrap))
            agents[agent]!.ended.removeAll { $0.contact == contact }
        }

        mutating func apply(_ event: Event) {
            let t = event.timestamp.milliseconds - ConcurrentModelTests.origin.milliseconds
            switch event.body {
            case .agentLogin(let login):
                agents[login.agent] = Agent(state: .available, since: t)
            case .contactQueued(let queued):
                contacts[queued.contact] = Contact()
            case .contactAnswered(let contact, let agent, _):
                var a = agents[agent]!
                // No spare capacity: the oldest ended contact (the first answered of them) is handled.
                while a.connected.count + a.ended.count >= capacity,
                    let oldest = a.ended.min(by: { contacts[$0.contact]!.answered < contacts[$1.contact]!.answered })
                {
                    handle(oldest.contact, agent: agent, at: t)
                    rules["capacity", default: 0] += 1
                    a = agents[agent]!
                }
                a.connected.append(contact)
                agents[agent] = a
                contacts[contact]!.answered = t
                contacts[contact]!.agent = agent
                offers.append(t)
                answers.append(t)
                setState(agent, .onContact, at: t)
            case .contactAbandoned:
                offers.append(t)
            case .contactHeld(let contact):
                contacts[contact]!.holdSince = t
            case .contactResumed(let contact):
                var c = contacts[contact]!
                c.hold += t - c.holdSince!
                c.holdSince = nil
                contacts[contact] = c
            case .contactEnded(let contact):
                var c = contacts[contact]!
                c.end = t
                c.talk = t - c.answered - c.hold
                contacts[contact] = c
                agents[c.agent]!.connected.removeAll { $0 == contact }
                agents[c.agent]!.ended.append((contact, t))
                if agents[c.agent]!.connected.isEmpty { setState(c.agent, .wrapUp, at: t) }
            case .contactWrapupDone(let contact, let agent):
                guard agents[agent]!.ended.contains(where: { $0.contact == contact }) else {
                    rules["late", default: 0] += 1
                    return
                }
                handle(contact, agent: agent, at: t)
                rules["wrapup_done", default: 0] += 1
                if agents[agent]!.connected.isEmpty && agents[agent]!.ended.isEmpty { setState(agent, .available, at: t) }
            case .agentState(let agent, let state, _):
                for ended in agents[agent]!.ended {
                    handle(ended.contact, agent: agent, at: t)
                    rules["state", default: 0] += 1
                }
                setState(agent, state, at: t)
            default:
                Issue.record("the generator made an event the model does not know: \(event.type)")
            }
        }

        func figures(start: Millis, now: Millis, agentTime: Bool) -> Figures {
            let inside = { (at: Millis) in at >= start && at <= now }
            var f = Figures()
            f.offered = offers.filter(inside).count
            f.answered = answers.filter(inside).count
            let done = handled.filter { inside($0.at) }
            f.handled = done.count
            f.talk = done.reduce(0) { $0 + $1.talk }
            f.hold = done.reduce(0) { $0 + $1.hold }
            f.wrapUp = done.reduce(0) { $0 + $1.wrapUp }
            if agentTime {
                for agent in agents.values {
                    f.handling += time(agent, in: [.onContact, .wrapUp], from: start, to: now)
                    f.available += time(agent, in: [.available], from: start, to: now)
                    f.loggedIn += time(agent, in: Set(AgentState.allCases).subtracting([.offline]), from: start, to: now)
                }
            }
            return f
        }
    }

    @Test(arguments: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12] as [UInt64])
    func chatFiguresMatchTheBruteForceModel(seed: UInt64) {
        var generator = ChatStreamGenerator(seed: seed)
        let events = generator.generate(steps: 300, wrapUpDone: seed % 3 != 0)
        var configuration = EngineConfiguration(windows: [RollingWindowSpec(name: "15m", length: .minutes(15))])
        configuration.capacity = ContactCapacity(channels: [.chat: Self.capacity])
        var engine = WallboardEngine(configuration: configuration)
        var random = SeededRandom(seed: seed &* 97)
        var checks = 0
        for (index, event) in events.enumerated() {
            #expect(engine.apply(event, now: event.timestamp) == .applied, "seed \(seed) event \(event.id) \(event.type)")
            engine.expire(now: event.timestamp)
            guard random.chance(0.1) || index == events.count - 1 else { continue }
            let nextTime = index + 1 < events.count ? events[index + 1].timestamp : event.timestamp.advanced(by: 5_000)
            let now = event.timestamp.advanced(by: Millis(random.int(0...Int(nextTime.since(event.timestamp) - 1))))
            let model = Model(events: Array(events[...index]), capacity: Self.capacity)
            let snapshot = engine.snapshot(now: now)
            let tables = engine.windowTables(now: now)
            let chat = snapshot.channels.first { $0.id == "chat" }
            for name in [WindowName.today, "15m"] {
                let start = tables.starts[name]!.milliseconds - Self.origin.milliseconds
                let at = now.milliseconds - Self.origin.milliseconds
                let center = Figures(snapshot.center.windows[name] ?? WindowMetrics(), agentTime: true)
                #expect(center == model.figures(start: start, now: at, agentTime: true), "seed \(seed) center \(name) at +\(at) ms")
                let channel = Figures(chat?.figures.windows[name] ?? WindowMetrics(), agentTime: false)
                #expect(channel == model.figures(start: start, now: at, agentTime: false), "seed \(seed) chat \(name) at +\(at) ms")
                checks += 1
            }
        }
        #expect(checks > 20)
        let model = Model(events: events, capacity: Self.capacity)
        // The stream exercised every rule of "When handling ends" that applies to it.
        #expect(model.rules["capacity", default: 0] > 0 && model.rules["state", default: 0] > 0, "seed \(seed) \(model.rules)")
        if seed % 3 != 0 { #expect(model.rules["wrapup_done", default: 0] > 0, "seed \(seed) \(model.rules)") }
        #expect(engine.counters.lateWrapUps == model.rules["late", default: 0], "seed \(seed) late wrap-ups")
        // Contact by contact (the engine keeps the most recent handled ones): when each was handled,
        // its talk, hold and wrap-up.
        let expected = Dictionary(uniqueKeysWithValues: model.handled.map {
            ($0.contact, "at +\($0.at) talk \($0.talk) hold \($0.hold) wrap \($0.wrapUp)")
        })
        for h in engine.handled {
            let actual = "at +\(h.finishedAt.milliseconds - Self.origin.milliseconds) talk \(h.talk) hold \(h.hold) wrap \(h.wrapUp)"
            #expect(expected[h.contact] == actual, "seed \(seed) handled \(h.contact)")
        }
    }
}

import Testing
import WallboardCore

/// Issue 17: each agent's day figures (`WallboardEngine.agentDay(now:)`, docs/console.md) on random seeded
/// streams equal a brute-force recomputation from the raw events (``AgentDayModel``): state times, not-ready
/// by reason, handled visits with their talk, hold and wrap-up, and transfers, today and over the last hour.
@Suite struct AgentDayModelTests {
    static let settings = [
        QueueSettings(id: "q1", threshold: .seconds(20)), QueueSettings(id: "q2"), QueueSettings(id: "q3"),
    ]

    /// Odd seeds without transfers of answered contacts, even seeds with them (to queues and to agents).
    @Test(arguments: [1, 2, 3, 4, 5, 6] as [UInt64])
    func everyAgentsDayMatchesBruteForce(seed: UInt64) {
        check(seed: seed, options: .init(transferAnswered: seed % 2 == 0))
    }

    /// Without `contact.wrapup_done`: a visit's wrap-up ends at its agent's next state (sometimes
    /// not ready, and a late `contact.wrapup_done` now and then), with transfers.
    @Test(arguments: [21, 22, 23] as [UInt64])
    func everyAgentsDayMatchesBruteForceWithoutWrapUpEvents(seed: UInt64) {
        check(seed: seed, options: .init(wrapUpEvents: false, transferAnswered: true))
    }

    func check(seed: UInt64, options: StreamGenerator.Options) {
        // Starts 23:10 UTC so the stream crosses midnight: "today" must restart.
        let start = RFC3339.parse("2026-03-28T23:10:00Z")!
        var generator = StreamGenerator(seed: seed, start: start, options: options)
        let events = generator.generate(duration: .minutes(100))
        let configuration = EngineConfiguration(
            queues: Self.settings, windows: [RollingWindowSpec(name: "60m", length: .minutes(60))],
            calendar: CenterCalendar(intervalLength: .minutes(30)))
        var engine = WallboardEngine(configuration: configuration)
        var model = AgentDayModel()
        var random = SeededRandom(seed: seed &* 17)
        var checks = 0
        var checksAfterMidnight = 0
        for (index, event) in events.enumerated() {
            #expect(engine.apply(event, now: event.timestamp) == .applied, "event \(event.id) \(event.type)")
            model.apply(event)
            guard random.chance(0.06) || index == events.count - 1 else { continue }
            let nextTime = index + 1 < events.count ? events[index + 1].timestamp : event.timestamp
            let now = event.timestamp.advanced(by: Millis(random.int(0...Int(nextTime.since(event.timestamp)))))
            // The daemon's tick: starts the new day in the book.
            engine.expire(now: now)
            let dayStart = configuration.calendar.startOfDay(containing: now)
            if dayStart > start { checksAfterMidnight += 1 }
            let rows = engine.agentDay(now: now)
            let ids = Set(rows.map(\.id))
            #expect(ids == Set(model.agents), "seed \(seed) agents at \(now)")
            for row in rows {
                let today = AgentDayModel.Figures(row.today)
                let expectedToday = model.figures(of: row.id, from: dayStart, now: now)
                #expect(today == expectedToday, "seed \(seed) agent \(row.id) today at \(now)")
                let hour = row.windows["60m"].map { AgentDayModel.Figures($0) }
                let expectedHour = model.figures(of: row.id, from: now.advanced(by: -Millis.minutes(60)), now: now)
                #expect(hour == expectedHour, "seed \(seed) agent \(row.id) 60m at \(now)")
                checks += 1
            }
        }
        #expect(checks > 100)
        #expect(checksAfterMidnight > 50)
        #expect(model.handledCount > 20)
        #expect(model.notReadyReasons.count >= 2, "seed \(seed) reasons \(model.notReadyReasons)")
        if options.transferAnswered { #expect(model.transferCount > 0, "seed \(seed) has no transfer of an answered contact") }
    }
}

/// A brute-force model of each agent's day, independent of ``AgentDayBook``: every state stretch, handled
/// visit and transfer as a plain list, summed over the period when asked. The agent's state follows the
/// `agent.login` / `agent.state` events only; a visit is answered → ended → wrap-up done (or the agent's next
/// state but wrap_up, whichever first), or answered → transferred (handled at the transfer with wrap-up 0; a
/// transfer to an agent starts that agent's visit).
struct AgentDayModel {
    /// The figures compared (ratios follow from these).
    struct Figures: Equatable, CustomStringConvertible {
        var handled = 0
        var talk: Millis = 0
        var hold: Millis = 0
        var wrapUp: Millis = 0
        var states: [AgentState: Millis] = [:]
        var notReadyByReason: [String: Millis] = [:]
        var transfers = 0

        init() {}

        init(_ figures: AgentFigures) {
            handled = figures.handled
            talk = figures.talk
            hold = figures.hold
            wrapUp = figures.wrapUp
            for state in AgentState.allCases where figures[state] > 0 { states[state] = figures[state] }
            notReadyByReason = figures.notReadyByReason.filter { $0.value > 0 }
            transfers = figures.transfers
        }

        var description: String {
            let stateText = states.sorted { $0.key.rawValue < $1.key.rawValue }.map { "\($0.key.rawValue)=\($0.value)" }
            let reasonText = notReadyByReason.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
            return "handled \(handled) talk \(talk) hold \(hold) wrapUp \(wrapUp) transfers \(transfers) "
                + "states [\(stateText.joined(separator: " "))] notReady [\(reasonText.joined(separator: " "))]"
        }
    }

    private struct Stretch { var state: AgentState; var reason: String?; var from: Instant; var to: Instant? }
    private struct Handled { var at: Instant; var talk: Millis; var hold: Millis; var wrapUp: Millis }
    private struct Visit {
        var agent: String
        var answered: Instant
        var hold: Millis = 0
        var heldSince: Instant?
        var ended: Instant?

        mutating func stopHold(at time: Instant) {
            if let since = heldSince { hold += time.since(since) }
            heldSince = nil
        }
    }

    private var stretches: [String: [Stretch]] = [:]
    private var handled: [String: [Handled]] = [:]
    private var transfers: [String: [Instant]] = [:]
    private var visits: [String: Visit] = [:]

    var agents: [String] { Array(stretches.keys) }
    var handledCount: Int { handled.values.reduce(0) { $0 + $1.count } }
    var transferCount: Int { transfers.values.reduce(0) { $0 + $1.count } }
    var notReadyReasons: Set<String> {
        Set(stretches.values.joined().filter { $0.state == .notReady }.compactMap(\.reason))
    }

    mutating func apply(_ event: Event) {
        let at = event.timestamp
        switch event.body {
        case .agentLogin(let login):
            enter(login.agent, .available, reason: nil, at: at)
        case .agentState(let agent, let state, let reason):
            if state != .wrapUp {
                for (contact, visit) in visits where visit.agent == agent && visit.ended != nil {
                    finish(contact, at: at)
                }
            }
            enter(agent, state, reason: reason, at: at)
        case .agentLogout(let agent):
            close(agent, at: at)
        case .contactAnswered(let contact, let agent, _):
            visits[contact] = Visit(agent: agent, answered: at)
        case .contactHeld(let contact):
            if visits[contact]?.heldSince == nil { visits[contact]?.heldSince = at }
        case .contactResumed(let contact):
            visits[contact]?.stopHold(at: at)
        case .contactEnded(let contact):
            visits[contact]?.stopHold(at: at)
            visits[contact]?.ended = at
        case .contactWrapupDone(let contact, _):
            finish(contact, at: at)
        case .contactTransferred(let contact, _, let toAgent):
            // A waiting contact has no visit: nobody handled it.
            guard var visit = visits.removeValue(forKey: contact), visit.ended == nil else { break }
            visit.stopHold(at: at)
            handled[visit.agent, default: []].append(
                Handled(at: at, talk: at.since(visit.answered) - visit.hold, hold: visit.hold, wrapUp: 0))
            transfers[visit.agent, default: []].append(at)
            if let toAgent { visits[contact] = Visit(agent: toAgent, answered: at) }
        default:
            break
        }
    }

    /// The ended visit `contact` is handled at `at`: its wrap-up ran from its end to `at`.
    private mutating func finish(_ contact: String, at: Instant) {
        guard let visit = visits[contact], let ended = visit.ended else { return }
        visits[contact] = nil
        handled[visit.agent, default: []].append(
            Handled(at: at, talk: ended.since(visit.answered) - visit.hold, hold: visit.hold, wrapUp: at.since(ended)))
    }

    private mutating func close(_ agent: String, at: Instant) {
        guard let last = stretches[agent]?.indices.last, stretches[agent]![last].to == nil else { return }
        stretches[agent]![last].to = at
    }

    private mutating func enter(_ agent: String, _ state: AgentState, reason: String?, at: Instant) {
        close(agent, at: at)
        stretches[agent, default: []].append(Stretch(state: state, reason: state == .notReady ? reason : nil, from: at))
    }

    /// `agent`'s figures over `[start, now]`: the part of each stretch inside it (the open one up to `now`),
    /// the visits handled and the transfers made inside it.
    func figures(of agent: String, from start: Instant, now: Instant) -> Figures {
        var figures = Figures()
        for stretch in stretches[agent] ?? [] {
            let overlap = min(stretch.to ?? now, now).since(max(stretch.from, start))
            guard overlap > 0, stretch.state != .offline else { continue }
            figures.states[stretch.state, default: 0] += overlap
            if stretch.state == .notReady {
                let reason = stretch.reason.flatMap { $0.isEmpty ? nil : $0 } ?? "unspecified"
                figures.notReadyByReason[reason, default: 0] += overlap
            }
        }
        for entry in handled[agent] ?? [] where entry.at >= start && entry.at <= now {
            figures.handled += 1
            figures.talk += entry.talk
            figures.hold += entry.hold
            figures.wrapUp += entry.wrapUp
        }
        figures.transfers = (transfers[agent] ?? []).filter { $0 >= start && $0 <= now }.count
        return figures
    }
}

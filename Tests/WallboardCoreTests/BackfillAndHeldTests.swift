import Testing
import WallboardCore

/// A day posted again at speed keeps its contacts (idle judged on the stream's clock), and held-back
/// events are released by the events that name what they wait for.
@Suite struct BackfillAndHeldTests {
    static let sales = ContactQueued(contact: "c1", queue: "sales", channel: .voice)

    static func engine(expiry minutes: Int64) -> WallboardEngine {
        var configuration = EngineConfiguration()
        configuration.contactExpiry = .minutes(minutes)
        return WallboardEngine(configuration: configuration)
    }

    /// Applies `event` as arriving at `arrival` and ticks the engine a quarter second later, as the daemon does.
    static func post(_ event: Event, at arrival: Instant, to engine: inout WallboardEngine) -> WallboardEngine.ApplyResult {
        let result = engine.apply(event, now: arrival)
        engine.expire(now: arrival.advanced(by: 250))
        return result
    }

    @Test func aContactPostedHoursAfterItHappenedLivesUntilItsOwnEventsEndIt() {
        var f = EventFactory()
        var engine = Self.engine(expiry: 60)
        let arrival = f.at(6 * 3600)  // the day's events arrive six hours late, one after another
        let events = [
            f.make(0, .agentLogin(AgentLogin(agent: "a1", name: "A", queues: ["sales"]))),
            f.make(1, .contactQueued(Self.sales)),
            f.make(31, .contactAnswered(contact: "c1", agent: "a1", monitor: nil)),
            f.make(300, .contactEnded(contact: "c1")),
        ]
        for (index, event) in events.enumerated() {
            let result = Self.post(event, at: arrival.advanced(by: Millis(index) * 500), to: &engine)
            #expect(result == .applied, "\(event.type): \(result)")
        }
        #expect(engine.counters.expired == 0)
        #expect(engine.counters.deferred == 0)
        let today = engine.snapshot(now: arrival.advanced(by: 2000)).center.windows[WindowName.today]!
        #expect(today.offered == 1 && today.answered == 1 && today.expired == 0)
    }

    @Test func aPostedContactWhoseEventsStopStillExpiresOnTheWallClockFromThen() {
        var f = EventFactory()
        var engine = Self.engine(expiry: 60)
        let arrival = f.at(6 * 3600)
        #expect(Self.post(f.make(0, .contactQueued(Self.sales)), at: arrival, to: &engine) == .applied)
        // Nothing more arrives: the stream's clock moves on from the event's time with the wall clock.
        engine.expire(now: arrival.advanced(by: .minutes(60)))
        #expect(engine.contacts["c1"] != nil, "exactly the age is not older than it")
        engine.expire(now: arrival.advanced(by: .minutes(61)))
        #expect(engine.contacts.isEmpty)
        #expect(engine.counters.expired == 1)
        let logged = engine.takeExpiredContacts().contacts
        #expect(logged.map(\.contact) == ["c1"] && logged.first?.cause == .idle)
        #expect(logged.first?.at == f.at(3600), "closed at the age it reached, in its own time")
    }

    @Test func heldEventsApplyWhenWhatTheyNameArrivesAndNotBefore() {
        var f = EventFactory()
        var engine = WallboardEngine()
        let start = f.at(0)
        let answered = f.make(2, .contactAnswered(contact: "c1", agent: "a1", monitor: nil))
        let ended = f.make(3, .contactEnded(contact: "c1"))
        let otherState = f.make(2, .agentState(agent: "a2", state: .notReady, reason: "lunch"))
        #expect(engine.apply(answered, now: start).isHeld)
        #expect(engine.apply(ended, now: start).isHeld)
        #expect(engine.apply(otherState, now: start).isHeld)
        #expect(engine.counters.deferred == 3)
        // An event naming none of them releases none.
        #expect(engine.apply(f.make(1, .agentLogin(AgentLogin(agent: "a9", name: "Z", queues: ["sales"]))), now: start) == .applied)
        #expect(engine.counters.deferred == 3)
        // The contact arrives: `answered` applies (its agent is taken as it comes), then `ended` after it.
        #expect(engine.apply(f.make(1, .contactQueued(Self.sales)), now: start) == .applied)
        #expect(engine.counters.deferred == 1)
        #expect(engine.contacts["c1"] == nil)
        #expect(engine.counters.applied["contact.answered"] == 1 && engine.counters.applied["contact.ended"] == 1)
        // a2 logs in: its state applies.
        #expect(engine.apply(f.make(1.5, .agentLogin(AgentLogin(agent: "a2", name: "B", queues: ["sales"]))), now: start) == .applied)
        #expect(engine.counters.deferred == 0)
        #expect(engine.agents["a2"]?.state == .notReady)
    }

    @Test func heldEventsThatNeverGetTheirPredecessorAreRejectedAfterTheTolerance() {
        var f = EventFactory()
        var engine = WallboardEngine()
        let start = f.at(0)
        for index in 0..<1_000 {
            #expect(engine.apply(f.make(1, .contactEnded(contact: "ghost\(index)")), now: start).isHeld)
        }
        #expect(engine.apply(f.make(1, .contactQueued(Self.sales)), now: start) == .applied)
        #expect(engine.counters.deferred == 1_000)
        let rejected = engine.expire(now: start.advanced(by: engine.configuration.reorderTolerance + 1))
        #expect(rejected.count == 1_000)
        #expect(engine.counters.deferred == 0)
        #expect(engine.counters.rejected[.unknownContact] == 1_000)
        // Nothing stays behind: the contact the later event names applies at once.
        #expect(engine.apply(f.make(2, .contactAbandoned(contact: "c1")), now: start.advanced(by: 3000)) == .applied)
    }
}

extension WallboardEngine.ApplyResult {
    var isHeld: Bool {
        if case .held = self { return true }
        return false
    }
}

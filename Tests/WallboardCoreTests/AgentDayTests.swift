import JSONModel
import Testing
@testable import WallboardCore

/// Each agent's day (`AgentDayBook`, `docs/console.md`) against a hand computation of one agent's morning.
@Suite struct AgentDayTests {
    /// a1 from 09:00:00 (seconds after it):
    /// 0 login · 10 ringing · 15 available (ring-no-answer) · 30 ringing · 35 answers c1 · 95 hold · 125 resume ·
    /// 215 c1 ends · 245 wrap-up done · 300 not ready "Lunch" · 420 available · 430 not ready (no reason) ·
    /// 460 available · 480 answers c2 · 540 c2 transferred to queue q2 (a1 to wrap-up) · 560 available · now 600.
    /// a2 logs in at 0 and out at 100.
    static func morning() -> (WallboardEngine, now: Instant, factory: EventFactory) {
        var factory = EventFactory()
        var engine = WallboardEngine()
        let events: [Event] = [
            factory.make(0, .agentLogin(AgentLogin(agent: "a1", name: "Ann", team: "t1", queues: ["q1"]))),
            factory.make(0, .agentLogin(AgentLogin(agent: "a2", name: "Bob", team: "t2", queues: ["q2"]))),
            factory.make(10, .agentState(agent: "a1", state: .ringing, reason: nil)),
            factory.make(15, .agentState(agent: "a1", state: .available, reason: nil)),
            factory.make(20, .contactQueued(ContactQueued(contact: "c1", queue: "q1", channel: .voice))),
            factory.make(30, .agentState(agent: "a1", state: .ringing, reason: nil)),
            factory.make(35, .contactAnswered(contact: "c1", agent: "a1", monitor: nil)),
            factory.make(95, .contactHeld(contact: "c1")),
            factory.make(100, .agentLogout(agent: "a2")),
            factory.make(125, .contactResumed(contact: "c1")),
            factory.make(215, .contactEnded(contact: "c1")),
            factory.make(245, .contactWrapupDone(contact: "c1", agent: "a1")),
            factory.make(300, .agentState(agent: "a1", state: .notReady, reason: "Lunch")),
            factory.make(420, .agentState(agent: "a1", state: .available, reason: nil)),
            factory.make(430, .agentState(agent: "a1", state: .notReady, reason: nil)),
            factory.make(460, .agentState(agent: "a1", state: .available, reason: nil)),
            factory.make(470, .contactQueued(ContactQueued(contact: "c2", queue: "q1", channel: .voice))),
            factory.make(480, .contactAnswered(contact: "c2", agent: "a1", monitor: nil)),
            factory.make(540, .contactTransferred(contact: "c2", toQueue: "q2", toAgent: nil)),
            factory.make(560, .agentState(agent: "a1", state: .available, reason: nil)),
        ]
        engine.run(events)
        let now = factory.at(600)
        engine.expire(now: now)
        return (engine, now, factory)
    }

    static func row(_ engine: WallboardEngine, _ id: String, now: Instant)
        -> (id: String, record: AgentRecord?, today: AgentFigures, windows: [String: AgentFigures])
    {
        engine.agentDay(now: now).first { $0.id == id }!
    }

    /// Asked after midnight before anything advanced the engine: "today" starts at midnight, not yesterday.
    @Test func todayStartsAtMidnightEvenBeforeTheEngineAdvances() {
        var factory = EventFactory(origin: RFC3339.parse("2026-11-23T23:50:00Z")!)
        var engine = WallboardEngine()
        engine.run([
            factory.make(0, .agentLogin(AgentLogin(agent: "a1", name: "Ann", team: "t1", queues: ["q1"]))),
            factory.make(60, .agentState(agent: "a1", state: .notReady, reason: "Break")),
        ])
        let day = engine.agentDay(now: factory.at(20 * 60))  // 00:10, no expire since 23:51
        let today = day.first { $0.id == "a1" }?.today
        #expect(today?.notReadyByReason == ["Break": .minutes(10)])
        #expect(today?[.available] == 0)
        #expect(today?.loggedIn == .minutes(10))
    }

    @Test func todayMatchesTheHandComputation() {
        let (engine, now, _) = Self.morning()
        let today = Self.row(engine, "a1", now: now).today
        #expect(today.handled == 2)  // c1, and c2's visit in q1 closed by its transfer (docs/metrics.md, "Transfers")
        #expect(today.talk == 210_000)  // c1: 215 − 35 − 30 on hold; c2: 540 − 480
        #expect(today.hold == 30_000)
        #expect(today.wrapUp == 30_000)
        #expect(today.averageHandleTime == 135_000)  // (150 + 30 + 30 + 60) / 2
        // available 10 + 15 + 55 + 10 + 20 + 40; ringing 5 + 5; on contact 180 + 60; wrap-up 30 + 20; not ready 120 + 30.
        #expect(today[.available] == 150_000)
        #expect(today[.ringing] == 10_000)
        #expect(today[.onContact] == 240_000)
        #expect(today[.wrapUp] == 50_000)
        #expect(today[.notReady] == 150_000)
        #expect(today.notReadyByReason == ["Lunch": 120_000, "unspecified": 30_000])
        #expect(today.loggedIn == 600_000)
        #expect(today.occupancy == 290.0 / 440.0)
        #expect(today.utilization == 290.0 / 600.0)
        #expect(today.ringNoAnswer == 1)  // 10–15; the ring at 30 was answered
        #expect(today.transfers == 1)
    }

    @Test func rollingWindowsCountWhatOverlapsThem() {
        let (engine, now, _) = Self.morning()
        let window = Self.row(engine, "a1", now: now).windows["5m"]!  // [300, 600]
        #expect(window.handled == 1)  // c1's wrap-up ended at 245; c2's visit in q1 ended at 540
        #expect(window.averageHandleTime == 60_000)
        #expect(window[.available] == 70_000)  // 10 + 20 + 40
        #expect(window[.notReady] == 150_000)
        #expect(window.notReadyByReason == ["Lunch": 120_000, "unspecified": 30_000])
        #expect(window[.onContact] == 60_000)
        #expect(window[.wrapUp] == 20_000)
        #expect(window[.ringing] == 0)
        #expect(window.loggedIn == 300_000)
        #expect(window.occupancy == 80.0 / 150.0)
        #expect(window.ringNoAnswer == 0)
        #expect(window.transfers == 1)
        let hour = Self.row(engine, "a1", now: now).windows["60m"]!
        #expect(hour == Self.row(engine, "a1", now: now).today)  // the whole morning is inside the hour
    }

    @Test func anAgentWhoLoggedOutKeepsTheDay() {
        let (engine, now, _) = Self.morning()
        let bob = Self.row(engine, "a2", now: now)
        #expect(bob.record == nil)
        #expect(bob.today[.available] == 100_000)
        #expect(bob.today.loggedIn == 100_000)
        #expect(bob.today.utilization == 0)
    }

    @Test func aNewDayStartsTodayAgainButNotTheWindows() {
        var factory = EventFactory(origin: RFC3339.parse("2026-11-23T23:50:00Z")!)
        var engine = WallboardEngine()
        engine.run([
            factory.make(0, .agentLogin(AgentLogin(agent: "a1", name: "Ann", queues: ["q1"]))),
            factory.make(500, .agentState(agent: "a1", state: .ringing, reason: nil)),
            factory.make(505, .agentState(agent: "a1", state: .available, reason: nil)),  // 23:58:25, yesterday
        ])
        let now = factory.at(720)  // 00:02:00
        engine.expire(now: now)
        let dayStart = engine.configuration.calendar.startOfDay(containing: now)
        let row = Self.row(engine, "a1", now: now)
        #expect(row.today.ringNoAnswer == 0)
        #expect(row.today.loggedIn == now.since(dayStart))
        #expect(row.today[.available] == now.since(dayStart))
        #expect(row.windows["15m"]!.ringNoAnswer == 1)
        #expect(row.windows["15m"]![.ringing] == 5_000)
    }

    @Test func marksOlderThanTheLongestWindowAreForgotten() {
        var factory = EventFactory()
        var engine = WallboardEngine()
        var events = [factory.make(0, .agentLogin(AgentLogin(agent: "a1", name: "Ann", queues: ["q1"])))]
        for minute in 1...240 {
            events.append(factory.make(Double(minute * 60), .agentState(agent: "a1", state: minute % 2 == 0 ? .available : .notReady, reason: nil)))
        }
        engine.run(events)
        // 60 minutes plus the 5 minutes' rewind allowance, at most one minute late: about 66 marks, not 240.
        #expect(engine.agentDays.markCount <= 67, "\(engine.agentDays.markCount)")
        #expect(engine.agentDays.markCount >= 60)
        let today = Self.row(engine, "a1", now: factory.at(240 * 60)).today
        #expect(today.loggedIn == 240 * 60_000)
    }

    @Test func aCheckpointKeepsEachAgentsDay() throws {
        let (engine, now, _) = Self.morning()
        let restored = try WallboardEngine(restoringFrom: engine.checkpoint(), configuration: engine.configuration)
        #expect(restored.agentDays.markCount == engine.agentDays.markCount)
        #expect(restored.agentDays.dayStart == engine.agentDays.dayStart)
        for (before, after) in zip(engine.agentDay(now: now), restored.agentDay(now: now)) {
            #expect(before.id == after.id)
            #expect(before.today == after.today)
            #expect(before.windows == after.windows)
        }
        #expect(restored.checkpoint() == engine.checkpoint())
        // A checkpoint written before the console (no `agent_days`) restores an empty book.
        guard case .object(var old) = engine.checkpoint() else { Issue.record("not an object"); return }
        old["agent_days"] = nil
        let oldRestored = try WallboardEngine(restoringFrom: .object(old), configuration: engine.configuration)
        #expect(oldRestored.agentDays.markCount == 0)
    }
}

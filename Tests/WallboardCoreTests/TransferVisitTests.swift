import Testing
import WallboardCore

/// A transfer of an answered contact closes the visit it leaves as a handled entry of the queue it
/// leaves (docs/metrics.md, "Transfers"); the contact goes on as a new visit. Figures computed by hand.
@Suite struct TransferVisitTests {
    /// a1 (team t1, queue q1) and a2 (team t2, queue q2) log in at 0 (seconds after the origin); c1:
    /// 10 queued in q1 · 20 a1 answers · 50 held · 70 blind-transferred to q2 while on hold · 80 a2
    /// answers · 100 held · 110 resumed · 180 ended · 190 wrap-up done. Now 200.
    static func blindTransfer() -> (WallboardEngine, now: Instant) {
        var factory = EventFactory()
        var engine = WallboardEngine()
        engine.run([
            factory.make(0, .agentLogin(AgentLogin(agent: "a1", name: "Ann", team: "t1", queues: ["q1"]))),
            factory.make(0, .agentLogin(AgentLogin(agent: "a2", name: "Bob", team: "t2", queues: ["q2"]))),
            factory.make(10, .contactQueued(ContactQueued(contact: "c1", queue: "q1", channel: .voice))),
            factory.make(20, .contactAnswered(contact: "c1", agent: "a1", monitor: nil)),
            factory.make(50, .contactHeld(contact: "c1")),
            factory.make(70, .contactTransferred(contact: "c1", toQueue: "q2", toAgent: nil)),
            factory.make(80, .contactAnswered(contact: "c1", agent: "a2", monitor: nil)),
            factory.make(100, .contactHeld(contact: "c1")),
            factory.make(110, .contactResumed(contact: "c1")),
            factory.make(180, .contactEnded(contact: "c1")),
            factory.make(190, .contactWrapupDone(contact: "c1", agent: "a2")),
        ])
        let now = factory.at(200)
        engine.expire(now: now)
        return (engine, now)
    }

    /// a1 (team t1) and a3 (team t2), both in q1, log in at 0; c2: 10 queued in q1 · 20 a1 answers ·
    /// 40 held (the consultation) · 50 transferred to agent a3 · 100 ended · 105 wrap-up done. Now 200.
    static func transferToAgent() -> (WallboardEngine, now: Instant) {
        var factory = EventFactory()
        var engine = WallboardEngine()
        engine.run([
            factory.make(0, .agentLogin(AgentLogin(agent: "a1", name: "Ann", team: "t1", queues: ["q1"]))),
            factory.make(0, .agentLogin(AgentLogin(agent: "a3", name: "Cy", team: "t2", queues: ["q1"]))),
            factory.make(10, .contactQueued(ContactQueued(contact: "c2", queue: "q1", channel: .voice))),
            factory.make(20, .contactAnswered(contact: "c2", agent: "a1", monitor: nil)),
            factory.make(40, .contactHeld(contact: "c2")),
            factory.make(50, .contactTransferred(contact: "c2", toQueue: nil, toAgent: "a3")),
            factory.make(100, .contactEnded(contact: "c2")),
            factory.make(105, .contactWrapupDone(contact: "c2", agent: "a3")),
        ])
        let now = factory.at(200)
        engine.expire(now: now)
        return (engine, now)
    }

    static func queue(_ snapshot: Snapshot, _ id: String) -> WindowMetrics {
        snapshot.queues.first { $0.settings.id == id }!.figures.windows["60m"]!
    }

    static func team(_ snapshot: Snapshot, _ id: String) -> WindowMetrics {
        snapshot.teams.first { $0.id == id }!.figures.windows["60m"]!
    }

    @Test func aBlindTransferCountsTheVisitItLeavesInTheOldQueue() {
        let (engine, now) = Self.blindTransfer()
        let snapshot = engine.snapshot(now: now)
        let q1 = Self.queue(snapshot, "q1"), q2 = Self.queue(snapshot, "q2")
        // q1: a1's visit 20–70, 20 s of it on hold: talk 30, hold 20, no wrap-up.
        #expect([q1.handledCount, Int(q1.totalTalk), Int(q1.totalHold), Int(q1.totalWrapUp)] == [1, 30_000, 20_000, 0])
        #expect(q1.transfers == 1)
        // q2: a2's visit 80–180, hold 10 (its own, not q1's 20), wrap-up 180–190.
        #expect([q2.handledCount, Int(q2.totalTalk), Int(q2.totalHold), Int(q2.totalWrapUp)] == [1, 90_000, 10_000, 10_000])
        #expect(q2.answered == 1 && q2.offered == 1)
        // The center sees both visits: AHT (50 + 110) / 2.
        let center = snapshot.center.windows["60m"]!
        #expect(center.handledCount == 2 && center.totalHandleTime == 160_000)
        #expect(Self.team(snapshot, "t1").handledCount == 1 && Self.team(snapshot, "t2").handledCount == 1)
        #expect(engine.handled.map { [$0.queue, $0.agent] } == [["q1", "a1"], ["q2", "a2"]])
        #expect(engine.handled.map(\.finishedAt) == [EventFactory().at(70), EventFactory().at(190)])
    }

    @Test func aBlindTransferFeedsTheTransferringAgentsDay() {
        let (engine, now) = Self.blindTransfer()
        let day = engine.agentDay(now: now)
        let a1 = day.first { $0.id == "a1" }!.today, a2 = day.first { $0.id == "a2" }!.today
        #expect([a1.handled, Int(a1.talk), Int(a1.hold), Int(a1.wrapUp), a1.transfers] == [1, 30_000, 20_000, 0, 1])
        #expect(a1.averageHandleTime == 50_000)
        #expect([a2.handled, Int(a2.talk), Int(a2.hold), Int(a2.wrapUp), a2.transfers] == [1, 90_000, 10_000, 10_000, 0])
    }

    @Test func aTransferToAnAgentIsTwoHandledEntriesOfTheSameQueue() {
        let (engine, now) = Self.transferToAgent()
        let snapshot = engine.snapshot(now: now)
        let q1 = Self.queue(snapshot, "q1")
        // a1: 20–50, 10 s of consultation hold: talk 20, hold 10. a3: 50–100 talk 50, no hold, wrap-up 5.
        #expect([q1.handledCount, Int(q1.totalTalk), Int(q1.totalHold), Int(q1.totalWrapUp)] == [2, 70_000, 10_000, 5000])
        #expect(q1.totalHandleTime == 85_000)
        #expect(q1.answered == 1 && q1.offered == 1 && q1.transfers == 1)
        #expect(engine.handled.map { [$0.agent, $0.team] } == [["a1", "t1"], ["a3", "t2"]])
        #expect(engine.handled.map { [$0.talk, $0.hold, $0.wrapUp] } == [[20_000, 10_000, 0], [50_000, 0, 5000]])
        #expect(Self.team(snapshot, "t1").totalHandleTime == 30_000)
        #expect(Self.team(snapshot, "t2").totalHandleTime == 55_000)
        let day = engine.agentDay(now: now)
        let a1 = day.first { $0.id == "a1" }!.today, a3 = day.first { $0.id == "a3" }!.today
        #expect([a1.handled, Int(a1.talk), Int(a1.hold), Int(a1.wrapUp), a1.transfers] == [1, 20_000, 10_000, 0, 1])
        #expect([a3.handled, Int(a3.talk), Int(a3.hold), Int(a3.wrapUp), a3.transfers] == [1, 50_000, 0, 5000, 0])
    }

    /// The contact taken over is a new visit: connected (not held) with its own answer time, so a
    /// hold after the transfer counts from zero.
    @Test func theNewAgentsVisitStartsConnectedAtTheTransfer() {
        var factory = EventFactory()
        var engine = WallboardEngine()
        engine.run([
            factory.make(0, .agentLogin(AgentLogin(agent: "a1", name: "Ann", queues: ["q1"]))),
            factory.make(0, .agentLogin(AgentLogin(agent: "a3", name: "Cy", queues: ["q1"]))),
            factory.make(10, .contactQueued(ContactQueued(contact: "c2", queue: "q1", channel: .voice))),
            factory.make(20, .contactAnswered(contact: "c2", agent: "a1", monitor: nil)),
            factory.make(40, .contactHeld(contact: "c2")),
            factory.make(50, .contactTransferred(contact: "c2", toQueue: nil, toAgent: "a3")),
        ])
        let live = engine.contacts["c2"]
        #expect(live?.phase == .connected && live?.agent == "a3")
        #expect(live?.answeredAt == factory.at(50) && live?.holdTotal == 0 && live?.heldSince == nil)
        #expect(engine.agents["a1"]?.state == .wrapUp && engine.agents["a3"]?.state == .onContact)
    }

    /// A waiting contact moved to another queue was never handled: no handled entry.
    @Test func aWaitingContactMovedIsNoHandledEntry() {
        var factory = EventFactory()
        var engine = WallboardEngine()
        engine.run([
            factory.make(10, .contactQueued(ContactQueued(contact: "c3", queue: "q1", channel: .voice))),
            factory.make(20, .contactTransferred(contact: "c3", toQueue: "q2", toAgent: nil)),
        ])
        #expect(engine.handled.isEmpty)
        #expect(engine.contacts["c3"]?.phase == .waiting && engine.contacts["c3"]?.queue == "q2")
    }
}

import JSONModel
import Testing
import WallboardCore

/// Issue 16 item 1: handling ends without `contact.wrapup_done` (docs/metrics.md, "When handling ends").
@Suite struct HandlingWithoutWrapUpTests {
    /// One contact of a day written as NDJSON, with what an independent count expects of it.
    private struct Call {
        var queue: String
        var agent: String
        var queuedAt: Double
        var answeredAt: Double?
        var hold: (Double, Double)?
        var endedAt: Double?
    }

    /// A bank's day as its ACD exports it: queued, answered, held, ended, agent available again; no
    /// `contact.wrapup_done` at all, no after-call work.
    @Test func aDayWithoutWrapUpEventsHasAHTOfTalkPlusHoldAndHandledEqualToEndedAnsweredContacts() throws {
        var random = SeededRandom(seed: 16)
        var calls: [Call] = []
        var agentFree: [String: Double] = ["a1": 0, "a2": 0, "a3": 0]
        let queues = ["loans", "cards"]
        var t = 1.0
        for _ in 0..<120 {
            t += Double(random.int(5...90))
            let queue = queues[random.int(0...1)]
            var call = Call(queue: queue, agent: "", queuedAt: t)
            let free = agentFree.filter { $0.value <= t + 60 }.keys.sorted()
            if let agent = free.first, random.chance(0.85) {
                let answered = max(t + Double(random.int(1...60)), agentFree[agent]! + 1)
                call.agent = agent
                call.answeredAt = answered
                let talk = Double(random.int(20...400))
                if random.chance(0.3) { call.hold = (answered + 5, answered + 5 + Double(random.int(1...60))) }
                let end = answered + talk + (call.hold.map { $0.1 - $0.0 } ?? 0) + 6
                // The last few calls are still going when the day's file ends.
                if t < 6000 { call.endedAt = end }
                agentFree[agent] = call.endedAt ?? .infinity
            }
            calls.append(call)
        }
        var timed: [(Double, Int, String)] = []
        func line(_ at: Double, _ order: Int, _ fields: String) { timed.append((at, order, fields)) }
        for (index, call) in calls.enumerated() {
            let id = "call\(index)"
            line(call.queuedAt, 0, #""type":"contact.queued","contact":"\#(id)","queue":"\#(call.queue)""#)
            guard let answered = call.answeredAt else {
                line(call.queuedAt + 30, 1, #""type":"contact.abandoned","contact":"\#(id)""#)
                continue
            }
            line(answered, 1, #""type":"contact.answered","contact":"\#(id)","agent":"\#(call.agent)""#)
            if let hold = call.hold {
                line(hold.0, 2, #""type":"contact.held","contact":"\#(id)""#)
                line(hold.1, 3, #""type":"contact.resumed","contact":"\#(id)""#)
            }
            if let ended = call.endedAt {
                line(ended, 4, #""type":"contact.ended","contact":"\#(id)""#)
                line(ended, 5, #""type":"agent.state","agent":"\#(call.agent)","state":"available""#)
            }
        }
        let factory = EventFactory()
        var text = ["a1", "a2", "a3"].map {
            #"{"id":"login-\#($0)","ts":"\#(RFC3339.format(factory.at(0)))","type":"agent.login","agent":"\#($0)","queues":["loans","cards"]}"#
        }
        for (number, item) in timed.sorted(by: { ($0.0, $0.1) < ($1.0, $1.1) }).enumerated() {
            text.append(#"{"id":"l\#(number)","ts":"\#(RFC3339.format(factory.at(item.0)))",\#(item.2)}"#)
        }
        let inputs = text.enumerated().map { Replay.Input.json(line: $0.offset + 1, try! MiniJSON.parse($0.element)) }
        let json = Replay.run(inputs: inputs).json()

        for queue in queues {
            let handled = calls.filter { $0.queue == queue && $0.answeredAt != nil && $0.endedAt != nil }
            let seconds = handled.map { $0.endedAt! - $0.answeredAt! }  // talk + hold
            let today = json["windows"]?["today"]?["queues"]?[queue]
            #expect(!handled.isEmpty)
            #expect(today?["handled"] == .int(handled.count), "\(queue)")
            let aht = try #require(today?["aht_seconds"]?.doubleValue)
            #expect(abs(aht - seconds.reduce(0, +) / Double(handled.count)) < 1e-9, "\(queue)")
            #expect(today?["wrap_up_seconds"]?.doubleValue == 0)
        }
    }

    private func engine(_ build: (inout EventFactory) -> [Event]) -> (WallboardEngine, EventFactory) {
        var factory = EventFactory()
        var engine = WallboardEngine()
        let login = factory.make(0, .agentLogin(AgentLogin(agent: "a1", name: "A", queues: ["q"])))
        engine.run([login] + build(&factory))
        return (engine, factory)
    }

    @Test func theAgentsNextStateOtherThanWrapUpEndsHandlingWithTheTimeSpentInWrapUp() {
        let (engine, _) = engine { f in
            [
                f.make(1, .contactQueued(ContactQueued(contact: "c1", queue: "q", channel: .voice))),
                f.make(5, .contactAnswered(contact: "c1", agent: "a1", monitor: nil)),
                f.make(65, .contactEnded(contact: "c1")),
                f.make(65, .agentState(agent: "a1", state: .wrapUp, reason: nil)),
                f.make(85, .agentState(agent: "a1", state: .notReady, reason: "break")),
            ]
        }
        #expect(engine.handled.map(\.contact) == ["c1"])
        #expect(engine.handled.first?.talk == .seconds(60))
        #expect(engine.handled.first?.wrapUp == .seconds(20))
        #expect(engine.contacts.isEmpty)
        #expect(engine.agents["a1"]?.state == .notReady)
        #expect(engine.agents["a1"]?.contacts == [])
    }

    @Test func answeringAnotherVoiceContactEndsTheWrapUpOfTheLastOne() {
        let (engine, _) = engine { f in
            [
                f.make(1, .contactQueued(ContactQueued(contact: "c1", queue: "q", channel: .voice))),
                f.make(2, .contactQueued(ContactQueued(contact: "c2", queue: "q", channel: .voice))),
                f.make(5, .contactAnswered(contact: "c1", agent: "a1", monitor: nil)),
                f.make(50, .contactEnded(contact: "c1")),
                f.make(62, .contactAnswered(contact: "c2", agent: "a1", monitor: nil)),
            ]
        }
        #expect(engine.handled.map(\.contact) == ["c1"])
        #expect(engine.handled.first?.wrapUp == .seconds(12))
        #expect(engine.agents["a1"]?.contacts == ["c2"])
        #expect(engine.agents["a1"]?.state == .onContact)
    }

    @Test func logoutEndsHandlingAndALateWrapUpDoneChangesNothingButIsCounted() {
        var (engine, factory) = engine { f in
            [
                f.make(1, .contactQueued(ContactQueued(contact: "c1", queue: "q", channel: .voice))),
                f.make(5, .contactAnswered(contact: "c1", agent: "a1", monitor: nil)),
                f.make(35, .contactEnded(contact: "c1")),
                f.make(45, .agentLogout(agent: "a1")),
            ]
        }
        #expect(engine.handled.first?.wrapUp == .seconds(10))
        let late = factory.make(50, .contactWrapupDone(contact: "c1", agent: "a1"))
        #expect(engine.apply(late, now: late.timestamp) == .applied)
        #expect(engine.handled.count == 1)
        #expect(engine.handled.first?.wrapUp == .seconds(10))
        #expect(engine.counters.lateWrapUps == 1)
    }

    @Test func aContactEndingWithNoAgentIsHandledAtItsEnd() {
        let (engine, _) = engine { f in
            [
                f.make(1, .contactQueued(ContactQueued(contact: "c1", queue: "q", channel: .voice))),
                f.make(5, .contactAnswered(contact: "c1", agent: "a1", monitor: nil)),
                f.make(20, .agentLogout(agent: "a1")),
                f.make(40, .contactEnded(contact: "c1")),
            ]
        }
        #expect(engine.handled.map(\.contact) == ["c1"])
        #expect(engine.handled.first?.finishedAt == EventFactory().at(40))
        #expect(engine.handled.first?.talk == .seconds(35))
        #expect(engine.handled.first?.wrapUp == 0)
        #expect(engine.contacts.isEmpty)
    }

    /// The worked example of docs/metrics.md, "When handling ends".
    @Test func theWorkedExampleOfTheDocs() {
        let (engine, factory) = engine { f in
            [
                f.make(0, .contactQueued(ContactQueued(contact: "c1", queue: "q", channel: .voice))),
                f.make(0, .contactQueued(ContactQueued(contact: "c2", queue: "q", channel: .voice))),
                f.make(10, .contactAnswered(contact: "c1", agent: "a1", monitor: nil)),
                f.make(70, .contactHeld(contact: "c1")),
                f.make(90, .contactResumed(contact: "c1")),
                f.make(190, .contactEnded(contact: "c1")),
                f.make(220, .contactAnswered(contact: "c2", agent: "a1", monitor: nil)),
                f.make(340, .contactEnded(contact: "c2")),
                f.make(340, .agentState(agent: "a1", state: .available, reason: nil)),
            ]
        }
        let today = engine.snapshot(now: factory.at(340)).center.windows[WindowName.today]!
        #expect(engine.handled.map(\.handleTime) == [.seconds(210), .seconds(120)])
        #expect(engine.handled.first?.talk == .seconds(160))
        #expect(engine.handled.first?.hold == .seconds(20))
        #expect(engine.handled.first?.wrapUp == .seconds(30))
        #expect(today.handledCount == 2)
        #expect(today.averageHandleTime == 165)
    }

    @Test func wrapUpDoneStillEndsHandlingAndCountsOnlyTimeInWrapUp() {
        let (engine, _) = engine { f in
            [
                f.make(1, .contactQueued(ContactQueued(contact: "c1", queue: "q", channel: .voice))),
                f.make(5, .contactAnswered(contact: "c1", agent: "a1", monitor: nil)),
                f.make(25, .contactEnded(contact: "c1")),
                f.make(55, .contactWrapupDone(contact: "c1", agent: "a1")),
            ]
        }
        #expect(engine.handled.first?.wrapUp == .seconds(30))
        #expect(engine.agents["a1"]?.state == .available)
        #expect(engine.counters.lateWrapUps == 0)
    }
}

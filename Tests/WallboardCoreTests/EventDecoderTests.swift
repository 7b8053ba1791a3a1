import JSONModel
import Testing
import WallboardCore

@Suite struct EventDecoderTests {
    static func decode(_ text: String) -> Result<Event, EventRejection> {
        let value = try! MiniJSON.parse(text)
        do { return .success(try EventDecoder.decode(value)) } catch { return .failure(error) }
    }

    @Test(arguments: [
        (#"[1]"#, EventRejection.Code.notAnObject),
        (#"{"id":"e","ts":"2026-11-23T09:00:00Z","type":"contact.flown"}"#, .unknownType),
        (#"{"id":"e","ts":"yesterday","type":"contact.ended","contact":"c"}"#, .badTimestamp),
        (#"{"id":"e","ts":"2026-11-23T09:00:00Z","type":"contact.ended"}"#, .missingField),
        (#"{"id":"e","ts":"2026-11-23T09:00:00Z","type":"contact.ended","contact":5}"#, .wrongType),
        (#"{"id":"e","ts":"2026-11-23T09:00:00Z","type":"agent.state","agent":"a","state":"available","reason":"x"}"#, .invalidValue),
        (#"{"id":"e","ts":"2026-11-23T09:00:00Z","type":"survey.completed","contact":"c","csat":6}"#, .invalidValue),
        (#"{"id":"e","ts":"2026-11-23T09:00:00Z","type":"survey.completed","contact":"c"}"#, .missingField),
        (#"{"id":"e","ts":"2026-11-23T09:00:00Z","type":"contact.queued","contact":"c","queue":"q","channel":"fax"}"#, .invalidValue),
    ])
    func malformedEventsAreRejectedWithTheirReason(text: String, code: EventRejection.Code) {
        guard case .failure(let rejection) = Self.decode(text) else {
            Issue.record("accepted \(text)")
            return
        }
        #expect(rejection.code == code)
    }

    @Test func everySampleEventRoundTripsThroughTheEncoder() throws {
        let inputs = try ReplayTests.sampleResult()
        #expect(inputs.eventsRead > 20)
        let events: [Event] = [
            Event(id: "1", timestamp: Instant(milliseconds: 1_700_000_000_123), body: .agentLogin(
                AgentLogin(agent: "a", name: "A", team: "t", queues: ["q"], skills: ["q": 5], languages: ["en"]))),
            Event(id: "2", timestamp: Instant(milliseconds: 1), body: .agentState(agent: "a", state: .notReady, reason: "break")),
            Event(id: "3", timestamp: Instant(milliseconds: 2), body: .contactQueued(ContactQueued(
                contact: "c", queue: "q", channel: .sms, priority: 3, customer: Customer(id: "x", segment: "vip"),
                language: "fr", reason: "billing"))),
            Event(id: "4", timestamp: Instant(milliseconds: 3), body: .contactAnswered(
                contact: "c", agent: "a", monitor: MonitorHandle(kind: "asterisk.channel", target: "PJSIP/1"))),
            Event(id: "5", timestamp: Instant(milliseconds: 4), body: .contactTransferred(contact: "c", toQueue: nil, toAgent: "b")),
            Event(id: "6", timestamp: Instant(milliseconds: 5), body: .surveyCompleted(
                SurveyResult(contact: "c", csat: 4, ces: 2, resolved: false))),
            Event(id: "7", timestamp: Instant(milliseconds: 6), body: .contactWrapupDone(contact: "c", agent: "a")),
        ]
        for event in events { #expect(try EventDecoder.decode(EventEncoder.encode(event)) == event) }
    }
}

@Suite struct WallboardEngineTests {
    @Test func answeredArrivingBeforeQueuedIsHeldBackAndApplied() {
        var engine = WallboardEngine()
        var factory = EventFactory()
        let queued = factory.make(0, .contactQueued(ContactQueued(contact: "c", queue: "q", channel: .voice)))
        let answered = factory.make(12, .contactAnswered(contact: "c", agent: "a", monitor: nil))
        #expect(engine.apply(answered, now: factory.at(12)) != .duplicate)
        #expect(engine.counters.deferred == 1)
        #expect(engine.apply(queued, now: factory.at(12.3)) == .applied)
        #expect(engine.counters.deferred == 0)
        let metrics = engine.windowTables(now: factory.at(13)).byWindow["5m"]?[.queue("q")]
        #expect(metrics?.answered == 1 && metrics?.totalAnswerWait == 12_000)
    }

    @Test func heldBackEventWithoutPredecessorIsRejectedAfterTheTolerance() {
        var engine = WallboardEngine()
        var factory = EventFactory()
        engine.apply(factory.make(0, .contactEnded(contact: "ghost")), now: factory.at(0))
        #expect(engine.expire(now: factory.at(1)).isEmpty)
        #expect(engine.expire(now: factory.at(3)).first?.rejection.code == .unknownContact)
        #expect(engine.counters.rejected[.unknownContact] == 1)
    }

    @Test func duplicateIDIsIgnored() {
        var engine = WallboardEngine()
        var factory = EventFactory()
        let event = factory.make(0, .contactQueued(ContactQueued(contact: "c", queue: "q", channel: .voice)))
        #expect(engine.apply(event, now: factory.at(0)) == .applied)
        #expect(engine.apply(event, now: factory.at(0)) == .duplicate)
        #expect(engine.counters.duplicates == 1)
    }

    @Test(arguments: [
        (QueueSettings.AbandonTreatment.ignore, 1.0 / 2),
        (.negative, 1.0 / 4),
        (.positive, 2.0 / 4),
    ])
    func abandonTreatmentsFollowTheDefinitions(treatment: QueueSettings.AbandonTreatment, expected: Double) {
        // answered at 10 s (within) and 40 s (not); abandoned at 20 s (within) and 50 s (not); one short abandon.
        let settings = QueueSettings(id: "q", abandonTreatment: treatment)
        var metrics = WindowMetrics()
        for (outcome, wait) in [(QueueDeparture.Outcome.answered, 10), (.answered, 40), (.abandoned, 20), (.abandoned, 50), (.abandoned, 2)] {
            metrics.add(
                QueueDeparture(contact: "c", queue: "q", channel: .voice, outcome: outcome, leftAt: Instant(milliseconds: 0),
                    wait: .seconds(Int64(wait))), settings: settings)
        }
        #expect(metrics.serviceLevel == expected)
        #expect(metrics.shortAbandoned == 1 && metrics.abandonRate == 0.5 && metrics.offered == 4)
    }

    @Test func farFutureEventIsClampedAndCounted() {
        var engine = WallboardEngine()
        var factory = EventFactory()
        engine.apply(factory.make(3600, .contactQueued(ContactQueued(contact: "c", queue: "q", channel: .voice))), now: factory.at(0))
        #expect(engine.counters.clampedFromFuture == 1)
        #expect(engine.contacts["c"]?.queuedAt == factory.at(0))
    }
}

@Suite struct InteractionQueryTests {
    @Test func interactionsAreFoundByAgentAndCustomer() {
        var engine = WallboardEngine()
        var factory = EventFactory()
        engine.run([
            factory.make(0, .contactQueued(ContactQueued(contact: "c1", queue: "q", channel: .voice, customer: Customer(id: "x")))),
            factory.make(1, .contactQueued(ContactQueued(contact: "c2", queue: "q", channel: .chat))),
            factory.make(2, .contactAnswered(contact: "c1", agent: "a", monitor: MonitorHandle(kind: "k", target: "t"))),
        ])
        #expect(engine.interactions(agent: "a").map(\.id) == ["c1"])
        #expect(engine.interactions(customer: "x").first?.monitor?.target == "t")
        #expect(engine.interactions(queue: "q", channel: .chat).map(\.id) == ["c2"])
    }
}

import JSONModel
import Testing
import WallboardCore

/// The callback and self-service events: decoding (bad input gets a clear reason), encoding, and the
/// engine's rules for them (docs/events.md; docs/metrics.md, "Callbacks", "Self-service containment").
@Suite struct CallbackEventTests {
    static let ts = #""ts":"2026-11-23T09:00:00Z""#

    @Test(arguments: [
        (#"{"id":"e",\#(ts),"type":"contact.callback_requested"}"#, EventRejection.Code.missingField,
         #"contact.callback_requested is missing "contact""#),
        (#"{"id":"e",\#(ts),"type":"contact.callback_connected","contact":"c"}"#, .missingField,
         #"contact.callback_connected is missing "agent""#),
        (#"{"id":"e",\#(ts),"type":"contact.callback_failed","contact":"c","reason":7}"#, .wrongType,
         #"contact.callback_failed "reason" must be a string, got number"#),
        (#"{"id":"e",\#(ts),"type":"contact.callback_attempted","contact":""}"#, .invalidValue,
         #"contact.callback_attempted "contact" must not be empty"#),
        (#"{"id":"e",\#(ts),"type":"contact.entered_self_service","contact":"c"}"#, .missingField,
         #"contact.entered_self_service is missing "entry_point""#),
        (#"{"id":"e",\#(ts),"type":"contact.entered_self_service","contact":"c","entry_point":["ivr"]}"#, .wrongType,
         #"contact.entered_self_service "entry_point" must be a string, got array"#),
        (#"{"id":"e",\#(ts),"type":"contact.self_served","contact":"c","reason":"\#(String(repeating: "x", count: 129))"}"#,
         .tooLong, #"contact.self_served "reason" is 129 bytes long, over the limit of 128 bytes (limits.max_label_bytes)"#),
    ])
    func badEventsAreRejectedWithAClearReason(text: String, code: EventRejection.Code, message: String) {
        guard case .failure(let rejection) = EventDecoderTests.decode(text) else {
            Issue.record("accepted \(text)")
            return
        }
        #expect(rejection.code == code)
        #expect(rejection.message == message)
    }

    @Test func everyNewEventRoundTripsThroughBothEncoders() throws {
        let bodies: [EventBody] = [
            .contactCallbackRequested(contact: "c"), .contactCallbackAttempted(contact: "c"),
            .contactCallbackConnected(contact: "c", agent: "a"), .contactCallbackFailed(contact: "c", reason: "busy"),
            .contactCallbackFailed(contact: "c", reason: nil),
            .contactEnteredSelfService(contact: "c", entryPoint: "ivr-main"),
            .contactSelfServed(contact: "c", reason: "balance"), .contactSelfServed(contact: "c", reason: nil),
        ]
        for (index, body) in bodies.enumerated() {
            let event = Event(id: "\(index)", timestamp: Instant(milliseconds: 1_700_000_000_000), body: body)
            #expect(try EventDecoder.decode(EventEncoder.encode(event)) == event)
            let text = String(decoding: EventEncoder.canonicalText(event), as: UTF8.self)
            #expect(try EventDecoder.decode(MiniJSON.parse(text)) == event)
            #expect(EventBody.allTypeNames.contains(event.type))
        }
    }

    // MARK: - Engine rules

    static func queued(_ contact: String, _ queue: String = "q") -> EventBody {
        .contactQueued(ContactQueued(contact: contact, queue: queue, channel: .voice))
    }

    @Test func aCallbackCanOnlyBeRequestedWhileWaiting() {
        var engine = WallboardEngine(configuration: EngineConfiguration(reorderTolerance: 0))
        var f = EventFactory()
        engine.run([
            f.make(0, .agentLogin(AgentLogin(agent: "a", name: "A", queues: ["q"]))), f.make(0, Self.queued("c")),
            f.make(5, .contactAnswered(contact: "c", agent: "a", monitor: nil)),
        ])
        guard case .rejected(let rejection) = engine.apply(f.make(6, .contactCallbackRequested(contact: "c")), now: f.at(6))
        else {
            Issue.record("accepted")
            return
        }
        #expect(rejection.code == .invalidTransition)
        #expect(rejection.message == #"contact.callback_requested: contact "c" is connected, not waiting in a queue"#)
    }

    @Test func aPendingCallbackLeavesTheWaitingListAndCannotQueueAgain() {
        var engine = WallboardEngine(configuration: EngineConfiguration(reorderTolerance: 0))
        var f = EventFactory()
        engine.run([f.make(0, Self.queued("c")), f.make(40, .contactCallbackRequested(contact: "c"))])
        let snapshot = engine.snapshot(now: f.at(40))
        #expect(snapshot.waiting.isEmpty && snapshot.center.waitingNow == 0 && snapshot.center.callbacksPending == 1)
        #expect(snapshot.center.oldestCallbackRequestedAt == f.at(40))
        #expect(snapshot.center.windows["5m"]?.offered == 0)
        #expect(snapshot.center.windows["5m"]?.maxWait == nil)  // a request is no departure
        guard case .rejected(let rejection) = engine.apply(f.make(41, Self.queued("c")), now: f.at(41)) else {
            Issue.record("accepted")
            return
        }
        #expect(rejection.code == .invalidTransition)
    }

    @Test func aConnectedCallbackIsHandledByItsAgentButNeverAnswered() {
        var engine = WallboardEngine()
        var f = EventFactory()
        engine.run([
            f.make(0, .agentLogin(AgentLogin(agent: "a", name: "A", team: "t", queues: ["q"]))),
            f.make(0, Self.queued("c")), f.make(10, .contactCallbackRequested(contact: "c")),
            f.make(70, .contactCallbackConnected(contact: "c", agent: "a")),
        ])
        #expect(engine.agents["a"]?.state == .onContact && engine.agents["a"]?.contacts == ["c"])
        engine.run([f.make(100, .contactEnded(contact: "c")), f.make(110, .contactWrapupDone(contact: "c", agent: "a"))])
        let window = engine.snapshot(now: f.at(110)).center.windows["5m"]!
        #expect(window.answered == 0 && window.abandoned == 0 && window.offered == 0 && window.serviceLevel == nil)
        #expect(window.handledCount == 1 && window.totalTalk == 30_000 && window.totalWrapUp == 10_000)
        #expect(window.callbacks.connected == 1 && window.callbacks.totalWait == 60_000)
    }

    @Test func rollingWindowsDropACallbackWaitThatLeftThem() {
        var engine = WallboardEngine()
        var f = EventFactory()
        engine.run([
            f.make(0, Self.queued("c1")), f.make(0, Self.queued("c2")),
            f.make(0, .contactCallbackRequested(contact: "c1")), f.make(0, .contactCallbackRequested(contact: "c2")),
            f.make(100, .contactCallbackConnected(contact: "c1", agent: "a")),  // waited 100 s
            f.make(200, .contactCallbackConnected(contact: "c2", agent: "b")),  // waited 200 s
        ])
        // At 7:00 the 5m window starts at 2:00: only c2's connection (at 3:20) is in it.
        engine.expire(now: f.at(420))
        let window = engine.snapshot(now: f.at(420)).center.windows["5m"]!
        #expect(window.callbacks.connected == 1 && window.callbacks.maxWait == 200_000)
        engine.expire(now: f.at(510))
        let later = engine.snapshot(now: f.at(510)).center.windows["5m"]!
        #expect(later.callbacks.connected == 0 && later.callbacks.maxWait == nil)
        #expect(engine.snapshot(now: f.at(510)).center.windows["today"]?.callbacks.maxWait == 200_000)
    }

    @Test func theCallbackThresholdIsTheQueuesAndRejudgedOnReconfigure() {
        var configuration = EngineConfiguration()
        configuration.queues = [QueueSettings(id: "q", callbackThreshold: .seconds(60))]
        var engine = WallboardEngine(configuration: configuration)
        var f = EventFactory()
        engine.run([
            f.make(0, Self.queued("c")), f.make(0, .contactCallbackRequested(contact: "c")),
            f.make(90, .contactCallbackConnected(contact: "c", agent: "a")),
        ])
        #expect(engine.snapshot(now: f.at(90)).center.windows["5m"]?.callbacks.connectedWithinThreshold == 0)
        configuration.queues = [QueueSettings(id: "q", callbackThreshold: .seconds(120))]
        engine.reconfigure(configuration)
        let after = engine.snapshot(now: f.at(90)).center.windows
        #expect(after["5m"]?.callbacks.connectedWithinThreshold == 1)  // rolling: re-judged
        #expect(after["today"]?.callbacks.connectedWithinThreshold == 0)  // today: as judged then
    }

    @Test func idlePendingCallbacksAndSessionsExpire() {
        var configuration = EngineConfiguration()
        configuration.contactExpiry = .minutes(60)
        var engine = WallboardEngine(configuration: configuration)
        var f = EventFactory()
        engine.run([
            f.make(0, .contactEnteredSelfService(contact: "s", entryPoint: "ivr")),
            f.make(0, Self.queued("c")), f.make(0, .contactCallbackRequested(contact: "c")),
            f.make(600, .contactCallbackAttempted(contact: "c")),
        ])
        engine.expire(now: f.at(3601))
        #expect(engine.selfServiceSessions.isEmpty && engine.pendingCallbacks.count == 1)
        engine.expire(now: f.at(4201))
        #expect(engine.pendingCallbacks.isEmpty)
        let today = engine.snapshot(now: f.at(4201)).center.windows["today"]!
        #expect(today.callbacks.expired == 1 && today.callbacks.failed == 0)
        #expect(today.selfService.entryPoints["ivr"]?.expired == 1)
        #expect(engine.counters.expired == 1)
    }

    @Test func selfServiceRules() {
        var engine = WallboardEngine(configuration: EngineConfiguration(reorderTolerance: 0))
        var f = EventFactory()
        engine.run([f.make(0, .contactEnteredSelfService(contact: "s", entryPoint: "ivr"))])
        guard case .rejected(let twice) = engine.apply(
            f.make(1, .contactEnteredSelfService(contact: "s", entryPoint: "bot")), now: f.at(1))
        else {
            Issue.record("accepted")
            return
        }
        #expect(twice.message == #"contact.entered_self_service: contact "s" is already in self-service at "ivr""#)
        guard case .rejected(let unknown) = engine.apply(f.make(2, .contactSelfServed(contact: "x", reason: nil)), now: f.at(2))
        else {
            Issue.record("accepted")
            return
        }
        #expect(unknown.code == .unknownContact)
        engine.run([f.make(3, Self.queued("s"))])
        let center = engine.snapshot(now: f.at(3)).center.windows["5m"]!.selfService
        #expect(center.entryPoints["ivr"]?.reachedQueue == 1 && center.total.containmentRate == 0)
        #expect(engine.selfServiceSessions.isEmpty)
    }

    @Test func aCallBackOfAnAbandonedContactOnlyMarksTheList() {
        var engine = WallboardEngine()
        var f = EventFactory()
        engine.run([
            f.make(0, Self.queued("c")), f.make(60, .contactAbandoned(contact: "c")),
            f.make(100, .contactCallbackAttempted(contact: "c")),
            f.make(200, .contactCallbackFailed(contact: "c", reason: "busy")),
        ])
        let snapshot = engine.snapshot(now: f.at(200))
        #expect(snapshot.abandonedToday.first?.calledBack?.state == .failed)
        #expect(snapshot.abandonedToday.first?.calledBack?.reason == "busy")
        #expect(snapshot.abandonedToday.first?.calledBack?.attempts == 1)
        #expect(snapshot.center.windows["5m"]?.callbacks == CallbackFigures())
    }
}

import AMIAdapter
import Testing
import WallboardCore

/// Issue 22: with Asterisk's `queue_log` the calls that ended while wallboardd was away get their real outcome,
/// and the calls wholly inside the gap are counted. The lines are the capture rig's own (Fixtures/*.truth.json,
/// `queue_log`); the first daemon's life is the same calls seen over AMI up to the stop.
@Suite struct QueueLogGapTests {
    static func ms(_ seconds: Int64, _ extra: Int64 = 0) -> Instant { Instant(milliseconds: seconds * 1000 + extra) }

    static func records(_ scenario: String, since: Instant?) throws -> [QueueLogRecord] {
        try records(QueueLogParserTests.fixtureText(scenario), since: since)
    }

    static func records(_ text: [UInt8], since: Instant?) -> [QueueLogRecord] {
        let parsed = QueueLogParser.parse(text, since: since)
        #expect(parsed.problems.isEmpty)
        return parsed.records
    }

    /// The capture rig's members: (interface, MemberName, queue).
    static let members = [
        ("Local/1001@agents/n", "Alice", "sales"), ("Local/1002@agents/n", "Bob", "sales"),
        ("Local/1003@agents/n", "Carol", "sales"), ("Local/1004@agents/n", "Dave", "support"),
    ]

    /// The first daemon's life: `members` log in, then `calls` (uniqueid, queue, joined, connected to, at)
    /// happen over AMI. Returns the engine after a checkpoint round trip, as the restarted daemon restores it.
    static func firstLife(
        members: ArraySlice<(String, String, String)>, calls: [(String, String, Instant, String?, Instant?)], queues: [String]
    ) throws -> WallboardEngine {
        var mapper = AMIEventMapper(configuration: Fixture.mapperConfiguration)
        var run = EngineRun(settings: queues.map { QueueSettings(id: $0) })
        func send(_ pairs: KeyValuePairs<String, String>, at: Instant) { run.apply(mapper.map(AMIMessage(pairs), now: at)) }
        var steps: [(Instant, KeyValuePairs<String, String>)] = []
        for (interface, name, queue) in members {
            steps.append((ms(1_795_350_460), ["Event": "QueueMemberAdded", "Queue": queue, "Interface": interface, "MemberName": name, "Paused": "0"]))
        }
        for (id, queue, joined, agent, connected) in calls {
            steps.append((joined, ["Event": "QueueCallerJoin", "Queue": queue, "Channel": "Local/\(id)@inbound;2", "Uniqueid": id, "CallerIDNum": "555"]))
            if let agent, let connected {
                steps.append((connected, ["Event": "AgentConnect", "Queue": queue, "Channel": "Local/\(id)@inbound;2", "Uniqueid": id, "Interface": agent, "DestChannel": "\(agent)-1", "DestUniqueid": "\(id)9"]))
            }
        }
        for (at, pairs) in steps.sorted(by: { $0.0 < $1.0 }) { send(pairs, at: at) }
        #expect(run.rejections.isEmpty)
        return try WallboardEngine(restoringFrom: run.engine.checkpoint(), configuration: run.engine.configuration)
    }

    /// The new session's resync at `at`: `members` idle, no caller waiting, no channel up.
    static func emptyResync(
        _ mapper: inout AMIEventMapper, members: ArraySlice<(String, String, String)>, queues: [String], at: Instant
    ) -> [Event] {
        var events = mapper.map(AMIMessage(["Response": "Success", "ActionID": "wb-1", "EventList": "start"]), now: at)
        for queue in queues {
            events += mapper.map(AMIMessage(["Event": "QueueParams", "ActionID": "wb-1", "Queue": queue, "ServiceLevel": "30"]), now: at)
        }
        for (interface, name, queue) in members {
            events += mapper.map(
                AMIMessage(["Event": "QueueMember", "ActionID": "wb-1", "Queue": queue, "Name": name, "Location": interface, "StateInterface": interface, "Status": "1", "Paused": "0", "InCall": "0"]),
                now: at)
        }
        events += mapper.map(AMIMessage(["Event": "QueueStatusComplete", "ActionID": "wb-1"]), now: at)
        events += mapper.map(AMIMessage(["Event": "CoreShowChannelsComplete", "ActionID": "wb-2"]), now: at.advanced(by: 50))
        return events
    }

    /// Restarts over `engine`: the engine has ticked to `at` (so every gap event is older than its windows'
    /// frontier), the mapper gets the restored contacts and the `queue_log` from `queueLogSince`, then the resync.
    static func restart(
        _ engine: inout WallboardEngine, log: [UInt8], members: ArraySlice<(String, String, String)>, queues: [String], at: Instant
    ) throws -> [Event] {
        var mapper = AMIEventMapper(configuration: Fixture.mapperConfiguration)
        mapper.adoptRestored(engine.interactions().compactMap(SourceSnapshot.Contact.init(restored:)), lastSeen: engine.latestEventTime)
        let since = try #require(mapper.queueLogSince)
        mapper.provideQueueLog(records(log, since: since))
        let events = emptyResync(&mapper, members: members, queues: queues, at: at)
        engine.expire(now: at)
        for event in events {
            if case .rejected(let why) = engine.apply(event, now: at) { Issue.record("\(event.type) \(event.id) rejected: \(why)") }
        }
        engine.expire(now: at.advanced(by: 100))
        return events
    }

    /// A_basic: Alice is on 1795350484.1 and 1795350486.5 waits when the daemon stops at 487.2 s; the rest of
    /// the capture (eight more calls) happens while it is down; it comes back 20 minutes later.
    @Test func aRestoredCallerAnsweredAndCompletedInTheGapCountsOnceWithItsRealTimes() throws {
        let members = Self.members.prefix(3)
        var engine = try Self.firstLife(
            members: members,
            calls: [
                ("1795350484.1", "sales", Self.ms(1_795_350_485), "Local/1001@agents/n", Self.ms(1_795_350_487)),
                ("1795350486.5", "sales", Self.ms(1_795_350_487, 200), nil, nil),
            ],
            queues: ["sales"])
        #expect(engine.latestEventTime == Self.ms(1_795_350_487, 200))
        let back = Self.ms(1_795_350_487 + 1200)
        let events = try Self.restart(&engine, log: QueueLogParserTests.fixtureText("A_basic"), members: members, queues: ["sales"], at: back)

        #expect(!events.contains { $0.type == "contact.abandoned" })
        #expect(events.filter { $0.type == "contact.queued" }.count == 8)  // the calls wholly inside the gap
        #expect(events.contains { $0.id == "ami:1795350486.5:ql-answered:1795350490000" })
        #expect(engine.interactions().isEmpty)  // no ghost
        let snapshot = engine.snapshot(now: back.advanced(by: 100))
        let sales = try #require(snapshot.queues.first { $0.settings.id == "sales" })
        #expect(sales.figures.waitingNow == 0)
        let today = try #require(sales.figures.windows["today"])
        let truth = try #require((Fixture.truth("A_basic")["expected_counts"] as? [String: Any])?["sales"] as? [String: Any])
        #expect(today.offered == truth["offered"] as? Int)
        #expect(today.answered == truth["answered"] as? Int)
        #expect(today.abandoned == 0)
        #expect(today.expired == 0)
        #expect(today.handledCount == 10)
        // Talk from queue_log: CONNECT to COMPLETE*, which is each line's call time.
        let calls = try Self.records("A_basic", since: nil)
        var talk: [String: Millis] = [:]
        for record in calls { if case .complete(_, _, let time) = record.event { talk[record.callID] = time } }
        let handled = engine.handled
        #expect(handled.count == 10)
        for contact in handled { #expect(contact.talk == talk[contact.contact], "\(contact.contact)") }
        #expect(today.totalTalk == 116_000)
        #expect(today.totalWrapUp == 10 * 5000)  // sales wraps up for 5 s after each call
        // The agent is the member the log names (MemberName), as its interface.
        #expect(handled.first { $0.contact == "1795350486.5" }?.agent == "Local/1002@agents/n")
        #expect(handled.first { $0.contact == "1795350540.37" }?.agent == "Local/1003@agents/n")
        #expect(snapshot.agents.allSatisfy { $0.state == .available })
        // The gap is 20 minutes ago: today and the 30-minute window have the calls, the 15-minute one not.
        #expect(sales.figures.windows["30m"]?.answered == 10)
        #expect(sales.figures.windows["15m"]?.answered == 0)
    }

    /// E_resync: three calls are up and 1795350569.13 waits when the daemon stops; in the gap the caller
    /// abandons (ABANDON), the calls complete and three more calls come and go in sales and support.
    @Test func anAbandonInTheGapIsCountedAtItsTimeAndTheDayMatchesQueueLog() throws {
        var engine = try Self.firstLife(
            members: Self.members[...],
            calls: [
                ("1795350564.1", "sales", Self.ms(1_795_350_564, 503), "Local/1001@agents/n", Self.ms(1_795_350_566, 507)),
                ("1795350565.5", "sales", Self.ms(1_795_350_565, 400), "Local/1002@agents/n", Self.ms(1_795_350_567, 400)),
                ("1795350567.9", "support", Self.ms(1_795_350_567, 500), "Local/1004@agents/n", Self.ms(1_795_350_569, 100)),
                ("1795350569.13", "sales", Self.ms(1_795_350_569, 300), nil, nil),
            ],
            queues: ["sales", "support"])
        let back = Self.ms(1_795_350_700)
        let events = try Self.restart(&engine, log: QueueLogParserTests.fixtureText("E_resync"), members: Self.members[...], queues: ["sales", "support"], at: back)
        #expect(events.filter { $0.type == "contact.abandoned" }.map(\.timestamp) == [Self.ms(1_795_350_583)])
        #expect(engine.interactions().isEmpty)
        let snapshot = engine.snapshot(now: back.advanced(by: 100))
        let truth = try #require(Fixture.truth("E_resync")["expected_counts"] as? [String: Any])
        for queue in ["sales", "support"] {
            let today = try #require(snapshot.queues.first { $0.settings.id == queue }?.figures.windows["today"])
            let expected = try #require(truth[queue] as? [String: Any])
            #expect(today.offered == expected["offered"] as? Int, "\(queue)")
            #expect(today.answered == expected["answered"] as? Int, "\(queue)")
            #expect(today.abandoned == expected["abandoned"] as? Int, "\(queue)")
            #expect(today.expired == 0, "\(queue)")
        }
        let abandoned = try #require(engine.departures.first { $0.outcome == .abandoned })
        #expect(abandoned.contact == "1795350569.13")
        #expect(abandoned.wait == 583_000 - 569_300)
    }

    @Test func aQueueLogThatSaysNothingLeavesTheRestoredContactsExpiredAsBefore() throws {
        let members = Self.members.prefix(3)
        // No lines at all; lines about a call that entered before the gap (the daemon saw it) and a pause.
        let other = """
            1795350480|9.1|sales|NONE|ENTERQUEUE||5550109|1
            1795350490|9.1|sales|Bob|CONNECT|10|9.2|1
            1795350520|9.1|sales|Bob|COMPLETEAGENT|10|30|1
            1795350530|NONE|sales|Carol|PAUSE|Lunch

            """
        for log in [[], Array(other.utf8)] {
            var engine = try Self.firstLife(
                members: members,
                calls: [
                    ("1.1", "sales", Self.ms(1_795_350_485), "Local/1001@agents/n", Self.ms(1_795_350_487)),
                    ("2.1", "sales", Self.ms(1_795_350_487, 200), nil, nil),
                ],
                queues: ["sales"])
            let events = try Self.restart(&engine, log: log, members: members, queues: ["sales"], at: Self.ms(1_795_350_700))
            #expect(!events.contains { $0.id.contains(":ql-") })
            #expect(engine.interactions().isEmpty)
            let today = try #require(engine.snapshot(now: Self.ms(1_795_350_701)).queues.first { $0.settings.id == "sales" }?.figures.windows["today"])
            #expect(today.answered == 1)
            #expect(today.expired == 2)
            #expect(today.handledCount == 0)
            #expect(today.abandoned == 0)
        }
    }

    /// A manager-session drop with the daemon up: the mapper saw the caller waiting; the log says the queue's
    /// timeout took it out 8 s later, so it is abandoned then, not at the resync.
    @Test func aCallerTheMapperHeldGetsTheLogsOutcomeAfterASessionDrop() throws {
        var mapper = AMIEventMapper(configuration: Fixture.mapperConfiguration)
        var run = EngineRun(settings: [QueueSettings(id: "sales")])
        run.apply(mapper.map(AMIMessage(["Event": "QueueMemberAdded", "Queue": "sales", "Interface": "PJSIP/1001", "MemberName": "Alice", "Paused": "0"]), now: Self.ms(1_795_350_400)))
        run.apply(mapper.map(AMIMessage(["Event": "QueueCallerJoin", "Queue": "sales", "Channel": "PJSIP/trunk-1", "Uniqueid": "7.1", "CallerIDNum": "5550101"]), now: Self.ms(1_795_350_401, 250)))
        mapper.connectionLost(now: Self.ms(1_795_350_402))
        #expect(mapper.queueLogSince == Self.ms(1_795_350_401))
        let log = """
            1795350401|7.1|sales|NONE|ENTERQUEUE||5550101|1
            1795350409|7.1|sales|NONE|EXITWITHTIMEOUT|1|1|8
            1795350410|8.1|sales|NONE|ENTERQUEUE||5550102|1
            1795350412|8.1|sales|Alice|RINGNOANSWER|2000
            1795350415|8.1|sales|NONE|EXITWITHKEY|1|1|1|5

            """
        mapper.provideQueueLog(QueueLogParser.parse(Array(log.utf8), since: mapper.queueLogSince).records)
        let back = Self.ms(1_795_350_460)
        _ = mapper.map(AMIMessage(["Response": "Success", "ActionID": "wb-1", "EventList": "start"]), now: back)
        var events = mapper.map(AMIMessage(["Event": "QueueParams", "ActionID": "wb-1", "Queue": "sales"]), now: back)
        events += mapper.map(AMIMessage(["Event": "QueueMember", "ActionID": "wb-1", "Queue": "sales", "Name": "Alice", "Location": "PJSIP/1001", "Status": "1", "Paused": "0", "InCall": "0"]), now: back)
        events += mapper.map(AMIMessage(["Event": "QueueStatusComplete", "ActionID": "wb-1"]), now: back)
        events += mapper.map(AMIMessage(["Event": "CoreShowChannelsComplete", "ActionID": "wb-2"]), now: back.advanced(by: 50))
        #expect(events.filter { $0.type == "contact.abandoned" }.map(\.timestamp) == [Self.ms(1_795_350_409), Self.ms(1_795_350_415)])
        #expect(mapper.ringNoAnswers["sales"] == 1)
        run.engine.expire(now: back)
        for event in events {
            if case .rejected(let why) = run.engine.apply(event, now: back) { Issue.record("\(event.type) rejected: \(why)") }
        }
        let today = try #require(run.engine.snapshot(now: back.advanced(by: 100)).queues.first { $0.settings.id == "sales" }?.figures.windows["today"])
        #expect(today.abandoned == 2)
        #expect(today.expired == 0)
        #expect(run.engine.departures.map(\.wait) == [7750, 5000])
    }

    /// Without `Timestamp:` headers the mapper's times are arrival times: a caller seen late (here 3 s after
    /// its ABANDON line's second) still gets the log's outcome, never earlier than the mapper knew the caller.
    @Test func aCallerSeenLateStillGetsTheLogsOutcome() throws {
        var mapper = AMIEventMapper(configuration: Fixture.mapperConfiguration)
        _ = mapper.map(AMIMessage(["Event": "QueueCallerJoin", "Queue": "sales", "Channel": "PJSIP/trunk-1", "Uniqueid": "7.1"]), now: Self.ms(1_795_350_408))
        mapper.connectionLost(now: Self.ms(1_795_350_409))
        let log = "1795350401|7.1|sales|NONE|ENTERQUEUE||5550101|1\n1795350405|7.1|sales|NONE|ABANDON|1|1|4\n"
        mapper.provideQueueLog(QueueLogParser.parse(Array(log.utf8)).records)
        let back = Self.ms(1_795_350_460)
        var events = mapper.map(AMIMessage(["Event": "QueueParams", "ActionID": "wb-1", "Queue": "sales"]), now: back)
        events += mapper.map(AMIMessage(["Event": "QueueStatusComplete", "ActionID": "wb-1"]), now: back)
        events += mapper.map(AMIMessage(["Event": "CoreShowChannelsComplete", "ActionID": "wb-2"]), now: back)
        #expect(events.filter { $0.type == "contact.abandoned" }.map(\.id) == ["ami:7.1:ql-abandoned:1795350408000"])
    }
}

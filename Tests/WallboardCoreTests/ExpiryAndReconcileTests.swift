import JSONModel
import Testing
import WallboardCore

/// Issue 16 item 2 (contacts that never end) and issue 22 (a source's live state wins after a restart).
@Suite struct ExpiryAndReconcileTests {
    static let sales = ContactQueued(contact: "c1", queue: "sales", channel: .voice)

    @Test func aWaitingContactOlderThanTheExpiryAgeIsClosedAsExpiredAtThatAge() {
        var f = EventFactory()
        var configuration = EngineConfiguration()
        configuration.contactExpiry = .minutes(60)
        var engine = WallboardEngine(configuration: configuration)
        engine.run([f.make(0, .contactQueued(Self.sales))])
        engine.expire(now: f.at(3600))
        #expect(engine.contacts["c1"] != nil, "exactly the age is not older than it")
        // One tick well after: closed at the moment it reached the age, whatever the tick rate.
        engine.expire(now: f.at(3690))
        #expect(engine.contacts.isEmpty)
        #expect(engine.departures.last?.outcome == .expired)
        #expect(engine.departures.last?.leftAt == f.at(3600))
        let snapshot = engine.snapshot(now: f.at(3690))
        #expect(snapshot.center.waitingNow == 0)
        #expect(snapshot.center.oldestQueuedAt == nil)
        #expect(snapshot.waiting.isEmpty)
        let today = snapshot.center.windows[WindowName.today]!
        #expect(today.expired == 1)
        #expect(today.offered == 0 && today.answered == 0 && today.abandoned == 0 && today.handledCount == 0)
        #expect(today.maxWait == nil)
        #expect(snapshot.queues.first { $0.settings.id == "sales" }?.figures.windows[WindowName.today]?.expired == 1)
        #expect(engine.counters.expired == 1)
        let logged = engine.takeExpiredContacts()
        #expect(logged.contacts.map(\.contact) == ["c1"])
        #expect(logged.contacts.first?.cause == .idle)
        #expect(engine.takeExpiredContacts().contacts.isEmpty, "each is logged once")
        #expect(engine.interactions(queue: "sales").isEmpty)
        // A late event about it finds nothing live.
        let late = f.make(3 * 3600, .contactAbandoned(contact: "c1"))
        #expect(engine.apply(late, now: late.timestamp) != .applied)
    }

    @Test func aConnectedContactWithNoActivityExpiresAndFreesItsAgentWithoutCountingHandled() {
        var f = EventFactory()
        var configuration = EngineConfiguration()
        configuration.contactExpiry = .minutes(30)
        var engine = WallboardEngine(configuration: configuration)
        engine.run([
            f.make(0, .agentLogin(AgentLogin(agent: "a1", name: "A", queues: ["sales"]))),
            f.make(1, .contactQueued(Self.sales)),
            f.make(5, .contactAnswered(contact: "c1", agent: "a1", monitor: nil)),
            f.make(600, .contactHeld(contact: "c1")),
        ])
        engine.expire(now: f.at(600 + 1800))
        #expect(engine.contacts["c1"] != nil)
        engine.expire(now: f.at(600 + 1801))
        #expect(engine.contacts.isEmpty)
        #expect(engine.agents["a1"]?.state == .available)
        #expect(engine.agents["a1"]?.contacts == [])
        let today = engine.snapshot(now: f.at(4000)).center.windows[WindowName.today]!
        #expect(today.answered == 1 && today.handledCount == 0 && today.expired == 1)
    }

    @Test func zeroDisablesExpiry() {
        var f = EventFactory()
        var configuration = EngineConfiguration()
        configuration.contactExpiry = 0
        var engine = WallboardEngine(configuration: configuration)
        engine.run([f.make(0, .contactQueued(Self.sales))])
        engine.expire(now: f.at(30 * 3600))
        #expect(engine.contacts["c1"] != nil)
    }

    /// Issue 22: a checkpoint holding a waiting caller and a busy agent, restored after the PBX answered
    /// and finished the call while the daemon was down; the PBX's snapshot has neither.
    @Test func aRestoredGhostCallerAndBusyAgentFollowTheSourceSnapshot() throws {
        var f = EventFactory()
        var before = WallboardEngine()
        before.run([
            f.make(0, .agentLogin(AgentLogin(agent: "a1", name: "A", queues: ["sales"]))),
            f.make(0, .agentLogin(AgentLogin(agent: "a2", name: "B", queues: ["sales"]))),
            f.make(1, .contactQueued(ContactQueued(contact: "c0", queue: "sales", channel: .voice))),
            f.make(3, .contactAnswered(contact: "c0", agent: "a2", monitor: nil)),
            f.make(10, .contactQueued(Self.sales)),
        ])
        let checkpoint = before.checkpoint()
        var engine = try WallboardEngine(restoringFrom: checkpoint, configuration: EngineConfiguration())
        #expect(engine.snapshot(now: f.at(60)).center.waitingNow == 1)
        let resync = f.make(
            300,
            .sourceSnapshot(
                SourceSnapshot(
                    source: "ami.pbx1", queues: ["sales"], contacts: [],
                    agents: [.init(agent: "a1", state: .available), .init(agent: "a2", state: .available)])))
        #expect(engine.apply(resync, now: resync.timestamp) == .applied)
        engine.expire(now: resync.timestamp)
        let snapshot = engine.snapshot(now: f.at(400))
        #expect(snapshot.center.waitingNow == 0)
        #expect(snapshot.center.oldestQueuedAt == nil)
        #expect(snapshot.center.longestWait(at: f.at(400)) == 0)
        let sales = try #require(snapshot.queues.first { $0.settings.id == "sales" })
        #expect(sales.figures.oldestQueuedAt == nil)
        #expect(snapshot.agents.map(\.state) == [.available, .available])
        #expect(snapshot.agents.allSatisfy { $0.contacts.isEmpty })
        let today = sales.figures.windows[WindowName.today]!
        // c0 was answered once before the restart and is not answered again; c1 is neither answered nor abandoned.
        #expect(today.answered == 1)
        #expect(today.abandoned == 0 && today.offered == 1)
        #expect(today.expired == 2)
        #expect(today.handledCount == 0)
        #expect(engine.takeExpiredContacts().contacts.map(\.cause) == [.reconciled, .reconciled])
        #expect(engine.contacts.isEmpty)
    }

    @Test func contactsTheEngineLacksAreAddedWithTheirRealStartAndAWaitingOneAnsweredMeanwhileIsAnswered() throws {
        var f = EventFactory()
        var engine = WallboardEngine()
        engine.run([
            f.make(0, .agentLogin(AgentLogin(agent: "a1", name: "A", queues: ["sales"]))),
            f.make(0, .agentLogin(AgentLogin(agent: "a2", name: "B", queues: ["sales"]))),
            f.make(10, .contactQueued(Self.sales)),
            f.make(11, .contactQueued(ContactQueued(contact: "other", queue: "support", channel: .voice))),
        ])
        let resync = f.make(
            100,
            .sourceSnapshot(
                SourceSnapshot(
                    source: "ami.pbx1", queues: ["sales"],
                    contacts: [
                        .init(contact: "c1", queue: "sales", phase: .connected, agent: "a1", since: f.at(40)),
                        .init(contact: "new-wait", queue: "sales", phase: .waiting, since: f.at(70)),
                        .init(contact: "new-talk", queue: "sales", phase: .connected, agent: "a2", since: f.at(50)),
                    ],
                    agents: [.init(agent: "a1", state: .onContact)])))
        engine.apply(resync, now: resync.timestamp)
        engine.expire(now: resync.timestamp)
        let snapshot = engine.snapshot(now: f.at(100))
        #expect(snapshot.center.waitingNow == 2)
        #expect(snapshot.center.oldestQueuedAt == f.at(11), "support is not covered: its caller stays")
        #expect(snapshot.queues.first { $0.settings.id == "sales" }?.figures.oldestQueuedAt == f.at(70))
        let today = snapshot.center.windows[WindowName.today]!
        #expect(today.answered == 1)
        #expect(today.totalAnswerWait == .seconds(30))
        #expect(engine.contacts["new-talk"]?.answeredAt == f.at(50))
        #expect(engine.agents["a2"]?.contacts == ["new-talk"])
        #expect(engine.agents["a2"]?.state == .onContact)
        #expect(engine.agents["a1"]?.contacts == ["c1"])
        #expect(today.expired == 0)
    }

    @Test func sourceSnapshotRoundTripsThroughTheEncoderAndDecoder() throws {
        let event = Event(
            id: "s1", timestamp: Instant(milliseconds: 1_795_456_000_000),
            body: .sourceSnapshot(
                SourceSnapshot(
                    source: "ami.pbx1", queues: ["sales", "support"],
                    contacts: [
                        .init(contact: "c1", queue: "sales", phase: .waiting, since: Instant(milliseconds: 1_795_455_990_000)),
                        .init(
                            contact: "c2", queue: "support", phase: .connected, agent: "a1",
                            since: Instant(milliseconds: 1_795_455_900_123), channel: .chat,
                            customer: Customer(id: "cust", segment: "vip")),
                    ],
                    agents: [.init(agent: "a1", state: .onContact), .init(agent: "a2", state: .notReady, reason: "lunch")])))
        #expect(try EventDecoder.decode(EventEncoder.encode(event)) == event)
        let text = String(decoding: EventEncoder.canonicalText(event), as: UTF8.self)
        #expect(try EventDecoder.decode(MiniJSON.parse(text)) == event)
    }

    @Test func badSourceSnapshotsSayWhatIsWrong() throws {
        func reject(_ json: String) throws -> EventRejection? {
            let value = try MiniJSON.parse(json)
            do {
                _ = try EventDecoder.decode(value)
                return nil
            } catch { return error }
        }
        let head = #"{"id":"s","ts":"2026-11-23T09:00:00Z","type":"source.snapshot","source":"ami.pbx1","queues":["q"],"#
        let waitingWithAgent = try reject(
            head + #""contacts":[{"contact":"c","queue":"q","phase":"waiting","agent":"a","since":"2026-11-23T08:59:00Z"}]}"#)
        #expect(waitingWithAgent?.message.contains("contacts[0].agent") == true)
        let connectedWithout = try reject(
            head + #""contacts":[{"contact":"c","queue":"q","phase":"connected","since":"2026-11-23T08:59:00Z"}]}"#)
        #expect(connectedWithout?.code == .missingField)
        let badSince = try reject(head + #""contacts":[{"contact":"c","queue":"q","phase":"waiting","since":"soon"}]}"#)
        #expect(badSince?.code == .badTimestamp)
        #expect(badSince?.message.contains("contacts[0].since") == true)
        let badState = try reject(head + #""agents":[{"agent":"a","state":"asleep"}]}"#)
        #expect(badState?.message.contains("agents[0].state") == true)
        let notObjects = try reject(head + #""agents":["a"]}"#)
        #expect(notObjects?.code == .wrongType)
    }
}

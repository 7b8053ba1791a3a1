import AMIAdapter
import Testing
import WallboardCore

/// Issue 22: the daemon restarts from a checkpoint that holds a waiting caller and a busy agent; while it was
/// down the caller was answered and the call finished. The first resync of the new AMI session has neither,
/// and the board must follow the PBX: no ghost caller, the agent available, the call counted once.
@Suite struct AMIRestartReconcileTests {
    static let t0: Int64 = 1_796_133_568_000
    static func at(_ ms: Int64) -> Instant { Instant(milliseconds: t0 + ms) }
    static let settings = [QueueSettings(id: "sales")]

    /// The first daemon's life: Alice and Bob log in to sales, caller 1.1 is answered by Alice, caller 2.1
    /// waits. Returns the engine after a checkpoint round trip (what the restarted daemon restores).
    static func restoredEngine() throws -> WallboardEngine {
        var mapper = AMIEventMapper()
        var run = EngineRun(settings: settings)
        func send(_ pairs: KeyValuePairs<String, String>, at ms: Int64) { run.apply(mapper.map(AMIMessage(pairs), now: at(ms))) }
        for (id, name) in [("1001", "Alice"), ("1002", "Bob")] {
            send(["Event": "QueueMemberAdded", "Queue": "sales", "Interface": "PJSIP/\(id)", "MemberName": name, "Paused": "0"], at: 0)
        }
        send(["Event": "QueueCallerJoin", "Queue": "sales", "Channel": "PJSIP/trunk-1", "Uniqueid": "1.1", "CallerIDNum": "5550101"], at: 1000)
        send(["Event": "AgentConnect", "Queue": "sales", "Channel": "PJSIP/trunk-1", "Uniqueid": "1.1", "Interface": "PJSIP/1001", "DestChannel": "PJSIP/1001-1", "DestUniqueid": "1.2"], at: 4000)
        send(["Event": "QueueCallerJoin", "Queue": "sales", "Channel": "PJSIP/trunk-2", "Uniqueid": "2.1", "CallerIDNum": "5550102"], at: 5000)
        #expect(run.rejections.isEmpty)
        let held = run.engine.interactions()
        #expect(held.map(\.id).sorted() == ["1.1", "2.1"])
        return try WallboardEngine(restoringFrom: run.engine.checkpoint(), configuration: EngineConfiguration(queues: settings))
    }

    /// The new session's resync: both members idle, no caller waiting, no channel up.
    static func emptyResync(_ mapper: inout AMIEventMapper, at ms: Int64) -> [Event] {
        var events = mapper.map(AMIMessage(["Response": "Success", "ActionID": "wb-1", "EventList": "start"]), now: at(ms))
        events += mapper.map(AMIMessage(["Event": "QueueParams", "ActionID": "wb-1", "Queue": "sales", "ServiceLevel": "30"]), now: at(ms))
        for (id, name) in [("1001", "Alice"), ("1002", "Bob")] {
            events += mapper.map(
                AMIMessage(["Event": "QueueMember", "ActionID": "wb-1", "Queue": "sales", "Name": name, "Location": "PJSIP/\(id)", "StateInterface": "PJSIP/\(id)", "Status": "1", "Paused": "0", "InCall": "0"]),
                now: at(ms))
        }
        events += mapper.map(AMIMessage(["Event": "QueueStatusComplete", "ActionID": "wb-1"]), now: at(ms))
        events += mapper.map(AMIMessage(["Event": "CoreShowChannelsComplete", "ActionID": "wb-2"]), now: at(ms + 50))
        return events
    }

    @Test func aRestoredCallerAndCallThePBXNoLongerHasLeaveNoGhost() throws {
        var engine = try Self.restoredEngine()
        var mapper = AMIEventMapper()
        mapper.adoptRestored(engine.interactions().compactMap(SourceSnapshot.Contact.init(restored:)))
        let events = Self.emptyResync(&mapper, at: 600_000)

        // Neither an abandon nor an end is invented for what happened while the daemon was down.
        #expect(!events.contains { $0.type == "contact.abandoned" || $0.type == "contact.ended" })
        let snapshots = events.compactMap { event -> SourceSnapshot? in
            if case .sourceSnapshot(let snapshot) = event.body { return snapshot } else { return nil }
        }
        #expect(snapshots.count == 1)
        #expect(snapshots.first?.queues == ["sales"])
        #expect(snapshots.first?.contacts == [])
        #expect(snapshots.first?.agents.map(\.agent) == ["PJSIP/1001", "PJSIP/1002"])
        #expect(snapshots.first?.agents.allSatisfy { $0.state == .available } == true)

        for event in events {
            if case .rejected(let why) = engine.apply(event, now: event.timestamp) { Issue.record("\(event.type) rejected: \(why)") }
        }
        let now = Self.at(600_100)
        #expect(engine.interactions().isEmpty)
        let snapshot = engine.snapshot(now: now)
        let sales = try #require(snapshot.queues.first { $0.settings.id == "sales" })
        #expect(sales.figures.waitingNow == 0)
        #expect(sales.figures.oldestQueuedAt == nil)
        let today = try #require(sales.figures.windows["today"])
        #expect(today.answered == 1)
        #expect(today.abandoned == 0)
        // Both are closed as expired: the caller whose fate is unknown, and the call that ended at an unknown time
        // (answered once before the restart, never handled).
        #expect(today.expired == 2)
        #expect(today.handledCount == 0)
        #expect(snapshot.agents.first { $0.id == "PJSIP/1001" }?.state == .available)
    }

    @Test func aRestoredCallerStillWaitingAndACallStillUpAreKept() throws {
        var engine = try Self.restoredEngine()
        var mapper = AMIEventMapper()
        mapper.adoptRestored(engine.interactions().compactMap(SourceSnapshot.Contact.init(restored:)))
        var events = mapper.map(AMIMessage(["Response": "Success", "ActionID": "wb-1", "EventList": "start"]), now: Self.at(60_000))
        for (id, name, inCall) in [("1001", "Alice", "1"), ("1002", "Bob", "0")] {
            events += mapper.map(
                AMIMessage(["Event": "QueueMember", "ActionID": "wb-1", "Queue": "sales", "Name": name, "Location": "PJSIP/\(id)", "StateInterface": "PJSIP/\(id)", "Status": inCall == "1" ? "2" : "1", "Paused": "0", "InCall": inCall]),
                now: Self.at(60_000))
        }
        events += mapper.map(AMIMessage(["Event": "QueueParams", "ActionID": "wb-1", "Queue": "sales", "ServiceLevel": "30"]), now: Self.at(60_000))
        events += mapper.map(AMIMessage(["Event": "QueueEntry", "ActionID": "wb-1", "Queue": "sales", "Channel": "PJSIP/trunk-2", "Uniqueid": "2.1", "Wait": "55", "CallerIDNum": "5550102"]), now: Self.at(60_000))
        events += mapper.map(AMIMessage(["Event": "QueueStatusComplete", "ActionID": "wb-1"]), now: Self.at(60_000))
        for (channel, uniqueid) in [("PJSIP/trunk-1", "1.1"), ("PJSIP/1001-1", "1.2"), ("PJSIP/trunk-2", "2.1")] {
            events += mapper.map(AMIMessage(["Event": "CoreShowChannel", "ActionID": "wb-2", "Channel": channel, "Uniqueid": uniqueid, "BridgeId": uniqueid == "2.1" ? "" : "b1"]), now: Self.at(60_050))
        }
        events += mapper.map(AMIMessage(["Event": "CoreShowChannelsComplete", "ActionID": "wb-2"]), now: Self.at(60_050))

        #expect(!events.contains { $0.type == "contact.queued" || $0.type == "contact.abandoned" || $0.type == "contact.ended" })
        for event in events {
            if case .rejected(let why) = engine.apply(event, now: event.timestamp) { Issue.record("\(event.type) rejected: \(why)") }
        }
        #expect(engine.interactions().map(\.id).sorted() == ["1.1", "2.1"])
        let sales = try #require(engine.snapshot(now: Self.at(60_100)).queues.first { $0.settings.id == "sales" })
        #expect(sales.figures.waitingNow == 1)
        #expect(sales.figures.windows["today"]?.expired == 0)

        // The adopted call is followed as if it had been seen: its AgentComplete ends it.
        let end = mapper.map(
            AMIMessage(["Event": "AgentComplete", "Queue": "sales", "Channel": "PJSIP/trunk-1", "Uniqueid": "1.1", "Interface": "PJSIP/1001", "Reason": "caller"]),
            now: Self.at(90_000))
        #expect(end.contains { $0.type == "contact.ended" })
    }
}

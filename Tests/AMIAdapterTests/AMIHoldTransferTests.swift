import AMIAdapter
import Testing
import WallboardCore

/// Hold and transfer cases the G_transfer capture does not show, in the shapes `README-hold-transfer.md`
/// describes for real Asterisk 22 (F_hold: Hold on the phone's channel behind a Local member, matched by
/// Linkedid; no Unhold when a call ends on hold; the AgentComplete/QueueCallerJoin race of a blind transfer).
@Suite struct AMIHoldTransferTests {
    static let t0: Int64 = 1_796_133_568_000

    struct Feed {
        var mapper = AMIEventMapper(configuration: .init(wrapUpTimes: ["sales": 5000, "support": 3000]))
        var events: [Event] = []
        var run = EngineRun(settings: [QueueSettings(id: "sales"), QueueSettings(id: "support")])

        mutating func send(_ pairs: KeyValuePairs<String, String>, at ms: Int64) {
            let new = mapper.map(AMIMessage(pairs), now: Instant(milliseconds: AMIHoldTransferTests.t0 + ms))
            events += new
            run.apply(new)
        }

        mutating func tick(at ms: Int64) {
            let new = mapper.tick(now: Instant(milliseconds: AMIHoldTransferTests.t0 + ms))
            events += new
            run.apply(new)
        }

        /// `type contact@ms` of the contact events, relative to t0.
        var contactEvents: [String] {
            events.filter { $0.type.hasPrefix("contact.") }.map { "\($0.type)@\($0.timestamp.milliseconds - AMIHoldTransferTests.t0)" }
        }

        /// Alice and Bob in sales and support, and a caller 1.1 (Linkedid 1.0) waiting in `queue` since 1000.
        mutating func setUp(queue: String = "sales") {
            for (id, name) in [("1001", "Alice"), ("1002", "Bob")] {
                for q in ["sales", "support"] {
                    send(["Event": "QueueMemberAdded", "Queue": q, "Interface": "Local/\(id)@agents/n", "MemberName": name, "StateInterface": "Custom:\(id)", "Paused": "0"], at: 0)
                }
            }
            join(queue, at: 1000)
        }

        mutating func join(_ queue: String, at ms: Int64, context: String = "inbound", exten: String = "5550701") {
            send(["Event": "QueueCallerJoin", "Queue": queue, "Channel": "Local/5550701@inbound-1;2", "Uniqueid": "1.1", "Linkedid": "1.0", "CallerIDNum": "5550701", "Context": context, "Exten": exten], at: ms)
        }

        mutating func connect(_ queue: String = "sales", agent: String = "1001", at ms: Int64) {
            send(["Event": "AgentConnect", "Queue": queue, "Channel": "Local/5550701@inbound-1;2", "Uniqueid": "1.1", "Linkedid": "1.0", "Interface": "Local/\(agent)@agents/n", "DestChannel": "Local/\(agent)@agents-2;1", "DestUniqueid": "1.2"], at: ms)
        }

        mutating func complete(_ queue: String = "sales", agent: String = "1001", reason: String, at ms: Int64) {
            send(["Event": "AgentComplete", "Queue": queue, "Channel": "Local/5550701@inbound-1;2", "Uniqueid": "1.1", "Interface": "Local/\(agent)@agents/n", "Reason": reason], at: ms)
        }

        func metrics(_ queue: String, at ms: Int64) -> WindowMetrics {
            run.engine.snapshot(now: Instant(milliseconds: AMIHoldTransferTests.t0 + ms)).queues.first { $0.settings.id == queue }!.figures.windows["60m"]!
        }
    }

    /// F_hold's shape: Hold and Unhold on the IAX2 phone behind the Local member (Linkedid of the caller), a
    /// second Hold that the caller's hang-up ends. Talk + hold equals Asterisk's TalkTime (answer → end).
    @Test func holdOnThePhoneChannelIsMatchedByLinkedidAndEndsWithTheCall() {
        var feed = Feed()
        feed.setUp()
        feed.connect(at: 3000)
        feed.send(["Event": "Hold", "Channel": "IAX2/agentphones-7", "Uniqueid": "1.4", "Linkedid": "1.0"], at: 5000)
        feed.send(["Event": "Unhold", "Channel": "IAX2/agentphones-7", "Uniqueid": "1.4", "Linkedid": "1.0"], at: 11_000)
        feed.send(["Event": "Hold", "Channel": "IAX2/agentphones-7", "Uniqueid": "1.4", "Linkedid": "1.0"], at: 15_000)
        feed.complete(reason: "caller", at: 19_000)
        feed.tick(at: 30_000)
        #expect(feed.contactEvents == [
            "contact.queued@1000", "contact.answered@3000", "contact.held@5000", "contact.resumed@11000",
            "contact.held@15000", "contact.ended@19000", "contact.wrapup_done@24000",
        ])
        #expect(feed.run.rejections.isEmpty)
        let handled = feed.run.engine.handled.first
        #expect(handled?.hold == 10_000)
        #expect(handled?.talk == 6000)
    }

    /// The Unhold Asterisk sends on the transferer before a BlindTransfer (no Hold before it) changes nothing;
    /// neither does a Hold whose Linkedid two live calls share (an agent's consultation call queued elsewhere).
    @Test func unmatchedOrAmbiguousHoldChangesNothing() {
        var feed = Feed()
        feed.setUp()
        feed.connect(at: 3000)
        feed.send(["Event": "Unhold", "Channel": "Local/1001@agents-2;1", "Uniqueid": "1.2", "Linkedid": "1.0"], at: 4000)
        feed.send(["Event": "QueueCallerJoin", "Queue": "support", "Channel": "Local/1001@agents-9;2", "Uniqueid": "1.9", "Linkedid": "1.0", "Context": "inbound", "Exten": "support"], at: 5000)
        feed.send(["Event": "AgentConnect", "Queue": "support", "Channel": "Local/1001@agents-9;2", "Uniqueid": "1.9", "Linkedid": "1.0", "Interface": "Local/1002@agents/n", "DestChannel": "Local/1002@agents-3;1"], at: 6000)
        feed.send(["Event": "Hold", "Channel": "IAX2/agentphones-8", "Uniqueid": "1.8", "Linkedid": "1.0"], at: 7000)
        #expect(!feed.events.contains { $0.type == "contact.held" || $0.type == "contact.resumed" })
    }

    /// A Redirect of a waiting caller to a place that is not a queue: app_queue's abandon stands, at the time
    /// app_queue gave, once the grace ran out; a caller that hung up is counted at once, as before.
    @Test func redirectWithoutAQueueJoinIsTheAbandonAppQueueSaid() {
        var feed = Feed()
        feed.setUp()
        feed.send(["Event": "QueueCallerAbandon", "Queue": "sales", "Uniqueid": "1.1", "Context": "voicemail", "Exten": "s"], at: 9000)
        #expect(!feed.events.contains { $0.type == "contact.abandoned" })
        #expect(feed.mapper.nextDeadline == Instant(milliseconds: Self.t0 + 11_000))
        feed.tick(at: 11_000)
        #expect(feed.contactEvents == ["contact.queued@1000", "contact.abandoned@9000"])

        var hungUp = Feed()
        hungUp.setUp()
        hungUp.send(["Event": "QueueCallerAbandon", "Queue": "sales", "Uniqueid": "1.1", "Context": "inbound", "Exten": "5550701"], at: 9000)
        #expect(hungUp.contactEvents == ["contact.queued@1000", "contact.abandoned@9000"])
    }

    /// A waiting caller moved to another queue is a transfer out of the first queue, not an abandon.
    @Test func redirectIntoAnotherQueueIsATransferWhileWaiting() {
        var feed = Feed()
        feed.setUp(queue: "support")
        feed.send(["Event": "QueueCallerAbandon", "Queue": "support", "Uniqueid": "1.1", "Context": "transfer", "Exten": "sales"], at: 9000)
        feed.join("sales", at: 9001, context: "transfer", exten: "sales")
        feed.tick(at: 20_000)
        #expect(feed.contactEvents == ["contact.queued@1000", "contact.transferred@9001"])
        #expect(feed.metrics("support", at: 20_000).transferredOut == 1)
        #expect(feed.metrics("support", at: 20_000).abandoned == 0)
        #expect(feed.run.engine.contacts["1.1"]?.queue == "sales")
    }

    /// Both orders of a blind transfer into a queue: the old queue's AgentComplete (Reason: transfer) before
    /// or after the new QueueCallerJoin; either way one transfer, and the new visit is not ended by it.
    @Test(arguments: [true, false])
    func blindTransferIntoAQueueInEitherOrder(completeFirst: Bool) {
        var feed = Feed()
        feed.setUp()
        feed.connect(at: 3000)
        feed.send(["Event": "BlindTransfer", "Result": "Success", "TransfererChannel": "Local/1001@agents-2;1", "TransfereeUniqueid": "1.1", "Extension": "support", "Context": "transfer"], at: 9000)
        if completeFirst {
            feed.complete(reason: "transfer", at: 9000)
            feed.join("support", at: 9001, context: "transfer", exten: "support")
        } else {
            feed.join("support", at: 9001, context: "transfer", exten: "support")
            feed.complete(reason: "transfer", at: 9002)
        }
        feed.connect("support", agent: "1002", at: 12_000)
        feed.tick(at: 20_000)
        #expect(feed.contactEvents == ["contact.queued@1000", "contact.answered@3000", "contact.transferred@9001", "contact.answered@12000"])
        #expect(feed.run.rejections.isEmpty)
        #expect(feed.run.engine.contacts["1.1"]?.agent == "Local/1002@agents/n")
    }

    /// Transferred to a dialplan extension that is no queue: the call ends for us where app_queue ended it.
    @Test func blindTransferOutOfTheQueuesEndsTheCallAtAgentComplete() {
        var feed = Feed()
        feed.setUp()
        feed.connect(at: 3000)
        feed.complete(reason: "transfer", at: 9000)
        feed.tick(at: 11_000)
        feed.tick(at: 20_000)
        #expect(feed.contactEvents == ["contact.queued@1000", "contact.answered@3000", "contact.ended@9000", "contact.wrapup_done@14000"])
    }
}

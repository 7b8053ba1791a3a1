import AMIAdapter
import Testing
import WallboardCore

/// Numeric headers out of range or not numbers, through the real path (bytes → ``AMISession``: decoder,
/// correlator, mapper): no trap; the header is ignored with a problem that names it and its value; the rest
/// of the message still maps (see docs/reliability.md, "Numbers from outside").
@Suite struct AMINumbersTests {
    static let t0: Int64 = 1_795_350_480_000
    /// Values no numeric header may take: beyond Int64, its extremes, and not numbers at all.
    static let extremes = [
        "99999999999999999", "-99999999999999999", "9223372036854775807", "-9223372036854775808",
        "9223372036854775808", "1e300", "0x7fffffffffffffff", "12abc",
    ]

    /// One AMI source fed bytes: what came out so far.
    struct Feed {
        var session = AMISession(username: "wallboard", secret: "s", mapper: .init(wrapUpTimes: ["sales": 5000]))
        var events: [Event] = []
        var problems: [String] = []

        mutating func send(_ headers: KeyValuePairs<String, String>, at ms: Int64) {
            let text = headers.map { "\($0.key): \($0.value)\r\n" }.joined() + "\r\n"
            receive(Array(text.utf8), at: ms)
        }

        mutating func receive(_ bytes: [UInt8], at ms: Int64) {
            let output = session.receive(bytes, now: Instant(milliseconds: ms))
            events += output.events
            problems += output.problems
        }

        mutating func tick(at ms: Int64) { events += session.tick(now: Instant(milliseconds: ms)).events }

        func first(_ type: String) -> Event? { events.first { $0.type == type } }
    }

    /// A member's own `Wrapuptime` out of range: the member still logs in, and wrap-up follows the queue's
    /// configured time (5 s) as if the header were absent.
    @Test(arguments: extremes + ["604801", "-1"])
    func wrapUpTimeOutOfRangeFallsBackToTheQueuesWrapUp(value: String) {
        var feed = Feed()
        feed.send(["Event": "QueueMemberAdded", "Queue": "sales", "Interface": "PJSIP/1001", "MemberName": "A", "Paused": "0", "Wrapuptime": value], at: Self.t0)
        #expect(feed.events.map(\.type) == ["agent.login"])
        #expect(feed.problems == ["QueueMemberAdded at \(Instant(milliseconds: Self.t0)): Wrapuptime \"\(value)\" is not whole seconds in 0...604800; the queue's configured wrap-up is used"])
        feed.send(["Event": "QueueCallerJoin", "Queue": "sales", "Uniqueid": "1.1", "Channel": "PJSIP/trunk-1", "CallerIDNum": "5551234"], at: Self.t0 + 1000)
        feed.send(["Event": "AgentConnect", "Queue": "sales", "Uniqueid": "1.1", "Interface": "PJSIP/1001", "DestChannel": "PJSIP/1001-1"], at: Self.t0 + 2000)
        feed.send(["Event": "AgentComplete", "Queue": "sales", "Uniqueid": "1.1", "Interface": "PJSIP/1001", "DestChannel": "PJSIP/1001-1"], at: Self.t0 + 10_000)
        feed.tick(at: Self.t0 + 60_000)
        #expect(feed.first("contact.wrapup_done")?.timestamp.milliseconds == Self.t0 + 15_000)
    }

    /// A `Timestamp` that is no epoch time in 2000-2199: the event happens at its arrival time.
    @Test(arguments: extremes + ["0", "7258118400", "-1795350480"])
    func timestampOutOfRangeUsesTheArrivalTime(value: String) {
        var feed = Feed()
        feed.send(["Event": "QueueCallerJoin", "Queue": "sales", "Uniqueid": "1.1", "Channel": "PJSIP/trunk-1", "Timestamp": value], at: Self.t0)
        #expect(feed.first("contact.queued")?.timestamp.milliseconds == Self.t0)
        #expect(feed.problems.count == 1)
        #expect(feed.problems.first?.contains("QueueCallerJoin") == true)
        #expect(feed.problems.first?.contains("Timestamp \"\(value)\" is not epoch seconds in the years 2000-2199; the arrival time is used") == true)
    }

    /// QueueParams with `ServiceLevel`, `Max`, `Weight` out of range: the queue is still discovered, with the
    /// default 30 s threshold; each bad header is one problem.
    @Test(arguments: extremes)
    func queueParamsOutOfRangeKeepTheQueue(value: String) {
        var feed = Feed()
        feed.send(["Event": "QueueParams", "Queue": "sales", "Max": value, "ServiceLevel": value, "Weight": value], at: Self.t0)
        #expect(feed.session.discoveredSettings.map { "\($0.id)=\($0.threshold)" } == ["sales=30000"])
        let params = feed.session.mapper.queueParameters["sales"]
        #expect(params?.serviceLevel == 0 && params?.maxCallers == nil && params?.weight == nil)
        #expect(feed.problems.count == 3)
        for header in ["ServiceLevel", "Max", "Weight"] {
            #expect(feed.problems.contains { $0.contains("\(header) \"\(value)\"") }, "\(header): \(feed.problems)")
        }
    }

    /// A whole QueueStatus answer (as read again after every reconnect) with every numeric header broken in
    /// some items: the sane parts (members, pauses, the other caller's backdated wait) are all applied.
    @Test(arguments: extremes)
    func queueStatusWithOutOfRangeNumbersStillYieldsTheSaneParts(value: String) {
        var feed = Feed()
        let id = "wb1-2"
        let at = Self.t0 + 100_000
        feed.send(["Response": "Success", "ActionID": id, "EventList": "start", "Message": "Queue status will follow"], at: at)
        feed.send(["Event": "QueueParams", "Queue": "sales", "Max": value, "ServiceLevel": value, "Weight": "0", "ActionID": id, "Timestamp": value], at: at)
        feed.send(["Event": "QueueMember", "Queue": "sales", "Name": "A", "Location": "PJSIP/1001", "Paused": "1", "PausedReason": "Lunch", "Wrapuptime": value, "InCall": "0", "ActionID": id], at: at)
        feed.send(["Event": "QueueMember", "Queue": "sales", "Name": "B", "Location": "PJSIP/1002", "Paused": "0", "Wrapuptime": "0", "InCall": "0", "ActionID": id], at: at)
        feed.send(["Event": "QueueEntry", "Queue": "sales", "Position": value, "Uniqueid": "9.1", "Channel": "PJSIP/t-1", "CallerIDNum": "5550001", "Wait": value, "ActionID": id], at: at)
        feed.send(["Event": "QueueEntry", "Queue": "sales", "Position": "2", "Uniqueid": "9.2", "Channel": "PJSIP/t-2", "CallerIDNum": "5550002", "Wait": "12", "ActionID": id], at: at)
        feed.send(["Event": "QueueStatusComplete", "ActionID": id, "EventList": "Complete", "ListItems": "5", "Timestamp": value], at: at)

        let logins = feed.events.compactMap { if case .agentLogin(let login) = $0.body { login.agent } else { nil } }
        #expect(logins == ["PJSIP/1001", "PJSIP/1002"])
        #expect(feed.events.contains { $0.body == .agentState(agent: "PJSIP/1001", state: .notReady, reason: "Lunch") })
        let queued = Dictionary(
            feed.events.compactMap { if case .contactQueued(let q) = $0.body { (q.contact, $0.timestamp.milliseconds) } else { nil } },
            uniquingKeysWith: { a, _ in a })
        #expect(queued == ["9.1": at, "9.2": at - 12_000])
        #expect(feed.session.discoveredSettings.map(\.threshold) == [30_000])
        // Max, ServiceLevel and Timestamp of QueueParams, Wrapuptime, Wait, Timestamp of the Complete.
        #expect(feed.problems.count == 6, "\(feed.problems)")
        #expect(feed.problems.contains { $0.hasPrefix("QueueEntry at") && $0.contains("Wait \"\(value)\"") && $0.contains("queued at the resync") })
        #expect(feed.problems.contains { $0.hasPrefix("QueueMember at") && $0.contains("Wrapuptime \"\(value)\"") })
    }

    /// Empty numeric headers count as absent: no problem.
    @Test func emptyNumericHeadersAreAbsent() {
        var feed = Feed()
        feed.send(["Event": "QueueMemberAdded", "Queue": "sales", "Interface": "PJSIP/1001", "Wrapuptime": "", "Timestamp": " "], at: Self.t0)
        #expect(feed.events.map(\.type) == ["agent.login"])
        #expect(feed.problems.isEmpty)
    }
}

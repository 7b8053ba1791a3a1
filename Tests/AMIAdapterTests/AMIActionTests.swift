import AMIAdapter
import Testing
import WallboardCore

@Suite struct AMIActionTests {
    @Test func loginEncodesCRLFLinesWithItsActionID() throws {
        var correlator = AMIActionCorrelator()
        let login = correlator.register(.login(username: "wallboard", secret: "s3cret"))
        #expect(String(decoding: try login.encoded(), as: UTF8.self)
            == "Action: Login\r\nActionID: wb1-1\r\nUsername: wallboard\r\nSecret: s3cret\r\nEvents: on\r\n\r\n")
    }

    /// ChanSpy targets exactly one call (`u` + its Uniqueid), stops at once when there is nothing to spy on
    /// (`S`: an agent who hung up before the supervisor answered) and when the agent hangs up (`E`).
    @Test(arguments: [(AMIAction.SpyMode.listen, "quSE"), (.whisper, "quSEw"), (.barge, "quSEB")])
    func chanSpyOriginateTargetsTheExactCallAndNeverWaitsOnASilentLine(mode: AMIAction.SpyMode, options: String) {
        let target = AMIMonitorHandle(channel: "PJSIP/1001-00000012", uniqueid: "1795350564.2")
        let action = AMIAction.chanSpy(supervisorEndpoint: "PJSIP/2001", target: target, mode: mode)
        #expect(action.name == "Originate")
        #expect(action.fields.first { $0.name == "Channel" }?.value == "PJSIP/2001")
        #expect(action.fields.first { $0.name == "Application" }?.value == "ChanSpy")
        #expect(action.fields.first { $0.name == "Data" }?.value == "1795350564.2,\(options)")
        #expect(action.fields.first { $0.name == "Async" }?.value == "true")
        #expect(action.finalEvent == "OriginateResponse")
        // Without a Uniqueid, the full channel name (also exact under `u`).
        let byName = AMIAction.chanSpy(
            supervisorEndpoint: "PJSIP/2001", target: AMIMonitorHandle(channel: "PJSIP/1001-00000012", uniqueid: nil),
            mode: mode)
        #expect(byName.fields.first { $0.name == "Data" }?.value == "PJSIP/1001-00000012,\(options)")
        #expect(Set(AMIAction.SpyMode.allCases.map(\.chanSpyOptions)).count == 3, "three distinct modes")
    }

    /// The `OriginateResponse` events of the A_basic capture (Asterisk's own bytes): every one reads as answered.
    @Test func capturedOriginateResponsesReadAsAnswered() throws {
        var decoder = AMIFrameDecoder()
        let messages = decoder.feed(try Fixture.bytes("A_basic", "ami")).compactMap { try? $0.get() }
        let responses = messages.filter { $0.eventName == "OriginateResponse" }
        #expect(responses.count == 10)
        #expect(responses.allSatisfy { OriginateOutcome($0) == .answered })
    }

    /// `Reason` is Asterisk's last control frame on the originated channel.
    @Test(arguments: [
        ("Success", "4", "answered"), ("Failure", "5", "busy"), ("Failure", "3", "no_answer"),
        ("Failure", "1", "declined"), ("Failure", "8", "congestion"), ("Failure", "0", "failed"),
        ("Failure", "", "failed"),
    ])
    func originateResponseReasons(response: String, reason: String, code: String) {
        let event = AMIMessage([
            "Event": "OriginateResponse", "Privilege": "call,all", "ActionID": "wb1-4", "Response": response,
            "Channel": "PJSIP/2001", "Application": "ChanSpy", "Data": "1795350564.2,quSE", "Reason": reason,
            "Uniqueid": "<null>", "CallerIDNum": "<unknown>", "CallerIDName": "<unknown>",
        ])
        #expect(OriginateOutcome(event).code == code)
    }

    /// An async Originate is not done at "Originate successfully queued": it completes with its
    /// `OriginateResponse`, whose outcome decides success. Another session's OriginateResponse (its own
    /// ActionID, as in the captures) is not ours.
    @Test func asyncOriginateCompletesAtItsOriginateResponse() throws {
        var correlator = AMIActionCorrelator()
        let target = AMIMonitorHandle(channel: "PJSIP/1001-00000012", uniqueid: "1795350564.2")
        let spy = correlator.register(.chanSpy(supervisorEndpoint: "PJSIP/2001", target: target, mode: .listen))
        let id = try #require(spy.actionID)
        let queued = AMIMessage(["Response": "Success", "ActionID": id, "Message": "Originate successfully queued"])
        #expect(correlator.receive(queued) == nil)
        #expect(correlator.outstanding.count == 1)
        #expect(correlator.receive(AMIMessage(["Event": "OriginateResponse", "ActionID": "drv-8", "Response": "Success", "Reason": "4"])) == nil)
        let busy = AMIMessage(["Event": "OriginateResponse", "ActionID": id, "Response": "Failure", "Channel": "PJSIP/2001", "Reason": "5"])
        let busyDone = correlator.receive(busy)
        let done = try #require(busyDone)
        #expect(done.succeeded == false)
        #expect(done.originateOutcome == .busy)
        #expect(correlator.outstanding.isEmpty)

        // Answered; and an Originate refused outright completes at its error response.
        let again = correlator.register(.chanSpy(supervisorEndpoint: "PJSIP/2001", target: target, mode: .barge))
        _ = correlator.receive(AMIMessage(["Response": "Success", "ActionID": again.actionID!]))
        let answer = correlator.receive(
            AMIMessage(["Event": "OriginateResponse", "ActionID": again.actionID!, "Response": "Success", "Reason": "4"]))
        let answered = try #require(answer)
        #expect(answered.succeeded && answered.originateOutcome == .answered)
        let refused = correlator.register(.chanSpy(supervisorEndpoint: "PJSIP/nobody", target: target, mode: .listen))
        let refusal = correlator.receive(AMIMessage(["Response": "Error", "ActionID": refused.actionID!, "Message": "Originate failed"]))
        let error = try #require(refusal)
        #expect(!error.succeeded && error.originateOutcome == nil)
    }

    @Test func queuePauseCarriesReasonAndOptionalQueue() {
        let pause = AMIAction.queuePause(interface: "Local/1001@agents/n", queue: nil, paused: true, reason: "Lunch")
        #expect(pause.fields.map(\.name) == ["Interface", "Paused", "Reason"])
        #expect(AMIAction.queueRemove(queue: "sales", interface: "PJSIP/1001").fields.count == 2)
    }

    @Test func fieldsWithLineBreaksAreRefused() {
        let bad = AMIAction.queuePause(interface: "PJSIP/1001\r\nAction: Logoff", queue: "q", paused: true)
        #expect(throws: AMIError.invalidActionField(name: "Interface")) { try bad.encoded() }
    }

    /// A list answer completes at its `EventList: Complete` event, with the items in between.
    @Test func correlatorCompletesListAnswers() {
        var correlator = AMIActionCorrelator()
        let status = correlator.register(.queueStatus())
        #expect(correlator.receive(AMIMessage(["Response": "Success", "ActionID": status.actionID!, "EventList": "start"])) == nil)
        #expect(correlator.receive(AMIMessage(["Event": "QueueParams", "ActionID": status.actionID!, "Queue": "sales"])) == nil)
        #expect(correlator.receive(AMIMessage(["Event": "VarSet"])) == nil)
        let done = correlator.receive(AMIMessage(["Event": "QueueStatusComplete", "ActionID": status.actionID!, "EventList": "Complete"]))
        #expect(done?.items.count == 1)
        #expect(done?.succeeded == true)
        #expect(correlator.outstanding.isEmpty)
    }

    /// The session logs in on the banner and resyncs once the login is accepted (A_basic's own answers).
    @Test func sessionLogsInThenResyncs() throws {
        var session = AMISession(username: "wallboard", secret: "wallboard-capture")
        session.connectionOpened(now: Instant(milliseconds: 0))
        let bytes = try Fixture.bytes("A_basic", "ami")
        let banner = session.receive(Array(bytes.prefix(30)), now: Instant(milliseconds: 1))
        #expect(session.state == .authenticating)
        #expect(banner.send.map { String(decoding: $0, as: UTF8.self) }
            == ["Action: Login\r\nActionID: wb1-1\r\nUsername: wallboard\r\nSecret: wallboard-capture\r\nEvents: on\r\n\r\n"])
        let rest = session.receive(Array(bytes.dropFirst(30)), now: Instant(milliseconds: 2))
        #expect(rest.send.prefix(2).map { String(decoding: $0, as: UTF8.self) }
            == ["Action: QueueStatus\r\nActionID: wb1-2\r\n\r\n", "Action: CoreShowChannels\r\nActionID: wb1-3\r\n\r\n"])
        #expect(!rest.events.isEmpty)
        #expect(session.discoveredSettings.map(\.id) == ["sales", "support"])
        _ = session.connectionClosed(now: Instant(milliseconds: 3))
        #expect(session.state == .disconnected)
    }
}

@Suite struct AMIEventMapperTests {
    static func event(_ pairs: KeyValuePairs<String, String>) -> AMIMessage { AMIMessage(pairs) }

    /// A `Local/` member resolves through the Local pair to the phone channel the `;2` leg dialed.
    @Test func localMemberResolvesToTheDialedDeviceChannel() {
        var mapper = AMIEventMapper()
        let now = Instant(milliseconds: 1_000_000)
        _ = mapper.map(Self.event(["Event": "QueueMemberAdded", "Queue": "sales", "Interface": "Local/1001@from-queue/n", "MemberName": "Alice", "Paused": "0"]), now: now)
        _ = mapper.map(Self.event(["Event": "QueueCallerJoin", "Queue": "sales", "Uniqueid": "100.1", "Channel": "PJSIP/trunk-00000001", "CallerIDNum": "5551234"]), now: now)
        _ = mapper.map(Self.event(["Event": "DialBegin", "Channel": "Local/1001@from-queue-00000002;2", "Uniqueid": "100.3", "DestChannel": "PJSIP/1001-00000012", "DestUniqueid": "100.4"]), now: now)
        _ = mapper.map(Self.event(["Event": "DialEnd", "Channel": "Local/1001@from-queue-00000002;2", "DestChannel": "PJSIP/1001-00000012", "DestUniqueid": "100.4", "DialStatus": "ANSWER"]), now: now)
        let events = mapper.map(Self.event(["Event": "AgentConnect", "Queue": "sales", "Uniqueid": "100.1", "Interface": "Local/1001@from-queue/n", "DestChannel": "Local/1001@from-queue-00000002;1", "DestUniqueid": "100.2"]), now: now)
        guard case .contactAnswered("100.1", "Local/1001@from-queue/n", let monitor?)? = events.first?.body else {
            Issue.record("expected contact.answered, got \(events)")
            return
        }
        #expect(monitor.target == "PJSIP/1001-00000012")
        #expect(monitor.kind == "asterisk.channel;uniqueid=100.4")
        #expect(AMIMonitorHandle(monitor) == AMIMonitorHandle(channel: "PJSIP/1001-00000012", uniqueid: "100.4"))
    }

    /// One person in two queues is not_ready only when paused in both; the reason is the latest pause's.
    @Test func agentInSeveralQueuesIsNotReadyOnlyWhenPausedEverywhere() {
        var mapper = AMIEventMapper()
        var events: [Event] = []
        var t = Instant(milliseconds: 0)
        func feed(_ pairs: KeyValuePairs<String, String>) {
            t = t.advanced(by: 1000)
            events += mapper.map(AMIMessage(pairs), now: t)
        }
        feed(["Event": "QueueMemberAdded", "Queue": "sales", "Interface": "PJSIP/1001", "MemberName": "A", "Paused": "0"])
        feed(["Event": "QueueMemberAdded", "Queue": "support", "Interface": "PJSIP/1001", "MemberName": "A", "Paused": "0"])
        #expect(events.map(\.type) == ["agent.login", "agent.login"])
        feed(["Event": "QueueMemberPause", "Queue": "sales", "Interface": "PJSIP/1001", "Paused": "1", "PausedReason": "Break"])
        #expect(events.count == 2)
        feed(["Event": "QueueMemberPause", "Queue": "support", "Interface": "PJSIP/1001", "Paused": "1", "PausedReason": "Lunch"])
        #expect(events.last?.body == .agentState(agent: "PJSIP/1001", state: .notReady, reason: "Lunch"))
        feed(["Event": "QueueMemberPause", "Queue": "support", "Interface": "PJSIP/1001", "Paused": "0", "PausedReason": ""])
        #expect(events.last?.body == .agentState(agent: "PJSIP/1001", state: .available, reason: nil))
        feed(["Event": "QueueMemberRemoved", "Queue": "sales", "Interface": "PJSIP/1001"])
        feed(["Event": "QueueMemberRemoved", "Queue": "support", "Interface": "PJSIP/1001"])
        #expect(events.last?.body == .agentLogout(agent: "PJSIP/1001"))
    }
}

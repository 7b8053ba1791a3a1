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
        #expect(banner.send.map { String(decoding: $0, as: UTF8.self) } == ["Action: Challenge\r\nActionID: wb1-1\r\nAuthType: MD5\r\n\r\n"])
        // The capture's login answer is "wb1-1": here the challenge takes that id, so answer it first and
        // the login ("wb1-2") by hand, then feed the capture from after its own login answer.
        let challenged = session.receive(Array("Response: Success\r\nActionID: wb1-1\r\nChallenge: 840415273\r\n\r\n".utf8),
                                         now: Instant(milliseconds: 1))
        // md5("840415273" + "wallboard-capture"), computed independently with Python's hashlib.
        #expect(challenged.send.map { String(decoding: $0, as: UTF8.self) }
            == ["Action: Login\r\nActionID: wb1-2\r\nUsername: wallboard\r\nAuthType: MD5\r\n"
                + "Key: \(Self.captureKey)\r\nEvents: on\r\n\r\n"])
        #expect(session.authentication == .md5)
        let accepted = session.receive(
            Array("Response: Success\r\nActionID: wb1-2\r\nMessage: Authentication accepted\r\n\r\n".utf8), now: Instant(milliseconds: 2))
        #expect(accepted.send.map { String(decoding: $0, as: UTF8.self) }
            == ["Action: QueueStatus\r\nActionID: wb1-3\r\n\r\n", "Action: CoreShowChannels\r\nActionID: wb1-4\r\n\r\n"])
        #expect(session.state == .resyncing)
        let text = String(decoding: bytes, as: UTF8.self)
        let afterLogin = text.range(of: "Authentication accepted\r\n\r\n")!.upperBound
        let rest = session.receive(Array(text[afterLogin...].utf8), now: Instant(milliseconds: 2))
        #expect(!rest.events.isEmpty)
        #expect(session.discoveredSettings.map(\.id) == ["sales", "support"])
        _ = session.connectionClosed(now: Instant(milliseconds: 3))
        #expect(session.state == .disconnected)
    }

    static let captureKey = "9bce3c1a3e5a16b90086798a49d286c9"

    /// A refused challenge (or one answered without a nonce) falls back to the plain-text secret.
    @Test(arguments: ["Response: Error\r\nActionID: wb1-1\r\nMessage: Must specify AuthType\r\n\r\n",
                      "Response: Success\r\nActionID: wb1-1\r\n\r\n"])
    func refusedChallengeFallsBackToPlainLogin(answer: String) {
        var session = AMISession(username: "wallboard", secret: "s3cret")
        session.connectionOpened(now: Instant(milliseconds: 0))
        _ = session.receive(Array("Asterisk Call Manager/11.0.0\r\n".utf8), now: Instant(milliseconds: 1))
        let output = session.receive(Array(answer.utf8), now: Instant(milliseconds: 2))
        #expect(output.send.map { String(decoding: $0, as: UTF8.self) }
            == ["Action: Login\r\nActionID: wb1-2\r\nUsername: wallboard\r\nSecret: s3cret\r\nEvents: on\r\n\r\n"])
        #expect(output.problems.isEmpty)
        #expect(session.authentication == .plain)
        #expect(session.state == .authenticating)
    }
}

/// MD5 against RFC 1321's test suite (appendix A.5), plus lengths around the padding boundary
/// (55/56/64 bytes) checked with Python's hashlib.
@Suite struct MD5Tests {
    @Test(arguments: [
        ("", "d41d8cd98f00b204e9800998ecf8427e"),
        ("a", "0cc175b9c0f1b6a831c399e269772661"),
        ("abc", "900150983cd24fb0d6963f7d28e17f72"),
        ("message digest", "f96b697d7cb7938d525a2f31aaf161d0"),
        ("abcdefghijklmnopqrstuvwxyz", "c3fcd3d76192e4007dfb496cca67e13b"),
        ("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", "d174ab98d277d9f5a5611c2c9f419d9f"),
        ("12345678901234567890123456789012345678901234567890123456789012345678901234567890",
         "57edf4a22be3c955ac49da2e2107b67a"),
    ])
    func rfc1321TestSuite(input: String, digest: String) {
        #expect(MD5.hex(Array(input.utf8)) == digest)
    }

    @Test(arguments: [55, 56, 63, 64, 65, 119, 120, 1000])
    func paddingBoundaries(length: Int) {
        #expect(MD5.hex([UInt8](repeating: 0x61, count: length)) == Self.repeatedA[length])
    }

    static let repeatedA: [Int: String] = [
        55: "ef1772b6dff9a122358552954ad0df65", 56: "3b0c8ac703f828b04c6c197006d17218",
        63: "b06521f39153d618550606be297466d5", 64: "014842d480b571495a4a0363793f7367",
        65: "c743a45e0d2e6a95cb859adae0248435", 119: "8a7bd0732ed6a28ce75f6dabc90e1613",
        120: "5f61c0ccad4cac44c75ff505e1f1e537", 1000: "cabe45dcc9ae5b66ba86600cca6b8ba8",
    ]
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

import AMIAdapter
import Foundation
import Testing
import WallboardCore

@Suite struct AMIReplayTests {
    /// Replays a capture, applies every event to the engine at its timestamp, and compares the
    /// `expected_counts` of the truth file (the 60m window covers each whole capture).
    static func check(_ run: EngineRun, truth: [String: Any], at end: Instant, maxWaitTolerance: Millis = 0) {
        let expected = truth["expected_counts"] as! [String: [String: Any]]
        let snapshot = run.engine.snapshot(now: end)
        for (scope, counts) in expected {
            let metrics: WindowMetrics
            if scope == "total" {
                metrics = snapshot.center.windows["60m"]!
            } else {
                metrics = snapshot.queues.first { $0.settings.id == scope }?.figures.windows["60m"] ?? WindowMetrics()
            }
            #expect(metrics.offered == counts["offered"] as! Int, "\(scope) offered")
            #expect(metrics.answered == counts["answered"] as! Int, "\(scope) answered")
            #expect(metrics.abandoned == counts["abandoned"] as! Int, "\(scope) abandoned")
            if let within = counts["answered_within_servicelevel"] as? Int {
                #expect(metrics.answeredWithinThreshold == within, "\(scope) answered within queue servicelevel")
            }
            let within30 = run.engine.departures.filter {
                $0.outcome == .answered && $0.wait <= 30_000 && (scope == "total" || $0.queue == scope)
            }.count
            #expect(within30 == counts["answered_within_30s"] as! Int, "\(scope) answered within 30 s")
            let maxWait = run.maxAnsweredWait(queue: scope == "total" ? nil : scope)
            if let truthMax = (counts["max_wait_answered_ms"] as? NSNumber)?.int64Value {
                #expect(maxWait.map { abs($0 - truthMax) <= maxWaitTolerance } == true, "\(scope) max wait \(String(describing: maxWait)) vs \(truthMax)")
            } else {
                #expect(maxWait == nil)
            }
        }
        #expect(run.rejections.isEmpty, "rejected: \(run.rejections.map { "\($0.0.id) \($0.1)" })")
    }

    @Test(arguments: ["A_basic", "C_presence"])
    func captureReplayMatchesTruthCounts(scenario: String) throws {
        let truth = try Fixture.truth(scenario)
        let result = AMIReplay.events(fromCapture: try Fixture.bytes(scenario, "ami"), configuration: Fixture.mapperConfiguration)
        #expect(result.problems.isEmpty, "\(result.problems)")
        #expect(result.settings.map(\.id) == ["sales", "support"])
        #expect(result.settings.map(\.threshold) == [30_000, 20_000])
        var run = EngineRun(settings: result.settings)
        run.apply(result.events)
        Self.check(run, truth: truth, at: result.endedAt!)
        let rna = (truth["expected_counts"] as! [String: [String: Any]])["total"]!["ring_no_answer"] as! Int
        #expect(result.ringNoAnswers.values.reduce(0, +) == rna)
        // Every answered call carries the member's exact channel for ChanSpy.
        let calls = truth["calls"] as! [[String: Any]]
        for call in calls {
            let contact = call["caller_uniqueid"] as! String
            let answered = result.events.first { if case .contactAnswered(contact, _, _) = $0.body { true } else { false } }
            guard case .contactAnswered(_, let agent, let monitor)? = answered?.body else {
                Issue.record("no answer for \(call["id"]!)")
                continue
            }
            #expect(agent == "Local/\(call["agent"] as! String)@agents/n")
            #expect(monitor.flatMap(AMIMonitorHandle.init)?.channel == call["agent_channel"] as? String)
            #expect(monitor.flatMap(AMIMonitorHandle.init)?.uniqueid != nil)
        }
    }

    @Test func replayIsDeterministicAndIdsAreUnique() throws {
        let bytes = try Fixture.bytes("A_basic", "ami")
        let first = AMIReplay.events(fromCapture: bytes, configuration: Fixture.mapperConfiguration)
        let second = AMIReplay.events(fromCapture: bytes, configuration: Fixture.mapperConfiguration)
        #expect(first.events == second.events)
        #expect(Set(first.events.map(\.id)).count == first.events.count)
    }

    /// Pause reasons at known times (mid-interval of each truth pause), and available outside them.
    @Test func presencePauseReasonsMatchTruthAtKnownTimes() throws {
        let truth = try Fixture.truth("C_presence")
        let t0 = Fixture.t0(truth)
        let result = AMIReplay.events(fromCapture: try Fixture.bytes("C_presence", "ami"), configuration: Fixture.mapperConfiguration)
        let agents = truth["agents"] as! [String: [String: Any]]
        var checks = 0
        for (_, agent) in agents {
            let interface = agent["interface"] as! String
            for pause in agent["pauses"] as! [[String: Any]] {
                let start = (pause["start_ms"] as! NSNumber).int64Value
                let end = (pause["end_ms"] as! NSNumber).int64Value
                let at = Instant(milliseconds: t0 + (start + end) / 2)
                var run = EngineRun(settings: result.settings)
                run.apply(result.events, until: at)
                let record = run.engine.agents[interface]
                // A pause taken during a call shows once the call ends: the call wins while it lasts.
                let onCall = (truth["calls"] as! [[String: Any]]).contains { call in
                    call["agent"] as? String == agent["agent"] as? String
                        && (call["answer_ms"] as! NSNumber).int64Value <= (start + end) / 2
                        && (call["end_ms"] as! NSNumber).int64Value > (start + end) / 2
                }
                if onCall {
                    #expect(record?.state == .onContact, "\(interface) on a call at \(start)..\(end)")
                } else {
                    #expect(record?.state == .notReady, "\(interface) at \(start)..\(end)")
                    #expect(record?.reason == pause["reason"] as? String, "\(interface) reason at \(start)..\(end)")
                }
                checks += 1
            }
        }
        #expect(checks == 5)
        // After the last event all three are still logged in (Alice's logout/login-paused ended in an unpause).
        var run = EngineRun(settings: result.settings)
        run.apply(result.events, until: Instant(milliseconds: t0 + 95_000))
        #expect(run.engine.agents.count == 3)
        // The capture ends 1 s after C07 ended (wrap-up 5 s): Carol is still in wrap-up, the others available.
        #expect(run.engine.agents["Local/1003@agents/n"]?.state == .wrapUp)
        #expect(run.engine.agents["Local/1001@agents/n"]?.state == .available)
        #expect(run.engine.agents["Local/1002@agents/n"]?.state == .available)
    }

    /// E_resync replayed with the tsv receive times as the clock (no Timestamp headers): the reconnect's
    /// QueueStatus/CoreShowChannels correct what was missed (Carol's new reason, E04's abandon, E07's join).
    @Test func resyncAfterReconnectRestoresTruthWithoutDoubleCounting() throws {
        let truth = try Fixture.truth("E_resync")
        let t0 = Fixture.t0(truth)
        let rows = try Fixture.tsv("E_resync")
        let chunks = rows.map { AMIReplay.Chunk(receivedAt: Instant(milliseconds: t0 + $0.recvMs), bytes: $0.block) }
        let result = AMIReplay.events(fromChunks: chunks, configuration: Fixture.mapperConfiguration)
        #expect(result.problems.isEmpty, "\(result.problems)")
        var run = EngineRun(settings: result.settings)
        run.apply(result.events)
        // E07 joined while we were away: its join time comes from QueueEntry's whole-second Wait.
        Self.check(run, truth: truth, at: result.endedAt!, maxWaitTolerance: 1000)
        #expect(Set(result.events.map(\.id)).count == result.events.count)

        // State right after the reconnect's resync (t ≈ 26.1 s).
        let reconnect = truth["resync"] as! [String: Any]
        let state = reconnect["expected_state_at_reconnect"] as! [String: Any]
        var atResync = EngineRun(settings: result.settings)
        atResync.apply(result.events, until: Instant(milliseconds: t0 + 26_500))
        let engine = atResync.engine
        let waiting = state["waiting"] as! [String: [[String: Any]]]
        for (queue, callers) in waiting {
            let ids = engine.contacts.values.filter { $0.queue == queue && $0.phase == .waiting }.map(\.id).sorted()
            let truthIDs = callers.map { caller in
                (truth["calls"] as! [[String: Any]]).first { $0["id"] as? String == caller["call"] as? String }!["caller_uniqueid"] as! String
            }.sorted()
            #expect(ids == truthIDs, "waiting in \(queue)")
        }
        let talking = state["talking"] as! [[String: Any]]
        #expect(engine.contacts.values.filter { $0.phase == .connected }.count == talking.count)
        for member in state["members"] as! [[String: Any]] {
            let interface = "Local/\(member["agent"] as! String)@agents/n"
            let record = engine.agents[interface]
            if member["paused"] as? String == "1" {
                #expect(record?.state == .notReady)
                #expect(record?.reason == member["paused_reason"] as? String)
            } else if member["in_call"] as? String == "1" {
                #expect(record?.state == .onContact, "\(interface)")
            }
        }
        let abandoned = engine.departures.filter { $0.outcome == .abandoned }
        #expect(abandoned.count == 1)
    }
}

import AMIAdapter
import Foundation
import Testing
import WallboardCore

/// G_transfer (a real Asterisk 22.10.1 capture, see `Fixtures/README-hold-transfer.md`) replayed against its
/// truth file: a blind transfer into another queue, an attended transfer to an agent with the consultation
/// hold, and a waiting caller moved to another queue by a Redirect.
@Suite struct AMITransferReplayTests {
    /// Replayed from the `.tsv` with its receive times, so the clock reaches the end of the capture (the last
    /// calls' wrap-ups end after the last `Timestamp:`, during the final QueueStatus).
    static func replay() throws -> (AMIReplay.Result, EngineRun, [String: Any]) {
        let truth = try Fixture.truth("G_transfer")
        let t0 = Fixture.t0(truth)
        let chunks = try Fixture.tsv("G_transfer").map { AMIReplay.Chunk(receivedAt: Instant(milliseconds: t0 + $0.recvMs), bytes: $0.block) }
        let result = AMIReplay.events(fromChunks: chunks, configuration: Fixture.mapperConfiguration)
        var run = EngineRun(settings: result.settings)
        run.apply(result.events)
        return (result, run, truth)
    }

    static func call(_ truth: [String: Any], _ id: String) -> [String: Any] {
        (truth["calls"] as! [[String: Any]]).first { $0["id"] as? String == id }!
    }

    static func ms(_ value: Any?) -> Int64 { (value as! NSNumber).int64Value }

    @Test func countsMatchTruth() throws {
        let (result, run, truth) = try Self.replay()
        #expect(result.problems.isEmpty, "\(result.problems)")
        AMIReplayTests.check(run, truth: truth, at: result.endedAt!)
        let expected = truth["expected_counts"] as! [String: [String: Any]]
        let snapshot = run.engine.snapshot(now: result.endedAt!)
        for queue in ["sales", "support"] {
            let counts = expected[queue]!
            let metrics = snapshot.queues.first { $0.settings.id == queue }!.figures.windows["60m"]!
            // Transfers of answered calls and moves of waiting callers, each against the queue left.
            #expect(metrics.transfers == (counts["transferred_out"] as! Int) + (counts["redirected_while_waiting"] as! Int), "\(queue) transfers")
            #expect(metrics.transferredOut == counts["moved_while_waiting"] as! Int, "\(queue) moved while waiting")
        }
        // The moved caller is no abandon: not in the abandoned list, its departure is a transfer after 8 s.
        let g03 = Self.call(truth, "G03")
        let moved = run.engine.departures.filter { $0.contact == g03["caller_uniqueid"] as! String && $0.queue == "support" }
        #expect(moved.map(\.outcome) == [.transferredOut])
        // Its wait ends when it joins sales, ~1.3 ms after app_queue's QueueCallerAbandon in support.
        #expect(moved.first.map { abs($0.wait - Self.ms(g03["wait_ms"])) <= 2 } == true, "\(moved)")
        #expect(snapshot.abandonedToday.isEmpty)
        #expect(!result.events.contains { $0.type == "contact.abandoned" })
    }

    /// Hold per queue equals the consultation hold Asterisk timed (Hold → AttendedTransfer, no Unhold), and a
    /// call that was never transferred talks exactly as long as Asterisk's AgentConnect → AgentComplete.
    @Test func holdAndTalkMatchAsterisksTiming() throws {
        let (result, run, truth) = try Self.replay()
        let expected = truth["expected_counts"] as! [String: [String: Any]]
        let snapshot = run.engine.snapshot(now: result.endedAt!)
        for queue in ["sales", "support"] {
            let metrics = snapshot.queues.first { $0.settings.id == queue }!.figures.windows["60m"]!
            // The truth's ms are receive times; Asterisk's Timestamps differ from them by under 1 ms each.
            #expect(abs(metrics.totalHold - Self.ms(expected[queue]!["total_hold_ms"])) <= 1, "\(queue) hold \(metrics.totalHold)")
        }
        let g02 = Self.call(truth, "G02")
        let holds = g02["holds"] as! [[String: Any]]
        let handled = run.engine.handled.filter { $0.contact == g02["caller_uniqueid"] as! String }
        // Bob's part (answer to transfer, the consultation hold in it) and Carol's part are one handled
        // entry each, both in sales (docs/metrics.md, "Transfers").
        #expect(handled.map(\.agent) == [g02["agent_channel"] as! String, "Local/\((g02["transfer"] as! [String: Any])["target_agent"] as! String)@agents/n"].map(Self.member))
        #expect(handled.map(\.queue) == ["sales", "sales"])
        #expect(handled.first.map { abs($0.hold - Self.ms(holds[0]["duration_ms"])) <= 1 } == true)
        #expect(handled.first.map { abs($0.talk + $0.hold - Self.ms(g02["talk_ms"])) <= 1 } == true, "\(handled)")
        #expect(handled.first?.wrapUp == 0)
        // After the transfer the caller talks with the target agent, off hold, until it hangs up.
        let transfer = g02["transfer"] as! [String: Any]
        let targetTalk = Self.ms(transfer["caller_continued_with_target_until_ms"]) - Self.ms(transfer["t_ms"])
        #expect(handled.last.map { $0.hold == 0 && abs($0.talk - targetTalk) <= 5 } == true, "\(handled)")

        for id in ["G01.2", "G03.2"] {
            let call = Self.call(truth, id)
            let record = run.engine.handled.first { $0.contact == call["caller_uniqueid"] as! String && $0.queue == call["queue"] as! String }
            #expect(record.map { abs($0.talk + $0.hold - Self.ms(call["talk_ms"])) <= 1 } == true, "\(id) \(String(describing: record))")
        }
    }

    /// Each answered visit app_queue timed (AgentConnect → AgentComplete, or → the transfer) is one handled
    /// entry of its queue, with talk + hold as app_queue's TalkTime; an attended transfer to an agent adds the
    /// target agent's part, which app_queue does not time, as one more entry of the same queue.
    @Test func handledPerQueueMatchesTruth() throws {
        let (result, run, truth) = try Self.replay()
        let expected = truth["expected_counts"] as! [String: [String: Any]]
        let snapshot = run.engine.snapshot(now: result.endedAt!)
        let g02 = Self.call(truth, "G02")
        let g02Transfer = g02["transfer"] as! [String: Any]
        let target = Self.member("Local/\(g02Transfer["target_agent"] as! String)@agents/n")
        for queue in ["sales", "support"] {
            let counts = expected[queue]!
            let metrics = snapshot.queues.first { $0.settings.id == queue }!.figures.windows["60m"]!
            let answered = counts["answered"] as! Int, attended = counts["attended_transferred"] as! Int
            #expect(metrics.handledCount == answered + attended, "\(queue) handled")
            let records = run.engine.handled.filter { $0.queue == queue }
            #expect(records.count == metrics.handledCount)
            // app_queue's visits: every entry but the target agent's part of the attended transfer.
            let timed = records.filter { !($0.contact == g02["caller_uniqueid"] as! String && $0.agent == target) }
            #expect(timed.count == answered, "\(queue)")
            let talk = timed.reduce(Int64(0)) { $0 + $1.talk + $1.hold }
            #expect(abs(talk - Self.ms(counts["total_talk_ms"])) <= Int64(answered), "\(queue) talk \(talk)")
        }
        // G01's visit in sales: Alice talked 6 s, then the blind transfer; it is hers, with no wrap-up.
        let g01 = Self.call(truth, "G01")
        let visit = run.engine.handled.first { $0.contact == g01["caller_uniqueid"] as! String && $0.queue == "sales" }
        #expect(visit?.agent == Self.member(g01["agent_channel"] as! String))
        #expect(visit.map { abs($0.talk - Self.ms(g01["talk_ms"])) <= 1 && $0.hold == 0 && $0.wrapUp == 0 } == true, "\(String(describing: visit))")
    }

    /// The agent id the mapper gives an app_queue member's channel (`Local/1001@agents-00000001;1` →
    /// `Local/1001@agents/n`).
    static func member(_ channel: String) -> String {
        guard channel.hasPrefix("Local/"), let dash = channel.lastIndex(of: "-") else { return channel }
        return String(channel[..<dash]) + "/n"
    }

    /// The mapped events themselves: the Unhold Asterisk sends before BlindTransfer changes nothing; the
    /// consultation hold ends when the transfer completes; each transfer names where the caller went.
    @Test func eventsNameEachTransfer() throws {
        let (result, run, truth) = try Self.replay()
        let g01 = Self.call(truth, "G01"), g02 = Self.call(truth, "G02"), g03 = Self.call(truth, "G03")
        let bodies = result.events.compactMap { event -> String? in
            switch event.body {
            case .contactHeld(let contact): "held \(contact)"
            case .contactResumed(let contact): "resumed \(contact)"
            case .contactTransferred(let contact, let queue, let agent): "transferred \(contact) \(queue ?? "-") \(agent ?? "-")"
            default: nil
            }
        }
        let c1 = g01["caller_uniqueid"] as! String, c2 = g02["caller_uniqueid"] as! String, c3 = g03["caller_uniqueid"] as! String
        #expect(bodies == [
            "transferred \(c1) support -", "held \(c2)", "resumed \(c2)", "transferred \(c2) - Local/1003@agents/n",
            "transferred \(c3) sales -",
        ])
        #expect(run.rejections.isEmpty)
        // Bob wraps up after handing the call over; Carol is on it until the caller hangs up.
        var during = EngineRun(settings: result.settings)
        let t0 = Fixture.t0(truth)
        during.apply(result.events, until: Instant(milliseconds: t0 + 21_000))
        #expect(during.engine.agents["Local/1002@agents/n"]?.state == .wrapUp)
        #expect(during.engine.agents["Local/1003@agents/n"]?.state == .onContact)
        #expect(during.engine.contacts[c2]?.agent == "Local/1003@agents/n")
    }
}

/// The `perf` and `perf2` treatments against what Asterisk itself reported at the end of each capture
/// (QueueParams `ServicelevelPerf`/`ServicelevelPerf2`, in `asterisk_final_queue_params`).
@Suite struct AMIServiceLevelTests {
    @Test(arguments: ["A_basic", "C_presence", "E_resync", "G_transfer"])
    func treatmentsMatchAsterisksServicelevelPerfAndPerf2(scenario: String) throws {
        let truth = try Fixture.truth(scenario)
        let t0 = Fixture.t0(truth)
        let chunks = try Fixture.tsv(scenario).map { AMIReplay.Chunk(receivedAt: Instant(milliseconds: t0 + $0.recvMs), bytes: $0.block) }
        let final = truth["asterisk_final_queue_params"] as! [String: [String: String]]
        for (treatment, field) in [(AMIEventMapper.ServiceLevelTreatment.perf, "ServicelevelPerf"), (.perf2, "ServicelevelPerf2")] {
            var configuration = Fixture.mapperConfiguration
            configuration.serviceLevel = treatment
            let result = AMIReplay.events(fromChunks: chunks, configuration: configuration)
            var run = EngineRun(settings: result.settings)
            run.apply(result.events)
            let snapshot = run.engine.snapshot(now: result.endedAt!)
            for (queue, params) in final {
                let metrics = snapshot.queues.first { $0.settings.id == queue }?.figures.windows["60m"] ?? WindowMetrics()
                let ours = metrics.serviceLevelDenominator == 0
                    ? "0.0" : String(format: "%.1f", 100 * Double(metrics.serviceLevelNumerator) / Double(metrics.serviceLevelDenominator))
                #expect(ours == params[field], "\(scenario) \(queue) \(field): ours \(ours), Asterisk \(params[field] ?? "-")")
            }
        }
    }
}

extension AMIServiceLevelTests {
    /// An abandon beyond the service level: out of Perf, against Perf2; an abandon under 5 s counts in both.
    @Test func perfLeavesAbandonsOutAndPerf2CountsEveryOne() {
        func settings(_ treatment: AMIEventMapper.ServiceLevelTreatment) -> QueueSettings? {
            var mapper = AMIEventMapper(configuration: .init())
            mapper.configuration.serviceLevel = treatment
            _ = mapper.map(AMIMessage(["Event": "QueueParams", "Queue": "sales", "ServiceLevel": "20"]), now: Instant(milliseconds: 1_796_133_568_000))
            return mapper.discoveredSettings.first
        }
        #expect(settings(.board).map { [$0.threshold, $0.shortAbandon] } == [20_000, 5000])
        #expect(settings(.board)?.abandonTreatment == .negative)
        #expect(settings(.perf).map { [$0.threshold, $0.shortAbandon] } == [20_000, 0])
        #expect(settings(.perf)?.abandonTreatment == .ignore)
        #expect(settings(.perf2).map { [$0.threshold, $0.shortAbandon] } == [20_000, 0])
        #expect(settings(.perf2)?.abandonTreatment == .positive)
    }
}

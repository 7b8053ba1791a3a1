import JSONModel
import Testing
import WallboardCore

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The documented callback and self-service sample day (docs/samples/callbacks-sample.ndjson): every
/// figure below is computed by hand in docs/metrics.md, "The callback and self-service sample day".
@Suite struct CallbackSampleDayTests {
    static func sampleResult() throws -> ReplayResult {
        let url = URL(filePath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appending(path: "docs/samples/callbacks-sample.ndjson")
        let text = try String(decoding: Data(contentsOf: url), as: UTF8.self)
        let inputs = text.split(separator: "\n").enumerated().map { index, line -> Replay.Input in
            do { return .json(line: index + 1, try MiniJSON.parse(String(line))) } catch {
                return .unparseable(line: index + 1, message: "not JSON")
            }
        }
        return Replay.run(inputs: inputs)
    }

    @Test func everyEventIsApplied() throws {
        let result = try Self.sampleResult()
        #expect(result.rejections.isEmpty)
        #expect(result.eventsRead == 47)
    }

    @Test func callbacksStayOutOfTheInboundFigures() throws {
        let sales = try #require(try Self.sampleResult().snapshot.queues.first { $0.settings.id == "sales" })
        let today = try #require(sales.figures.windows["today"])
        // s3 answered (40 s), c5 answered (20 s), c4 abandoned: the four callback requests are not offered.
        #expect(today.offered == 3 && today.answered == 2 && today.abandoned == 1 && today.transferredOut == 0)
        #expect(today.serviceLevel == 1.0 / 3)
        #expect(today.abandonRate == 1.0 / 3)
        #expect(today.averageSpeedOfAnswer == 30)
        #expect(today.maxWait == 60_000)
        // Handled visits: s3 120 s, c5 120 s, callback c1 300 s, callback c3 120 s.
        #expect(today.handledCount == 4)
        #expect(today.averageHandleTime == 165)
    }

    @Test func callbackFiguresMatchTheHandComputation() throws {
        let result = try Self.sampleResult()
        let sales = try #require(result.snapshot.queues.first { $0.settings.id == "sales" })
        let callbacks = try #require(sales.figures.windows["today"]).callbacks
        #expect(callbacks.requested == 4)
        #expect(callbacks.attempted == 4)  // c1 once, c2 twice, c3 once; c4's call-back is not a requested callback
        #expect(callbacks.connected == 2 && callbacks.failed == 1 && callbacks.expired == 0)
        #expect(callbacks.connectedWithinThreshold == 1)  // c1 after 510 s; c3 after 4120 s > 3600 s
        #expect(callbacks.serviceLevel == 1.0 / 3)
        #expect(callbacks.averageWait == 2315)
        #expect(callbacks.maxWait == 4_120_000)
        #expect(callbacks.failedReasons == ["no-answer": 1])
        #expect(sales.figures.callbacksPending == 1)  // c6
        #expect(result.snapshot.center.callbacksPending == 1)
        let team = try #require(result.snapshot.teams.first { $0.id == "t1" }?.figures.windows["today"]?.callbacks)
        #expect(team.connected == 2 && team.requested == 0)

        let json = result.json()
        let salesJSON = json["windows"]?["today"]?["queues"]?["sales"]
        #expect(salesJSON?["callbacks_requested"] == 4)
        #expect(salesJSON?["callback_service_level"]?.doubleValue == 1.0 / 3)
        #expect(salesJSON?["callback_wait_seconds"]?.doubleValue == 2315)
        #expect(salesJSON?["callback_max_wait_seconds"]?.doubleValue == 4120)
    }

    @Test func theAbandonedListMarksTheCalledBackContact() throws {
        let snapshot = try Self.sampleResult().snapshot
        #expect(snapshot.abandonedToday.map(\.contact) == ["c4"])
        let mark = try #require(snapshot.abandonedToday.first?.calledBack)
        #expect(mark.state == .connected && mark.agent == "a1" && mark.attempts == 1)
        let json = Snapshot.abandonedJSON(snapshot.abandonedToday[0])
        #expect(json["called_back"]?["state"] == "connected")
        #expect(json["called_back"]?["agent"] == "a1")
    }

    @Test func containmentMatchesTheHandComputation() throws {
        let result = try Self.sampleResult()
        let figures = try #require(result.snapshot.center.windows["today"]).selfService
        #expect(figures.entryPoints["ivr-main"]?.entered == 3)
        #expect(figures.entryPoints["ivr-main"]?.containmentRate == 2.0 / 3)
        #expect(figures.entryPoints["ivr-main"]?.reasons == ["balance": 2])
        #expect(figures.entryPoints["chatbot"]?.containmentRate == 0.5)
        #expect(figures.entryPoints["help-page"]?.containmentRate == 1)
        #expect(figures.total.entered == 6 && figures.total.selfServed == 4 && figures.total.reachedQueue == 2)
        #expect(figures.total.containmentRate == 2.0 / 3)
        let center = result.json()["windows"]?["today"]?["center"]
        #expect(center?["containment_rate"]?.doubleValue == 2.0 / 3)
        let ivr = center?["self_service_entry_points"]?.arrayValue?.first { $0["entry_point"] == "ivr-main" }
        #expect(ivr?["top_reasons"]?.arrayValue?.first?["reason"] == "balance")
        #expect(ivr?["top_reasons"]?.arrayValue?.first?["count"] == 2)
        // Self-service counts in the center only.
        let sales = result.snapshot.queues.first { $0.settings.id == "sales" }?.figures.windows["today"]
        #expect(sales?.selfService.entryPoints.isEmpty == true)
    }

    /// The whole state survives a checkpoint taken at the end of the day.
    @Test func aCheckpointKeepsCallbacksAndSessions() throws {
        let factory = EventFactory()
        var engine = WallboardEngine()
        var f = factory
        engine.run([
            f.make(0, .contactQueued(ContactQueued(contact: "c1", queue: "q", channel: .voice))),
            f.make(10, .contactCallbackRequested(contact: "c1")),
            f.make(20, .contactCallbackAttempted(contact: "c1")),
            f.make(30, .contactEnteredSelfService(contact: "s1", entryPoint: "ivr")),
            f.make(40, .contactQueued(ContactQueued(contact: "c2", queue: "q", channel: .voice))),
            f.make(50, .contactAbandoned(contact: "c2")),
            f.make(60, .contactCallbackAttempted(contact: "c2")),
            f.make(70, .contactEnteredSelfService(contact: "s2", entryPoint: "ivr")),
            f.make(80, .contactSelfServed(contact: "s2", reason: "balance")),
        ])
        let now = factory.at(80)
        let restored = try WallboardEngine(
            restoringFrom: EngineCheckpointTests.throughText(engine.checkpoint()), configuration: EngineConfiguration())
        #expect(restored.pendingCallbacks == engine.pendingCallbacks)
        #expect(restored.selfServiceSessions == engine.selfServiceSessions)
        #expect(restored.abandonedToday == engine.abandonedToday)
        #expect(restored.snapshot(now: now) == engine.snapshot(now: now))
        // Both go on the same way.
        var a = engine
        var b = restored
        let more = [
            f.make(90, .contactCallbackConnected(contact: "c1", agent: "a1")),
            f.make(95, .contactQueued(ContactQueued(contact: "s1", queue: "q", channel: .voice))),
        ]
        a.run(more)
        b.run(more)
        #expect(a.snapshot(now: factory.at(95)) == b.snapshot(now: factory.at(95)))
    }
}

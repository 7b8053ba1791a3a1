import AMIAdapter
import Foundation
import Testing
import WallboardCore

/// The optional IVR-context mapping (docs/asterisk.md, "Self-service (IVR) containment") on the capture rig's
/// dialplan: callers run `[inbound]` (Answer, then Queue) on the `;2` half of a Local channel.
@Suite struct AMISelfServiceTests {
    static var configuration: AMIEventMapper.Configuration {
        var configuration = Fixture.mapperConfiguration
        configuration.selfServiceContexts = ["inbound": "ivr-main"]
        return configuration
    }

    static func messages(_ scenario: String) throws -> [AMIMessage] {
        var decoder = AMIFrameDecoder()
        return try decoder.feed(Fixture.bytes(scenario, "ami")).map { try $0.get() }
    }

    /// Every caller of the capture entered the IVR context and then joined a queue: each enters self-service
    /// once, just before its `contact.queued`, none is self-served, and the engine's containment is 0.
    @Test func callersThatQueueReachedAQueue() throws {
        let result = AMIReplay.events(fromCapture: try Fixture.bytes("A_basic", "ami"), configuration: Self.configuration)
        let entered = result.events.compactMap { event -> String? in
            if case .contactEnteredSelfService(let contact, "ivr-main") = event.body { return contact }
            return nil
        }
        let queued = result.events.compactMap { event -> String? in
            if case .contactQueued(let queued) = event.body { return queued.contact }
            return nil
        }
        #expect(!queued.isEmpty)
        #expect(
            Set(entered) == Set(queued) && entered.count == queued.count,
            "the ;2 halves (the queue callers) enter once, the ;1 halves (AppDial2) never")
        #expect(!result.events.contains { $0.type == "contact.self_served" })
        var run = EngineRun(settings: result.settings)
        run.apply(result.events)
        #expect(run.rejections.isEmpty, "\(run.rejections.map { "\($0.0.id) \($0.1)" })")
        let today = try #require(run.engine.snapshot(now: result.endedAt!).center.windows["today"]).selfService
        #expect(today.entryPoints["ivr-main"]?.entered == queued.count)
        #expect(today.entryPoints["ivr-main"]?.reachedQueue == queued.count)
        #expect(today.total.containmentRate == 0)
        // Without contexts configured nothing changes.
        let plain = AMIReplay.events(fromCapture: try Fixture.bytes("A_basic", "ami"), configuration: Fixture.mapperConfiguration)
        #expect(!plain.events.contains { $0.type.contains("self") })
    }

    /// The first caller's own dialplan messages up to its `Queue()`, then a hang-up instead: self-served, with
    /// the reason its IVR set; the engine counts it contained.
    @Test func aCallerThatHangsUpInTheIVRIsSelfServed() throws {
        let all = try Self.messages("A_basic")
        let join = try #require(all.first { $0.eventName == "QueueCallerJoin" })
        let caller = try #require(join["Uniqueid"])
        let joinTime = try #require(join["Timestamp"].flatMap(Double.init))
        var ivr = all.filter {
            $0["Uniqueid"] == caller && ["Newexten", "VarSet"].contains($0.eventName ?? "")
                && ($0["Timestamp"].flatMap(Double.init) ?? .infinity) < joinTime
        }
        #expect(ivr.contains { $0.eventName == "Newexten" && $0["Context"] == "inbound" })
        let stamp = String(format: "%.6f", joinTime)
        ivr.append(
            AMIMessage(headers: [
                AMIHeader("Event", "VarSet"), AMIHeader("Timestamp", stamp), AMIHeader("Channel", join["Channel"] ?? ""),
                AMIHeader("Variable", "WALLBOARD_SELF_SERVICE_REASON"), AMIHeader("Value", "balance"),
                AMIHeader("Uniqueid", caller),
            ]))
        ivr.append(
            AMIMessage(headers: [
                AMIHeader("Event", "Hangup"), AMIHeader("Timestamp", stamp), AMIHeader("Channel", join["Channel"] ?? ""),
                AMIHeader("Uniqueid", caller), AMIHeader("Cause", "16"),
            ]))
        var mapper = AMIEventMapper(configuration: Self.configuration)
        var events: [Event] = []
        for message in ivr { events += mapper.map(message, now: Instant(milliseconds: Int64(joinTime * 1000))) }
        #expect(events.map(\.body) == [
            .contactEnteredSelfService(contact: caller, entryPoint: "ivr-main"), .contactSelfServed(contact: caller, reason: "balance"),
        ])
        var run = EngineRun(settings: [])
        run.apply(events)
        let figures = run.engine.snapshot(now: events.last!.timestamp).center.windows["today"]!.selfService
        #expect(figures.entryPoints["ivr-main"]?.reasons == ["balance": 1])
        #expect(figures.total.containmentRate == 1)
    }
}

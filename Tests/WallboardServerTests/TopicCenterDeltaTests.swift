import JSONC
import JSONModel
import Testing
import WallboardCore
@testable import WallboardServer

/// `center` as deltas (revision 3) and figures compared at their precision: what did not visibly change
/// sends nothing.
@Suite struct TopicCenterDeltaTests: TopicTestSupport {
    /// Five minutes into a half-hour interval, so the interval window holds the agents' time before it.
    let start = Instant(milliseconds: 1_795_428_300_000)

    private func login(_ agent: String, at now: Instant) -> String {
        event("l-\(agent)-\(now.milliseconds)", "agent.login", #""agent":"\#(agent)","name":"\#(agent)","queues":["sales"]"#, at: now)
    }

    @Test func centerGoesWholeOnceThenAsItsChangedFigures() throws {
        var engine = WallboardEngine(configuration: EngineConfiguration(queues: [QueueSettings(id: "sales")]))
        let before = start.advanced(by: -60_000)
        apply([login("a1", at: before), event("s1", "agent.state", #""agent":"a1","state":"available""#, at: before)], to: &engine, at: before)
        var payloads = TopicPayloads()
        var client = TopicFollower()
        let first = try #require(build(&payloads, ["center"], engine, at: start)["center"])
        #expect(first.deltaJSON == nil)
        _ = client.follow(["topic": "center", "seq": 1, "data": try JSONC.parse(first.dataJSON)])

        // 300 ms on, a second agent: the live counts go at once, the window figures (not due yet) do not.
        let soon = start.advanced(by: 300)
        apply([login("a2", at: soon), event("s2", "agent.state", #""agent":"a2","state":"available""#, at: soon)], to: &engine, at: soon)
        let update = try #require(build(&payloads, ["center"], engine, at: soon)["center"])
        let delta = try JSONC.parse(try #require(update.deltaJSON))
        #expect(delta["generated_at"] == .string(RFC3339.format(soon)))
        #expect(delta["center"]?["agents"] == ["logged_in": 2, "available": 2, "staffed": 2], "only the counts that changed")
        #expect(delta["center"]?["metrics"] == nil)
        #expect(delta["queues"] == nil && delta["windows"] == nil && delta["center"]?["name"] == nil)
        let have = client.follow(["topic": "center", "seq": 2, "base": 1, "delta": delta])
        #expect(have == (try JSONC.parse(update.dataJSON)), "the whole payload is what the client has")

        // Two seconds on: the agents' time accrued (the window figures differ as counted), but no figure
        // changed at its precision (utilization and occupancy stay 0): nothing is sent.
        #expect(build(&payloads, ["center"], engine, at: start.advanced(by: 2_000)).isEmpty)

        // A contact queued: the live values at once, and the window figures that changed since last sent.
        let later = start.advanced(by: 2_500)
        apply([event("q1", "contact.queued", #""contact":"c1","queue":"sales""#, at: later)], to: &engine, at: later)
        let queued = try #require(build(&payloads, ["center"], engine, at: later)["center"])
        let next = try JSONC.parse(try #require(queued.deltaJSON))
        #expect(next["center"]?["waiting_now"] == 1)
        #expect(next["center"]?["oldest_queued_at"] == .string(RFC3339.format(later)))
        let after = client.follow(["topic": "center", "seq": 3, "base": 2, "delta": next])
        #expect(after == (try JSONC.parse(queued.dataJSON)))
    }

    @Test func aWindowFigureThatMovedBelowItsPrecisionIsNotSent() throws {
        var engine = WallboardEngine(configuration: EngineConfiguration(queues: [QueueSettings(id: "sales")]))
        apply([login("a1", at: start), login("a2", at: start),
               event("q1", "contact.queued", #""contact":"c1","queue":"sales""#, at: start),
               event("q2", "contact.queued", #""contact":"c2","queue":"sales""#, at: start.advanced(by: 1_000))],
              to: &engine, at: start.advanced(by: 1_000))
        let firstAnswer = start.advanced(by: 10_000)
        apply([event("a1", "contact.answered", #""contact":"c1","agent":"a1""#, at: firstAnswer)], to: &engine, at: firstAnswer)
        var payloads = TopicPayloads()
        let first = try JSONC.parse(try #require(build(&payloads, ["queue:sales"], engine, at: firstAnswer)["queue:sales"]).dataJSON)
        #expect(first["queue"]?["metrics"]?["15m"]?["asa_seconds"] == .number(10))

        // The second contact waited 10.04 s: the mean wait is 10.02 s, 10.0 at its precision as before.
        let secondAnswer = start.advanced(by: 11_040)
        apply([event("a2", "contact.answered", #""contact":"c2","agent":"a2""#, at: secondAnswer)], to: &engine, at: secondAnswer)
        let update = try #require(build(&payloads, ["queue:sales"], engine, at: start.advanced(by: 12_000))["queue:sales"])
        let window = try JSONC.parse(try #require(update.deltaJSON))["queue"]?["metrics"]?["15m"]
        #expect(window?["answered"] == 2)
        #expect(window?["asa_seconds"] == nil, "10.02 s is 10.0 at its precision: unchanged")
        #expect(try JSONC.parse(update.dataJSON)["queue"]?["metrics"]?["15m"]?["asa_seconds"] == .number(10))
    }
}

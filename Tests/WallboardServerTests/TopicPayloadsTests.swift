import JSONC
import JSONModel
import Testing
import WallboardCore
@testable import WallboardServer

/// Topics built from the engine's state: only what changed, without clock-derived seconds, agent
/// lists as deltas.
@Suite struct TopicPayloadsTests: TopicTestSupport {
    let start = Instant(milliseconds: 1_795_428_000_000)

    @Test func aWaitingQueueThatDoesNotChangeSendsNothingAsTimePasses() throws {
        var engine = WallboardEngine(configuration: EngineConfiguration(queues: [QueueSettings(id: "sales")]))
        apply([event("1", "contact.queued", #""contact":"c1","queue":"sales""#, at: start)], to: &engine, at: start)
        var payloads = TopicPayloads()
        let first = build(&payloads, ["queue:sales", "center"], engine, at: start)
        let queue = try JSONC.parse(try #require(first["queue:sales"]).dataJSON)
        #expect(queue["queue"]?["waiting_now"] == 1)
        #expect(queue["queue"]?["oldest_queued_at"] == .string(RFC3339.format(start)))
        #expect(queue["queue"]?["longest_wait_seconds"] == nil)
        #expect(queue["waiting"]?.arrayValue?.first?["wait_seconds"] == nil)
        // Ten seconds on, the contact still waits: its wait grew, but nothing a topic carries changed.
        #expect(build(&payloads, ["queue:sales", "center"], engine, at: start.advanced(by: 10_000)).isEmpty)
        apply([event("2", "contact.queued", #""contact":"c2","queue":"sales""#, at: start)], to: &engine, at: start)
        #expect(build(&payloads, ["queue:sales"], engine, at: start.advanced(by: 10_100)).keys.sorted() == ["queue:sales"])
    }

    @Test func agentListsGoOutWholeOnceThenAsDeltas() throws {
        var engine = WallboardEngine(configuration: EngineConfiguration(queues: [QueueSettings(id: "sales")]))
        apply((1...3).map { event("l\($0)", "agent.login", #""agent":"a\#($0)","name":"A\#($0)","team":"t","queues":["sales"]"#, at: start) },
              to: &engine, at: start)
        var payloads = TopicPayloads()
        let first = try #require(build(&payloads, ["agents", "agents:sales", "agents:t"], engine, at: start)["agents:sales"])
        #expect(first.deltaJSON == nil)
        #expect(try JSONC.parse(first.dataJSON)["agents"]?.arrayValue?.count == 3)
        #expect(build(&payloads, ["agents", "agents:sales", "agents:t"], engine, at: start.advanced(by: 5000)).isEmpty)

        let later = start.advanced(by: 6000)
        apply([event("s1", "agent.state", #""agent":"a2","state":"not_ready","reason":"break""#, at: later),
               event("o1", "agent.logout", #""agent":"a3""#, at: later)], to: &engine, at: later)
        let updates = build(&payloads, ["agents", "agents:sales", "agents:t"], engine, at: later)
        #expect(updates.keys.sorted() == ["agents", "agents:sales", "agents:t"])
        let update = try #require(updates["agents:sales"])
        let delta = try JSONC.parse(try #require(update.deltaJSON))
        #expect(delta["agents"]?.arrayValue?.map { $0["id"] } == ["a2"])
        #expect(delta["agents"]?.arrayValue?.first?["reason"] == "break")
        #expect(delta["removed"] == ["a3"])
        #expect(try JSONC.parse(update.dataJSON)["agents"]?.arrayValue?.map { $0["id"] } == ["a1", "a2"])
    }

    @Test func onlyTheTopicsAskedForAreBuiltAndUnknownNamesAreSkipped() {
        var engine = WallboardEngine(configuration: EngineConfiguration(queues: [QueueSettings(id: "sales")]))
        apply([event("1", "contact.queued", #""contact":"c1","queue":"sales""#, at: start)], to: &engine, at: start)
        var payloads = TopicPayloads()
        #expect(build(&payloads, ["queue:sales", "queue:nope"], engine, at: start).keys.sorted() == ["queue:sales"])
        #expect(TopicPayloads.names(of: engine).contains("agents:sales"))
        #expect(!TopicPayloads.names(of: engine).contains("queue:nope"))
    }
}

extension TopicPayloadsTests {
    /// A queue's live values go at once, as a delta without the window figures; those follow at most
    /// once a second, and the whole payload always equals what a client has after the deltas.
    @Test func queueDeltasCarryLiveValuesAtOnceAndWindowsAtMostOnceASecond() throws {
        var engine = WallboardEngine(configuration: EngineConfiguration(queues: [QueueSettings(id: "sales")]))
        apply([event("1", "contact.queued", #""contact":"c1","queue":"sales""#, at: start),
               event("2", "contact.queued", #""contact":"c2","queue":"sales""#, at: start)], to: &engine, at: start)
        var payloads = TopicPayloads()
        _ = build(&payloads, ["queue:sales"], engine, at: start)
        // Ten seconds on, an abandon: live values and window figures (due) go together.
        let first = start.advanced(by: 10_000)
        apply([event("3", "contact.abandoned", #""contact":"c1""#, at: first)], to: &engine, at: first)
        let both = try #require(build(&payloads, ["queue:sales"], engine, at: first)["queue:sales"])
        #expect(try JSONC.parse(try #require(both.deltaJSON))["queue"]?["metrics"]?["15m"]?["abandoned"] == 1)
        var client = TopicDeltaPropertyTests.Client()
        try client.apply(["topic": "queue:sales", "seq": 1, "data": try JSONC.parse(both.dataJSON)])

        // Another abandon 300 ms later: the delta has the live values only.
        let soon = first.advanced(by: 300)
        apply([event("4", "contact.abandoned", #""contact":"c2""#, at: soon)], to: &engine, at: soon)
        let update = try #require(build(&payloads, ["queue:sales"], engine, at: soon)["queue:sales"])
        let delta = try JSONC.parse(try #require(update.deltaJSON))
        #expect(delta["queue"]?["waiting_now"] == 0)
        #expect(delta["queue"]?["metrics"] == nil)
        #expect(delta["waiting"] == .array([]))
        #expect(delta["queue"]?["name"] == nil, "only the values that changed")
        #expect(delta["abandoned_today"] == [["contact": "c2", "customer": .null, "segment": .null, "queue": "sales",
                                              "channel": "voice", "wait_seconds": .number(10.3), "at": .string(RFC3339.format(soon)),
                                              "called_back": .null], 0],
                "the new abandon, then the one the client has (index 0)")
        try client.apply(["topic": "queue:sales", "seq": 2, "base": 1, "delta": delta])
        let have = try #require(client.payloads["queue:sales"])
        #expect(have == (try JSONC.parse(update.dataJSON)), "the whole payload is what the client has")
        #expect(have["queue"]?["metrics"]?["15m"]?["abandoned"] == 1, "window figures not yet sent")

        // A second after the window figures were last sent, they go.
        let later = first.advanced(by: 1_100)
        let windows = try #require(build(&payloads, ["queue:sales"], engine, at: later)["queue:sales"])
        let next = try JSONC.parse(try #require(windows.deltaJSON))
        #expect(next["queue"]?["metrics"]?["15m"]?["abandoned"] == 2)
        #expect(next["queue"]?["metrics"]?["15m"]?["answered"] == nil, "of each window only the figures that changed")
        #expect(next["waiting"] == nil)
        try client.apply(["topic": "queue:sales", "seq": 3, "base": 2, "delta": next])
        #expect(client.payloads["queue:sales"] == (try JSONC.parse(windows.dataJSON)))
    }
}

import Foundation
import JSONC
import JSONModel
import LWS
import Testing
import WallboardClient
import WallboardCore
@testable import WallboardServer

/// The projected close served: in `GET /api/v1/intervals`, the REST snapshot and the `intervals:<scope>`
/// topics, changing only when an interval closes or the staffed agents change (docs/metrics.md, "Projected close").
@Suite struct ProjectionAPITests {
    typealias I = IntervalsAPITests

    private func apply(_ lines: [String], to engine: inout WallboardEngine, at now: Instant) {
        for item in EventBatchDecoder.decode(Array(lines.joined(separator: "\n").utf8)).events {
            _ = engine.apply(item.event, now: now)
        }
        engine.expire(now: now)
    }

    private func build(_ payloads: inout TopicPayloads, _ engine: WallboardEngine, at now: Instant) throws -> JSONValue? {
        let topic = "intervals:queue:sales"
        let update = payloads.build(
            [topic], fresh: [], engine: engine, snapshot: engine.snapshot(now: now), now: now,
            context: .init(centerName: "test", sources: [], warningLevels: [:])
        ).first { $0.topic == topic }?.update
        guard let update else { return nil }
        return try JSONC.parse(update.deltaJSON ?? update.dataJSON)
    }

    @Test func topicSendsTheProjectionOnlyWhenItMoves() throws {
        var configuration = EngineConfiguration(queues: [QueueSettings(id: "sales", threshold: .seconds(20))])
        configuration.projectionClose = .minutes(12 * 60)
        var engine = WallboardEngine(configuration: configuration)
        apply([
            I.line("l1", "agent.login", #""agent":"a1","name":"A","queues":["sales"]"#, 0),
            I.line("l2", "agent.login", #""agent":"a2","name":"B","queues":["sales"]"#, 0),
            I.line("q1", "contact.queued", #""contact":"c1","queue":"sales""#, 60),
            I.line("a1", "contact.answered", #""contact":"c1","agent":"a1""#, 70),
            I.line("e1", "contact.ended", #""contact":"c1""#, 250),
            I.line("w1", "contact.wrapup_done", #""contact":"c1","agent":"a1""#, 260),
        ], to: &engine, at: I.at(260))
        var payloads = TopicPayloads()
        let first = try #require(try build(&payloads, engine, at: I.at(260)))
        #expect(first["projection"]?["reason"] == "no_contacts", "nothing closed yet: no rate, nothing expected")
        engine.expire(now: I.at(1801))
        let closing = try #require(try build(&payloads, engine, at: I.at(1801)))
        let projection = try #require(closing["projection"])
        #expect(projection["pattern"] == "today_rate")
        #expect(projection["agents"] == 2)
        #expect(projection["aht_seconds"] == 190)
        #expect(projection["close"] == "2026-12-01T12:00:00.000Z")
        // 1 contact in 08:00–08:30: 1 per 1,800 s for the 3.5 hours left.
        #expect(projection["expected_offered"] == 7)
        // A contact leaving mid-interval moves the interval, not the projection.
        apply([I.line("q2", "contact.queued", #""contact":"c2","queue":"sales""#, 1810),
               I.line("b2", "contact.abandoned", #""contact":"c2""#, 1850)], to: &engine, at: I.at(1850))
        let leave = try #require(try build(&payloads, engine, at: I.at(1850)))
        #expect(leave["intervals"] != nil && leave["projection"] == nil)
        // An agent going not ready moves it.
        apply([I.line("n2", "agent.state", #""agent":"a2","state":"not_ready","reason":"break""#, 1860)], to: &engine, at: I.at(1860))
        let staffing = try #require(try build(&payloads, engine, at: I.at(1860)))
        #expect(staffing["projection"]?["agents"] == 1)
    }

    @Test func liveAPIAndRestSnapshotAgree() throws {
        let clock = AMITestClock(I.at(0))
        var engine = EngineConfiguration(queues: [QueueSettings(id: "sales", threshold: .seconds(20))])
        engine.projectionClose = .minutes(10 * 60)
        var options = DaemonOptions(host: "127.0.0.1", port: 0, webRoot: TestDaemon.webRoot, simulator: false, engine: engine)
        options.centerName = "test"
        let daemon = try TestDaemon(options: options, clock: clock)
        defer { daemon.stop() }
        let events = [
            I.line("l1", "agent.login", #""agent":"a1","name":"A","queues":["sales"]"#, 1),
            I.line("q1", "contact.queued", #""contact":"c1","queue":"sales""#, 60),
            I.line("a1", "contact.answered", #""contact":"c1","agent":"a1""#, 75),
            I.line("e1", "contact.ended", #""contact":"c1""#, 255),
            I.line("w1", "contact.wrapup_done", #""contact":"c1","agent":"a1""#, 275),
            I.line("q2", "contact.queued", #""contact":"c2","queue":"sales""#, 300),
            I.line("b2", "contact.abandoned", #""contact":"c2""#, 390),
        ]
        clock.set(I.at(400))
        #expect(try daemon.post("/api/v1/events", body: events.joined(separator: "\n")).status == 200)
        clock.set(I.at(1805))
        // A board subscribing makes the engine publish at 08:30:05, closing 08:00–08:30: its topic then
        // carries the projection the REST reads give too.
        let board = try daemon.connect(subscribe: ["intervals:queue:sales"])
        defer { board.close() }
        var published: JSONValue?
        for _ in 0..<20 where published == nil {
            let message = try board.next(type: "topic")
            let candidate = (message["data"] ?? message["delta"])?["projection"]
            if candidate?["aht_seconds"] == 200 { published = candidate }
        }
        let body = try JSONC.parse(try daemon.get("/api/v1/intervals?scope=queue:sales").text)
        let projection = try #require(body["projection"])
        // Today so far: 1 answered of 2 offered (15 s: within 20 s), 1 abandoned after 90 s; AHT 200 s; 1 agent.
        // Rest of the day to 10:00 at today's rate (2 per 1,800 s): 6 contacts, A = 2/1800·200 = 0.222 E on
        // 1 agent: SL = 1 − A·e^(−(1−A)·20/200) = 0.79441; late contacts abandon at today's 1 in 1.
        #expect(projection["pattern"] == "today_rate")
        #expect(projection["expected_offered"] == 6)
        // (1 + 6·0.79441) / 8 and (1 + 6·0.20559) / 8.
        #expect(projection["service_level"] == .number(0.721))
        #expect(projection["abandon_rate"] == .number(0.279))
        #expect(published == projection)
        let snapshot = try JSONC.parse(try daemon.get("/api/v1/snapshot").text)
        #expect(snapshot["queues"]?.arrayValue?.first?["projected_close"] == projection)
        #expect(snapshot["center"]?["projected_close"] == projection)

        // The same weekday last week, set through the service (what the journal replay hands over): it wins
        // over today's rate from the next read on (the engine queue runs the setter first).
        daemon.daemon.engine.setIntervalPattern(
            IntervalPattern(
                source: .lastWeek, day: "2026-11-24", appliesTo: "2026-12-01", offered: [510: 4, 540: 5, 570: 6, 600: 9],
                intervalLength: .minutes(30)),
            for: .queue("sales"))
        let set = try #require(try JSONC.parse(try daemon.get("/api/v1/intervals?scope=queue:sales").text)["projection"])
        #expect(set["pattern"] == "last_week")
        #expect(set["pattern_day"] == "2026-11-24")
        #expect(set["expected_offered"] == 15, "08:30–10:00: 4 + 5 + 6")
        #expect(try JSONC.parse(try daemon.get("/api/v1/intervals").text)["projection"]?["pattern"] == "today_rate", "the center has none")
    }
}

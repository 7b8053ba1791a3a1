import Foundation
import JSONC
import JSONModel
import LWS
import Testing
import WallboardClient
import WallboardCore
@testable import WallboardServer

/// The interval history served: the `intervals:<scope>` topics, `GET /api/v1/intervals` (JSON, CSV,
/// bad queries) and who may see which scope.
@Suite struct IntervalsAPITests {
    /// 2026-12-01T08:00:00Z.
    static let eight = RFC3339.parse("2026-12-01T08:00:00Z")!

    static func at(_ seconds: Int64) -> Instant { eight.advanced(by: seconds * 1000) }

    static func line(_ id: String, _ type: String, _ fields: String, _ seconds: Int64) -> String {
        #"{"id":"\#(id)","ts":"\#(RFC3339.format(at(seconds)))","type":"\#(type)",\#(fields)}"#
    }

    private func apply(_ lines: [String], to engine: inout WallboardEngine, at now: Instant) {
        for item in EventBatchDecoder.decode(Array(lines.joined(separator: "\n").utf8)).events {
            _ = engine.apply(item.event, now: now)
        }
    }

    private func build(_ payloads: inout TopicPayloads, _ engine: WallboardEngine, at now: Instant, fresh: Bool = false)
        -> TopicHub.Update?
    {
        let topic = "intervals:queue:sales"
        return payloads.build(
            [topic], fresh: fresh ? [topic] : [], engine: engine, snapshot: engine.snapshot(now: now), now: now,
            context: .init(centerName: "test", sources: [], warningLevels: [:])
        ).first { $0.topic == topic }?.update
    }

    @Test func topicSendsTheWholeListOnceThenOnlyWhatChanged() throws {
        var engine = WallboardEngine(configuration: EngineConfiguration(queues: [QueueSettings(id: "sales")]))
        engine.expire(now: Self.at(0))
        apply([
            Self.line("l1", "agent.login", #""agent":"a1","name":"A","queues":["sales"]"#, 0),
            Self.line("q1", "contact.queued", #""contact":"c1","queue":"sales""#, 60),
            Self.line("a1", "contact.answered", #""contact":"c1","agent":"a1""#, 70),
        ], to: &engine, at: Self.at(70))
        engine.expire(now: Self.at(70))
        #expect(TopicPayloads.names(of: engine).isSuperset(of: ["intervals:center", "intervals:queue:sales"]))
        var payloads = TopicPayloads()
        let first = try #require(build(&payloads, engine, at: Self.at(70)))
        #expect(first.deltaJSON == nil)
        let whole = try JSONC.parse(first.dataJSON)
        #expect(whole["scope"] == "queue:sales")
        #expect(whole["day"] == "2026-12-01")
        #expect(whole["interval_minutes"] == 30)
        #expect(whole["target"]?["threshold_seconds"] == 30)
        let intervals = try #require(whole["intervals"]?.arrayValue)
        #expect(intervals.count == 1)
        #expect(intervals[0]["complete"] == false)
        #expect(intervals[0]["answered"] == 1)
        #expect(intervals[0]["asa_seconds"] == 10)
        #expect(intervals[0]["staffed"] == 1)
        // Nothing changed: nothing sent, however much time passes inside the interval.
        #expect(build(&payloads, engine, at: Self.at(400)) == nil)

        // The interval closes and a new one starts: a delta with the closed one and the new one.
        engine.expire(now: Self.at(1801))
        let closing = try #require(build(&payloads, engine, at: Self.at(1801)))
        let delta = try JSONC.parse(try #require(closing.deltaJSON))
        let changed = try #require(delta["intervals"]?.arrayValue)
        #expect(changed.map { $0["start"] } == [.string("2026-12-01T08:00:00.000Z"), .string("2026-12-01T08:30:00.000Z")])
        #expect(changed[0]["complete"] == true)
        #expect(changed[0]["answered"] == 1)
        #expect(try JSONC.parse(closing.dataJSON)["intervals"]?.arrayValue?.count == 2)

        // A contact leaves in the current interval: only that interval goes.
        apply([Self.line("q2", "contact.queued", #""contact":"c2","queue":"sales""#, 1810),
               Self.line("b2", "contact.abandoned", #""contact":"c2""#, 1850)], to: &engine, at: Self.at(1850))
        engine.expire(now: Self.at(1850))
        let abandon = try #require(build(&payloads, engine, at: Self.at(1850)))
        let onlyCurrent = try JSONC.parse(try #require(abandon.deltaJSON))["intervals"]?.arrayValue ?? []
        #expect(onlyCurrent.count == 1)
        #expect(onlyCurrent.first?["abandoned"] == 1)
        #expect(onlyCurrent.first?["abandon_rate"] == 1)

        // A subscriber that asks again gets the whole list.
        let again = try #require(build(&payloads, engine, at: Self.at(1851), fresh: true))
        #expect(again.deltaJSON == nil)
    }

    @Test func scopedTokensSeeTheirQueuesIntervalsOnly() {
        let scoped = AccessPrincipal(name: "lyon", role: .viewer, scope: AccessScope(queues: ["sales"]))
        #expect(scoped.maySubscribe("intervals:queue:sales"))
        #expect(!scoped.maySubscribe("intervals:queue:support"))
        #expect(!scoped.maySubscribe("intervals:center"))
        #expect(AccessPrincipal(name: "all", role: .viewer).maySubscribe("intervals:center"))
        #expect(!AccessPrincipal(name: "feed", role: .ingest).maySubscribe("intervals:queue:sales"))
        #expect(AccessPermission.required(method: .get, path: "/api/v1/intervals") == .board)
        let payload: JSONValue = ["scope": "queue:sales", "intervals": .array([])]
        #expect(scoped.view(topic: "intervals:queue:sales", payload, snapshot: { nil }) == payload)
    }

    @Test func queriesAreCheckedWithClearMessages() throws {
        func query(_ text: String, accept: String? = nil) -> Result<WallboardAPI.IntervalsQuery, WallboardAPI.IntervalsQueryError> {
            let pairs = text.split(separator: "&").map { pair -> (name: String, value: String) in
                let parts = pair.split(separator: "=", maxSplits: 1)
                return (String(parts[0]), parts.count > 1 ? String(parts[1]) : "")
            }
            var headers: [String: String] = [:]
            if let accept { headers["accept"] = accept }
            return WallboardAPI.IntervalsQuery.parse(HTTPRequest(method: .get, path: "/api/v1/intervals", query: pairs, headers: headers))
        }
        #expect(try query("scope=queue:sales&day=2026-11-30", accept: "text/csv").get()
            == .init(scope: .queue("sales"), day: .date("2026-11-30"), csv: true))
        #expect(try query("").get() == .init(scope: .center, day: .today, csv: false))
        for (text, message) in [
            ("scope=team:t1", "scope=team:t1 is not center or queue:<id> (e.g. scope=queue:sales)"),
            ("scope=queue:", "scope=queue: is not center or queue:<id> (e.g. scope=queue:sales)"),
            ("day=tomorrow", "day=tomorrow is not today, yesterday or a date YYYY-MM-DD (e.g. day=2026-12-01)"),
            ("day=2026-02-30", "day=2026-02-30 is not today, yesterday or a date YYYY-MM-DD (e.g. day=2026-12-01)"),
            ("days=today", "unknown parameter \"days\": use scope= and day="),
        ] {
            #expect(throws: WallboardAPI.IntervalsQueryError(message)) { try query(text).get() }
        }
    }

    /// A live daemon on a clock the test moves: the API's JSON and CSV, and its errors.
    @Test func liveEndpointServesJSONAndCSV() throws {
        let clock = AMITestClock(Self.at(0))
        var options = DaemonOptions(
            host: "127.0.0.1", port: 0, webRoot: TestDaemon.webRoot, simulator: false,
            engine: EngineConfiguration(queues: [QueueSettings(id: "sales", threshold: .seconds(20))]))
        options.centerName = "test"
        let daemon = try TestDaemon(options: options, clock: clock)
        defer { daemon.stop() }
        let events = [
            Self.line("l1", "agent.login", #""agent":"a1","name":"A","queues":["sales"]"#, 1),
            Self.line("q1", "contact.queued", #""contact":"c1","queue":"sales""#, 60),
            Self.line("a1", "contact.answered", #""contact":"c1","agent":"a1""#, 75),
            Self.line("q2", "contact.queued", #""contact":"c2","queue":"sales""#, 100),
            Self.line("b2", "contact.abandoned", #""contact":"c2""#, 190),
        ]
        clock.set(Self.at(200))
        #expect(try daemon.post("/api/v1/events", body: events.joined(separator: "\n")).status == 200)
        clock.set(Self.at(1805))
        // At once, whether or not the engine ticked since 08:30: the answer closes 08:00–08:30 itself.
        let response = try daemon.get("/api/v1/intervals?scope=queue:sales&day=today")
        #expect(response.status == 200)
        let body = try JSONC.parse(response.text)
        let intervals = try #require(body["intervals"]?.arrayValue)
        #expect(intervals.count == 2)
        #expect(body["time_zone"] == "UTC")
        #expect(body["target"]?["threshold_seconds"] == 20)
        #expect(intervals[0]["start"] == "2026-12-01T08:00:00.000Z")
        #expect(intervals[0]["complete"] == true)
        #expect(intervals[0]["offered"] == 2)
        #expect(intervals[0]["answered_within"] == 1)
        #expect(intervals[0]["service_level"] == .number(0.5))
        #expect(intervals[0]["max_wait_seconds"] == 90)
        #expect(intervals[0]["aht_seconds"] == .null)
        #expect(intervals[0]["staffed"] == 1)
        #expect(intervals[1]["complete"] == false)

        let csv = try daemon.get("/api/v1/intervals?scope=queue:sales", headers: ["Accept": "text/csv"])
        #expect(csv.status == 200)
        #expect(csv.headers["content-type"]?.hasPrefix("text/csv") == true)
        let rows = csv.text.split(separator: "\r\n")
        #expect(rows.count == 3)
        #expect(rows.dropFirst().first == "queue:sales,2026-12-01,2026-12-01T08:00:00.000Z,2026-12-01T08:30:00.000Z,true,2,1,1,0,1,0.5,0.5,15,,90,1")

        let center = try JSONC.parse(try daemon.get("/api/v1/intervals").text)
        #expect(center["scope"] == "center")
        #expect(center["intervals"]?.arrayValue?.first?["offered"] == 2)

        for (path, status, message) in [
            ("/api/v1/intervals?scope=sales", 400, "scope=sales is not center or queue:<id> (e.g. scope=queue:sales)"),
            ("/api/v1/intervals?scope=queue:nope", 404, "no such queue: nope"),
            ("/api/v1/intervals?day=2026-12-02", 404, "day 2026-12-02 has not begun"),
            ("/api/v1/intervals?day=yesterday", 404,
             "no intervals of 2026-11-30: the daemon keeps today's and yesterday's, older days need a journal (state_dir)"),
        ] {
            let response = try daemon.get(path)
            #expect(response.status == status, "\(path)")
            #expect(try JSONC.parse(response.text)["error"] == .string(message), "\(path): \(response.text)")
        }
        let post = try daemon.post("/api/v1/intervals", body: "{}", contentType: "application/json")
        #expect(post.status == 405)
    }
}

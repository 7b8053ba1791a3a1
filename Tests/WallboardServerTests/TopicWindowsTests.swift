import JSONC
import JSONModel
import Testing
import WallboardCore
@testable import WallboardServer

/// Window-limited topics (`queue:sales@primary`, `center@primary,today`; docs/protocol.md, "Window-limited
/// topics"): the names, what such a topic carries, and that its deltas follow.
@Suite struct TopicWindowsTests: TopicTestSupport {
    /// Five minutes into a half-hour interval.
    let start = Instant(milliseconds: 1_795_428_300_000)
    let configured = ["5m", "15m", "30m", "60m", "interval", "today"]

    private func refusal(_ topic: String) -> String? {
        guard case .failure(let refusal) = TopicWindows.parse(topic, configured: configured) else { return nil }
        return refusal.message
    }

    // MARK: - Names

    @Test func aNameIsItsBaseAndTheWindowsAfterItsLastAt() throws {
        let center = try TopicWindows.parse("center@primary,today", configured: configured).get()
        #expect(center.base == "center" && center.names == ["primary", "today"])
        let queue = try TopicWindows.parse("queue:a@b@15m", configured: configured).get()
        #expect(queue.base == "queue:a@b", "a queue id may hold \"@\"; a window name never does")
        #expect(queue.names == ["15m"])
        #expect(try TopicWindows.parse("groups@5m,60m", configured: configured).get().base == "groups")
        #expect(try TopicWindows.parse("team:t1@interval", configured: configured).get().base == "team:t1")
        #expect(TopicWindows("center") == nil)
        #expect(TopicWindows("center@nonsense")?.base == "center", "syntax only: the windows are checked at subscribe")
    }

    @Test func badNamesAreRefusedWithWhatIsWrong() {
        #expect(refusal("center@")?.contains("no window after \"@\"") == true)
        #expect(refusal("center@15m,,today")?.contains("empty window name") == true)
        #expect(refusal("center@15m,")?.contains("empty window name") == true)
        #expect(refusal("center@15m,15m")?.contains("\"15m\" named twice") == true)
        #expect(refusal("center@primary,primary")?.contains("\"primary\" named twice") == true)
        let unknown = refusal("queue:sales@15m,5h")
        #expect(unknown?.contains("no window \"5h\"") == true)
        #expect(unknown?.contains("5m, 15m, 30m, 60m, interval, today, primary") == true, "the message lists what there is")
        #expect(refusal("center@Today")?.contains("no window \"Today\"") == true, "names are exact")
        #expect(refusal("agents@15m")?.contains("agents has no window figures") == true)
        #expect(refusal("intervals:queue:sales@today")?.contains("has no window figures") == true)
        #expect(refusal("center@" + Array(repeating: "15m", count: 17).joined(separator: ","))?.contains("17 windows; at most 16") == true)
        let long = refusal("center@" + String(repeating: "x", count: 10_000))
        #expect(long?.contains("10000 bytes; at most 256") == true)
        #expect((long?.utf8.count ?? .max) < 200, "the message does not repeat an absurd name")
        #expect(refusal("center@primary") == nil && refusal("queue:sales@today,interval,5m") == nil)
    }

    @Test func primaryStandsForThePrimaryWindowAndWindowsKeepTheSnapshotsOrder() throws {
        let cut = try TopicWindows.parse("center@today,primary,15m", configured: configured).get()
        #expect(cut.windows(primaryWindow: "15m", available: configured) == ["15m", "today"], "once each, in the snapshot's order")
        #expect(cut.windows(primaryWindow: "30m", available: configured) == ["15m", "30m", "today"])
        #expect(cut.windows(primaryWindow: "15m", available: ["30m", "interval", "today"]) == ["today"], "a window a reload removed is left out")
    }

    // MARK: - Payloads

    private func engine(groups: Bool = false) -> WallboardEngine {
        var configuration = EngineConfiguration(queues: [QueueSettings(id: "sales"), QueueSettings(id: "chat")])
        if groups { configuration.queueGroups = [QueueGroup(id: "north", name: "North", queues: ["sales", "chat"])] }
        var engine = WallboardEngine(configuration: configuration)
        let before = start.advanced(by: -120_000)
        apply([
            event("l1", "agent.login", #""agent":"a1","name":"Ann","queues":["sales"]"#, at: before),
            event("s1", "agent.state", #""agent":"a1","state":"available""#, at: before),
            event("q1", "contact.queued", #""contact":"c1","queue":"sales","customer":{"id":"+15550100"}"#, at: before),
            event("a1", "contact.answered", #""contact":"c1","agent":"a1""#, at: before.advanced(by: 12_000)),
            event("q2", "contact.queued", #""contact":"c2","queue":"sales","customer":{"id":"+15550101"}"#, at: start),
        ], to: &engine, at: start)
        return engine
    }

    private func metricsWindows(_ scope: JSONValue?) -> [String] {
        scope?["metrics"]?.objectValue?.members.map(\.key) ?? []
    }

    @Test func aLimitedTopicCarriesOnlyItsWindowsAndTheSameFiguresAsTheWholeTopic() throws {
        let engine = engine(groups: true)
        var payloads = TopicPayloads()
        let topics: Set<String> = ["queue:sales", "queue:sales@primary", "center", "center@primary,today"]
        let built = build(&payloads, topics, engine, at: start)
        let whole = try JSONC.parse(try #require(built["queue:sales"]).dataJSON)
        let limited = try JSONC.parse(try #require(built["queue:sales@primary"]).dataJSON)
        #expect(metricsWindows(whole["queue"]) == configured)
        #expect(metricsWindows(limited["queue"]) == ["15m"])
        #expect(limited["queue"]?["metrics"]?["15m"] == whole["queue"]?["metrics"]?["15m"])
        #expect(limited["queue"]?["metrics"]?["15m"]?["answered"] == 1)
        // Everything but the other windows is the same: live values, settings, lists.
        var rest = whole.objectValue ?? [:]
        if var queue = rest["queue"]?.objectValue {
            queue["metrics"] = limited["queue"]?["metrics"]
            rest["queue"] = .object(queue)
        }
        #expect(JSONValue.object(rest) == limited)
        #expect((try #require(built["queue:sales@primary"]).dataJSON.utf8.count) * 3 < (try #require(built["queue:sales"])).dataJSON.utf8.count)

        let center = try JSONC.parse(try #require(built["center@primary,today"]).dataJSON)
        #expect(center["windows"] == ["15m", "today"], "`windows` lists the windows the payload carries")
        #expect(center["primary_window"] == "15m")
        #expect(metricsWindows(center["center"]) == ["15m", "today"])
        #expect(metricsWindows(center["queue_groups"]?[0]) == ["15m", "today"], "queue groups too")
        let wholeCenter = try JSONC.parse(try #require(built["center"]).dataJSON)
        #expect(center["center"]?["metrics"]?["today"] == wholeCenter["center"]?["metrics"]?["today"])
        #expect(center["queue_groups"]?[0]?["metrics"]?["15m"] == wholeCenter["queue_groups"]?[0]?["metrics"]?["15m"])
        #expect(center["queues"] == wholeCenter["queues"])
    }

    @Test func teamsAndGroupsMayBeLimitedToo() throws {
        var engine = engine()
        apply([event("l2", "agent.login", #""agent":"a2","name":"Bo","team":"t1","queues":["chat"]"#, at: start)], to: &engine, at: start)
        var payloads = TopicPayloads()
        let built = build(&payloads, ["team:t1@today", "groups@primary"], engine, at: start)
        let team = try JSONC.parse(try #require(built["team:t1@today"]).dataJSON)
        #expect(metricsWindows(team["team"]) == ["today"])
        let groups = try JSONC.parse(try #require(built["groups@primary"]).dataJSON)
        let channels = try #require(groups["channels"]?.arrayValue)
        #expect(!channels.isEmpty)
        #expect(channels.allSatisfy { metricsWindows($0) == ["15m"] })
    }

    @Test func aLimitedTopicOfAnUnknownBaseIsNotBuilt() {
        var payloads = TopicPayloads()
        #expect(build(&payloads, ["queue:nope@primary", "agents@15m"], engine(), at: start).isEmpty)
    }

    /// A client following the limited topics through live changes and window figures that move: after
    /// every update it has exactly the whole payload, which never carries another window.
    @Test func deltasOfALimitedTopicFollow() throws {
        var engine = engine(groups: true)
        var payloads = TopicPayloads()
        var client = TopicFollower()
        let topics: Set<String> = ["queue:sales@primary", "center@primary,today"]
        var sequences: [String: Int64] = [:]
        var deltas = 0
        func step(_ now: Instant) throws {
            for (topic, update) in build(&payloads, topics, engine, at: now) {
                let sequence = (sequences[topic] ?? 0) + 1
                sequences[topic] = sequence
                let message: JSONValue
                if let deltaJSON = update.deltaJSON {
                    deltas += 1
                    let delta = try JSONC.parse(deltaJSON)
                    for window in metricsWindows(delta["queue"] ?? delta["center"]) { #expect(["15m", "today"].contains(window)) }
                    message = ["topic": .string(topic), "seq": .int(sequence), "base": .int(sequence - 1), "delta": delta]
                } else {
                    message = ["topic": .string(topic), "seq": .int(sequence), "data": try JSONC.parse(update.dataJSON)]
                }
                let followed = client.follow(message)
                let have = try #require(followed, "\(topic) \(sequence) did not follow")
                #expect(have == (try JSONC.parse(update.dataJSON)), "\(topic) \(sequence): the client's copy is the whole payload")
            }
        }
        try step(start)
        let first = client.payloads["queue:sales@primary"]
        var now = start
        for index in 0..<12 {
            now = now.advanced(by: 700)
            let lines: [String]
            switch index % 4 {
            case 0: lines = [event("q\(index)", "contact.queued", #""contact":"k\#(index)","queue":"sales""#, at: now)]
            case 1: lines = [event("s\(index)", "agent.state", #""agent":"a1","state":"not_ready","reason":"break""#, at: now)]
            case 2: lines = [event("s\(index)", "agent.state", #""agent":"a1","state":"available""#, at: now)]
            default: lines = [event("b\(index)", "contact.abandoned", #""contact":"k\#(index - 3)""#, at: now)]
            }
            apply(lines, to: &engine, at: now)
            try step(now)
        }
        // A second on, the window figures held back (at most one send a second) went too.
        now = now.advanced(by: 1_000)
        try step(now)
        #expect(deltas >= 8, "the limited topics went as deltas after their first payload")
        let queue = try #require(client.payloads["queue:sales@primary"])
        #expect(metricsWindows(queue["queue"]) == ["15m"])
        var fresh = TopicPayloads()
        let whole = try JSONC.parse(try #require(build(&fresh, ["queue:sales"], engine, at: now)["queue:sales"]).dataJSON)
        #expect(queue["queue"]?["metrics"]?["15m"] == whole["queue"]?["metrics"]?["15m"], "the client has the figures of now")
        #expect(queue["queue"]?["metrics"]?["15m"] != first?["queue"]?["metrics"]?["15m"], "the figures moved on the way")
        #expect(metricsWindows(client.payloads["center@primary,today"]?["center"]) == ["15m", "today"])
    }
}

import JSONC
import JSONModel
import Testing
import WallboardCore
@testable import WallboardServer

/// Queue groups reach boards in the `center` topic (and `GET /api/v1/snapshot`), and a scoped token sees
/// only the groups whose every queue it may see.
@Suite struct QueueGroupTopicTests {
    let start = Instant(milliseconds: 1_795_428_000_000)

    private func engine() -> WallboardEngine {
        var configuration = EngineConfiguration(queues: [QueueSettings(id: "sales"), QueueSettings(id: "support"), QueueSettings(id: "chat")])
        configuration.queueGroups = [QueueGroup(id: "north", name: "North", queues: ["sales", "support"])]
        var engine = WallboardEngine(configuration: configuration)
        let lines = [
            #"{"id":"1","ts":"\#(RFC3339.format(start))","type":"contact.queued","contact":"c1","queue":"sales"}"#,
            #"{"id":"2","ts":"\#(RFC3339.format(start))","type":"contact.queued","contact":"c2","queue":"support"}"#,
            #"{"id":"3","ts":"\#(RFC3339.format(start))","type":"contact.queued","contact":"c3","queue":"chat"}"#,
        ]
        for item in EventBatchDecoder.decode(Array(lines.joined(separator: "\n").utf8)).events {
            _ = engine.apply(item.event, now: start)
        }
        return engine
    }

    @Test func theCenterTopicCarriesEachGroupsRollUp() throws {
        var payloads = TopicPayloads()
        let engine = engine()
        let updates = payloads.build(
            ["center"], fresh: [], engine: engine, snapshot: engine.snapshot(now: start), now: start,
            context: .init(centerName: "test", sources: [], warningLevels: [:]))
        let center = try JSONC.parse(try #require(updates.first { $0.topic == "center" }).update.dataJSON)
        let group = try #require(center["queue_groups"]?.arrayValue?.first)
        #expect(group["id"] == "north")
        #expect(group["queues"] == ["sales", "support"])
        #expect(group["waiting_now"] == 2)
        #expect(group["oldest_queued_at"] == .string(RFC3339.format(start)))
        #expect(group["longest_wait_seconds"] == nil)  // topics carry instants, not clock-derived seconds
        #expect(center["center"]?["waiting_now"] == 3)
    }

    @Test func aScopedTokenSeesOnlyGroupsWithinItsQueues() throws {
        let snapshot = engine().snapshot(now: start).json()
        #expect(AccessScope(queues: ["sales", "support"]).filter(snapshot: snapshot)["queue_groups"]?.arrayValue?.count == 1)
        #expect(AccessScope(queues: ["sales"]).filter(snapshot: snapshot)["queue_groups"]?.arrayValue?.isEmpty == true)
        #expect(AccessScope.all.filter(snapshot: snapshot)["queue_groups"]?.arrayValue?.count == 1)
    }
}

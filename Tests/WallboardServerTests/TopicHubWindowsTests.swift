import JSONC
import JSONModel
import LWS
import Testing
@testable import WallboardServer

/// Window-limited names in the hub: what a subscribe takes, refuses and keeps, per view.
@Suite struct TopicHubWindowsTests {
    private static let windows = ["5m", "15m", "30m", "60m", "interval", "today"]
    private static let masked = TopicHub.Viewer(
        key: "masked", view: { Redaction.maskCustomerData($0) }, maySubscribe: { _ in true }, shapesDeltas: true)
    /// A viewer scoped to queue `sales` (as AccessScope allows topics by name).
    private static let site = TopicHub.Viewer(
        key: "site", view: { $0 }, maySubscribe: { AccessScope(queues: ["sales"]).allows(topic: $0) })

    /// A hub that knows queues `sales` and `chat`: connections 1...9 see everything, 10... are masked
    /// viewers, 20... scoped to `sales`.
    private func hub() -> (TopicHub, TopicHubBundleTests.Sent) {
        let sent = TopicHubBundleTests.Sent()
        let hub = TopicHub { frame, targets in sent.frames.withLock { $0.append((frame, targets)) } }
        hub.setViewerResolver { $0.rawValue >= 20 ? Self.site : $0.rawValue >= 10 ? Self.masked : .everything }
        hub.setOnDemandTopics(["center", "queue:sales", "queue:chat", "agents", "queue:a@b"], windows: Self.windows, sources: [])
        return (hub, sent)
    }

    private func json(_ frame: OutboundFrame) throws -> JSONValue { try JSONC.parse(String(decoding: frame.payload.bytes, as: UTF8.self)) }
    private func id(_ raw: UInt64) -> ConnectionID { ConnectionID(rawValue: raw) }

    @Test func aLimitedNameIsAnOnDemandTopicOfItsOwn() throws {
        let (hub, sent) = hub()
        let result = hub.subscribe(id(1), to: ["queue:sales@primary", "center@primary,today", "queue:a@b"], bundles: true)
        #expect(result.unknown.isEmpty && result.forbidden.isEmpty && result.refused.isEmpty)
        let demand = hub.takeDemand()
        #expect(demand.wanted == ["queue:sales@primary", "center@primary,today", "queue:a@b"])
        #expect(demand.fresh == demand.wanted)
        #expect(hub.isWindowLimited("queue:sales@primary") && hub.isWindowLimited("center@bogus"))
        #expect(!hub.isWindowLimited("queue:a@b"), "a queue whose id holds \"@\" is that queue's topic")
        #expect(!hub.isWindowLimited("agents:x@15m"), "no topic to limit")
        hub.cycle { hub.publish("queue:sales@primary", update: .init(dataJSON: #"{"queue":{"metrics":{"15m":{}}}}"#)) }
        let bundle = try json(try #require(sent.to(1).last))
        #expect(bundle["messages"]?[0]?["topic"] == "queue:sales@primary")
        #expect(hub.isMaintained("queue:sales@primary"))
    }

    @Test func badNamesAreRefusedAndTheRestOfTheSubscribeIsTaken() throws {
        let (hub, sent) = hub()
        let result = hub.subscribe(
            id(1), to: ["center", "queue:sales@15m,5h", "queue:sales@", "queue:sales@15m,15m", "agents@15m", "queue:nope@15m"])
        #expect(result.unknown == ["queue:nope@15m"])
        #expect(result.refused.map(\.topic) == ["queue:sales@15m,5h", "queue:sales@", "queue:sales@15m,15m", "agents@15m"])
        #expect(result.refused.allSatisfy { $0.code == "bad_windows" })
        #expect(result.refused[0].message.contains("no window \"5h\""))
        #expect(hub.subscriberCount("center") == 1, "the good topic of the same subscribe is taken")
        #expect(hub.subscriberCount("queue:sales@15m,5h") == 0)
        #expect(sent.all.isEmpty, "no frame for a refused name")
        #expect(hub.takeDemand().wanted == ["center"], "nothing is built for a refused name")
    }

    @Test func aLimitedNameIsAllowedAsItsBaseIs() {
        let (hub, _) = hub()
        let result = hub.subscribe(id(20), to: ["queue:sales@primary", "queue:chat@primary", "center@primary", "queue:chat@bogus"])
        #expect(result.forbidden == ["queue:chat@primary", "queue:chat@bogus"], "the scope decides before the list is read")
        #expect(result.refused.isEmpty)
        #expect(hub.subscriberCount("queue:sales@primary") == 1 && hub.subscriberCount("center@primary") == 1)
    }

    @Test func aMaskedViewGetsALimitedTopicMasked() throws {
        let (hub, sent) = hub()
        _ = hub.subscribe(id(1), to: ["queue:sales@primary"], bundles: true)
        _ = hub.subscribe(id(10), to: ["queue:sales@primary"], bundles: true)
        _ = hub.takeDemand()
        hub.cycle {
            hub.publish("queue:sales@primary", update: .init(dataJSON: #"{"waiting":[{"contact":"c1","customer":"+15550100"}]}"#))
        }
        let full = try json(try #require(sent.to(1).last))
        let masked = try json(try #require(sent.to(10).last))
        #expect(full["messages"]?[0]?["data"]?["waiting"]?[0]?["customer"] == "+15550100")
        #expect(masked["messages"]?[0]?["data"]?["waiting"]?[0]?["customer"] == .null)
        #expect(masked["messages"]?[0]?["topic"] == "queue:sales@primary")
    }

    @Test func atMostEightWindowListsOfATopicAtATime() {
        let (hub, _) = hub()
        let lists = ["primary", "5m", "15m", "30m", "60m", "interval", "today", "5m,today"]
        let taken = hub.subscribe(id(1), to: lists.map { "queue:sales@\($0)" })
        #expect(taken.refused.isEmpty)
        let more = hub.subscribe(id(2), to: ["queue:sales@30m,today", "queue:sales@primary", "queue:chat@30m,today", "queue:sales"])
        #expect(more.refused.map(\.topic) == ["queue:sales@30m,today"])
        #expect(more.refused.first?.code == "too_many_window_lists")
        #expect(more.refused.first?.message.contains("queue:sales has 8 window lists") == true)
        #expect(hub.subscriberCount("queue:sales@primary") == 2, "a list already subscribed to is shared, not counted again")
        #expect(hub.subscriberCount("queue:chat@30m,today") == 1 && hub.subscriberCount("queue:sales") == 1)
        hub.unsubscribe(id(1), from: ["queue:sales@5m"])
        #expect(hub.subscribe(id(2), to: ["queue:sales@30m,today"]).refused.isEmpty, "room again once one is left")
    }

    @Test func aLimitedTopicNobodyWantsIsForgottenAndItsSequenceNeverGoesBack() throws {
        let (hub, sent) = hub()
        _ = hub.subscribe(id(1), to: ["queue:sales@primary"])
        _ = hub.takeDemand()
        for n in 1...3 { hub.publish("queue:sales@primary", data: ["n": .int(n)]) }
        #expect(hub.latest("queue:sales@primary")?.sequence == 3)
        hub.unsubscribe(id(1))
        #expect(!hub.takeDemand().wanted.contains("queue:sales@primary"))
        #expect(hub.latest("queue:sales@primary") == nil, "forgotten")
        _ = hub.subscribe(id(2), to: ["queue:sales@primary"])
        #expect(hub.takeDemand().fresh == ["queue:sales@primary"], "built whole again")
        hub.publish("queue:sales@primary", data: ["n": 4])
        #expect(try json(try #require(sent.to(2).last))["seq"] == 4, "made again, it goes on from where it was")
    }

    @Test func theRESTMirrorsAskTheHubWhatANameIs() {
        let (hub, _) = hub()
        #expect(hub.base(of: "queue:sales@primary") == "queue:sales")
        #expect(hub.base(of: "queue:a@b") == "queue:a@b" && hub.base(of: "queue:nope@15m") == "queue:nope@15m")
        #expect(hub.windowRefusal("queue:sales@primary,today") == nil)
        #expect(hub.windowRefusal("queue:sales@week")?.contains("no window \"week\"") == true)
        #expect(hub.windowRefusal("center") == nil && hub.windowRefusal("queue:nope@week") == nil, "not window-limited names")
    }

    @Test func limitedNamesAreNotListedAndCountAsTheirBasesViewers() {
        let (hub, _) = hub()
        _ = hub.subscribe(id(1), to: ["queue:sales@primary", "queue:sales"])
        _ = hub.subscribe(id(2), to: ["queue:sales@primary,today", "queue:chat@primary"])
        _ = hub.takeDemand()
        hub.publish("queue:sales@primary", data: ["n": 1])
        #expect(hub.topics == ["agents", "center", "queue:a@b", "queue:chat", "queue:sales"], "hello.topics, /metrics")
        #expect(hub.subscriberCount("queue:sales") == 1)
        #expect(hub.subscriberCount("queue:sales", windowLimited: true) == 3)
        #expect(hub.subscriberCount("queue:chat", windowLimited: true) == 1)
    }

    @Test func limitedTopicsGoWithTheirBase() {
        let (hub, _) = hub()
        _ = hub.subscribe(id(1), to: ["queue:chat@primary"])
        _ = hub.takeDemand()
        hub.publish("queue:chat@primary", data: ["n": 1])
        hub.setOnDemandTopics(["center", "queue:sales"], sources: [])
        #expect(hub.latest("queue:chat@primary") == nil)
        #expect(hub.takeDemand().wanted.isEmpty, "not built once its queue went")
        #expect(hub.windows == Self.windows, "the windows stay as they were when not given")
    }
}

import JSONC
import JSONModel
import LWS
import Synchronization
import Testing
@testable import WallboardServer

/// Bundles through the hub: one frame per cycle and board with every changed topic it subscribes to,
/// built once per view and shared by reference; views never share; deltas stay exact.
@Suite struct TopicHubBundleTests {
    final class Sent: Sendable {
        let frames = Mutex<[(frame: OutboundFrame, to: [ConnectionID])]>([])
        var all: [(frame: OutboundFrame, to: [ConnectionID])] { frames.withLock { $0 } }
        func to(_ id: UInt64) -> [OutboundFrame] { all.filter { $0.to.contains(ConnectionID(rawValue: id)) }.map(\.frame) }
        func clear() { frames.withLock { $0 = [] } }
    }

    private static let masking: @Sendable (JSONValue) -> JSONValue = { Redaction.maskCustomerData($0) }
    private static let masked = TopicHub.Viewer(key: "masked", view: masking, maySubscribe: { _ in true }, shapesDeltas: true)

    /// A hub whose connections 1...9 see everything and 10... are masked viewers.
    func hub() -> (TopicHub, Sent) {
        let sent = Sent()
        let hub = TopicHub { frame, targets in sent.frames.withLock { $0.append((frame, targets)) } }
        hub.setViewerResolver { $0.rawValue >= 10 ? Self.masked : .everything }
        return (hub, sent)
    }

    func json(_ frame: OutboundFrame) throws -> JSONValue { try JSONC.parse(String(decoding: frame.payload.bytes, as: UTF8.self)) }

    private func topics(_ frame: OutboundFrame) throws -> [String] {
        try json(frame)["messages"]?.arrayValue?.compactMap { $0["topic"]?.stringValue } ?? []
    }

    private let waiting = TopicHub.Update(dataJSON: #"{"waiting":[{"contact":"c1","customer":"+4912345"}]}"#)

    @Test func oneBundlePerCycleCarriesEveryChangedTopicOfTheBoard() throws {
        let (hub, sent) = hub()
        hub.publish("center", data: ["n": 1])
        hub.publish("queue:sales", update: waiting)
        hub.publish("queue:chat", update: waiting)
        _ = hub.subscribe(ConnectionID(rawValue: 1), to: ["center", "queue:sales"], bundles: true)
        _ = hub.subscribe(ConnectionID(rawValue: 2), to: ["center", "queue:chat"])  // classic
        let reply = try #require(sent.to(1).first)
        #expect(sent.to(1).count == 1, "the subscribe reply is one bundle")
        #expect(try topics(reply) == ["center", "queue:sales"])
        #expect(sent.to(2).count == 2, "a classic client gets one topic message per topic")
        sent.clear()

        hub.cycle {
            hub.publish("center", data: ["n": 2])
            hub.publish("queue:sales", update: waiting)
            hub.publish("queue:chat", update: waiting)
        }
        let bundles = sent.to(1)
        #expect(bundles.count == 1)
        #expect(try json(bundles[0])["type"] == "bundle")
        #expect(try topics(bundles[0]) == ["center", "queue:sales"], "only the board's own topics")
        #expect(try json(bundles[0])["messages"]?[0]?["data"]?["n"] == 2)
        #expect(sent.to(2).count == 2 && sent.to(2).allSatisfy { $0.parts == nil })

        // Nothing of the board's changed: no bundle at all.
        sent.clear()
        hub.cycle { hub.publish("queue:chat", update: waiting) }
        #expect(sent.to(1).isEmpty)
    }

    @Test func boardsOfTheSameViewShareOneBundleAndViewsNeverShare() throws {
        let (hub, sent) = hub()
        hub.publish("queue:sales", update: waiting)
        hub.publish("queue:chat", update: waiting)
        hub.publish("center", data: ["n": 1])
        let everything = (1...5).map { ConnectionID(rawValue: $0) }
        let viewers = (10...14).map { ConnectionID(rawValue: $0) }
        for id in everything + viewers { _ = hub.subscribe(id, to: ["center", "queue:sales"], bundles: true) }
        // A board with more topics still gets the same bytes when only the shared topics changed.
        _ = hub.subscribe(ConnectionID(rawValue: 6), to: ["center", "queue:sales", "queue:chat"], bundles: true)
        sent.clear()
        hub.cycle {
            hub.publish("center", data: ["n": 2])
            hub.publish("queue:sales", update: waiting)
        }
        let full = sent.all.filter { $0.to.contains(everything[0]) }
        let masked = sent.all.filter { $0.to.contains(viewers[0]) }
        #expect(full.count == 1 && masked.count == 1)
        #expect(Set(full[0].to) == Set(everything))
        #expect(Set(masked[0].to) == Set(viewers))
        #expect(sent.to(6).count == 1 && sent.to(6)[0].payload === full[0].frame.payload, "same view, same changes: same bytes")
        #expect(full[0].frame.payload !== masked[0].frame.payload)
        #expect(String(decoding: full[0].frame.payload.bytes, as: UTF8.self).contains("+4912345"))
        let viewerText = String(decoding: masked[0].frame.payload.bytes, as: UTF8.self)
        #expect(!viewerText.contains("+4912345"), "a masked viewer got a customer number")
        #expect(try topics(masked[0].frame) == ["center", "queue:sales"])
    }

    @Test func aTopicChangedTwiceInACycleComesWholeAndDeltasOtherwise() throws {
        let (hub, sent) = hub()
        hub.publish("agents", update: .init(dataJSON: #"{"agents":[{"id":"a1"}]}"#))
        _ = hub.subscribe(ConnectionID(rawValue: 1), to: ["agents"], bundles: true)
        _ = hub.subscribe(ConnectionID(rawValue: 10), to: ["agents"], bundles: true)
        sent.clear()
        hub.cycle {
            hub.publish("agents", update: .init(dataJSON: #"{"agents":[{"id":"a2"}]}"#, deltaJSON: #"{"agents":[{"id":"a2"}],"removed":["a1"]}"#))
        }
        for id: UInt64 in [1, 10] {
            let bundle = try #require(sent.to(id).first)
            let message = try #require(try json(bundle)["messages"]?[0])
            #expect(message["base"] == 1 && message["seq"] == 2 && message["delta"]?["removed"]?[0] == "a1")
        }
        sent.clear()
        hub.cycle {
            hub.publish("agents", update: .init(dataJSON: #"{"agents":[{"id":"a3"}]}"#, deltaJSON: #"{"agents":[{"id":"a3"}],"removed":["a2"]}"#))
            hub.publish("agents", update: .init(dataJSON: #"{"agents":[{"id":"a4"}]}"#, deltaJSON: #"{"agents":[{"id":"a4"}],"removed":["a3"]}"#))
        }
        for id: UInt64 in [1, 10] {
            let bundle = try #require(sent.to(id).first)
            let messages = try #require(try json(bundle)["messages"]?.arrayValue)
            #expect(messages.count == 1)
            #expect(messages[0]["seq"] == 4 && messages[0]["delta"] == nil, "seq 3 never went out: 4 must come whole")
            #expect(messages[0]["data"]?["agents"]?[0]?["id"] == "a4")
        }
    }

    @Test func subscribersAreCountedEitherWayAndForgottenOnClose() {
        let (hub, _) = hub()
        hub.publish("center", data: ["n": 1])
        _ = hub.subscribe(ConnectionID(rawValue: 1), to: ["center"], bundles: true)
        _ = hub.subscribe(ConnectionID(rawValue: 2), to: ["center"])
        #expect(hub.subscriberCount("center") == 2)
        // Switching to bundles later moves the topics a connection already has.
        _ = hub.subscribe(ConnectionID(rawValue: 2), to: ["center"], bundles: true)
        #expect(hub.subscriberCount("center") == 2)
        hub.unsubscribe(ConnectionID(rawValue: 1))
        hub.unsubscribe(ConnectionID(rawValue: 2), from: ["center"])
        #expect(hub.subscriberCount("center") == 0)
    }
}

extension TopicHubBundleTests {
    @Test func boardsSubscribingBetweenTwoPublishesShareOneReply() throws {
        let (hub, sent) = hub()
        hub.publish("center", data: ["n": 1])
        for id: UInt64 in [1, 2, 3] { _ = hub.subscribe(ConnectionID(rawValue: id), to: ["center"], bundles: true) }
        _ = hub.subscribe(ConnectionID(rawValue: 10), to: ["center"], bundles: true)
        let replies = sent.all.map(\.frame.payload)
        #expect(replies.count == 4)
        #expect(replies[1] === replies[0] && replies[2] === replies[0], "same view, same payloads: one reply")
        #expect(replies[3] !== replies[0], "another view gets its own")
        hub.publish("center", data: ["n": 2])
        sent.clear()
        _ = hub.subscribe(ConnectionID(rawValue: 4), to: ["center"], bundles: true)
        #expect(try json(#require(sent.to(4).first))["messages"]?[0]?["data"]?["n"] == 2, "a publish retires the cached reply")
    }
}

import JSONC
import JSONModel
import LWS
import Synchronization
import Testing
@testable import WallboardServer

/// Deltas through the hub: as is to subscribers that see everything, shaped for masked views (the
/// default anonymous viewer), whole payloads for scoped views (a scope would fill in what a delta leaves out).
@Suite struct TopicHubDeltaTests {
    final class Sent: Sendable {
        let frames = Mutex<[OutboundFrame]>([])
        func withLock<T>(_ body: (inout [OutboundFrame]) -> T) -> T { frames.withLock { body(&$0) } }
    }

    private func hub(viewer: TopicHub.Viewer) -> (TopicHub, Sent) {
        let sent = Sent()
        let hub = TopicHub { frame, targets in sent.withLock { $0 += Array(repeating: frame, count: targets.count) } }
        hub.setViewerResolver { _ in viewer }
        return (hub, sent)
    }

    private func text(_ bytes: SharedBytes?) throws -> JSONValue { try JSONC.parse(String(decoding: bytes?.bytes ?? [], as: UTF8.self)) }

    private let whole = TopicHub.Update(dataJSON: #"{"waiting":[{"contact":"c1","customer":"+4912345"}]}"#)
    private let change = TopicHub.Update(
        dataJSON: #"{"waiting":[{"contact":"c2","customer":"+4967890"}]}"#,
        deltaJSON: #"{"waiting":[{"contact":"c2","customer":"+4967890"}]}"#)

    private static let masking: @Sendable (JSONValue) -> JSONValue = { Redaction.maskCustomerData($0) }

    @Test func maskedViewsGetMaskedDeltasWithTheMaskedWholePayloadAsFallback() throws {
        let (hub, frames) = hub(viewer: .init(key: "masked", view: Self.masking, maySubscribe: { _ in true }, shapesDeltas: true))
        hub.publish("queue:sales", update: whole)
        _ = hub.subscribe(ConnectionID(rawValue: 1), to: ["queue:sales"])
        hub.publish("queue:sales", update: change)
        let sent = frames.withLock { $0 }
        #expect(sent.count == 2)
        let delta = try text(sent[1].payload)
        #expect(delta["base"] == 1 && delta["seq"] == 2)
        #expect(delta["delta"]?["waiting"]?[0]?["contact"] == "c2")
        #expect(delta["delta"]?["waiting"]?[0]?["customer"] == .null)
        let fallback = try text(sent[1].fallback)
        #expect(fallback["data"]?["waiting"]?[0]?["customer"] == .null)
        #expect(fallback["seq"] == 2)
    }

    @Test func viewsThatCannotShapeADeltaGetTheWholePayload() throws {
        let (hub, frames) = hub(viewer: .init(key: "scoped", view: Self.masking, maySubscribe: { _ in true }))
        hub.publish("queue:sales", update: whole)
        _ = hub.subscribe(ConnectionID(rawValue: 1), to: ["queue:sales"])
        hub.publish("queue:sales", update: change)
        let sent = frames.withLock { $0 }
        #expect(sent[1].fallback == nil)
        #expect(try text(sent[1].payload)["data"]?["waiting"]?[0]?["contact"] == "c2")
    }

    @Test func subscribersWhoSeeEverythingGetTheDeltaAsPublished() throws {
        let (hub, frames) = hub(viewer: .everything)
        hub.publish("queue:sales", update: whole)
        _ = hub.subscribe(ConnectionID(rawValue: 1), to: ["queue:sales"])
        hub.publish("queue:sales", update: change)
        let sent = frames.withLock { $0 }
        #expect(try text(sent[1].payload)["delta"]?["waiting"]?[0]?["customer"] == "+4967890")
        #expect(sent[1].fallback === hub.latest("queue:sales")?.frame.payload)
    }

    /// Counts how often a lazy whole payload was made.
    final class Calls: Sendable {
        let count = Mutex(0)
        func made(_ text: String) -> String {
            count.withLock { $0 += 1 }
            return text
        }
    }

    /// A delta's whole payload is made only when something needs it (a board whose delta meets an unsent
    /// frame, a new subscriber, REST), then once for every viewer and connection; its bytes are the payload's.
    @Test func theWholePayloadBehindADeltaIsMadeOnlyWhenNeededAndOnce() throws {
        for viewer in [TopicHub.Viewer.everything, .init(key: "masked", view: Self.masking, maySubscribe: { _ in true }, shapesDeltas: true)] {
            let (hub, frames) = hub(viewer: viewer)
            hub.publish("queue:sales", update: whole)
            _ = hub.subscribe(ConnectionID(rawValue: 1), to: ["queue:sales"], bundles: true)
            _ = hub.subscribe(ConnectionID(rawValue: 2), to: ["queue:sales"], bundles: true)
            let calls = Calls()
            let text = try #require(change.deltaJSON)
            hub.publish("queue:sales", update: TopicHub.Update(deltaJSON: text) { calls.made(text) })
            let sent = frames.withLock { $0 }
            #expect(sent.count == 4, "two replies to the subscribes, one bundle to each")
            #expect(calls.count.withLock { $0 } == 0, "\(viewer.key ?? "all"): the boards got the delta; nothing made the whole")
            // The second bundle meets the first one unsent: the delta falls back to its whole payload.
            let merged = sent[3].merged(after: sent[1]).joined()
            let fallback = try self.text(sent[3].parts?.first?.fallback)
            #expect(calls.count.withLock { $0 } == 1)
            #expect(fallback["seq"] == 2)
            let expected: JSONValue = viewer.key == nil
                ? ["waiting": [["contact": "c2", "customer": "+4967890"]]]
                : ["waiting": [["contact": "c2", "customer": nil]], "masked": true]
            #expect(fallback["data"] == expected)
            #expect(try self.text(merged.payload)["messages"]?[0]?["data"] == expected)
            #expect(hub.latest("queue:sales")?.dataJSON == text)
            _ = hub.subscribe(ConnectionID(rawValue: 3), to: ["queue:sales"])
            #expect(calls.count.withLock { $0 } == 1, "made once, kept for every later use")
        }
    }
}

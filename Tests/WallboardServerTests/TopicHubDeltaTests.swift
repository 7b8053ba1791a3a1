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
}

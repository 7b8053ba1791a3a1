import JSONModel
import LWS
import Synchronization
import Testing
@testable import WallboardServer

/// The hub's viewer resolver under the lookups of a day of reconnecting boards (issue 13, crash 1).
@Suite struct TopicHubResolverTests {
    /// Every subscribe and publish asks the resolver what a connection may see. The resolver used to
    /// be kept as a closure in a `Mutex`, and each lookup wrapped it in two more reabstraction thunks:
    /// memory grew with every lookup and the call chain overflowed the stack after some tens of
    /// thousands. 300,000 lookups crash a process that still does that.
    @Test func resolverSurvivesHundredsOfThousandsOfLookups() {
        let delivered = Mutex(0)
        let hub = TopicHub { _, targets in delivered.withLock { $0 += targets.count } }
        let calls = Mutex(0)
        hub.setViewerResolver { _ in
            calls.withLock { $0 += 1 }
            return .everything
        }
        hub.publish("alerts", data: .object(["active": .array([])]))
        let connection = ConnectionID(rawValue: 1)
        let rounds = 300_000
        for _ in 0..<rounds {
            _ = hub.subscribe(connection, to: ["alerts"])
        }
        #expect(calls.withLock { $0 } == rounds)
        #expect(delivered.withLock { $0 } == rounds)
    }

    /// A shaped view (masked, scoped) is encoded once per payload, not once per board: a hundred masked
    /// TVs subscribing get the same bytes, and so do they on the next publish.
    @Test func shapedFramesAreEncodedOncePerPayloadAndView() {
        let frames = Mutex<[OutboundFrame]>([])
        let hub = TopicHub { frame, targets in frames.withLock { $0 += Array(repeating: frame, count: targets.count) } }
        let views = Mutex(0)
        hub.setViewerResolver { _ in
            TopicHub.Viewer(
                key: "masked",
                view: { data in
                    views.withLock { $0 += 1 }
                    return data
                },
                maySubscribe: { _ in true })
        }
        hub.publish("center", data: .object(["n": .int(1)]))
        for id in 1...100 { _ = hub.subscribe(ConnectionID(rawValue: UInt64(id)), to: ["center"]) }
        #expect(views.withLock { $0 } == 1)
        hub.publish("center", data: .object(["n": .int(2)]))
        #expect(views.withLock { $0 } == 2)
        let sent = frames.withLock { $0 }
        #expect(sent.count == 200)
        #expect(sent.allSatisfy { $0.payload === sent[0].payload } == false)
        #expect(sent[0..<100].allSatisfy { $0.payload === sent[0].payload })
        #expect(sent[100..<200].allSatisfy { $0.payload === sent[100].payload })
        #expect(String(decoding: sent[199].payload.bytes, as: UTF8.self).contains(#""n":2"#))
    }
}

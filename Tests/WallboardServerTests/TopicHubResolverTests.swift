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
}

import Testing
@testable import LWS

/// A connection's outbox: latest wins per slot, oldest slot first, and a greeting goes before
/// whatever a broadcast queued in the same instant (a board once got a heartbeat before `hello`).
@Suite struct OutboxOrderTests {
    private func frame(_ slot: String, _ sequence: UInt64, goesFirst: Bool = false) -> OutboundFrame {
        OutboundFrame(slot: slot, sequence: sequence, payload: SharedBytes(slot), goesFirst: goesFirst)
    }

    @Test func greetingOvertakesABroadcastQueuedBeforeIt() throws {
        let session = LWSSession(id: ConnectionID(rawValue: 1), wsi: OpaquePointer(bitPattern: 0x10)!, kind: .webSocket)
        #expect(session.enqueue(frame("heartbeat", 7), limit: 10))
        #expect(session.enqueue(frame("topic:center", 3), limit: 10))
        #expect(session.enqueue(frame("hello", 0, goesFirst: true), limit: 10))
        #expect(session.enqueue(frame("topic:center", 4), limit: 10))
        let order = [session.dequeue(), session.dequeue(), session.dequeue(), session.dequeue()].map { $0?.slot }
        #expect(order == ["hello", "heartbeat", "topic:center", nil])
    }
}

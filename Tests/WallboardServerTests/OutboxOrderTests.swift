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

/// Deltas and latest-wins: a delta that meets an unsent frame of its slot is replaced by its full fallback.
@Suite struct OutboxDeltaTests {
    private func session() -> LWSSession {
        LWSSession(id: ConnectionID(rawValue: 1), wsi: OpaquePointer(bitPattern: 0x10)!, kind: .webSocket)
    }

    private func delta(_ sequence: UInt64) -> OutboundFrame {
        OutboundFrame(
            slot: "topic:agents", sequence: sequence, payload: SharedBytes("delta \(sequence)"),
            fallback: SharedBytes("full \(sequence)"))
    }

    @Test func aDeltaIntoAnEmptySlotIsSentAsIs() {
        let session = session()
        #expect(session.enqueue(delta(2), limit: 10))
        #expect(session.dequeue().map { String(decoding: $0.payload.bytes, as: UTF8.self) } == "delta 2")
    }

    @Test func aDeltaReplacingAnUnsentFrameBecomesItsFullPayload() {
        let session = session()
        #expect(session.enqueue(OutboundFrame(slot: "topic:agents", sequence: 1, payload: SharedBytes("full 1")), limit: 10))
        #expect(session.enqueue(delta(2), limit: 10))
        #expect(session.enqueue(delta(3), limit: 10))
        let sent = session.dequeue()
        #expect(sent.map { String(decoding: $0.payload.bytes, as: UTF8.self) } == "full 3")
        #expect(sent?.sequence == 3)
        #expect(session.dequeue() == nil)
    }

    @Test func anOlderFrameArrivingLateLeavesTheNewerDeltaAsItsFullPayload() {
        let session = session()
        #expect(session.enqueue(delta(5), limit: 10))
        #expect(session.enqueue(OutboundFrame(slot: "topic:agents", sequence: 4, payload: SharedBytes("full 4")), limit: 10))
        #expect(session.dequeue().map { String(decoding: $0.payload.bytes, as: UTF8.self) } == "full 5")
    }
}

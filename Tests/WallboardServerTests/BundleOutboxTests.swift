import Testing
@testable import LWS

/// Bundles in a connection's outbox: one slot, merged per topic when a new bundle meets an unsent one,
/// and boards that fell behind together share the merged bytes.
@Suite struct BundleOutboxTests {
    private func session(_ id: UInt64) -> LWSSession {
        LWSSession(id: ConnectionID(rawValue: id), wsi: OpaquePointer(bitPattern: 0x10)!, kind: .webSocket)
    }

    private func part(_ topic: String, _ sequence: UInt64, delta: Bool = false) -> OutboundFrame {
        let whole = SharedBytes("\(topic) \(sequence) whole")
        guard delta else { return OutboundFrame(slot: "topic:" + topic, sequence: sequence, payload: whole) }
        return OutboundFrame(slot: "topic:" + topic, sequence: sequence, payload: SharedBytes("\(topic) \(sequence) delta"), fallback: whole)
    }

    private func text(_ frame: OutboundFrame?) -> String { String(decoding: frame?.payload.bytes ?? [], as: UTF8.self) }

    @Test func aBundleIsItsPartsJoinedInOneMessage() {
        let bundle = OutboundFrame.bundle([part("center", 1), part("agents", 2, delta: true)])
        #expect(text(bundle) == #"{"type":"bundle","messages":[center 1 whole,agents 2 delta]}"#)
        #expect(text(.bundle([])) == #"{"type":"bundle","messages":[]}"#)
    }

    @Test func anUnsentBundleAndANewOneBecomeOneWithTheLatestOfEachTopic() {
        let board = session(1)
        #expect(board.enqueue(.bundle([part("center", 1), part("agents", 4, delta: true)]), limit: 10))
        #expect(board.enqueue(.bundle([part("agents", 5, delta: true), part("queue:q1", 7, delta: true)]), limit: 10))
        #expect(board.enqueue(.bundle([part("center", 2)]), limit: 10))
        #expect(board.outboxOrder == [OutboundFrame.bundleSlot], "one slot, however many bundles")
        // agents 5 met unsent agents 4: whole; queue:q1 met nothing: its delta stays.
        #expect(text(board.dequeue()?.joined()) == #"{"type":"bundle","messages":[center 2 whole,agents 5 whole,queue:q1 7 delta]}"#)
        #expect(board.dequeue() == nil)
    }

    @Test func boardsThatFellBehindTogetherShareTheMergedBytes() {
        let boards = (1...3).map(session)
        let first = OutboundFrame.bundle([part("agents", 1)])
        var merges: [ObjectIdentifier: BundleMerge] = [:]
        for board in boards { #expect(board.enqueue(first, limit: 10, merges: &merges)) }
        let second = OutboundFrame.bundle([part("agents", 2, delta: true)])
        merges = [:]
        for board in boards { #expect(board.enqueue(second, limit: 10, merges: &merges)) }
        let sent = boards.map { $0.dequeue() }
        #expect(sent.allSatisfy { $0?.payload === sent[0]?.payload })
        #expect(text(sent[0]?.joined()) == #"{"type":"bundle","messages":[agents 2 whole]}"#)
    }
}

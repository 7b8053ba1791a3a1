import Foundation
import Testing
@testable import WallboardJournal

/// `append(frames:selecting:)`: records framed ahead (on another thread) are written exactly as
/// `append(contentsOf:)` writes the same payloads, byte for byte, whole or a selection of them.
@Suite struct JournalFramesTests {
    /// The same payloads through both paths give the same segment file and the same results.
    @Test func framesBuiltAheadWriteTheSameBytesAsPayloads() throws {
        let payloads = (0..<40).map { payload($0, size: $0 * 7) }
        let viaPayloads = TemporaryDirectory()
        let viaFrames = TemporaryDirectory()
        defer {
            viaPayloads.remove()
            viaFrames.remove()
        }
        let first = try EventJournal(directory: viaPayloads.path, policy: .os)
        let second = try EventJournal(directory: viaFrames.path, policy: .os)
        let expected = try first.append(contentsOf: payloads, day: day1)
        let frames = JournalFrames(payloads)
        #expect(frames.count == payloads.count)
        #expect((0..<frames.count).map { Array(frames.payload(at: $0)) } == payloads)
        let results = try second.append(frames: frames, day: day1)
        #expect(results == expected)
        try first.close()
        try second.close()
        let name = "journal-2026-11-23.wbj"
        #expect(try Data(contentsOf: URL(fileURLWithPath: viaFrames.file(name))) == Data(contentsOf: URL(fileURLWithPath: viaPayloads.file(name))))
    }

    /// A selection writes only the chosen records, in order, as if only they had been appended; the
    /// next append follows them.
    @Test func aSelectionWritesOnlyTheChosenRecords() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let journal = try EventJournal(directory: dir.path, policy: .batched(milliseconds: 5))
        let payloads = (0..<10).map { payload($0) }
        let chosen = [0, 3, 4, 9]
        let results = try journal.append(frames: JournalFrames(payloads), selecting: chosen, day: day1)
        #expect(results.map(\.ticket.value) == [1, 2, 3, 4])
        #expect(zip(results, results.dropFirst()).allSatisfy { $0.next == $1.position })
        #expect(try journal.append(frames: JournalFrames(payloads), selecting: [], day: day1).isEmpty)
        let after = try journal.append(payload(10), day: day1)
        #expect(after.position == results.last?.next)
        #expect(try journal.sync() == AppendTicket(5))
        try journal.close()
        let (records, issues) = try JournalDirectory(path: dir.path).readSegment(day: day1)
        #expect(issues.isEmpty)
        #expect(records.map(\.payload) == chosen.map { payloads[$0] } + [payload(10)])
        #expect(records.map(\.position) == results.map(\.position) + [after.position])
    }

    /// A frame over the size limit refuses the append before anything is written.
    @Test func anOversizedFrameRefusesTheAppend() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let journal = try EventJournal(directory: dir.path, policy: .os)
        let huge = [UInt8](repeating: 0x41, count: SegmentFormat.maxPayload + 1)
        #expect(throws: JournalError.recordTooLarge(size: huge.count, limit: SegmentFormat.maxPayload)) {
            _ = try journal.append(frames: JournalFrames([payload(0), huge]), day: day1)
        }
        #expect(try journal.append(payload(1), day: day1).ticket.value == 1)
        try journal.close()
        let (records, _) = try JournalDirectory(path: dir.path).readSegment(day: day1)
        #expect(records.map(\.payload) == [payload(1)])
    }
}

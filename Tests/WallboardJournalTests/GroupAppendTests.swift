import Foundation
import Testing
@testable import WallboardJournal

/// `append(contentsOf:)`: a batch of records in one write, read back like single appends.
@Suite struct GroupAppendTests {
    @Test(arguments: [FsyncPolicy.always, .batched(milliseconds: 5), .os])
    func aGroupReadsBackLikeSingleAppends(policy: FsyncPolicy) throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let journal = try EventJournal(directory: dir.path, policy: policy)
        let single = try journal.append(payload(0), day: day1)
        let group = try journal.append(contentsOf: (1..<50).map { payload($0) }, day: day1)
        let empty = try journal.append(contentsOf: [], day: day1)
        let after = try journal.append(payload(50), day: day1)
        #expect(empty.isEmpty)
        let results = [single] + group + [after]
        #expect(results.map(\.ticket.value) == Array(1...51))
        #expect(zip(results, results.dropFirst()).allSatisfy { $0.next == $1.position })
        #expect(group.allSatisfy { $0.isDurable == (policy == .always) && $0.canAcknowledge == (policy != .batched(milliseconds: 5)) })
        if case .batched = policy {
            #expect(journal.hasUnsyncedAppends)
            #expect(try journal.sync() == AppendTicket(51))
        }
        try journal.close()

        let (records, issues) = try JournalDirectory(path: dir.path).readSegment(day: day1)
        #expect(issues.isEmpty)
        #expect(records.map(\.payload) == (0...50).map { payload($0) })
        #expect(records.map(\.position) == results.map(\.position))
    }

    /// One record over the size limit refuses the whole group before anything is written.
    @Test func anOversizedRecordRefusesTheWholeGroup() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let journal = try EventJournal(directory: dir.path, policy: .os)
        let first = try journal.append(payload(0), day: day1)
        let huge = [UInt8](repeating: 0x41, count: SegmentFormat.maxPayload + 1)
        #expect(throws: JournalError.recordTooLarge(size: huge.count, limit: SegmentFormat.maxPayload)) {
            _ = try journal.append(contentsOf: [payload(1), huge, payload(2)], day: day1)
        }
        let next = try journal.append(payload(3), day: day1)
        #expect(next.ticket.value == 2)
        #expect(next.position == first.next)
        try journal.close()
        let (records, _) = try JournalDirectory(path: dir.path).readSegment(day: day1)
        #expect(records.map(\.payload) == [payload(0), payload(3)])
    }
}

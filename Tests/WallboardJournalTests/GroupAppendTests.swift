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

    /// A group commit handed off the queue covers what was appended before it started; appends made
    /// while it runs are left for the next one.
    @Test func aCommitOffTheQueueCoversWhatCameBeforeIt() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let journal = try EventJournal(directory: dir.path, policy: .batched(milliseconds: 5))
        #expect(journal.beginSync() == nil, "nothing to commit yet")
        _ = try journal.append(contentsOf: [payload(0), payload(1)], day: day1)
        let pending = try #require(journal.beginSync())
        #expect(pending.through == AppendTicket(2))
        _ = try journal.append(payload(2), day: day1)
        #expect(try journal.finishSync(pending, failure: pending.perform()) == AppendTicket(2))
        #expect(journal.hasUnsyncedAppends, "ticket 3 came after the commit started")
        let next = try #require(journal.beginSync())
        #expect(try journal.finishSync(next, failure: next.perform()) == AppendTicket(3))
        #expect(!journal.hasUnsyncedAppends)
        try journal.close()
    }

    /// A failed commit names exactly the tickets it covered; a synchronous `sync()` that reported them
    /// first leaves the late commit nothing to report.
    @Test func aFailedCommitFailsOnlyItsOwnTickets() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let journal = try EventJournal(directory: dir.path, policy: .batched(milliseconds: 5))
        _ = try journal.append(contentsOf: [payload(0), payload(1)], day: day1)
        let failing = try #require(journal.beginSync())
        _ = failing.perform()
        _ = try journal.append(payload(2), day: day1)
        #expect(throws: JournalError.syncFailed(file: dir.file("journal-2026-11-23.wbj"), errno: EIO, tickets: 1...2)) {
            _ = try journal.finishSync(failing, failure: EIO)
        }
        let late = try #require(journal.beginSync())
        #expect(try journal.sync() == AppendTicket(3))
        #expect(try journal.finishSync(late, failure: late.perform()) == nil)
        try journal.close()
    }
}

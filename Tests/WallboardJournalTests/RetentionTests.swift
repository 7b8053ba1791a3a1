import Foundation
import Testing
@testable import WallboardJournal

@Suite struct RetentionTests {
    @Test func segmentsAndCheckpointsOlderThanTheKeptDaysAreRemoved() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let journal = try EventJournal(directory: dir.path, policy: .os)
        let days = (0..<5).map { day1.adding(days: $0) }
        for (index, day) in days.enumerated() {
            let result = try journal.append(payload(index), day: day)
            try journal.writeCheckpoint(payload: [UInt8(index)], journalPosition: result.next)
        }
        let removed = try journal.removeExpired(keepingDays: 2, today: days[4])
        #expect(removed.count == 6)
        #expect(try journal.directory.segmentDays() == [days[3], days[4]])
        #expect(try journal.directory.checkpointDays() == [days[3], days[4]])
        #expect(throws: JournalError.invalidRetention(days: 0)) { try journal.removeExpired(keepingDays: 0) }
    }

    @Test func statsCountRecordsPerSegment() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let journal = try EventJournal(directory: dir.path, policy: .os)
        var lastPosition: JournalPosition?
        for index in 0..<7 { lastPosition = try journal.append(payload(index), day: index < 3 ? day1 : day1.adding(days: 1)).position }
        try journal.close()
        let stats = try JournalDirectory(path: dir.path).stats()
        #expect(stats.segments.map(\.records) == [3, 4])
        #expect(stats.totalRecords == 7)
        #expect(stats.first == JournalPosition(day: day1, offset: 8))
        #expect(stats.last == lastPosition)
        #expect(stats.totalBytes == UInt64(16 + (0..<7).reduce(0) { $0 + 16 + payload($1).count }))
        #expect(try JournalDirectory(path: dir.path).verify().isClean)
    }
}

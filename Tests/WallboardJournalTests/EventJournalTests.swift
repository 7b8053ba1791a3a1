import Foundation
import Testing
@testable import WallboardJournal

@Suite struct EventJournalTests {
    @Test func appendedRecordsReadBackInOrder() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let journal = try EventJournal(directory: dir.path, policy: .always)
        var results: [AppendResult] = []
        for index in 0..<100 { results.append(try journal.append(payload(index), day: day1)) }
        #expect(results.map(\.ticket.value) == Array(1...100))
        #expect(results.allSatisfy { $0.isDurable && $0.canAcknowledge })
        #expect(results[0].position == JournalPosition(day: day1, offset: 8))
        #expect(zip(results, results.dropFirst()).allSatisfy { $0.next == $1.position })
        try journal.close()

        let (records, issues) = try JournalDirectory(path: dir.path).readSegment(day: day1)
        #expect(issues.isEmpty)
        #expect(records.map(\.payload) == (0..<100).map { payload($0) })
        #expect(records.map(\.position) == results.map(\.position))
        #expect(records.last?.next == results.last?.next)
    }

    @Test func segmentsAreNamedByDayAndReplayCrossesThem() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let day2 = day1.adding(days: 1)
        let journal = try EventJournal(directory: dir.path, policy: .os)
        for index in 0..<5 { _ = try journal.append(payload(index), day: day1) }
        let middle = try journal.append(payload(5), day: day1)
        for index in 6..<10 { _ = try journal.append(payload(index), day: day2) }
        try journal.close()
        #expect(FileManager.default.fileExists(atPath: dir.file("journal-2026-11-23.wbj")))
        #expect(FileManager.default.fileExists(atPath: dir.file("journal-2026-11-24.wbj")))

        var seen: [[UInt8]] = []
        let report = try JournalDirectory(path: dir.path).replay(from: middle.position) { seen.append($0.payload) }
        #expect(seen == (5..<10).map { payload($0) })
        #expect(report.records == 5)
        #expect(report.issues.isEmpty)
        #expect(report.end?.day == day2)
    }

    @Test func batchedAppendsBecomeDurableOnSync() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let journal = try EventJournal(directory: dir.path, policy: .batched(milliseconds: 5))
        let first = try journal.append(payload(1), day: day1)
        let second = try journal.append(payload(2), day: day1)
        #expect(!first.isDurable && !first.canAcknowledge)
        #expect(journal.hasUnsyncedAppends)
        #expect(try journal.sync() == second.ticket)
        #expect(try journal.sync() == nil)
        let third = try journal.append(payload(3), day: day1)
        // A checkpoint fsyncs the segment but leaves reporting the ticket to sync().
        try journal.writeCheckpoint(payload: [1], journalPosition: third.next)
        #expect(try journal.sync() == third.ticket)
    }

    @Test func aSecondWriterIsRefused() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let journal = try EventJournal(directory: dir.path, policy: .os)
        #expect(throws: JournalError.locked(path: dir.file("journal.lock"))) {
            _ = try EventJournal(directory: dir.path, policy: .os)
        }
        try journal.close()
    }

    @Test func oversizedRecordsAreRefused() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let journal = try EventJournal(directory: dir.path, policy: .os)
        let huge = [UInt8](repeating: 0x20, count: SegmentFormat.maxPayload + 1)
        #expect(throws: JournalError.recordTooLarge(size: huge.count, limit: SegmentFormat.maxPayload)) {
            _ = try journal.append(huge, day: day1)
        }
    }

    @Test func replayFromAPositionInsideARecordIsAnError() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let journal = try EventJournal(directory: dir.path, policy: .os)
        let first = try journal.append(payload(1), day: day1)
        _ = try journal.append(payload(2), day: day1)
        try journal.close()
        let inside = JournalPosition(day: day1, offset: first.position.offset + 3)
        #expect(throws: JournalError.positionNotAtRecord(file: dir.file("journal-2026-11-23.wbj"), offset: inside.offset)) {
            _ = try JournalDirectory(path: dir.path).replay(from: inside) { _ in }
        }
    }
}

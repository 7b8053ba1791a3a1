import Foundation
import Testing
@testable import WallboardJournal

@Suite struct RecoveryTests {
    static let segmentName = "journal-2026-11-23.wbj"

    /// Writes `count` records and returns the segment's bytes and each record's start offset.
    static func makeSegment(in dir: TemporaryDirectory, count: Int) throws -> (bytes: [UInt8], starts: [UInt64]) {
        let journal = try EventJournal(directory: dir.path, policy: .os)
        let starts = try (0..<count).map { try journal.append(payload($0), day: day1).position.offset }
        try journal.close()
        return (dir.bytes(segmentName), starts)
    }

    /// Cutting the file anywhere inside the last record (header or payload) loses exactly that record:
    /// reopening truncates it with a warning, and the next append lands where it began.
    @Test func tornTailAtEveryByteOfTheLastRecordIsTruncated() throws {
        let source = TemporaryDirectory()
        defer { source.remove() }
        let (bytes, starts) = try Self.makeSegment(in: source, count: 3)
        let lastStart = Int(starts[2])
        for cut in lastStart..<bytes.count {
            let dir = TemporaryDirectory()
            defer { dir.remove() }
            dir.write(Array(bytes[..<cut]), to: Self.segmentName)
            let journal = try EventJournal(directory: dir.path, policy: .always)
            let issues = journal.takeIssues()
            if cut == lastStart {
                #expect(issues.isEmpty)
            } else {
                #expect(issues == [.tornTail(file: dir.file(Self.segmentName), offset: UInt64(lastStart),
                                             length: UInt64(cut - lastStart), truncated: true)], "cut at \(cut)")
            }
            #expect(dir.bytes(Self.segmentName).count == lastStart)
            let appended = try journal.append(payload(99), day: day1)
            #expect(appended.position.offset == UInt64(lastStart))
            try journal.close()
            let (records, readIssues) = try JournalDirectory(path: dir.path).readSegment(day: day1)
            #expect(readIssues.isEmpty)
            #expect(records.map(\.payload) == [payload(0), payload(1), payload(99)], "cut at \(cut)")
        }
    }

    /// With a checkpoint of the newest day, opening checks the segment only after the checkpoint's
    /// position (a restart does not re-read the whole day) and still repairs a torn tail there; a
    /// position that is not a record boundary falls back to checking the whole segment.
    @Test(arguments: [true, false])
    func openingChecksOnlyAfterTheCheckpointAndStillRepairsTheTail(positionIsARecord: Bool) throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let journal = try EventJournal(directory: dir.path, policy: .os)
        let results = try (0..<4).map { try journal.append(payload($0), day: day1) }
        let position = positionIsARecord ? results[1].next : JournalPosition(day: day1, offset: results[1].next.offset + 3)
        try journal.writeCheckpoint(payload: [1], journalPosition: position)
        try journal.close()
        var bytes = dir.bytes(Self.segmentName)
        // Damage before the checkpoint's position (not looked at when the position is a record) and a
        // torn tail after it.
        bytes[Int(results[0].position.offset) + SegmentFormat.frameHeaderSize] ^= 0xFF
        let tornAt = bytes.count
        dir.write(bytes + Array(SegmentFormat.recordMagic.prefix(3)), to: Self.segmentName)

        let reopened = try EventJournal(directory: dir.path, policy: .always)
        let issues = reopened.takeIssues()
        let tail = JournalIssue.tornTail(file: dir.file(Self.segmentName), offset: UInt64(tornAt), length: 3, truncated: true)
        if positionIsARecord {
            #expect(issues == [tail])
        } else {
            #expect(issues.count == 2 && issues.last == tail, "\(issues)")
        }
        #expect(dir.bytes(Self.segmentName).count == tornAt)
        // A replay from the start still reports the damaged record.
        let (records, readIssues) = try JournalDirectory(path: dir.path).readSegment(day: day1)
        #expect(records.map(\.payload) == [payload(1), payload(2), payload(3)])
        #expect(readIssues.count == 1)
    }

    @Test func aTornHeaderOfANewSegmentIsRewritten() throws {
        for cut in 0..<8 {
            let dir = TemporaryDirectory()
            defer { dir.remove() }
            dir.write(Array(SegmentFormat.fileMagic.prefix(cut)), to: Self.segmentName)
            let journal = try EventJournal(directory: dir.path, policy: .always)
            #expect(journal.takeIssues().count == (cut == 0 ? 0 : 1))
            _ = try journal.append(payload(1), day: day1)
            try journal.close()
            #expect(try JournalDirectory(path: dir.path).readSegment(day: day1).records.map(\.payload) == [payload(1)])
        }
    }

    @Test func aForeignFileIsNotTakenForASegment() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        dir.write(Array("not a journal at all".utf8), to: Self.segmentName)
        #expect(throws: JournalError.notASegment(file: dir.file(Self.segmentName))) {
            _ = try EventJournal(directory: dir.path, policy: .os)
        }
    }

    /// Damage in the middle is reported with the segment and offset, and reading resumes at the next
    /// intact record.
    @Test(arguments: ["magic", "length", "payload"])
    func midFileCorruptionIsReportedAndSkipped(damage: String) throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        var (bytes, starts) = try Self.makeSegment(in: dir, count: 5)
        let target = Int(starts[2])
        switch damage {
        case "magic": bytes[target] = 0x00
        case "length": bytes[target + 4] ^= 0x01
        default: bytes[target + 20] ^= 0x40
        }
        dir.write(bytes, to: Self.segmentName)
        let expected = JournalIssue.corruptRegion(
            file: dir.file(Self.segmentName), offset: UInt64(target), length: starts[3] - starts[2],
            reason: damage == "payload" ? "payload checksum mismatch"
                : damage == "magic" ? "bad record magic" : "header checksum mismatch")

        let (records, issues) = try JournalDirectory(path: dir.path).readSegment(day: day1)
        #expect(records.map(\.payload) == [0, 1, 3, 4].map { payload($0) })
        #expect(issues == [expected])
        #expect(issues.first?.description.contains("journal-2026-11-23.wbj: corrupt region at offset \(target)") == true)

        let verification = try JournalDirectory(path: dir.path).verify()
        #expect(verification.records == 4)
        #expect(verification.issues == [expected])
        #expect(!verification.isClean)

        // The writer keeps the damaged region as evidence, reports it and appends after the last record.
        let journal = try EventJournal(directory: dir.path, policy: .os)
        #expect(journal.takeIssues() == [expected])
        #expect(try journal.append(payload(5), day: day1).position.offset == UInt64(bytes.count))
    }

    @Test func damageRunningToTheEndCountsAsATornTail() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        var (bytes, starts) = try Self.makeSegment(in: dir, count: 3)
        bytes += [UInt8](repeating: 0, count: 4096)  // e.g. a file extended with zeros by a crash
        dir.write(bytes, to: Self.segmentName)
        let journal = try EventJournal(directory: dir.path, policy: .os)
        #expect(journal.takeIssues().count == 1)
        #expect(journal.endPosition?.offset == starts[2] + UInt64(16 + payload(2).count))
    }

    @Test func readersReportATornTailWithoutTruncating() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let (bytes, _) = try Self.makeSegment(in: dir, count: 3)
        dir.write(Array(bytes.dropLast(3)), to: Self.segmentName)
        let (records, issues) = try JournalDirectory(path: dir.path).readSegment(day: day1)
        #expect(records.count == 2)
        guard case .tornTail(_, _, _, let truncated) = issues.first else {
            Issue.record("expected a torn tail, got \(issues)")
            return
        }
        #expect(!truncated)
        #expect(dir.bytes(Self.segmentName).count == bytes.count - 3)
    }
}

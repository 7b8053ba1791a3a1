import Foundation
import Testing
@testable import WallboardJournal

@Suite struct CheckpointTests {
    @Test func checkpointAndTailReplayGiveEveryRecordOnce() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let journal = try EventJournal(directory: dir.path, policy: .batched(milliseconds: 10))
        var last: AppendResult?
        for index in 0..<50 { last = try journal.append(payload(index), day: day1) }
        try journal.writeCheckpoint(payload: Array("state after 50".utf8), journalPosition: last!.next)
        for index in 50..<80 { _ = try journal.append(payload(index), day: day1) }
        try journal.close()

        let reopened = try EventJournal(directory: dir.path, policy: .batched(milliseconds: 10))
        let checkpoint = try #require(try reopened.latestCheckpoint())
        #expect(checkpoint.payload == Array("state after 50".utf8))
        #expect(checkpoint.position == last!.next)
        var replayed: [[UInt8]] = []
        let report = try reopened.replay(from: checkpoint.position) { replayed.append($0.payload) }
        #expect(replayed == (50..<80).map { payload($0) })
        #expect(report.end == reopened.endPosition)
    }

    @Test func newerCheckpointReplacesTheOlderOfTheSameDay() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let journal = try EventJournal(directory: dir.path, policy: .os)
        let first = try journal.append(payload(1), day: day1)
        try journal.writeCheckpoint(payload: [1], journalPosition: first.next)
        let second = try journal.append(payload(2), day: day1)
        try journal.writeCheckpoint(payload: [2], journalPosition: second.next)
        let checkpoint = try journal.latestCheckpoint()
        #expect(checkpoint?.payload == [2])
        #expect(checkpoint?.position == second.next)
        #expect(try JournalDirectory(path: dir.path).checkpointDays() == [day1])
    }

    /// A crash after the temporary file was (partly) written but before the rename leaves the previous
    /// checkpoint in force; reopening removes the temporary file and reports it.
    @Test(arguments: [0, 10, 44, 60])
    func crashBeforeRenameKeepsThePreviousCheckpoint(tempBytes: Int) throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let journal = try EventJournal(directory: dir.path, policy: .always)
        let first = try journal.append(payload(1), day: day1)
        try journal.writeCheckpoint(payload: Array("old".utf8), journalPosition: first.next)
        let second = try journal.append(payload(2), day: day1)
        try journal.close()
        // What an interrupted writeCheckpoint leaves: the new checkpoint's bytes, cut at `tempBytes`.
        let newBytes = JournalCheckpoint.encode(payload: Array("new state".utf8), position: second.next)
        dir.write(Array(newBytes.prefix(tempBytes)), to: "checkpoint-2026-11-23.wbc.tmp")

        let reopened = try EventJournal(directory: dir.path, policy: .always)
        #expect(reopened.takeIssues() == [.leftoverTemporaryFile(file: dir.file("checkpoint-2026-11-23.wbc.tmp"))])
        let checkpoint = try reopened.latestCheckpoint()
        #expect(checkpoint?.payload == Array("old".utf8))
        #expect(checkpoint?.position == first.next)
        #expect(!FileManager.default.fileExists(atPath: dir.file("checkpoint-2026-11-23.wbc.tmp")))
    }

    @Test func aDamagedCheckpointFallsBackToTheDayBefore() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let day2 = day1.adding(days: 1)
        let journal = try EventJournal(directory: dir.path, policy: .os)
        let first = try journal.append(payload(1), day: day1)
        try journal.writeCheckpoint(payload: [1], journalPosition: first.next)
        let second = try journal.append(payload(2), day: day2)
        try journal.writeCheckpoint(payload: [2], journalPosition: second.next)
        var bytes = dir.bytes("checkpoint-2026-11-24.wbc")
        bytes[bytes.count - 1] ^= 0xFF
        dir.write(bytes, to: "checkpoint-2026-11-24.wbc")

        #expect(try journal.latestCheckpoint()?.payload == [1])
        let issues = journal.takeIssues()
        #expect(issues == [.badCheckpoint(file: dir.file("checkpoint-2026-11-24.wbc"), reason: "payload checksum mismatch")])
        #expect(try JournalDirectory(path: dir.path).verify().issues == issues)
    }

    /// A checkpoint file cut short or grown is refused with the reason (the header is read first, the
    /// payload on its own), and the day before is used instead.
    @Test(arguments: [
        (0, "not a checkpoint (bad magic or short header)"), (30, "not a checkpoint (bad magic or short header)"),
        (44, "payload is 0 bytes, header says 9"), (50, "payload is 6 bytes, header says 9"),
        (-1, "payload is 10 bytes, header says 9"),
    ])
    func aTruncatedOrGrownCheckpointIsRefusedWithItsSizes(length: Int, reason: String) throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let day2 = day1.adding(days: 1)
        let journal = try EventJournal(directory: dir.path, policy: .os)
        let first = try journal.append(payload(1), day: day1)
        try journal.writeCheckpoint(payload: Array("old".utf8), journalPosition: first.next)
        let second = try journal.append(payload(2), day: day2)
        try journal.writeCheckpoint(payload: Array("new state".utf8), journalPosition: second.next)
        let bytes = dir.bytes("checkpoint-2026-11-24.wbc")
        #expect(bytes.count == 44 + 9)
        dir.write(length < 0 ? bytes + [0] : Array(bytes.prefix(length)), to: "checkpoint-2026-11-24.wbc")

        var checkpoint = try #require(try journal.latestCheckpoint())
        #expect(journal.takeIssues() == [.badCheckpoint(file: dir.file("checkpoint-2026-11-24.wbc"), reason: reason)])
        #expect(checkpoint.position == first.next)
        // The payload is handed over without a copy and the checkpoint keeps none of it.
        let text = checkpoint.takePayload { String(decoding: $0, as: UTF8.self) }
        #expect(text == "old")
        #expect(checkpoint.payload.isEmpty)
    }
}

import Foundation
import Glibc
import Testing
@testable import WallboardJournal

@Suite struct CrashAndDiskFullTests {
    static let frameSize = 16 + 200

    /// A full disk (here: a 64 KiB RLIMIT_FSIZE in a child process, so write(2) returns EFBIG) makes
    /// append throw `noSpace`, leaves no partial record behind, and appends work again once space returns.
    @Test func diskFullIsATypedErrorAndAppendsResumeWhenSpaceReturns() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let child = try ChildProcess.start(role: "disk-full", directory: dir.path)
        child.waitUntilExit()
        #expect(child.terminationStatus == 0)
        let report = ChildProcess.report(dir.file("report.txt"))
        let appended = try #require(report["appended"].flatMap { Int($0) })
        #expect(appended == (Int(ChildProcessRole.limit) - 8) / Self.frameSize)
        #expect(report["noSpace"] == "true", "error: \(report["error"] ?? "none")")
        #expect(report["error"]?.contains("journal-2026-11-23.wbj: no space to append at offset") == true)
        #expect(report["error"]?.contains("EFBIG") == true)
        #expect(report["retryFailed"] == "true")
        #expect(report["sizeAfterFailure"] == String(8 + appended * Self.frameSize))
        #expect(report["recovered"] == "10")

        let (records, issues) = try JournalDirectory(path: dir.path).readSegment(day: day1)
        #expect(issues.isEmpty)
        #expect(records.map(\.payload) == (0..<appended + 10).map { payload($0, size: 200) })
    }

    /// `kill -9` in the middle of `.always` appends: every append that returned is there after reopening,
    /// in order, with at most the one being written lost (and truncated with a warning).
    @Test func everyAcknowledgedAppendSurvivesKill9() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let child = try ChildProcess.start(role: "append-until-killed", directory: dir.path)
        var acknowledged = 0
        for _ in 0..<600 where acknowledged < 300 {  // up to 60 s for 300 fsynced appends
            usleep(100_000)
            let text = (try? String(contentsOfFile: dir.file("acks.txt"), encoding: .utf8)) ?? ""
            acknowledged = text.split(separator: "\n").count
        }
        kill(child.processIdentifier, SIGKILL)
        child.waitUntilExit()
        #expect(child.terminationReason == .uncaughtSignal)
        let text = (try? String(contentsOfFile: dir.file("acks.txt"), encoding: .utf8)) ?? ""
        let acks = text.split(separator: "\n", omittingEmptySubsequences: true).compactMap { Int($0) }
        #expect(acks.count >= 300)

        let journal = try EventJournal(directory: dir.path, policy: .always)
        #expect(journal.takeIssues().count <= 1)
        var payloads: [[UInt8]] = []
        _ = try journal.replay(from: .start(of: day1)) { payloads.append($0.payload) }
        #expect(payloads.count >= acks.count)
        #expect(payloads == (0..<payloads.count).map { payload($0, size: 150) })
        #expect(try journal.directory.verify().isClean)
    }
}

import AMIAdapter
import Foundation
import Testing
import WallboardCore
@testable import WallboardServer

/// `ami[].queue_log` (issue 22): the file is found and read from the gap's start, the config refuses a path
/// it cannot read, and the live source fills a manager-session drop from it (fake Asterisk over loopback).
@Suite struct QueueLogSourceTests {
    static func temporaryFile(_ text: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("queue_log-\(UUID().uuidString)").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// 10,000 calls over about 3 hours (about 0.9 MB): the read starts near the gap, not at the file's start.
    @Test func aLongLogIsReadFromTheGapOnly() throws {
        let base: Int64 = 1_795_300_000
        var lines: [String] = []
        for index in 0..<10_000 {
            let time = base + Int64(index)
            lines.append("\(time)|\(time).\(index)|sales|NONE|ENTERQUEUE||555\(index)|1")
            lines.append("\(time)|\(time).\(index)|sales|NONE|ABANDON|1|1|0")
        }
        let text = lines.joined(separator: "\n") + "\n\(base + 10_000)|9.9|sales|NONE|ENTERQUEUE||5"  // being written: no newline yet
        let path = try Self.temporaryFile(text)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let since = Instant(milliseconds: (base + 9_990) * 1000)
        let reading = try QueueLogFile.read(path: path, since: since)
        #expect(reading.records.count == 20)
        #expect(reading.records.first?.time == since)
        #expect(reading.records.allSatisfy { $0.callID != "9.9" })
        #expect(reading.problems.isEmpty)
        #expect(reading.startOffset > 800_000)
        #expect(reading.bytesRead < 64 * 1024 + 10_000)
        #expect(!reading.startsAfterGap && !reading.truncated)

        let all = try QueueLogFile.read(path: path, since: Instant(milliseconds: base * 1000))
        #expect(all.startOffset == 0)
        #expect(all.records.count == 20_000)
        let rotated = try QueueLogFile.read(path: path, since: Instant(milliseconds: (base - 10) * 1000))
        #expect(rotated.startsAfterGap)
        let capped = try QueueLogFile.read(path: path, since: Instant(milliseconds: base * 1000), maximumBytes: 100_000)
        #expect(capped.truncated)
        #expect(capped.bytesRead == 100_000)
    }

    @Test func aBadLineIsNamedFromWhereTheReadStarted() throws {
        let path = try Self.temporaryFile("1795350500|1.1|sales|NONE|ENTERQUEUE||1|1\n1795350501|1.1|sales|Bob|CONNECT|x|1.2|1\n")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let reading = try QueueLogFile.read(path: path, since: Instant(milliseconds: 1_795_350_500_000))
        #expect(reading.records.count == 1)
        #expect(reading.problems.map(reading.describe) == ["queue_log line 2: CONNECT data1 (hold time) \"x\" is not whole seconds in 0...604800"])
    }

    @Test func anUnreadableFileIsAClearError() {
        #expect(throws: QueueLogFileError(path: "/nonexistent/queue_log", reason: "No such file or directory")) {
            try QueueLogFile.read(path: "/nonexistent/queue_log", since: Instant(milliseconds: 1_795_350_500_000))
        }
        #expect(throws: QueueLogFileError(path: "/tmp", reason: "not a regular file")) {
            try QueueLogFile.read(path: "/tmp", since: Instant(milliseconds: 1_795_350_500_000))
        }
    }

    @Test func theConfigTakesAReadablePathAndNamesAnUnreadableOne() throws {
        let path = try Self.temporaryFile("")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let parsed = try DaemonConfiguration.parse(yaml: AMIConfigurationTests.source + "    queue_log: \(path)\n", fileName: "a.yaml")
        #expect(parsed.amiSources.first?.queueLog == path)
        #expect(try DaemonConfiguration.parse(yaml: AMIConfigurationTests.source, fileName: "a.yaml").amiSources.first?.queueLog == nil)
        for bad in ["/nonexistent/queue_log", "/tmp"] {
            do {
                _ = try DaemonConfiguration.parse(yaml: AMIConfigurationTests.source + "    queue_log: \(bad)\n", fileName: "a.yaml")
                Issue.record("accepted \(bad)")
            } catch {
                #expect("\(error)".contains("a.yaml:5: ami[0].queue_log: \(bad) is not a file this user can read"), "\(error)")
            }
        }
    }

    /// E_resync over TCP: the first manager session drops at 16 s; meanwhile caller E04 abandons (23.5 s) and
    /// E07 joins support. With the queue_log as it stood at the reconnect, E04 is abandoned at the log's time
    /// (not at the resync), E07 waits from its ENTERQUEUE, and the day still matches Asterisk's counts.
    @Test func aSessionDropIsFilledFromTheQueueLog() throws {
        let truth = try AMICapture.truth("E_resync")
        let t0 = AMICapture.t0(truth)
        let reconnect = t0 + 26_024
        let lines = (truth["queue_log"] as! [String]).filter { (Int64($0.prefix { $0 != "|" }) ?? 0) * 1000 <= reconnect }
        let path = try Self.temporaryFile(lines.joined(separator: "\n") + "\n")
        defer { try? FileManager.default.removeItem(atPath: path) }
        var plans = FakeAMIServer.Plan.fromCapture(try AMICapture.rows("E_resync"), truth: truth)
        plans[0].dropMidMessage = true
        let harness = try AMIHarness(truth: truth, plans: plans) { $0.queueLog = path }
        defer { harness.stop() }

        try harness.waitForReplay(connections: 2)
        #expect(harness.source.counters.logins == 2)
        let departures = harness.read { engine, _ in engine.departures }
        let e04 = try #require(departures.first { $0.contact == "1795350569.13" })
        #expect(e04.outcome == .abandoned)
        #expect(e04.leftAt == Instant(milliseconds: 1_795_350_583_000), "\(harness.logs.entries.filter { $0.message.contains("queue_log") || $0.message.contains("AMI logged") || $0.message.contains("connection lost") }.map { "\($0.message) \($0.metadata)" })")
        let e07 = try #require(departures.first { $0.contact == "1795350581.19" })
        #expect(e07.outcome == .answered)
        #expect(abs(e07.wait - 40_043) < 1000)  // from ENTERQUEUE (whole seconds), not from the resync
        AMISourceTests.checkCounts(harness, truth: truth, maxWaitTolerance: 1000)
        let read = harness.logs.entries.first { $0.message == "queue_log read for the gap" }
        #expect(read.map { "\($0.metadata["records"]!)" }.flatMap(Int.init).map { $0 > 0 } == true)
    }
}

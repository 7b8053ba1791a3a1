import Foundation
import JSONC
import JSONModel
import Testing
import WallboardClient
import WallboardCore
@testable import WallboardServer
@testable import WallboardJournal

/// A checkpoint whose binary section is damaged (its file checksum recomputed, so only the engine can
/// tell) is refused with the key that is wrong, and the daemon replays the day's journal instead:
/// the board shows the same figures and the ids are still known.
@Suite(.serialized) struct CheckpointFallbackTests {
    @Test func aDamagedSeenIdSectionFallsBackToReplayingTheDay() throws {
        let stateDir = JournalRestartTests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: stateDir) }
        let port = DaemonProcessTests.freePort()
        let now = SystemClock().now()
        let batch = JournalRestartTests.batch(1, contacts: 5, now: now)
        func post() throws -> JSONValue {
            let response = try HTTPClient.request(
                "POST", "http://127.0.0.1:\(port)/api/v1/events", headers: ["Content-Type": "application/x-ndjson"],
                body: Array(batch.utf8))
            #expect(response.status == 200)
            return try JSONC.parse(response.text)
        }

        var process = try JournalRestartTests.launch(port: port, stateDir: stateDir)
        #expect(DaemonProcessTests.waitUntilHealthy(port: port))
        #expect(try post()["accepted"] == 10)
        #expect(try JournalRestartTests.waitForAbandoned(port: port, 5) == 5)
        kill(process.processIdentifier, SIGTERM)
        process.waitUntilExit()

        // Damage `seen_ids.today` inside an otherwise valid checkpoint file.
        let journalDir = stateDir + "/journal"
        let checkpoint = try #require(try JournalDirectory(path: journalDir).latestCheckpoint().checkpoint)
        var bytes = checkpoint.payload
        guard case .object(var root) = try JSONC.parse(bytes: &bytes), case .object(var seen)? = root["seen_ids"] else {
            Issue.record("not an engine checkpoint")
            return
        }
        seen["today"] = .string("abc")
        root["seen_ids"] = .object(seen)
        let damaged = JournalCheckpoint.encode(payload: Array(JSONC.encode(.object(root)).utf8), position: checkpoint.position)
        try Data(damaged).write(to: URL(fileURLWithPath: checkpoint.file))

        let log = stateDir + "/stderr.log"
        FileManager.default.createFile(atPath: log, contents: nil)
        process = Process()
        process.executableURL = DaemonProcessTests.binary
        process.arguments = ["--listen", "127.0.0.1:\(port)", "--no-simulator", "--state-dir", stateDir, "--log-level", "error"]
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        try process.run()
        defer {
            process.terminate()
            process.waitUntilExit()
        }
        #expect(DaemonProcessTests.waitUntilHealthy(port: port))
        #expect(try JournalRestartTests.waitForAbandoned(port: port, 5) == 5)
        #expect(try post()["duplicates"] == 10)
        let text = try String(contentsOfFile: log, encoding: .utf8)
        #expect(text.contains("checkpoint unusable"), "\(text)")
        #expect(text.contains("seen_ids.today"), "\(text)")
    }
}

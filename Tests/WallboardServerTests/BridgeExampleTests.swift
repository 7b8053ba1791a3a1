import Foundation
import JSONC
import JSONModel
import Testing
import WallboardCore
@testable import WallboardServer

/// The Amazon Connect bridge example (docs/bridges): its output for the sample gives the figures
/// computed by hand in docs/ingest.md, and it streams into a live ingest socket.
@Suite struct BridgeExampleTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let bridge = root.appendingPathComponent("docs/bridges/amazon_connect_bridge.py").path
    static let sample = root.appendingPathComponent("docs/bridges/amazon-connect-sample.jsonl").path

    /// Runs `python3 amazon_connect_bridge.py ARGS < sample`; returns exit status, stdout and stderr.
    static func runBridge(_ arguments: [String] = []) throws -> (status: Int32, stdout: String, stderr: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", bridge] + arguments
        process.standardInput = try FileHandle(forReadingFrom: URL(fileURLWithPath: sample))
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: stdout, as: UTF8.self), String(decoding: stderr, as: UTF8.self))
    }

    /// Hand computation (docs/ingest.md, "Worked example"): sales had 4 answered (waits 10, 20, 40,
    /// 5 s), 1 abandoned after 45 s and 1 short abandon (3 s); support 4 answered (15, 15, 20, 25 s).
    @Test func sampleGivesTheHandComputedFigures() throws {
        let run = try Self.runBridge()
        #expect(run.status == 0, "\(run.stderr)")
        let lines = run.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == 48)
        let inputs = try lines.enumerated().map { Replay.Input.json(line: $0.offset + 1, try JSONC.parse($0.element)) }
        let result = Replay.run(inputs: inputs)
        #expect(result.rejections == [])
        let today = result.json()["windows"]?["today"]
        let sales = try #require(today?["queues"]?["sales"])
        #expect(sales["offered"] == 5)
        #expect(sales["answered"] == 4)
        #expect(sales["abandoned"] == 1)
        #expect(sales["short_abandoned"] == 1)
        #expect(sales["answered_within_threshold"] == 3)
        #expect(sales["service_level"]?.doubleValue == 0.6)  // 3 / (4 + 1)
        #expect(sales["abandon_rate"]?.doubleValue == 0.2)  // 1 / 5
        #expect(sales["asa_seconds"]?.doubleValue == 18.75)  // (10 + 20 + 40 + 5) / 4
        #expect(sales["aht_seconds"]?.doubleValue == 175)  // (210 + 200 + 140 + 150) / 4
        #expect(sales["max_wait_seconds"]?.doubleValue == 45)
        let support = try #require(today?["queues"]?["support"])
        #expect(support["offered"] == 4)
        #expect(support["answered_within_threshold"] == 4)
        #expect(support["service_level"]?.doubleValue == 1)
        #expect(support["asa_seconds"]?.doubleValue == 18.75)  // (15 + 15 + 20 + 25) / 4
        #expect(abs((support["aht_seconds"]?.doubleValue ?? 0) - 605.0 / 3) < 0.001)  // (330 + 135 + 140) / 3; the 4th is still talking
        let center = try #require(today?["center"])
        #expect(center["offered"] == 9)
        #expect(center["answered"] == 8)
        #expect(abs((center["service_level"]?.doubleValue ?? 0) - 7.0 / 9) < 0.001)
        #expect(abs((center["aht_seconds"]?.doubleValue ?? 0) - 1305.0 / 7) < 0.001)
        // Now-values at the end of the sample: bob talks (contact 10), carol is on break, alice is free.
        let agents = Dictionary(uniqueKeysWithValues: result.snapshot.agents.map { ($0.id, $0) })
        #expect(agents["alice"]?.state == .available)
        #expect(agents["bob"]?.state == .onContact)
        #expect(agents["carol"]?.state == .notReady)
        #expect(agents["carol"]?.reason == "break")
    }

    /// The bridge streams to the Unix socket and checks every reply; the engine ends in the same state.
    @Test func bridgeStreamsIntoTheIngestSocket() throws {
        let harness = try StreamHarness()
        defer { harness.stop() }
        let run = try Self.runBridge(["--unix", harness.unixPath])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(harness.server.counters.accepted == 48)
        let states = harness.read { engine, _ in
            engine.agents.mapValues { "\($0.state.rawValue)\($0.reason.map { ":\($0)" } ?? "")" }
        }
        #expect(states == ["alice": "available", "bob": "on_contact", "carol": "not_ready:break"])
        // Replaying the same records is idempotent: every line is a duplicate.
        let again = try Self.runBridge(["--tcp", "127.0.0.1:\(harness.server.tcpPort!)"])
        #expect(again.status == 0, "\(again.stderr)")
        #expect(harness.server.counters.duplicates == 48)
    }
}

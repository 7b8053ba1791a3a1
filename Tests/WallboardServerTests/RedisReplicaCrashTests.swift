import Foundation
import Glibc
import JSONC
import JSONModel
import Testing
import WallboardClient
import WallboardCore
@testable import WallboardServer

/// A replica run as the real binary, killed with SIGKILL while entries flow and started again on the
/// same state: its position file and journal must give every entry exactly once.
@Suite(.serialized) struct RedisReplicaCrashTests {
    typealias F = RedisStreamFixture

    static func launch(config: String, port: Int, stateDir: String) throws -> Process {
        let process = Process()
        process.executableURL = DaemonProcessTests.binary
        process.arguments = ["--config", config, "--listen", "127.0.0.1:\(port)", "--state-dir", stateDir, "--log-level", "error"]
        process.standardError = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        return process
    }

    /// The last 60 minutes' offered, answered and abandoned, and agents logged in, as `/api/v1/snapshot` shows
    /// them. (Not "today": the batches span the 30 minutes before the test, so near midnight "today" splits them.)
    static func totals(port: Int) -> [Int64]? {
        guard let response = try? HTTPClient.get("http://127.0.0.1:\(port)/api/v1/snapshot"), response.status == 200,
            let json = try? JSONC.parse(response.text), let today = json["center"]?["metrics"]?["60m"]
        else { return nil }
        return [today["offered"], today["answered"], today["abandoned"], json["center"]?["agents"]?["logged_in"]]
            .map { $0?.integerValue ?? -1 }
    }

    @Test func killDashNineMidStreamResumesWithNoGapAndNoDoubleCount() throws {
        let redis = try RedisTestServer()
        defer { redis.stop() }
        let state = F.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: state) }
        let config = state + "/replica.yaml"
        try """
            redis:
              url: redis://127.0.0.1:\(redis.port)
              source: {stream: "\(F.stream)", batch: 5, block_ms: 50}
            """.write(toFile: config, atomically: true, encoding: .utf8)
        let bridge = try F.daemon(server: redis, sink: RedisSettings.Sink(stream: F.stream, onUnavailable: .refuse))
        defer { bridge.stop() }
        let port = DaemonProcessTests.freePort()
        let first = try Self.launch(config: config, port: port, stateDir: state + "/replica")
        #expect(DaemonProcessTests.waitUntilHealthy(port: port))

        // Batches flow from another thread; the replica dies (SIGKILL) while it reads them.
        let now = SystemClock().now()
        let batches = (0..<20).map { F.batch($0, contacts: 6, now: now) }
        let sender = Thread {
            for body in batches { _ = try? bridge.post("/api/v1/events", body: body) }
        }
        sender.start()
        #expect(F.eventually { (Self.totals(port: port)?[0] ?? 0) > 6 })
        kill(first.processIdentifier, SIGKILL)
        first.waitUntilExit()
        while !sender.isFinished { usleep(1000) }
        let position = try String(contentsOfFile: state + "/replica/redis/\(F.stream).position", encoding: .utf8)
        #expect(!position.isEmpty)

        let second = try Self.launch(config: config, port: port, stateDir: state + "/replica")
        defer {
            second.terminate()
            second.waitUntilExit()
        }
        #expect(DaemonProcessTests.waitUntilHealthy(port: port))
        let expected = try #require(Self.totals(port: bridge.daemon.port))
        #expect(expected == [120, 60, 60, 60])
        var last: [Int64]?
        #expect(F.eventually {
            last = Self.totals(port: port)
            return last == expected
        }, "replica shows \(String(describing: last)), bridge \(expected)")
    }
}

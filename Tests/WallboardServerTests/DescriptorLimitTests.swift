import Foundation
import Glibc
import JSONC
import LWS
import Logging
import Synchronization
import Testing
import WallboardCore
@testable import WallboardServer

@Suite struct DescriptorBudgetTests {
    @Test func ceilingKeepsTheReserveButNeverMoreThanHalf() {
        #expect(DescriptorBudget.acceptCeiling(reserve: 64, softLimit: 1024) == 960)
        #expect(DescriptorBudget.acceptCeiling(reserve: 64, softLimit: 100) == 50)
        #expect(DescriptorBudget.acceptCeiling(reserve: -5, softLimit: 100) == 100)
        #expect(DescriptorBudget.acceptCeiling(reserve: 64, softLimit: nil) == Int.max)
    }

    /// Raising only ever raises (harmless for the test process), up to the hard limit and the cap.
    @Test func softLimitIsRaisedToTheHardLimitUpToTheCap() throws {
        var limit = rlimit()
        try #require(getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0)
        let raised = try #require(DescriptorBudget.raiseSoftLimit())
        #expect(raised.after == max(raised.before, min(Int(clamping: limit.rlim_max), DescriptorBudget.defaultCap)))
        #expect(DescriptorBudget.softLimit() == raised.after)
        let again = try #require(DescriptorBudget.raiseSoftLimit(cap: 1))  // never lowers
        #expect(again.before == raised.after && again.after == raised.after)
    }

    @Test func episodesAreCountedOnce() {
        var episode = PressureEpisode()
        let none = episode.end()
        let first = episode.record()
        let second = episode.record()
        let ended = episode.end()
        let again = episode.record()
        #expect(none == nil)
        #expect(first && !second && again)
        #expect(ended == 2)
        #expect(episode.episodes == 2)
    }
}

/// Out of descriptors, the daemon refuses new connections at once instead of spinning on `accept`,
/// keeps serving the connections it has, and serves new ones once descriptors free up.
@Suite(.serialized) struct DescriptorLimitProcessTests {
    /// The HTTP server (libwebsockets) in a `wallboardd` started with `ulimit -n 160`.
    @Test func outOfDescriptorsRefusesWithoutSpinningAndKeepsServing() throws {
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("fdlimit-\(UUID().uuidString.prefix(8)).log")
        FileManager.default.createFile(atPath: log.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: log) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = [
            "-c", #"ulimit -n 160 && exec "$0" --listen 127.0.0.1:0 --log-level info --no-simulator"#,
            DaemonProcessTests.binary.path,
        ]
        process.standardError = try FileHandle(forWritingTo: log)
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        defer { if process.isRunning { process.terminate() } }
        func logText() -> String { (try? String(contentsOf: log, encoding: .utf8)) ?? "" }
        var port = 0
        for _ in 0..<100 where port == 0 {
            if let range = logText().range(of: #"http\.port=(\d+)"#, options: .regularExpression) {
                port = Int(logText()[range].dropFirst("http.port=".count)) ?? 0
            } else {
                usleep(100_000)
            }
        }
        try #require(port > 0, "the daemon did not start: \(logText())")

        let keptAlive = try RawSocket(port: port, timeout: 2)
        try keptAlive.send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        #expect(try keptAlive.readResponse().head.hasPrefix("HTTP/1.1 200"))

        // 200 more connections than the 160 descriptors allow: each either answers or is closed. (One
        // left waiting in the backlog means the server ran out: stop after a few of those.)
        var held: [RawSocket] = []
        var answered = 0
        var refused = 0
        var waiting = 0
        for _ in 0..<200 where waiting < 3 {
            let socket = try RawSocket(port: port, timeout: 2)
            try? socket.send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            do {
                if try socket.readResponse().head.hasPrefix("HTTP/1.1 200") {
                    answered += 1
                    held.append(socket)
                }
            } catch RawSocket.Failure.timedOut {
                waiting += 1
            } catch {
                refused += 1
            }
        }
        #expect(waiting == 0, "connections left unanswered in the backlog")
        #expect(answered > 0)
        #expect(refused > 0)
        // The connection opened before still answers; so does /metrics, which counts the refusals.
        try keptAlive.send("GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        let metrics = try keptAlive.readResponse().body
        #expect(metrics.contains("wallboardd_http_descriptor_refusals_total \(refused)"))
        // Once descriptors free up, new connections are served again.
        held.removeAll()
        var served = false
        for _ in 0..<50 where !served {
            let socket = try RawSocket(port: port, timeout: 2)
            try? socket.send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            served = (try? socket.readResponse().head.hasPrefix("HTTP/1.1 200")) == true
            if !served { usleep(100_000) }
        }
        #expect(served)
        process.terminate()
        process.waitUntilExit()
        let lines = logText().split(separator: "\n")
        // lws's own accept loop never hit EMFILE (it logs "accept: errno 24" and retries at once);
        // the refusals were logged once, with their count when accepting resumed.
        #expect(lines.filter { $0.contains("accept: errno") }.isEmpty)
        #expect(lines.filter { $0.contains("refusing connections") }.count == 1)
        let resumed = lines.filter { $0.contains("accepting connections again") }
        #expect(resumed.count == 1, "\(logText())")
        // Its count includes any connection refused while the held ones were still closing.
        let count = resumed.first.flatMap { line in
            line.split(separator: " ").first { $0.hasPrefix("http.refused=") }.flatMap { Int($0.dropFirst("http.refused=".count)) }
        }
        #expect((count ?? 0) >= refused)
    }
}

/// The NDJSON stream listener when `accept` fails with EMFILE: it stops polling for a while and logs
/// once per episode, instead of retrying in a loop and logging every attempt.
@Suite(.serialized) struct StreamAcceptBackoffTests {
    final class Captured: Sendable {
        let lines = Mutex<[String]>([])
        let attempts = Mutex(0)
        /// Failures still to fake before `accept` is the real one again.
        let failuresLeft = Mutex(0)
        var all: [String] { lines.withLock { $0 } }
    }

    static func server(_ captured: Captured, backoffMilliseconds: Int) throws -> (StreamIngestServer, EngineService) {
        let logger = Logger(label: "test.stream") { label in
            JournaldLogHandler(label: label, level: .info, toJournal: false) { line in captured.lines.withLock { $0.append(line) } }
        }
        let engine = EngineService(
            configuration: EngineConfiguration(), simulator: nil, clock: SystemClock(), hub: TopicHub { _, _ in }, logger: logger)
        try engine.start { _, _ in }
        var configuration = StreamIngestConfiguration(tcpHost: "127.0.0.1", tcpPort: 0)
        configuration.acceptBackoffMilliseconds = backoffMilliseconds
        let server = StreamIngestServer(configuration: configuration, engine: engine, logger: logger)
        server.acceptCall = { fd in
            captured.attempts.withLock { $0 += 1 }
            let fail = captured.failuresLeft.withLock { left -> Bool in
                guard left > 0 else { return false }
                left -= 1
                return true
            }
            if fail {
                errno = EMFILE
                return -1
            }
            return Glibc.accept(fd, nil, nil)
        }
        try server.start()
        return (server, engine)
    }

    static func stop(_ server: StreamIngestServer, _ engine: EngineService) {
        let done = DispatchSemaphore(value: 0)
        server.stop { done.signal() }
        _ = done.wait(timeout: .now() + 5)
        engine.stop()
    }

    /// While out of descriptors (a pause far longer than the test), one attempt is made and one line
    /// logged, however often the pending connection would wake a level-triggered source.
    @Test func oneAttemptThenPausedWhileOutOfDescriptors() throws {
        let captured = Captured()
        captured.failuresLeft.withLock { $0 = Int.max }
        let (server, engine) = try Self.server(captured, backoffMilliseconds: 600_000)
        defer { Self.stop(server, engine) }
        let client = try RawSocket(port: server.tcpPort ?? 0)
        for _ in 0..<100 where server.counters.acceptFailures == 0 { usleep(20_000) }
        #expect(server.counters.acceptFailures == 1)
        server.queue.sync {}  // the listener's queue has run whatever it had queued: no retry came
        server.queue.sync {}
        #expect(captured.attempts.withLock { $0 } == 1)
        #expect(captured.all.filter { $0.contains("out of descriptors") }.count == 1)
        _ = client
    }

    /// Three failed attempts, each after a short pause, then the connection is accepted: one warning
    /// for the episode and one notice with its count.
    @Test func resumesAfterThePauseAndLogsTheEpisodeOnce() throws {
        let captured = Captured()
        captured.failuresLeft.withLock { $0 = 3 }
        let (server, engine) = try Self.server(captured, backoffMilliseconds: 20)
        defer { Self.stop(server, engine) }
        let client = try RawSocket(port: server.tcpPort ?? 0)
        for _ in 0..<250 where server.counters.connectionsTotal == 0 { usleep(20_000) }
        #expect(server.counters.connectionsTotal == 1)
        #expect(server.counters.acceptFailures == 3)
        #expect(captured.attempts.withLock { $0 } == 5)  // 3 failures, the accept, the EAGAIN ending the loop
        #expect(captured.all.filter { $0.contains("out of descriptors") }.count == 1)
        #expect(captured.all.filter { $0.contains("accepting again") && $0.contains("ingest.refused=3") }.count == 1)
        _ = client
    }
}

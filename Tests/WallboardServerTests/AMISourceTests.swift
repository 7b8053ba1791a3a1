import AMIAdapter
import Foundation
import JSONC
import JSONModel
import Logging
import Synchronization
import Testing
import WallboardCore
@testable import WallboardServer

/// The live AMI source against ``FakeAMIServer`` on loopback, replaying the real Asterisk captures into
/// a real ``EngineService``. Every wait is a bounded poll on a condition.
@Suite struct AMISourceTests {
    /// Replays a whole capture; the engine's counts equal the truth file's `expected_counts`.
    @Test(arguments: ["A_basic", "C_presence"])
    func captureReplayedOverTCPMatchesTruthCounts(scenario: String) throws {
        let truth = try AMICapture.truth(scenario)
        let plans = FakeAMIServer.Plan.fromCapture(try AMICapture.rows(scenario), truth: truth)
        let harness = try AMIHarness(truth: truth, plans: plans)
        defer { harness.stop() }

        try harness.waitForReplay(connections: 1)
        Self.checkCounts(harness, truth: truth)
        #expect(harness.source.counters.problems == 0, "\(harness.logs.messages(at: .notice))")
        #expect(harness.source.counters.logins == 1)
        try harness.poll("connected status in a snapshot") { harness.sourceStatus()?["state"]?.stringValue == "connected" }
        #expect(harness.sourceStatus()?["kind"]?.stringValue == "asterisk")
        // Asterisk's servicelevel became the queues' thresholds.
        let thresholds = harness.read { engine, _ in engine.configuration.queues.map { "\($0.id)=\($0.threshold)" } }
        #expect(thresholds == ["sales=30000", "support=20000"])
    }

    /// A queue Asterisk reports that `wrapup_seconds` does not name is logged once (AMI has no wrapuptime).
    @Test func queueWithoutConfiguredWrapUpIsNamedOnceInTheLog() throws {
        let truth = try AMICapture.truth("A_basic")
        let plans = FakeAMIServer.Plan.fromCapture(try AMICapture.rows("A_basic"), truth: truth)
        let harness = try AMIHarness(truth: truth, plans: plans) { $0.mapper.wrapUpTimes = ["sales": 5000] }
        defer { harness.stop() }
        try harness.waitForReplay(connections: 1)
        let warnings = harness.logs.entries.filter { $0.message.hasPrefix("AMI queues without a configured wrap-up") }
        #expect(warnings.count == 1)
        #expect(warnings.first.map { "\($0.metadata["ami.queues"]!)" } == "support")
        #expect(warnings.first?.level == .warning)
    }

    /// Asterisk offers the MD5 challenge: the login sends `Key`, never the secret, and the log says md5.
    @Test func loginUsesTheMD5ChallengeWhenOffered() throws {
        let harness = try AMIHarness(truth: nil, plans: [])
        defer { harness.stop() }
        try harness.poll("logged in") { harness.source.counters.logins == 1 }
        #expect(harness.server.logins.withLock { $0 } == ["md5"])
        #expect(Array(harness.server.actions.prefix(2)) == ["Challenge", "Login"])
        let entry = harness.logs.entries.first { $0.message == "AMI logged in" }
        #expect(entry.map { "\($0.metadata["ami.auth"]!)" } == "md5")
        #expect(entry?.level == .notice)
    }

    /// A server that refuses the challenge gets the plain-text secret, and the log warns that it did.
    @Test func refusedChallengeFallsBackToPlainTextAndWarns() throws {
        let harness = try AMIHarness(truth: nil, plans: [], offersChallenge: false)
        defer { harness.stop() }
        try harness.poll("logged in") { harness.source.counters.logins == 1 }
        #expect(harness.server.logins.withLock { $0 } == ["plain"])
        let entry = harness.logs.entries.first { $0.message.hasPrefix("AMI logged in") }
        #expect(entry.map { "\($0.metadata["ami.auth"]!)" } == "plain")
        #expect(entry?.level == .warning)
        #expect(entry?.message.contains("refused the MD5 challenge") == true)
    }

    /// A wrong secret under MD5 is refused like a plain one (the key is checked, not just present).
    @Test func wrongSecretUnderMD5IsRefused() throws {
        let harness = try AMIHarness(truth: nil, plans: [], secret: "not-the-secret")
        defer { harness.stop() }
        try harness.poll("authentication_failed status") { harness.sourceStatus()?["state"]?.stringValue == "authentication_failed" }
        #expect(harness.server.logins.withLock { $0 } == ["md5"])
        #expect(harness.source.counters.logins == 0)
    }

    /// A refused login: `authentication_failed` with a clear detail, no events, and no tight retry loop.
    @Test func wrongSecretReportsAuthenticationFailedAndSendsNoEvents() throws {
        let truth = try AMICapture.truth("A_basic")
        let plans = FakeAMIServer.Plan.fromCapture(try AMICapture.rows("A_basic"), truth: truth)
        let harness = try AMIHarness(truth: truth, plans: plans, secret: "not-the-secret")
        defer { harness.stop() }

        try harness.poll("authentication_failed status") { harness.sourceStatus()?["state"]?.stringValue == "authentication_failed" }
        let detail = harness.sourceStatus()?["detail"]?.stringValue ?? ""
        #expect(detail.contains("refused the login of user \"wallboard\""), "\(detail)")
        #expect(detail.contains("reconnecting in 60 s"), "\(detail)")
        Thread.sleep(forTimeInterval: 0.3)  // not an assertion: time for a (wrong) tight loop to show
        #expect(harness.server.connections == 1)
        #expect(harness.source.counters.eventsSent == 0)
        #expect(harness.source.counters.authenticationFailures == 1)
        #expect(harness.logs.messages(at: .error).contains("AMI login refused"))
    }

    /// After a refused login the source retries slowly and re-reads the secret file: fixing it is enough.
    @Test func correctedSecretFileIsUsedOnTheSlowRetry() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("amisrc-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("secret").path
        try "typo\n".write(toFile: file, atomically: true, encoding: .utf8)
        let harness = try AMIHarness(truth: nil, plans: [], secret: "typo") {
            $0.secretFile = file
            $0.authenticationRetryDelay = 300
        }
        defer { harness.stop() }
        try harness.poll("authentication_failed") { harness.sourceStatus()?["state"]?.stringValue == "authentication_failed" }
        #expect(harness.sourceStatus()?["detail"]?.stringValue?.contains("check the secret file \(file)") == true)
        try "wallboard-capture\n".write(toFile: file, atomically: true, encoding: .utf8)
        try harness.poll("connected after the retry") { harness.sourceStatus()?["state"]?.stringValue == "connected" }
        #expect(harness.server.connections >= 2)
        #expect(harness.source.counters.logins == 1)
    }

    /// E_resync over TCP with the first connection cut in the middle of a message: the source reconnects
    /// after its backoff, logs in again, resyncs from QueueStatus/CoreShowChannels, and nothing is
    /// counted twice.
    @Test func connectionDroppedMidMessageReconnectsAndResyncsWithoutDoubleCounting() throws {
        let truth = try AMICapture.truth("E_resync")
        var plans = FakeAMIServer.Plan.fromCapture(try AMICapture.rows("E_resync"), truth: truth)
        plans[0].dropMidMessage = true
        let harness = try AMIHarness(truth: truth, plans: plans)
        defer { harness.stop() }

        try harness.waitForReplay(connections: 2)
        #expect(harness.server.connections == 2)
        #expect(harness.source.counters.logins == 2)
        let truncated = harness.logs.entries.contains {
            $0.message == "AMI input skipped" && ($0.metadata["ami.problem"].map { "\($0)" } ?? "").contains("ended inside a message")
        }
        #expect(truncated)
        #expect(harness.logs.entries.contains {
            $0.message == "AMI source status" && ($0.metadata["ami.detail"].map { "\($0)" } ?? "").hasPrefix("reconnecting in 0.")
        })
        // E07 joined while we were away: its wait comes from QueueEntry's whole-second Wait.
        Self.checkCounts(harness, truth: truth, maxWaitTolerance: 1000)
        let ids = harness.read { engine, _ in engine.departures.map(\.contact) }
        #expect(Set(ids).count == ids.count, "a contact left a queue twice")
        try harness.poll("connected status") { harness.sourceStatus()?["state"]?.stringValue == "connected" }
    }

    /// The resync's QueueStatus answer (read again after every reconnect) carries `Wait: 99999999999999999` in
    /// a QueueEntry: no trap, the header is ignored with a logged problem, the caller still counts (queued at
    /// the resync), and every other event is applied.
    @Test func outOfRangeWaitInTheResyncIsSkippedAndTheSourceKeepsRunning() throws {
        let truth = try AMICapture.truth("E_resync")
        var rows = try AMICapture.rows("E_resync")
        let entry = try #require(rows.firstIndex {
            $0.conn == 2 && String(decoding: $0.block, as: UTF8.self).contains("Caller E07\r\nWait: 6\r\n")
        })
        let text = String(decoding: rows[entry].block, as: UTF8.self)
        rows[entry].block = Array(text.replacingOccurrences(of: "Wait: 6\r\n", with: "Wait: 99999999999999999\r\n").utf8)
        var plans = FakeAMIServer.Plan.fromCapture(rows, truth: truth)
        plans[0].dropMidMessage = true
        let harness = try AMIHarness(truth: truth, plans: plans)
        defer { harness.stop() }

        try harness.waitForReplay(connections: 2)
        #expect(harness.source.counters.logins == 2)
        let problems = harness.logs.entries.compactMap { $0.message == "AMI input skipped" ? $0.metadata["ami.problem"].map { "\($0)" } : nil }
        #expect(problems.contains { $0.contains("QueueEntry") && $0.contains("Wait \"99999999999999999\" is not whole seconds") }, "\(problems)")
        // Every caller still counts once; only E07's wait is shorter (it counts from the resync).
        let expected = truth["expected_counts"] as! [String: [String: Any]]
        let snapshot = harness.read { engine, now in engine.snapshot(now: now) }
        for (scope, counts) in expected {
            let metrics = scope == "total"
                ? snapshot.center.windows["60m"]!
                : snapshot.queues.first { $0.settings.id == scope }?.figures.windows["60m"] ?? WindowMetrics()
            #expect(metrics.offered == counts["offered"] as! Int, "\(scope) offered")
            #expect(metrics.answered == counts["answered"] as! Int, "\(scope) answered")
            #expect(metrics.abandoned == counts["abandoned"] as! Int, "\(scope) abandoned")
        }
        #expect(harness.source.counters.eventsRejected == 0)
        try harness.poll("connected status") { harness.sourceStatus()?["state"]?.stringValue == "connected" }
    }

    /// Garbage between messages is logged, counted and skipped; every real message around it still counts.
    @Test func garbageBetweenMessagesIsLoggedAndSkipped() throws {
        let truth = try AMICapture.truth("A_basic")
        let plans = FakeAMIServer.Plan.fromCapture(try AMICapture.rows("A_basic"), truth: truth, garbageEvery: 40)
        let harness = try AMIHarness(truth: truth, plans: plans)
        defer { harness.stop() }

        try harness.waitForReplay(connections: 1)
        Self.checkCounts(harness, truth: truth)
        let problems = harness.source.counters.problems
        #expect(problems >= 10)
        let notices = harness.logs.entries.filter { $0.level == .notice && $0.message == "AMI input skipped" }
        #expect(notices.count == AMISource.problemNoticeLimit, "later problems go to debug, not a log storm")
        #expect(notices.first.map { "\($0.metadata["ami.problem"]!)" }?.contains("no \"Key: Value\" colon") == true)
    }

    /// Supervisor actions complete by ActionID: success, Asterisk's error, a timeout; stop sends Logoff.
    @Test func actionsCompleteByActionIDAndStopLogsOff() throws {
        // `localhost` goes through getaddrinfo (::1 first on most hosts, refused: then 127.0.0.1).
        let harness = try AMIHarness(truth: nil, plans: [FakeAMIServer.Plan()], host: "localhost")
        defer { harness.stop() }
        try harness.poll("connected") { harness.sourceStatus()?["state"]?.stringValue == "connected" }

        let paused = harness.call { harness.source.pause(interface: "Local/1001@agents/n", queue: "sales", paused: true, reason: "Coaching", completion: $0) }
        #expect((try? paused.get())?.response["Message"] == "Interface paused successfully")
        let refused = harness.call { harness.source.send(AMIAction("Bogus"), completion: $0) }
        #expect(refused.amiFailure == .actionFailed(action: "Bogus", message: "Invalid/unknown command"))
        let silent = harness.call { harness.source.send(AMIAction("Hold-Me"), timeout: 200, completion: $0) }
        #expect(silent.amiFailure == .actionTimedOut(action: "Hold-Me", after: 200))
        let monitor = harness.call { harness.source.startMonitor(contact: "1795350564.99", supervisorEndpoint: "PJSIP/2001", mode: .listen, completion: $0) }
        #expect(monitor.amiFailure == .noMonitorTarget(contact: "1795350564.99"))

        let stopped = DispatchSemaphore(value: 0)
        harness.source.stop { stopped.signal() }
        #expect(stopped.wait(timeout: .now() + 3) == .success)
        try harness.poll("Logoff received") { harness.server.actions.contains("Logoff") }
        #expect(harness.server.actions.prefix(4) == ["Challenge", "Login", "QueueStatus", "CoreShowChannels"])
        try harness.poll("stopped status") { harness.sourceStatus()?["detail"]?.stringValue == "stopped" }
        let late = harness.call { harness.source.send(.ping, completion: $0) }
        #expect(late.amiFailure == .notConnected(state: "disconnected"))
    }

    /// Nothing listening: `disconnected` with the reason and the backoff in the detail.
    @Test func refusedConnectionShowsReasonAndBackoff() throws {
        let server = try FakeAMIServer(plans: [])
        let port = server.port
        server.stop()  // the port is now closed
        let harness = try AMIHarness(truth: nil, plans: [], port: port)
        defer { harness.stop() }
        try harness.poll("refused status") {
            harness.sourceStatus()?["detail"]?.stringValue?.hasSuffix(": connection refused") == true
        }
        #expect(harness.sourceStatus()?["state"]?.stringValue == "disconnected")
    }

    @Test func backoffDoublesFromOneSecondToThirtyWithJitter() {
        var backoff = ReconnectBackoff(initial: 1000, maximum: 30_000)
        #expect((0..<7).map { _ in backoff.nextDelay(random: 0) } == [1000, 2000, 4000, 8000, 16_000, 30_000, 30_000])
        backoff.reset()
        #expect(backoff.nextDelay(random: 0.999) > 800)
        #expect(ReconnectBackoff.describe(4000) == "4 s")
        #expect(ReconnectBackoff.describe(830) == "0.8 s")
    }

    @Test func secretFileIsReadWithoutTrailingNewlineAndErrorsNameTheFile() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("amisrc-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("secret").path
        try "s3 cret\r\n".write(toFile: file, atomically: true, encoding: .utf8)
        let configuration = try AMISourceConfiguration(address: "[::1]:5039", username: "wallboard", secretFile: file)
        #expect(configuration.secret == "s3 cret")
        #expect(configuration.host == "::1" && configuration.port == 5039)
        #expect(AMISourceConfiguration.parseAddress("pbx.example")! == ("pbx.example", 5038))
        #expect(AMISourceConfiguration.parseAddress("pbx:x") == nil)

        let missing = folder.appendingPathComponent("nope").path
        #expect(throws: AMISourceError.secretFileUnreadable(path: missing, reason: "no such file")) {
            try AMISourceConfiguration.readSecret(fromFile: missing)
        }
        try "\n".write(toFile: file, atomically: true, encoding: .utf8)
        #expect(throws: AMISourceError.secretFileEmpty(path: file)) { try AMISourceConfiguration.readSecret(fromFile: file) }
        #expect(AMISourceError.secretFileEmpty(path: file).description.contains(file))
    }

    // MARK: - Checks

    /// The truth file's `expected_counts` against the engine, as `AMIReplayTests` checks the pure replay.
    static func checkCounts(_ harness: AMIHarness, truth: [String: Any], maxWaitTolerance: Millis = 0) {
        let expected = truth["expected_counts"] as! [String: [String: Any]]
        let (snapshot, departures) = harness.read { engine, now in (engine.snapshot(now: now), engine.departures) }
        for (scope, counts) in expected {
            let metrics = scope == "total"
                ? snapshot.center.windows["60m"]!
                : snapshot.queues.first { $0.settings.id == scope }?.figures.windows["60m"] ?? WindowMetrics()
            #expect(metrics.offered == counts["offered"] as! Int, "\(scope) offered")
            #expect(metrics.answered == counts["answered"] as! Int, "\(scope) answered")
            #expect(metrics.abandoned == counts["abandoned"] as! Int, "\(scope) abandoned")
            if let within = counts["answered_within_servicelevel"] as? Int {
                #expect(metrics.answeredWithinThreshold == within, "\(scope) answered within queue servicelevel")
            }
            let inScope = departures.filter { $0.outcome == .answered && (scope == "total" || $0.queue == scope) }
            #expect(inScope.filter { $0.wait <= 30_000 }.count == counts["answered_within_30s"] as! Int, "\(scope) within 30 s")
            if let truthMax = (counts["max_wait_answered_ms"] as? NSNumber)?.int64Value {
                let maxWait = inScope.map(\.wait).max()
                #expect(maxWait.map { abs($0 - truthMax) <= maxWaitTolerance } == true, "\(scope) max wait \(String(describing: maxWait)) vs \(truthMax)")
            }
        }
        #expect(harness.source.counters.eventsRejected == 0, "\(harness.logs.messages(at: .debug).filter { $0.contains("rejected") })")
    }
}

// MARK: - AMIHarness

/// An engine, a topic hub, a fake Asterisk and an ``AMISource`` between them, on a ``AMITestClock`` that
/// the server moves to each message's capture time.
final class AMIHarness: Sendable {
    let clock: AMITestClock
    let engine: EngineService
    let hub: TopicHub
    let server: FakeAMIServer
    let source: AMISource
    let logs = AMILogCapture()

    init(
        truth: [String: Any]?, plans: [FakeAMIServer.Plan], secret: String = "wallboard-capture", offersChallenge: Bool = true,
        host: String = "127.0.0.1",
        port: Int? = nil, configure: (inout AMISourceConfiguration) -> Void = { _ in }
    ) throws {
        let t0 = truth.map(AMICapture.t0) ?? 1_795_350_480_000
        clock = AMITestClock(Instant(milliseconds: t0))
        var logger = Logger(label: "test.ami") { [logs] _ in logs }
        logger.logLevel = .debug
        hub = TopicHub { _, _ in }
        engine = EngineService(configuration: EngineConfiguration(), simulator: nil, clock: clock, hub: hub, logger: logger)
        try engine.start { _, _ in }
        let sourceBox = Mutex<AMISource?>(nil)
        let box = AMITestBox(sourceBox)
        server = try FakeAMIServer(
            offersChallenge: offersChallenge, plans: plans, t0: t0, clock: clock, delivered: { box.value.withLock { $0?.counters.bytesReceived ?? 0 } })
        var configuration = AMISourceConfiguration(
            host: host, port: port ?? server.port, username: "wallboard", secret: secret,
            mapper: AMIEventMapper.Configuration(wrapUpTimes: ["sales": 5000, "support": 3000]))
        configuration.initialBackoff = 100
        configuration.connectTimeout = 2000
        configure(&configuration)
        source = AMISource(configuration: configuration, engine: engine, clock: clock, logger: logger)
        box.value.withLock { $0 = source }
        source.start()
    }

    func stop() {
        let done = DispatchSemaphore(value: 0)
        source.stop { done.signal() }
        _ = done.wait(timeout: .now() + 3)
        server.stop()
        engine.stop()
    }

    /// Polls `condition` every 10 ms for up to `seconds`; throws when it never held.
    func poll(_ what: String, seconds: Double = 10, _ condition: () -> Bool) throws {
        let deadline = Date().addingTimeInterval(seconds)
        while !condition() {
            guard Date() < deadline else { throw AMIHarnessError.timedOut(what) }
            Thread.sleep(forTimeInterval: 0.01)
        }
    }

    /// Waits until `connections` plans were replayed and the engine has answered every event sent.
    func waitForReplay(connections: Int) throws {
        try poll("replay of \(connections) connection(s)", seconds: 20) { server.replayed >= connections }
        try poll("engine caught up") {
            let counters = source.counters
            return counters.eventsApplied + counters.eventsDuplicate + counters.eventsRejected == counters.eventsSent
                && read { _, _ in true }
        }
    }

    func read<T: Sendable>(_ body: @escaping @Sendable (WallboardEngine, Instant) -> T) -> T {
        let result = Mutex<T?>(nil)
        let done = DispatchSemaphore(value: 0)
        engine.read(body) { value in
            result.withLock { $0 = value }
            done.signal()
        }
        done.wait()
        return result.withLock { $0! }
    }

    /// This source's entry as of the engine's latest publish (the sources every board's `center` shows).
    func sourceStatus() -> JSONValue? {
        hub.sources.arrayValue?.first { $0["name"]?.stringValue == "asterisk" }
    }

    /// Runs an action and waits (up to 5 s) for its completion.
    func call<T: Sendable>(_ start: (@escaping @Sendable (Result<T, AMISourceError>) -> Void) -> Void) -> Result<T, AMISourceError> {
        let result = Mutex<Result<T, AMISourceError>?>(nil)
        let done = DispatchSemaphore(value: 0)
        start { value in
            result.withLock { $0 = value }
            done.signal()
        }
        guard done.wait(timeout: .now() + 5) == .success else { return .failure(.stopped) }
        return result.withLock { $0! }
    }
}

enum AMIHarnessError: Error { case timedOut(String) }

final class AMITestBox<T: ~Copyable>: @unchecked Sendable {
    // @unchecked: wraps a Mutex, which synchronises itself.
    let value: T
    init(_ value: consuming T) { self.value = value }
}

extension Result {
    var amiFailure: Failure? {
        if case .failure(let error) = self { return error }
        return nil
    }
}

/// Keeps every log entry, for assertions.
final class AMILogCapture: LogHandler, @unchecked Sendable {
    // @unchecked: entries are behind a Mutex; logLevel/metadata are set once before use.
    struct Entry: Sendable {
        var level: Logger.Level
        var message: String
        var metadata: Logger.Metadata
    }

    private let stored = Mutex<[Entry]>([])
    var logLevel: Logger.Level = .trace
    var metadata: Logger.Metadata = [:]

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let entry = Entry(level: event.level, message: event.message.description,
                          metadata: metadata.merging(event.metadata ?? [:]) { $1 })
        stored.withLock { $0.append(entry) }
    }

    var entries: [Entry] { stored.withLock { $0 } }

    func messages(at level: Logger.Level) -> [String] { entries.filter { $0.level == level }.map(\.message) }
}

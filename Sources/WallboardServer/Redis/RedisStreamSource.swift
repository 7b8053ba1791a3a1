import Dispatch
import Foundation
import Logging
import Redis
import Synchronization
import WallboardCore

/// Reads one Redis stream on its own thread and applies its entries, in stream order, through the
/// engine's apply path with each entry's id time as the event's "received at" (so every replica
/// reading the stream decides clamping, reordering and expiry alike).
///
/// Where it starts: after the entry saved in its position file (``RedisStreamPosition``), else at the
/// start of what the engine's windows need (the business day's start, or earlier when the longest
/// window reaches back past it). Each batch is applied, journaled, then its last id saved; a restart
/// resumes there. On a failure it reports the source down with the reason, waits a capped backoff
/// and reconnects, resuming after the last applied entry.
public final class RedisStreamSource: Sendable {
    public let settings: RedisSettings
    public let source: RedisSettings.Source
    public let counters: RedisStreamCounters
    private let engine: EngineService
    private let clock: WallClock
    private let logger: Logger
    private let position: RedisStreamPosition?
    private let password: String?
    private let state = Mutex(State())
    /// Signalled by ``stop(completion:)`` to cut a backoff wait short.
    private let wake = DispatchSemaphore(value: 0)
    private let finished = DispatchSemaphore(value: 0)

    private struct State {
        var stopping = false
        var started = false
        /// The last applied entry.
        var lastApplied: StreamID?
    }

    /// The name on the board, in `/healthz` and in logs.
    public var name: String { "redis:\(source.stream)" }

    /// Reads the password file and the saved position now, so a bad one stops the start with its reason.
    init(settings: RedisSettings, source: RedisSettings.Source, engine: EngineService, clock: WallClock, logger: Logger)
        throws(RedisSourceError)
    {
        self.settings = settings
        self.source = source
        self.engine = engine
        self.clock = clock
        self.logger = logger
        self.counters = RedisStreamCounters(role: "source", stream: source.stream)
        self.password = try RedisPasswordFile.read(settings.passwordFile)
        // The position is kept only with a journal: without one a restart has no state to resume onto.
        if let directory = settings.stateDirectory, engine.storeSettings != nil {
            let position = RedisStreamPosition(stateDirectory: directory, stream: source.stream)
            self.position = position
            let saved = try position.load()
            state.withLock { $0.lastApplied = saved }
        } else {
            self.position = nil
        }
    }

    /// The last applied entry id (`nil` before the first).
    public var lastApplied: StreamID? { state.withLock { $0.lastApplied } }

    /// Starts the reader thread. Call after the engine started (its journal is replayed by then).
    public func start() {
        state.withLock { $0.started = true }
        report("connecting", detail: "to \(settings.address)")
        let thread = Thread { [self] in
            run()
            finished.signal()
        }
        thread.name = "wallboardd.redis.source"
        thread.start()
    }

    /// Stops the reader: it finishes the batch it is applying and exits within one `XREAD` block time
    /// (plus the reply timeout if Redis hangs). `completion` runs once it has.
    public func stop(completion: @escaping @Sendable () -> Void) {
        let started = state.withLock { state -> Bool in
            state.stopping = true
            return state.started
        }
        wake.signal()
        guard started else { return completion() }
        DispatchQueue.global().async { [finished] in
            finished.wait()
            completion()
        }
    }

    private var isStopping: Bool { state.withLock { $0.stopping } }

    // MARK: - The reader thread

    private func run() {
        var backoff = ReconnectBackoff(initial: 250, maximum: Millis(settings.maxBackoffMilliseconds))
        var connectedBefore = false
        while !isStopping {
            do {
                let connection = try RedisConnection(
                    host: settings.host, port: settings.port, timeout: .milliseconds(settings.timeoutMilliseconds))
                if let password { try connection.authenticate(user: settings.user, password: password) }
                if connectedBefore { counters.update { $0.reconnects += 1 } }
                connectedBefore = true
                logger.notice("redis source connected", metadata: ["redis.stream": "\(source.stream)", "redis.address": "\(settings.address)"])
                try read(from: connection, backoff: &backoff)
            } catch {
                guard !isStopping else { break }
                let delay = backoff.nextDelay()
                let reason = "\(error)"
                logger.error(
                    "redis source down: reconnecting",
                    metadata: ["redis.stream": "\(source.stream)", "redis.error": "\(reason)",
                               "redis.retry_in": "\(ReconnectBackoff.describe(delay))"])
                report("down", detail: "\(reason); retrying in \(ReconnectBackoff.describe(delay))")
                _ = wake.wait(timeout: .now() + .milliseconds(Int(delay)))
            }
        }
        report("stopped", detail: nil)
    }

    /// Reads and applies batches until stopped or the connection fails (thrown).
    private func read(from connection: RedisConnection, backoff: inout ReconnectBackoff) throws(RedisError) {
        var after = lastApplied ?? startOfNeededHistory()
        var caughtUp = false
        report("catching_up", detail: "from entry \(after)")
        while !isStopping {
            let entries = try connection.xread(
                stream: source.stream, after: after, count: source.batch, block: .milliseconds(source.blockMilliseconds))
            backoff.reset()
            if entries.count == source.batch, let head = try connection.lastID(stream: source.stream), let last = entries.last {
                let lag = Int64(clamping: head.milliseconds) - Int64(clamping: last.id.milliseconds)
                counters.update { $0.lagMilliseconds = max(0, lag) }
                if caughtUp {
                    caughtUp = false
                    report("catching_up", detail: "\(ReconnectBackoff.describe(max(0, lag))) behind")
                }
            } else {
                counters.update { $0.lagMilliseconds = 0 }
                if !caughtUp {
                    caughtUp = true
                    report("connected", detail: nil)
                }
            }
            guard let last = entries.last else { continue }
            if let problem = apply(entries) {
                // Applied in memory but not journaled: keep the position, read the batch again after a
                // pause; the engine stores a re-read duplicate it could not store before.
                report("stalled", detail: "not journaled: \(problem); retrying")
                caughtUp = false
                _ = wake.wait(timeout: .now() + .seconds(1))
                continue
            }
            after = last.id
            state.withLock { $0.lastApplied = last.id }
            do {
                try position?.save(last.id)
            } catch {
                logger.error("redis source position not saved", metadata: ["redis.error": "\(error)"])
            }
        }
    }

    /// Decodes and applies one batch, waiting until the engine has applied and journaled it.
    /// Returns why some events could not be journaled, if so.
    private func apply(_ entries: [StreamEntry]) -> String? {
        let limits = engine.eventLimits
        var events: [Event] = []
        var receivedAt: [Instant] = []
        var rejections: [EventRejection] = []
        var malformed = 0
        for entry in entries {
            switch RedisStreamEntryDecoder.decode(entry, limits: limits) {
            case .success(let (event, at)):
                events.append(event)
                receivedAt.append(at)
            case .failure(let problem):
                malformed += 1
                if let rejection = problem.rejection { rejections.append(rejection) }
                logger.error(
                    "redis stream entry rejected: skipped",
                    metadata: ["redis.stream": "\(source.stream)", "redis.entry": "\(entry.id)", "redis.error": "\(problem.message)"])
            }
        }
        counters.update {
            $0.entriesRead += entries.count
            $0.malformed += malformed
        }
        engine.countRejections(rejections)
        guard !events.isEmpty else { return nil }
        let done = DispatchSemaphore(value: 0)
        let failure = Mutex<(count: Int, reason: String?)>((0, nil))
        engine.apply(events, source: name, receivedAt: receivedAt) { outcome in
            failure.withLock { $0 = (outcome.storageFailures.count, outcome.storageFailures.values.first) }
            done.signal()
        }
        done.wait()
        let (notStored, reason) = failure.withLock { $0 }
        guard notStored > 0 else { return nil }
        logger.error(
            "redis stream entries applied but not journaled: reading them again",
            metadata: ["redis.stream": "\(source.stream)", "redis.entries": "\(notStored)", "redis.error": "\(reason ?? "")"])
        return reason ?? "journal write failed"
    }

    /// The entry id where a replica with no saved position starts: the start of the business day, or
    /// of the longest window when that reaches further back (as the journal's replay does).
    private func startOfNeededHistory() -> StreamID {
        let now = clock.now()
        let configuration = engine.configurationNow()
        let longest = configuration.windows.map(\.length).max() ?? 0
        let from = min(configuration.calendar.startOfDay(containing: now), now.advanced(by: -longest))
        // XREAD returns entries after the id: one millisecond before `from` includes `from` itself.
        return StreamID(milliseconds: UInt64(clamping: max(0, from.milliseconds - 1)), sequence: UInt64.max)
    }

    private func report(_ state: String, detail: String?) {
        engine.setSourceStatus(Snapshot.SourceStatus(name: name, kind: "redis", state: state, detail: detail))
    }
}

/// Reads a Redis password file (trailing newline ignored).
enum RedisPasswordFile {
    static func read(_ path: String?) throws(RedisSourceError) -> String? {
        guard let path else { return nil }
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw .passwordFile(path: path)
        }
        return String(text.trimmingCharacters(in: .newlines))
    }
}

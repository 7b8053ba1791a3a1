import Dispatch
import JSONC
import Logging
import Redis
import Synchronization
import WallboardCore

/// Appends the events this daemon accepts to a Redis stream (`XADD … MINID ~ <start of the previous
/// business day> * event <canonical JSON>`, pipelined per batch), on its own queue and connection.
///
/// Never loses an acknowledged event: ``forward(_:completion:)`` completes only once the events are
/// in Redis or, while Redis is unavailable, fsynced to the spool (`on_unavailable: spool`, forwarded
/// in order once Redis is back) — or completes with the reason to refuse them
/// (`on_unavailable: refuse`, answered 503, the sender retries).
public final class RedisStreamSink: @unchecked Sendable {
    // @unchecked: `connection`, `spool`, `backoff` and `retryAt` are confined to `queue`; the rest is
    // immutable or in a Mutex.
    public let settings: RedisSettings
    public let sink: RedisSettings.Sink
    public let counters: RedisStreamCounters
    private let queue = DispatchQueue(label: "wallboardd.redis.sink")
    private let calendar: CenterCalendar
    private let clock: WallClock
    private let logger: Logger
    private let password: String?
    private let report: @Sendable (Snapshot.SourceStatus) -> Void
    private var connection: RedisConnection?
    private var spool: RedisSpool?
    private var backoff: ReconnectBackoff
    /// While Redis is down: when the next connection attempt may be made (uptime nanoseconds).
    private var retryAt: UInt64 = 0
    private var connectedBefore = false
    private var timer: DispatchSourceTimer?
    /// Why Redis is unavailable now (`nil` while it is up), read by ``refusal`` from other threads.
    private let down = Mutex<String?>(nil)
    /// Ids refused (503) after they were applied here: their retry is a local duplicate that must
    /// still be forwarded.
    private let unforwarded = Mutex<Set<String>>([])

    /// The name in `/healthz` and on the board.
    public var name: String { "redis-sink:\(sink.stream)" }
    public var isForwardOnly: Bool { sink.mode == .forwardOnly }

    init(
        settings: RedisSettings, sink: RedisSettings.Sink, calendar: CenterCalendar, clock: WallClock, logger: Logger,
        report: @escaping @Sendable (Snapshot.SourceStatus) -> Void
    ) throws {
        self.settings = settings
        self.sink = sink
        self.calendar = calendar
        self.clock = clock
        self.logger = logger
        self.report = report
        self.counters = RedisStreamCounters(role: "sink", stream: sink.stream)
        self.password = try RedisPasswordFile.read(settings.passwordFile)
        self.backoff = ReconnectBackoff(initial: 250, maximum: Millis(settings.maxBackoffMilliseconds))
        if sink.onUnavailable == .spool {
            guard let directory = settings.stateDirectory else {
                throw RedisSinkError.spool(path: "state_dir", message: "on_unavailable: spool needs a state directory")
            }
            let spool = try RedisSpool(stateDirectory: directory, stream: sink.stream)
            self.spool = spool
            let waiting = spool.count
            counters.update { $0.spooled = waiting }
        }
    }

    /// Connects (in the background) and starts forwarding what the spool holds.
    public func start() {
        setStatus("connecting", detail: "to \(settings.address)")
        let timer = DispatchSource.makeTimerSource(queue: queue)
        timer.schedule(deadline: .now(), repeating: .milliseconds(250))
        timer.setEventHandler { [weak self] in self?.maintain() }
        self.timer = timer
        timer.resume()
    }

    /// Stops the retry timer and closes the connection; spooled events stay on disk for the next start.
    public func stop(completion: @escaping @Sendable () -> Void) {
        queue.async { [self] in
            timer?.cancel()
            timer = nil
            connection = nil
            completion()
        }
    }

    /// The reason ingest is refused now (`on_unavailable: refuse` and Redis known to be down), else `nil`.
    public var refusal: String? {
        guard sink.onUnavailable == .refuse else { return nil }
        return down.withLock { $0 }.map { Self.refusalText($0, stream: sink.stream) }
    }

    /// Whether `id` was applied here but refused by the stream (its retry must be forwarded).
    func isUnforwarded(_ id: String) -> Bool { unforwarded.withLock { $0.contains(id) } }

    /// Appends `events` to the stream, or spools them, in order; `completion` gets `nil` once they are
    /// safe, or the reason they were refused. `appliedHere`: they were applied locally (a refusal
    /// then remembers their ids so their retry is forwarded).
    func forward(_ events: [Event], appliedHere: Bool, completion: @escaping @Sendable (String?) -> Void) {
        guard !events.isEmpty else { return completion(nil) }
        let payloads = events.map { Array(JSONC.encode(EventEncoder.encode($0)).utf8) }
        queue.async { [self] in
            let refusal = deliver(payloads)
            if refusal != nil {
                counters.update { $0.refused += events.count }
                if appliedHere { unforwarded.withLock { ids in events.forEach { ids.insert($0.id) } } }
            } else if appliedHere {
                unforwarded.withLock { ids in
                    if !ids.isEmpty { events.forEach { ids.remove($0.id) } }
                }
            }
            completion(refusal)
        }
    }

    // MARK: - On the queue

    /// Sends `payloads` now, or spools them, or returns why they are refused.
    private func deliver(_ payloads: [[UInt8]]) -> String? {
        dispatchPrecondition(condition: .onQueue(queue))
        if let spool, !spool.isEmpty { drainSpool() }
        var sent = 0
        if spool?.isEmpty ?? true, let connection = connectIfDue() {
            do {
                for start in stride(from: 0, to: payloads.count, by: Self.pipelineDepth) {
                    let chunk = payloads[start..<min(start + Self.pipelineDepth, payloads.count)]
                    try append(Array(chunk), to: connection)
                    sent += chunk.count
                }
                counters.update { $0.forwarded += sent }
                return nil
            } catch {
                counters.update { $0.forwarded += sent }
                failed(error)
            }
        }
        let rest = Array(payloads[sent...])
        let reason = down.withLock { $0 } ?? "the spool holds older events"
        guard let spool else { return Self.refusalText(reason, stream: sink.stream) }
        do {
            try spool.append(rest)
            let waiting = spool.count
            counters.update { $0.spooled = waiting }
            setStatus("spooling", detail: "\(waiting) events kept in \(spool.path): \(reason)")
            return nil
        } catch {
            logger.error("redis sink cannot spool: refusing events", metadata: ["redis.error": "\(error)"])
            return "redis stream \(sink.stream) is unavailable (\(reason)) and the spool failed: \(error)"
        }
    }

    /// The timer: reconnects when due and forwards the spool.
    private func maintain() {
        dispatchPrecondition(condition: .onQueue(queue))
        if connection == nil { _ = connectIfDue() }
        if let spool, !spool.isEmpty, connection != nil { drainSpool() }
    }

    /// Forwards the spool in order, then empties it; on a failure it stays (what was sent is sent
    /// again later, a duplicate by id).
    private func drainSpool() {
        guard let spool, let connection = connectIfDue() else { return }
        do {
            let lines = try spool.lines()
            for start in stride(from: 0, to: lines.count, by: Self.pipelineDepth) {
                try append(Array(lines[start..<min(start + Self.pipelineDepth, lines.count)]), to: connection)
            }
            try spool.clear()
            counters.update {
                $0.forwarded += lines.count
                $0.spooled = 0
            }
            logger.notice("redis sink spool forwarded", metadata: ["redis.stream": "\(sink.stream)", "redis.events": "\(lines.count)"])
            setStatus("connected", detail: nil)
        } catch let error as RedisError {
            failed(error)
        } catch {
            logger.error("redis sink spool unreadable", metadata: ["redis.error": "\(error)"])
        }
    }

    /// Entries sent per round trip (pipelined `XADD`s).
    static let pipelineDepth = 256

    /// Appends one entry per payload, in one round trip.
    private func append(_ payloads: [[UInt8]], to connection: RedisConnection) throws(RedisError) {
        _ = try connection.xadd(
            stream: sink.stream, minID: minimumID(), entries: payloads.map { [(RedisStreamEntryDecoder.eventField, $0)] })
    }

    /// The live connection, or a new one if the backoff allows an attempt now, else `nil`.
    private func connectIfDue() -> RedisConnection? {
        if let connection { return connection }
        guard DispatchTime.now().uptimeNanoseconds >= retryAt else { return nil }
        do {
            let connection = try RedisConnection(
                host: settings.host, port: settings.port, timeout: .milliseconds(settings.timeoutMilliseconds))
            if let password { try connection.authenticate(user: settings.user, password: password) }
            self.connection = connection
            backoff.reset()
            down.withLock { $0 = nil }
            if connectedBefore { counters.update { $0.reconnects += 1 } }
            connectedBefore = true
            logger.notice("redis sink connected", metadata: ["redis.stream": "\(sink.stream)", "redis.address": "\(settings.address)"])
            if spool?.isEmpty ?? true { setStatus("connected", detail: nil) }
            return connection
        } catch {
            failed(error)
            return nil
        }
    }

    private func failed(_ error: RedisError) {
        connection = nil
        let delay = backoff.nextDelay()
        retryAt = DispatchTime.now().uptimeNanoseconds &+ UInt64(delay) * 1_000_000
        let reason = "\(error)"
        let wasUp = down.withLock { old in
            defer { old = reason }
            return old == nil
        }
        if wasUp {
            logger.error("redis sink down", metadata: ["redis.stream": "\(sink.stream)", "redis.error": "\(reason)"])
        }
        let mode = sink.onUnavailable == .spool ? "spooling" : "refusing ingest"
        setStatus("down", detail: "\(reason); \(mode), retrying in \(ReconnectBackoff.describe(delay))")
    }

    /// Entries before the start of the previous business day are trimmed (approximately: Redis drops
    /// whole nodes only, so a little more is kept, never less).
    private func minimumID() -> StreamID {
        let today = calendar.startOfDay(containing: clock.now())
        let previous = calendar.startOfDay(containing: today.advanced(by: -1))
        return StreamID(milliseconds: UInt64(clamping: max(0, previous.milliseconds)))
    }

    private func setStatus(_ state: String, detail: String?) {
        report(Snapshot.SourceStatus(name: name, kind: "redis-sink", state: state, detail: detail))
    }

    static func refusalText(_ reason: String, stream: String) -> String {
        "redis stream \(stream) is unavailable (\(reason)); nothing was accepted, retry later"
    }
}

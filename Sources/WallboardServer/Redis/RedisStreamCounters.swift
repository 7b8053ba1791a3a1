import Synchronization

/// What a Redis stream reader or writer has done, for `/metrics`. Shared between its thread or queue
/// (which writes) and the HTTP thread (which reads).
public final class RedisStreamCounters: Sendable {
    /// One snapshot of the figures.
    public struct Figures: Sendable, Equatable {
        /// Entries read from the stream (malformed ones included).
        public var entriesRead = 0
        /// Entries that were not an event (bad JSON, missing field): logged, counted and skipped.
        public var malformed = 0
        /// Connections made after the first (each one follows a failure).
        public var reconnects = 0
        /// How far the last applied entry is behind the stream's newest, in milliseconds (0 when caught up).
        public var lagMilliseconds: Int64 = 0
        /// Events appended to the stream (sink).
        public var forwarded = 0
        /// Events waiting in the spool file (sink).
        public var spooled = 0
        /// Events refused with 503 because Redis was unavailable (sink, `on_unavailable: refuse`).
        public var refused = 0
    }

    /// `source` or `sink`.
    public let role: String
    public let stream: String
    private let figures = Mutex(Figures())

    init(role: String, stream: String) {
        self.role = role
        self.stream = stream
    }

    public var current: Figures { figures.withLock { $0 } }

    func update(_ body: (inout Figures) -> Void) { figures.withLock { body(&$0) } }

    /// Adds this stream's figures to a Prometheus exposition.
    public func render(into renderer: inout MetricsRenderer) {
        let now = current
        let labels = [("stream", stream), ("role", role)]
        renderer.add("wallboardd_redis_reconnects_total", "counter", "Redis connections made again after a failure.",
                     labels: labels, value: Double(now.reconnects))
        if role == "source" {
            renderer.add("wallboardd_redis_entries_read_total", "counter", "Stream entries read (malformed ones included).",
                         labels: labels, value: Double(now.entriesRead))
            renderer.add("wallboardd_redis_entries_malformed_total", "counter",
                         "Stream entries that were not a valid event: logged and skipped.", labels: labels,
                         value: Double(now.malformed))
            renderer.add("wallboardd_redis_lag_seconds", "gauge",
                         "How far the last applied entry is behind the stream's newest entry.", labels: labels,
                         value: Double(now.lagMilliseconds) / 1000)
        } else {
            renderer.add("wallboardd_redis_forwarded_total", "counter", "Events appended to the stream.",
                         labels: labels, value: Double(now.forwarded))
            renderer.add("wallboardd_redis_spooled", "gauge", "Events in the local spool, waiting for Redis.",
                         labels: labels, value: Double(now.spooled))
            renderer.add("wallboardd_redis_refused_total", "counter",
                         "Events refused (503) because Redis was unavailable.", labels: labels, value: Double(now.refused))
        }
    }
}

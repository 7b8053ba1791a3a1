import Foundation

/// The `redis:` section: Redis Streams as the event bus between daemons (see docs/scaling.md).
public struct RedisSettings: Sendable, Equatable {
    /// What a sink does with the events this daemon accepts.
    public enum SinkMode: String, Sendable, Equatable, CaseIterable {
        /// Apply them here and append them to the stream.
        case applyAndForward = "apply_and_forward"
        /// Only append them to the stream (a bridge or ingest point; it shows what its own source reads).
        case forwardOnly = "forward_only"
    }

    /// What a sink does with an accepted event while Redis cannot take it.
    public enum Unavailable: String, Sendable, Equatable, CaseIterable {
        /// Append it to a local spool file (fsynced before the sender is answered) and forward it later.
        case spool
        /// Refuse the ingest with 503 and the reason (the sender retries).
        case refuse
    }

    /// Reading a stream and applying its entries.
    public struct Source: Sendable, Equatable {
        public var stream: String
        /// How long one `XREAD` waits for new entries: bounds how long a stop waits for the reader.
        public var blockMilliseconds = 200
        /// Entries per `XREAD`.
        public var batch = 500
    }

    /// Appending accepted events to a stream.
    public struct Sink: Sendable, Equatable {
        public var stream: String
        public var mode = SinkMode.applyAndForward
        public var onUnavailable = Unavailable.spool
    }

    public var host = "127.0.0.1"
    public var port = 6379
    /// ACL user (Redis 6+); `nil` with a password file: the `requirepass` password alone.
    public var user: String?
    /// A file holding the password (trailing newline ignored); read at start.
    public var passwordFile: String?
    /// Connect and reply timeout.
    public var timeoutMilliseconds = 2000
    /// Longest wait between reconnect attempts (the first is after 0.25 s, doubling).
    public var maxBackoffMilliseconds = 15_000
    public var source: Source?
    public var sink: Sink?
    /// `state_dir`: where the source keeps its position and the sink its spool.
    public var stateDirectory: String?

    public init(host: String = "127.0.0.1", port: Int = 6379) {
        self.host = host
        self.port = port
    }

    /// `host:port` for messages.
    public var address: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}

extension DaemonConfiguration {
    /// Reads `redis:`; `nil` when absent.
    static func parseRedis(_ root: ConfigReader, stateDirectory: String?) throws(ConfigError) -> RedisSettings? {
        guard let section = try root.section("redis") else { return nil }
        let document = section.document
        var settings = RedisSettings()
        settings.stateDirectory = stateDirectory
        if let url = try section.string("url") {
            guard let (host, port) = parseRedisURL(url) else {
                if url.hasPrefix("rediss://") {
                    throw document.error(
                        "redis.url",
                        "rediss:// (TLS) needs hiredis 1.0 with hiredis_ssl; Debian 12's libhiredis 0.14 has no TLS: "
                            + "reach Redis over a private network, or through stunnel/spiped on loopback")
                }
                throw document.error("redis.url", "\"\(url)\" is not redis://HOST:PORT (e.g. redis://127.0.0.1:6379)")
            }
            (settings.host, settings.port) = (host, port)
        }
        settings.user = try section.string("user")
        settings.passwordFile = try section.string("password_file")
        if let file = settings.passwordFile, !FileManager.default.isReadableFile(atPath: file) {
            throw document.error("redis.password_file", "\(file) does not exist or cannot be read")
        }
        if settings.user != nil, settings.passwordFile == nil {
            throw document.error("redis.user", "needs \"password_file\" (an ACL user logs in with a password)")
        }
        settings.timeoutMilliseconds = Int(try section.integer("timeout_ms", in: 50...60_000) ?? 2000)
        settings.maxBackoffMilliseconds = Int(try section.integer("max_backoff_ms", in: 250...600_000) ?? 15_000)
        if let source = try section.section("source") {
            var parsed = RedisSettings.Source(stream: try streamKey(source))
            parsed.blockMilliseconds = Int(try source.integer("block_ms", in: 10...5000) ?? 200)
            parsed.batch = Int(try source.integer("batch", in: 1...10_000) ?? 500)
            try source.rejectUnknownKeys()
            settings.source = parsed
        }
        if let sink = try section.section("sink") {
            var parsed = RedisSettings.Sink(stream: try streamKey(sink))
            if let mode = try sink.choice("mode", from: RedisSettings.SinkMode.allCases.map(\.rawValue)) {
                parsed.mode = RedisSettings.SinkMode(rawValue: mode)!
            }
            if let choice = try sink.choice("on_unavailable", from: RedisSettings.Unavailable.allCases.map(\.rawValue)) {
                parsed.onUnavailable = RedisSettings.Unavailable(rawValue: choice)!
            }
            if parsed.onUnavailable == .spool, stateDirectory == nil {
                throw document.error(
                    "redis.sink.on_unavailable", "spool needs \"state_dir\" (the spool file lives there); or use refuse")
            }
            try sink.rejectUnknownKeys()
            settings.sink = parsed
        }
        if let source = settings.source, let sink = settings.sink, source.stream == sink.stream, sink.mode == .applyAndForward {
            throw document.error(
                "redis.sink.mode",
                "apply_and_forward with a source on the same stream would apply each event twice (once at receipt, "
                    + "once from the stream); use forward_only: the source then applies it, as every replica does")
        }
        if settings.source == nil, settings.sink == nil {
            throw document.error("redis", "needs \"source\", \"sink\" or both")
        }
        try section.rejectUnknownKeys()
        return settings
    }

    private static func streamKey(_ section: ConfigReader) throws(ConfigError) -> String {
        let stream = try section.requiredString("stream")
        guard stream.utf8.count <= 200, stream.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
            throw section.document.error(
                section.childPath("stream"), "must be 1 to 200 printable ASCII characters without spaces")
        }
        return stream
    }

    /// `redis://HOST:PORT`, `redis://[V6]:PORT`, or without the port (6379).
    static func parseRedisURL(_ url: String) -> (String, Int)? {
        guard url.hasPrefix("redis://") else { return nil }
        var rest = Substring(url.dropFirst("redis://".count))
        if rest.hasSuffix("/") { rest = rest.dropLast() }
        guard !rest.isEmpty, !rest.contains("@"), !rest.contains("/") else { return nil }
        // An IPv6 address needs its brackets: "::1" alone cannot be told from HOST:PORT.
        guard rest.hasPrefix("[") || rest.filter({ $0 == ":" }).count <= 1 else { return nil }
        if rest.hasPrefix("["), rest.hasSuffix("]") { return (String(rest.dropFirst().dropLast()), 6379) }
        if !rest.contains(":") { return (String(rest), 6379) }
        guard let (host, port) = ListenAddress.parse(String(rest)), port > 0, !host.contains("["), !host.contains("]") else {
            return nil
        }
        return (host, port)
    }
}

import Dispatch
import Logging

/// Wires the `redis:` section: the sink into the engine's apply path before the engine starts, the
/// source after it (the journal is replayed by then), both stopped first at shutdown.
extension Daemon {
    /// `redis:` with the state folder the daemon runs with (`--state-dir` overrides the config's).
    var redisSettings: RedisSettings? {
        guard var settings = options.redis else { return nil }
        settings.stateDirectory = options.stateDirectory ?? settings.stateDirectory
        return settings
    }

    /// Makes the sink (reads its password and spool) and hands it to the engine. Before `engine.start`.
    func prepareRedisSink() throws {
        guard let settings = redisSettings, let sinkSettings = settings.sink else { return }
        let sink = try RedisStreamSink(
            settings: settings, sink: sinkSettings, calendar: options.engine.calendar, clock: clock, logger: logger,
            report: { [engine] in engine.setSourceStatus($0) })
        engine.streamSink = sink
        redisSink = sink
        api.redisCounters.append(sink.counters)
        sink.start()
    }

    /// Makes and starts the source (reads its password and saved position). After `engine.start`.
    func startRedisSource() throws {
        guard let settings = redisSettings, let sourceSettings = settings.source else { return }
        let source = try RedisStreamSource(
            settings: settings, source: sourceSettings, engine: engine, clock: clock, logger: logger)
        redisSource = source
        api.redisCounters.append(source.counters)
        logger.notice(
            "redis source starting",
            metadata: ["redis.stream": "\(sourceSettings.stream)", "redis.after": "\(source.lastApplied.map { "\($0)" } ?? "day start")"])
        source.start()
    }

    /// Stops the source (it finishes its batch) and the sink, entering `group` for each.
    func stopRedis(_ group: DispatchGroup) {
        for stop in [redisSource?.stop, redisSink?.stop].compactMap({ $0 }) {
            group.enter()
            stop { group.leave() }
        }
    }
}

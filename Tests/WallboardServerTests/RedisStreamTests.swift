import Foundation
import JSONC
import JSONModel
import Redis
import Testing
import WallboardCore
@testable import WallboardServer

/// Daemons joined by a real `redis-server` on loopback: a bridge appends what it accepts, replicas
/// read the stream and must compute the same figures, across restarts and Redis failures.
@Suite(.serialized) struct RedisStreamTests {
    typealias F = RedisStreamFixture

    @Test func bridgeAndReplicasComputeTheSameFigures() throws {
        let redis = try RedisTestServer()
        defer { redis.stop() }
        let bridge = try F.daemon(server: redis, sink: RedisSettings.Sink(stream: F.stream, onUnavailable: .refuse))
        defer { bridge.stop() }
        let replica = try F.daemon(server: redis, source: true)
        defer { replica.stop() }
        let body = F.batch(0, contacts: 40)
        let response = try bridge.post("/api/v1/events", body: body)
        #expect(response.status == 200, "\(response.text)")
        #expect(try JSONC.parse(response.text)["accepted"]?.integerValue == Int64(F.eventCount(body)))
        #expect(F.eventually { F.caughtUp(replica, server: redis) })
        // A replica started afterwards catches up from the start of the day.
        let late = try F.daemon(server: redis, source: true)
        defer { late.stop() }
        #expect(F.eventually { F.caughtUp(late, server: redis) })

        let at = SystemClock().now()
        let expected = F.figures(bridge, at: at)
        #expect(expected["center"]?["metrics"]?["60m"]?["offered"]?.integerValue == 40)
        #expect(F.figures(replica, at: at) == expected)
        #expect(F.figures(late, at: at) == expected)
        #expect(F.applied(replica) == F.eventCount(body))
        #expect(F.counters(replica).duplicates == 0)
        #expect(try F.eventually { try F.sourceState(replica, "redis:\(F.stream)")?.state == "connected" })
        let metrics = try replica.get("/metrics").text
        #expect(metrics.contains(#"wallboardd_redis_entries_read_total{stream="wallboard:events",role="source"} \#(F.eventCount(body))"#))
        #expect(try bridge.get("/metrics").text.contains(
            #"wallboardd_redis_forwarded_total{stream="wallboard:events",role="sink"} \#(F.eventCount(body))"#))
    }

    @Test func aRestartedReplicaResumesWithNoGapAndNoDoubleCount() throws {
        let redis = try RedisTestServer()
        defer { redis.stop() }
        let state = F.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: state) }
        let bridge = try F.daemon(server: redis, sink: RedisSettings.Sink(stream: F.stream, onUnavailable: .refuse))
        defer { bridge.stop() }
        var replica = try F.daemon(server: redis, source: true, stateDirectory: state)
        let first = F.batch(0, contacts: 20)
        #expect(try bridge.post("/api/v1/events", body: first).status == 200)
        #expect(F.eventually { F.caughtUp(replica, server: redis) })
        let position = try #require(replica.daemon.redisSource?.lastApplied)
        replica.stop()
        #expect(try String(contentsOfFile: state + "/redis/\(F.stream).position", encoding: .utf8) == "\(position)\n")

        // Entries added while the replica is down are read after its saved position, and only those.
        let second = F.batch(1, contacts: 20)
        #expect(try bridge.post("/api/v1/events", body: second).status == 200)
        replica = try F.daemon(server: redis, source: true, stateDirectory: state)
        defer { replica.stop() }
        #expect(F.eventually { F.caughtUp(replica, server: redis) })
        let at = SystemClock().now()
        #expect(F.figures(replica, at: at) == F.figures(bridge, at: at))
        #expect(F.applied(replica) == F.eventCount(first) + F.eventCount(second))
        // The journal restored the first batch; the stream gave the second once: nothing seen twice.
        #expect(F.counters(replica).duplicates == 0)
        #expect(replica.daemon.redisSource?.counters.current.entriesRead == F.eventCount(second))
    }

    @Test func redisKilledMidStreamSpoolsThenCatchesUp() throws {
        let redis = try RedisTestServer()
        defer { redis.stop() }
        let state = F.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: state) }
        let bridge = try F.daemon(
            server: redis, sink: RedisSettings.Sink(stream: F.stream, onUnavailable: .spool), stateDirectory: state)
        defer { bridge.stop() }
        let replica = try F.daemon(server: redis, source: true)
        defer { replica.stop() }
        let first = F.batch(0, contacts: 10)
        #expect(try bridge.post("/api/v1/events", body: first).status == 200)
        #expect(F.eventually { F.caughtUp(replica, server: redis) })

        redis.kill()
        // Accepted while Redis is down: spooled on disk, acknowledged, shown as such.
        let second = F.batch(1, contacts: 10)
        #expect(try bridge.post("/api/v1/events", body: second).status == 200)
        #expect(bridge.daemon.redisSink?.counters.current.spooled == F.eventCount(second))
        #expect(try F.eventually { try F.sourceState(bridge, "redis-sink:\(F.stream)")?.state == "spooling" })
        // The replica keeps its figures and says why they are stale.
        #expect(try F.eventually { try F.sourceState(replica, "redis:\(F.stream)")?.state == "down" })
        #expect(try F.sourceState(replica, "redis:\(F.stream)")?.detail.contains("127.0.0.1:\(redis.port)") == true)

        try redis.start()
        #expect(F.eventually { bridge.daemon.redisSink?.counters.current.spooled == 0 })
        #expect(F.eventually { F.caughtUp(replica, server: redis) })
        let at = SystemClock().now()
        #expect(F.figures(replica, at: at) == F.figures(bridge, at: at))
        #expect(F.applied(replica) == F.eventCount(first) + F.eventCount(second))
        #expect(F.counters(replica).duplicates == 0)
        #expect((replica.daemon.redisSource?.counters.current.reconnects ?? 0) >= 1)
        #expect(try F.eventually { try F.sourceState(replica, "redis:\(F.stream)")?.state == "connected" })
    }

    @Test func refuseModeAnswers503AndTheRetryIsForwarded() throws {
        let redis = try RedisTestServer()
        defer { redis.stop() }
        let bridge = try F.daemon(server: redis, sink: RedisSettings.Sink(stream: F.stream, onUnavailable: .refuse))
        defer { bridge.stop() }
        let replica = try F.daemon(server: redis, source: true)
        defer { replica.stop() }
        redis.kill()
        let body = F.batch(0, contacts: 6)
        let refused = try bridge.post("/api/v1/events", body: body)
        #expect(refused.status == 503)
        #expect(try JSONC.parse(refused.text)["error"]?.stringValue?.contains("redis stream wallboard:events is unavailable") == true)
        // While it is known to be down, ingest is refused before anything is applied.
        #expect(try bridge.post("/api/v1/events", body: F.batch(1, contacts: 2)).status == 503)

        try redis.start()
        var retried = 0
        #expect(try F.eventually {
            retried = try bridge.post("/api/v1/events", body: body).status
            return retried == 200
        })
        #expect(F.eventually { F.caughtUp(replica, server: redis) })
        #expect(F.applied(replica) == F.eventCount(body))
        let at = SystemClock().now()
        #expect(F.figures(replica, at: at) == F.figures(bridge, at: at))
    }

    @Test func malformedEntriesAreCountedAndSkippedWithoutStallingTheStream() throws {
        let redis = try RedisTestServer()
        defer { redis.stop() }
        let replica = try F.daemon(server: redis, source: true)
        defer { replica.stop() }
        let writer = try redis.connect()
        let now = RFC3339.format(SystemClock().now())
        let good = #"{"id":"g1","ts":"\#(now)","type":"contact.queued","contact":"c1","queue":"q1","channel":"voice"}"#
        let entries: [(String, String)] = [
            ("event", "{not json"),
            ("payload", good),  // the event is in the wrong field
            ("event", #"{"id":"u1","ts":"\#(now)","type":"contact.teleported","contact":"c1"}"#),
            ("event", good),
        ]
        for (field, value) in entries {
            _ = try writer.xadd(stream: F.stream, fields: [(field, Array(value.utf8))])
        }
        #expect(F.eventually { F.caughtUp(replica, server: redis) })
        let counters = try #require(replica.daemon.redisSource?.counters.current)
        #expect(counters.entriesRead == 4)
        #expect(counters.malformed == 3)
        #expect(F.applied(replica) == 1)
        #expect(try replica.get("/metrics").text.contains(
            #"wallboardd_redis_entries_malformed_total{stream="wallboard:events",role="source"} 3"#))
    }

    @Test func forwardOnlyDaemonShowsWhatItsSourceReadsBack() throws {
        let redis = try RedisTestServer()
        defer { redis.stop() }
        var sink = RedisSettings.Sink(stream: F.stream, onUnavailable: .refuse)
        sink.mode = .forwardOnly
        let node = try F.daemon(server: redis, source: true, sink: sink)
        defer { node.stop() }
        let other = try F.daemon(server: redis, source: true)
        defer { other.stop() }
        let body = F.batch(0, contacts: 12)
        #expect(try node.post("/api/v1/events", body: body).status == 200)
        #expect(F.eventually { F.caughtUp(node, server: redis) && F.caughtUp(other, server: redis) })
        #expect(F.applied(node) == F.eventCount(body))
        let at = SystemClock().now()
        #expect(F.figures(node, at: at) == F.figures(other, at: at))
    }

    @Test func logsInAsAnACLUserAndShowsAWrongPassword() throws {
        let redis = try RedisTestServer(arguments: ["--user", "board", "on", ">s3cret", "~*", "&*", "+@all", "--user", "default", "off"])
        defer { redis.stop() }
        let state = F.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: state) }
        try "s3cret\n".write(toFile: state + "/good", atomically: true, encoding: .utf8)
        try "guess\n".write(toFile: state + "/bad", atomically: true, encoding: .utf8)
        func replica(passwordFile: String) throws -> TestDaemon {
            var options = DaemonOptions(host: "127.0.0.1", port: 0, webRoot: nil, simulator: false)
            var settings = RedisSettings(host: "127.0.0.1", port: redis.port)
            settings.user = "board"
            settings.passwordFile = passwordFile
            settings.source = RedisSettings.Source(stream: F.stream, blockMilliseconds: 50, batch: 10)
            options.redis = settings
            return try TestDaemon(options: options)
        }
        let good = try replica(passwordFile: state + "/good")
        defer { good.stop() }
        let bad = try replica(passwordFile: state + "/bad")
        defer { bad.stop() }
        let writer = try redis.connect()
        try writer.authenticate(user: "board", password: "s3cret")
        let now = RFC3339.format(SystemClock().now())
        _ = try writer.xadd(
            stream: F.stream,
            fields: [("event", Array(#"{"id":"e1","ts":"\#(now)","type":"contact.queued","contact":"c1","queue":"q1"}"#.utf8))])
        #expect(F.eventually { F.applied(good) == 1 })
        #expect(try F.eventually { try F.sourceState(bad, "redis:\(F.stream)")?.detail.contains("WRONGPASS") == true })
        #expect(F.applied(bad) == 0)
        #expect(try !bad.get("/healthz").text.contains("guess"))
    }

    @Test func redisAndAReplicaBothDownComeBackWithNoGap() throws {
        let redis = try RedisTestServer()
        defer { redis.stop() }
        let bridgeState = F.temporaryDirectory()
        let replicaState = F.temporaryDirectory()
        defer {
            try? FileManager.default.removeItem(atPath: bridgeState)
            try? FileManager.default.removeItem(atPath: replicaState)
        }
        let bridge = try F.daemon(
            server: redis, sink: RedisSettings.Sink(stream: F.stream, onUnavailable: .spool), stateDirectory: bridgeState)
        defer { bridge.stop() }
        var replica = try F.daemon(server: redis, source: true, stateDirectory: replicaState)
        let first = F.batch(0, contacts: 10)
        #expect(try bridge.post("/api/v1/events", body: first).status == 200)
        #expect(F.eventually { F.caughtUp(replica, server: redis) })
        redis.kill()
        replica.stop()
        let second = F.batch(1, contacts: 10)
        #expect(try bridge.post("/api/v1/events", body: second).status == 200)  // spooled
        // The replica starts while Redis is still down: restored from its journal, shown as down.
        replica = try F.daemon(server: redis, source: true, stateDirectory: replicaState)
        defer { replica.stop() }
        #expect(F.applied(replica) == F.eventCount(first))
        #expect(try F.eventually { try F.sourceState(replica, "redis:\(F.stream)")?.state == "down" })
        try redis.start()
        #expect(F.eventually { bridge.daemon.redisSink?.counters.current.spooled == 0 && F.caughtUp(replica, server: redis) })
        let at = SystemClock().now()
        #expect(F.figures(replica, at: at) == F.figures(bridge, at: at))
        #expect(F.applied(replica) == F.eventCount(first) + F.eventCount(second))
        #expect(F.counters(replica).duplicates == 0)
        #expect(replica.daemon.redisSource?.counters.current.entriesRead == F.eventCount(second))
    }

    @Test func theSpoolOutlivesABridgeRestart() throws {
        let redis = try RedisTestServer()
        defer { redis.stop() }
        let state = F.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: state) }
        let sink = RedisSettings.Sink(stream: F.stream, onUnavailable: .spool)
        var bridge = try F.daemon(server: redis, sink: sink, stateDirectory: state)
        redis.kill()
        let body = F.batch(0, contacts: 8)
        #expect(try bridge.post("/api/v1/events", body: body).status == 200)
        bridge.stop()
        let spool = try String(contentsOfFile: state + "/redis/\(F.stream).spool", encoding: .utf8)
        #expect(spool.split(separator: "\n").count == F.eventCount(body))

        try redis.start()
        let replica = try F.daemon(server: redis, source: true)
        defer { replica.stop() }
        bridge = try F.daemon(server: redis, sink: sink, stateDirectory: state)
        defer { bridge.stop() }
        #expect(F.eventually { F.applied(replica) == F.eventCount(body) })
        #expect(F.eventually { bridge.daemon.redisSink?.counters.current.spooled == 0 })
        #expect(try String(contentsOfFile: state + "/redis/\(F.stream).spool", encoding: .utf8).isEmpty)
        let at = SystemClock().now()
        #expect(F.figures(replica, at: at) == F.figures(bridge, at: at))
    }
}

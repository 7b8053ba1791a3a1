import Foundation
import Testing
@testable import WallboardServer

@Suite struct RedisConfigurationTests {
    func parse(_ yaml: String) throws -> DaemonConfiguration {
        try DaemonConfiguration.parse(yaml: yaml, fileName: "test.yaml")
    }

    func message(_ yaml: String) -> String {
        do {
            _ = try parse(yaml)
            return "accepted"
        } catch {
            return "\(error)"
        }
    }

    @Test func readsSourceAndSink() throws {
        let configuration = try parse(
            """
            state_dir: /tmp/wb-state
            redis:
              url: redis://10.0.0.5:6380
              timeout_ms: 500
              source:
                stream: center:events
                block_ms: 100
              sink:
                stream: center:bridge
                mode: forward_only
                on_unavailable: spool
            """)
        let redis = try #require(configuration.redis)
        #expect(redis.host == "10.0.0.5")
        #expect(redis.port == 6380)
        #expect(redis.timeoutMilliseconds == 500)
        #expect(redis.source == RedisSettings.Source(stream: "center:events", blockMilliseconds: 100, batch: 500))
        #expect(redis.sink?.mode == .forwardOnly)
        #expect(redis.sink?.onUnavailable == .spool)
        #expect(redis.stateDirectory == "/tmp/wb-state")
    }

    @Test func parsesURLs() {
        #expect(DaemonConfiguration.parseRedisURL("redis://h") ?? ("", 0) == ("h", 6379))
        #expect(DaemonConfiguration.parseRedisURL("redis://[::1]:7000") ?? ("", 0) == ("::1", 7000))
        #expect(DaemonConfiguration.parseRedisURL("redis://[::1]") ?? ("", 0) == ("::1", 6379))
        for bad in ["redis://", "redis://::1", "redis://h:0", "redis://u:p@h:1", "redis://h:1/2", "http://h:1", "redis://h:x"] {
            #expect(DaemonConfiguration.parseRedisURL(bad) == nil, "\(bad)")
        }
    }

    @Test func explainsWhatIsWrong() {
        #expect(message("redis:\n  url: rediss://h:6379\n  source: {stream: s}").contains("Debian 12's libhiredis 0.14 has no TLS"))
        #expect(message("redis:\n  url: redis://h:6379").contains("needs \"source\", \"sink\" or both"))
        #expect(message("redis:\n  sink: {stream: s}").contains("spool needs \"state_dir\""))
        #expect(message("redis:\n  sink: {stream: s, on_unavailable: drop}").contains("\"drop\" is not one of spool, refuse"))
        #expect(message("redis:\n  source: {stream: s, colour: red}").contains("unknown key \"colour\""))
        #expect(message("redis:\n  source: {stream: \"a b\"}").contains("printable ASCII"))
        #expect(message("redis:\n  user: board\n  source: {stream: s}").contains("needs \"password_file\""))
        #expect(message("redis:\n  password_file: /nonexistent/pw\n  source: {stream: s}").contains("does not exist"))
        #expect(
            message("redis:\n  source: {stream: s}\n  sink: {stream: s, on_unavailable: refuse}")
                .contains("use forward_only"))
        #expect(message("redis:\n  source: {stream: s}\n  sink: {stream: s, mode: forward_only, on_unavailable: refuse}") == "accepted")
    }
}

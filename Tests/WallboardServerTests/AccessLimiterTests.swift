import Testing
import WallboardCore
@testable import WallboardServer

/// Per-address throttling of failed authentications, on a hand-set clock.
@Suite struct AccessLimiterTests {
    let start = Instant(milliseconds: 1_700_000_000_000)

    @Test func tenFailuresInAMinuteBlockTheAddress() {
        var limiter = AuthFailureLimiter()
        for step in 0..<9 {
            #expect(limiter.recordFailure("10.0.0.9", now: start.advanced(by: Int64(step) * 100)) == nil)
        }
        let until = limiter.recordFailure("10.0.0.9", now: start.advanced(by: 900))
        #expect(until == start.advanced(by: 900 + .minutes(5)))
        #expect(limiter.blockedUntil("10.0.0.9", now: start.advanced(by: .minutes(1))) == until)
        #expect(limiter.blockedUntil("10.0.0.8", now: start.advanced(by: .minutes(1))) == nil)
        #expect(limiter.blockedUntil("10.0.0.9", now: start.advanced(by: .minutes(6))) == nil)
    }

    /// Failures spread out refill the bucket: one every 10 s never blocks.
    @Test func slowFailuresNeverBlock() {
        var limiter = AuthFailureLimiter()
        for step in 0..<100 {
            #expect(limiter.recordFailure("10.0.0.9", now: start.advanced(by: .seconds(Int64(step) * 10))) == nil)
        }
    }

    @Test func manyAddressesDoNotGrowWithoutBound() {
        var limiter = AuthFailureLimiter()
        limiter.maximumAddresses = 100
        for index in 0..<1000 { _ = limiter.recordFailure("10.0.\(index / 256).\(index % 256)", now: start) }
        #expect(limiter.buckets.count <= 100)
    }

    /// Through the gate: after 10 wrong tokens the address gets 429 even with a right token.
    @Test func gateThrottlesAfterTenWrongTokens() throws {
        let clock = AMITestClock(start)
        let gate = AccessGate()
        gate.configure(
            policy: AccessPolicy(tokens: [.init(name: "ok", role: .viewer, hash: SHA256.hash("wbt_ok".utf8))]),
            listenHost: "0.0.0.0", auditDirectory: nil, clock: clock, logger: .init(label: "test"))
        func attempt(_ token: String, _ peer: String = "10.0.0.9") -> Result<AccessPrincipal, AccessRefusal> {
            gate.authenticate(headers: ["authorization": "Bearer \(token)"], query: [], peer: peer, allowURLCredentials: false)
        }
        for _ in 0..<10 { #expect(throws: AccessRefusal.invalidToken) { try attempt("wbt_guess").get() } }
        #expect(throws: AccessRefusal.throttled(retryAfterSeconds: 300)) { try attempt("wbt_ok").get() }
        #expect(try attempt("wbt_ok", "10.0.0.10").get().name == "ok")
        clock.set(start.advanced(by: .minutes(5) + 1))
        #expect(try attempt("wbt_ok").get().name == "ok")
        #expect(gate.failureCounts["invalid_token"] == 10)
        #expect(gate.failureCounts["throttled"] == 1)
        var renderer = MetricsRenderer()
        gate.addMetrics(to: &renderer)
        #expect(renderer.text.contains(#"wallboardd_auth_failures_total{reason="invalid_token"} 10"#))
    }
}

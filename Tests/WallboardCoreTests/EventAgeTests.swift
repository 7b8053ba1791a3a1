import Testing
import WallboardCore

/// Events from a wrong clock: too far in the future are clamped (counted), too far in the past refused.
@Suite struct EventAgeTests {
    static let now = RFC3339.parse("2026-11-23T12:00:00Z")!

    static func login(_ id: String, at ts: Instant) -> Event {
        Event(id: id, timestamp: ts, body: .agentLogin(AgentLogin(agent: id, name: id, queues: ["q1"])))
    }

    @Test func anEventFrom1970IsRejectedAsTooOld() {
        var engine = WallboardEngine()
        let result = engine.apply(Self.login("a1", at: Instant(milliseconds: 0)), now: Self.now)
        guard case .rejected(let rejection) = result else {
            Issue.record("applied an event from 1970: \(result)")
            return
        }
        #expect(rejection.code == .tooOld)
        #expect(rejection.message.contains("1970-01-01T00:00:00.000Z"))
        #expect(engine.agents.isEmpty)
        #expect(engine.counters.rejected[.tooOld] == 1)
    }

    @Test func anEventADayOldIsStillApplied() {
        var engine = WallboardEngine()
        #expect(engine.apply(Self.login("a1", at: Self.now.advanced(by: -.minutes(24 * 60))), now: Self.now) == .applied)
    }

    @Test func replayAppliesOldFilesOnTheirOwnClock() {
        let old = RFC3339.parse("2020-01-01T10:00:00Z")!
        let result = Replay.run(events: [Self.login("a1", at: old)])
        #expect(result.rejections.isEmpty)
    }
}

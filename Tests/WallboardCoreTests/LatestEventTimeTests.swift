import Testing
import WallboardCore

/// `latestEventTime`: where a source's gap fill (Asterisk's queue_log) starts after a restart. Every contact
/// the engine saw must have queued at or before it, and an idle expiry hours later must not move it.
@Suite struct LatestEventTimeTests {
    @Test func itIsTheLastEventAndAnIdleExpiryDoesNotMoveIt() {
        var f = EventFactory()
        var engine = WallboardEngine()
        #expect(engine.latestEventTime == nil)
        engine.run([
            f.make(0, .agentLogin(AgentLogin(agent: "a1", name: "Ann", queues: ["q1"]))),
            f.make(10, .contactQueued(ContactQueued(contact: "c1", queue: "q1", channel: .voice))),
            f.make(20, .contactAnswered(contact: "c1", agent: "a1", monitor: nil)),
            f.make(30, .contactQueued(ContactQueued(contact: "c2", queue: "q1", channel: .voice))),
            f.make(35, .contactEnded(contact: "c1")),
        ])
        #expect(engine.latestEventTime == f.at(35))
        engine.apply(f.make(40, .contactWrapupDone(contact: "c1", agent: "a1")), now: f.at(40))
        #expect(engine.latestEventTime == f.at(40))
        // c2 waits until the contact expiry (4 h) closes it: the fill still starts at the last event.
        engine.expire(now: f.at(5 * 3600))
        #expect(engine.interactions().isEmpty)
        #expect(engine.departures.last?.outcome == .expired)
        #expect(engine.latestEventTime == f.at(40))
    }
}

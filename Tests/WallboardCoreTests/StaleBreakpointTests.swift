import JSONModel
import Testing
import WallboardCore

/// Agent-state changes stamped before the history's cutoff (a journal replay, a bulk load of a past
/// day) add breakpoints no window needs. They were kept until the cutoff next moved by a minute of
/// `now`, so a day loaded in seconds kept all of them: 91 MB of a 117 MB checkpoint after the bench's
/// 895k-event day, and 1.8 GB of RSS to decode it on restart (issue 14).
@Suite struct StaleBreakpointTests {
    /// Breakpoints the checkpoint keeps across every scope's agent-time functions.
    static func keptBreakpoints(_ engine: WallboardEngine) -> Int {
        var count = 0
        for scope in engine.checkpoint()["history"]?["agent_time"]?.arrayValue ?? [] {
            for function in (scope.arrayValue ?? []).dropFirst() {
                count += function.arrayValue?.last?.arrayValue?.count ?? 0
            }
        }
        return count
    }

    @Test func changesStampedBeforeTheCutoffAreForgottenWithoutWaitingForTheClock() {
        var factory = EventFactory()
        var engine = WallboardEngine(configuration: EngineConfiguration(queues: [QueueSettings(id: "q")]))
        let now = factory.at(6 * 3600)
        let agents = 50
        for index in 0..<agents {
            engine.apply(factory.make(Double(index), .agentLogin(AgentLogin(agent: "a\(index)", name: "A", queues: ["q"]))), now: now)
        }
        engine.expire(now: now)  // the cutoff is now − the longest window and a few minutes
        let changes = 20_000
        for step in 0..<changes {
            let state: AgentState = (step / agents) % 2 == 0 ? .notReady : .available  // each agent alternates
            let event = factory.make(60 + Double(step) * 0.5, .agentState(agent: "a\(step % agents)", state: state, reason: nil))
            engine.apply(event, now: now.advanced(by: Millis(step / 1000)))
            if step % 500 == 0 { engine.expire(now: now.advanced(by: Millis(step / 1000))) }  // publishes
        }
        engine.expire(now: now.advanced(by: .seconds(21)))
        let kept = Self.keptBreakpoints(engine)
        // One scope per class needs its last breakpoint at or before the cutoff; stale ones beyond
        // the limit are forgotten at the next advance.
        #expect(kept < 200, "kept \(kept) breakpoints of \(changes) changes older than every window")
        // Nothing of those changes is inside a rolling window; today still counts them all.
        let tables = engine.windowTables(now: now.advanced(by: .seconds(21)))
        // Every agent's last change (its 400th) made it available.
        #expect(tables.byWindow["15m"]?[.queue("q")]?.loggedInTime == Millis(agents) * .minutes(15))
        #expect(tables.byWindow["15m"]?[.queue("q")]?.availableTime == Millis(agents) * .minutes(15))
        #expect((tables.byWindow[WindowName.today]?[.queue("q")]?.loggedInTime ?? 0) > 0)
    }
}

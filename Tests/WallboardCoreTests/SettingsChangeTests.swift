import Testing
import WallboardCore

/// A queue's settings change while the engine runs (docs/metrics.md, "Settings changes"): rolling
/// windows are re-judged from the kept entries, "today" and "interval" keep what each contact was
/// judged by when it left and apply the new settings from the change on.
@Suite struct SettingsChangeTests {
    static func configuration(threshold seconds: Int64) -> EngineConfiguration {
        EngineConfiguration(queues: [QueueSettings(id: "q", threshold: .seconds(seconds))])
    }

    /// A contact queued at `at` and answered 20 s later by `agent`.
    static func answered(_ contact: String, at seconds: Double, agent: String, _ factory: inout EventFactory) -> [Event] {
        [
            factory.make(seconds, .contactQueued(ContactQueued(contact: contact, queue: "q", channel: .voice))),
            factory.make(seconds + 20, .contactAnswered(contact: contact, agent: agent, monitor: nil)),
        ]
    }

    @Test func rollingWindowsAreRejudgedWhileTodayAndIntervalKeepTheirJudgement() {
        var factory = EventFactory()
        var engine = WallboardEngine(configuration: Self.configuration(threshold: 30))
        engine.run([factory.make(0, .agentLogin(AgentLogin(agent: "a", name: "A", queues: ["q"])))])
        engine.run(Self.answered("c1", at: 10, agent: "a", &factory))  // waited 20 s: within 30 s
        engine.reconfigure(Self.configuration(threshold: 10))
        engine.run([factory.make(60, .agentLogin(AgentLogin(agent: "b", name: "B", queues: ["q"])))])
        engine.run(Self.answered("c2", at: 70, agent: "b", &factory))  // waited 20 s: not within 10 s

        let tables = engine.windowTables(now: factory.at(100))
        func within(_ window: String) -> Int? { tables.byWindow[window]?[.queue("q")]?.answeredWithinThreshold }
        func answered(_ window: String) -> Int? { tables.byWindow[window]?[.queue("q")]?.answered }
        #expect(answered("15m") == 2 && answered(WindowName.today) == 2 && answered(WindowName.interval) == 2)
        #expect(within("15m") == 0, "rolling windows judge both contacts by the new 10 s threshold")
        #expect(within(WindowName.today) == 1, "c1 stays within the 30 s threshold it left under")
        #expect(within(WindowName.interval) == 1)
    }
}

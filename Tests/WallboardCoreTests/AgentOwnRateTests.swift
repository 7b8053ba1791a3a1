import JSONModel
import Testing
import WallboardCore

/// Agents' own hourly rates (`costs.agents`, docs/metrics.md "Cost per contact"): an agent whose team
/// changes mid-day is priced stretch by stretch at each team's rate, then (after a reload adding its own
/// rate) all day at its own; a restart from a checkpoint, of this version or of version 6, keeps it exact.
@Suite struct AgentOwnRateTests {
    /// Day: x logs in under team A at 10:00, again under B at 10:20 (no logout), out at 10:40, in again
    /// without a team at 10:50; y (team A, no rate of its own) from 10:00 on. Read at 11:00.
    static let origin = RFC3339.parse("2026-11-23T10:00:00Z")!
    static func events() -> [Event] {
        var f = EventFactory(origin: origin)
        return [
            f.make(0, .agentLogin(AgentLogin(agent: "x", name: "X", team: "A", queues: ["q"]))),
            f.make(0, .agentLogin(AgentLogin(agent: "y", name: "Y", team: "A", queues: ["q"]))),
            f.make(600, .agentState(agent: "x", state: .notReady, reason: "break")),
            f.make(1200, .agentLogin(AgentLogin(agent: "x", name: "X", team: "B", queues: ["q"]))),
            f.make(2400, .agentLogout(agent: "x")),
            f.make(3000, .agentLogin(AgentLogin(agent: "x", name: "X", queues: ["q"]))),
        ]
    }
    static let now = origin.advanced(by: .minutes(60))

    /// A 3600, B 4800, default 3000 (cents an hour), no fixed costs; `own` is x's rate, if any.
    static func configuration(own: Int64?) -> EngineConfiguration {
        var configuration = EngineConfiguration(
            queues: [QueueSettings(id: "q")],
            windows: [RollingWindowSpec(name: "60m", length: .minutes(60)), RollingWindowSpec(name: "15m", length: .minutes(15))])
        configuration.costs = CostConfiguration(
            currency: "EUR", agentHourly: 3000, teamHourly: ["A": 3600, "B": 4800],
            agentRates: own.map { ["x": $0, "nobody": 1] } ?? [:])
        return configuration
    }

    /// (center, team A, team B) total cost of `window` in cents.
    static func totals(_ engine: WallboardEngine, _ window: String) -> [Int64?] {
        let snapshot = engine.snapshot(now: now)
        let team = { (id: String) in snapshot.teams.first { $0.id == id }?.figures.costs[window]?.total }
        return [snapshot.center.costs[window]?.total, team("A"), team("B")]
    }

    @Test func aTeamChangeIsPricedStretchByStretchThenAllAtTheOwnRate() {
        var engine = WallboardEngine(configuration: Self.configuration(own: nil))
        engine.run(Self.events())
        engine.expire(now: Self.now)
        // x: A 1200 s × 36.00 = 1200, B 1200 s × 48.00 = 1600, no team 600 s × 30.00 = 500; y: A 3600 s = 3600.
        for window in ["60m", "today"] {
            #expect(Self.totals(engine, window) == [6900, 4800, 1600], "\(window)")
        }
        // 15m (10:45–11:00): x without a team 600 s = 500, y 900 s = 900.
        #expect(Self.totals(engine, "15m") == [1400, 900, 0])

        // A reload gives x 60.00 an hour: all of its 3000 s at 60.00 = 5000, in A 2000 and in B 2000.
        engine.reconfigure(Self.configuration(own: 6000))
        for window in ["60m", "today"] {
            #expect(Self.totals(engine, window) == [8600, 5600, 2000], "\(window)")
        }
        #expect(Self.totals(engine, "15m") == [1900, 900, 0])
        // Back without it: the stretches take their teams' rates again.
        engine.reconfigure(Self.configuration(own: nil))
        #expect(Self.totals(engine, "today") == [6900, 4800, 1600])
    }

    /// A checkpoint at every event (through JSON text), restored and run on, prices every window as the
    /// engine that never stopped.
    @Test func aRestartAtAnyPointKeepsItExact() throws {
        let configuration = Self.configuration(own: 6000)
        let events = Self.events()
        var uninterrupted = WallboardEngine(configuration: configuration)
        uninterrupted.run(events)
        uninterrupted.expire(now: Self.now)
        for cut in 1..<events.count {
            var engine = WallboardEngine(configuration: configuration)
            engine.run(Array(events[..<cut]))
            engine = try WallboardEngine(
                restoringFrom: EngineCheckpointTests.throughText(engine.checkpoint()), configuration: configuration)
            engine.run(Array(events[cut...]))
            engine.expire(now: Self.now)
            for window in ["60m", "15m", "interval", "today"] {
                #expect(Self.totals(engine, window) == Self.totals(uninterrupted, window), "cut \(cut) \(window)")
            }
        }
    }

    /// A version 6 checkpoint has no teams on its stretches: they are read as under the agent's team at
    /// the restore, exact for an agent who stayed in one team.
    @Test func aVersion6CheckpointReadsItsTimeUnderTheTeamAtTheRestore() throws {
        let configuration = Self.configuration(own: 6000)
        var f = EventFactory(origin: Self.origin)
        let before = [
            f.make(0, .agentLogin(AgentLogin(agent: "x", name: "X", team: "A", queues: ["q"]))),
            f.make(600, .agentState(agent: "x", state: .notReady, reason: "break")),
        ]
        let after = [f.make(1800, .agentState(agent: "x", state: .available, reason: nil))]
        var uninterrupted = WallboardEngine(configuration: configuration)
        uninterrupted.run(before + after)
        uninterrupted.expire(now: Self.now)

        var engine = WallboardEngine(configuration: configuration)
        engine.run(before)
        guard case .object(var root) = engine.checkpoint(), case .object(var days)? = root["agent_days"],
            case .array(var agents)? = days["agents"], case .object(var agent) = agents[0],
            case .array(let marks)? = agent["marks"]
        else {
            Issue.record("unexpected checkpoint shape")
            return
        }
        #expect(days["teams"] == ["A"])
        #expect(agent["staffed"] == [["A", 600_000]])
        agent["staffed"] = nil
        agent["marks"] = .array(marks.map { mark in
            guard case .array(var fields) = mark else { return mark }
            fields[6] = 0  // version 6 wrote a span's unused hold as 0
            return .array(fields)
        })
        agents[0] = .object(agent)
        days["agents"] = .array(agents)
        days["teams"] = nil
        root["agent_days"] = .object(days)
        root["version"] = 6
        engine = try WallboardEngine(restoringFrom: .object(root), configuration: configuration)
        engine.run(after)
        engine.expire(now: Self.now)
        // x: 3600 s at 60.00 = 6000, all of it in team A.
        for window in ["60m", "15m", "today"] {
            #expect(Self.totals(engine, window) == Self.totals(uninterrupted, window), "\(window)")
        }
        #expect(Self.totals(engine, "today") == [6000, 6000, nil])
    }

    @Test func damagedTeamsInTheCheckpointNameTheKey() throws {
        let configuration = Self.configuration(own: 6000)
        var engine = WallboardEngine(configuration: configuration)
        engine.run(Array(Self.events()[..<4]))
        let good = engine.checkpoint()
        func error(_ change: (inout JSONObject) -> Void) -> CheckpointError? {
            guard case .object(var root) = good, case .object(var days)? = root["agent_days"] else { return nil }
            change(&days)
            root["agent_days"] = .object(days)
            return EngineCheckpointTests.restoreError(.object(root), configuration)
        }
        func firstAgent(_ days: inout JSONObject, _ change: (inout JSONObject) -> Void) {
            guard case .array(var agents)? = days["agents"], case .object(var agent) = agents[0] else { return }
            change(&agent)
            agents[0] = .object(agent)
            days["agents"] = .array(agents)
        }
        let short = error { days in firstAgent(&days) { $0["staffed"] = [["A", 1]] } }
        #expect(short?.message.contains("does not add up to today's logged-in") == true, "\(String(describing: short))")
        let unknown = error { days in firstAgent(&days) { $0["staffed"] = [["Z", 1]] } }
        #expect(unknown?.message.contains("team \"Z\" is not in agent_days.teams") == true, "\(String(describing: unknown))")
        let code = error { days in
            firstAgent(&days) { agent in
                guard case .array(var marks)? = agent["marks"], case .array(var fields) = marks[0] else { return }
                fields[6] = 9
                marks[0] = .array(fields)
                agent["marks"] = .array(marks)
            }
        }
        #expect(code?.message.contains("team 9 is not 0 (none) or 1 to 1") == true, "\(String(describing: code))")
        let twice = error { $0["teams"] = ["A", "A"] }
        #expect(twice?.key.hasPrefix("agent_days.teams") == true, "\(String(describing: twice))")
    }
}

import Testing
import WallboardCore

/// Agents' own hourly rates (`costs.agents`) on seeded random streams where agents log in again under
/// another team (or none), with checkpoint restarts along the way: every window's cost figures of the
/// center, the queues, the teams and the channels equal the definition (docs/metrics.md, "Cost per contact"):
/// Σ over each agent's logged-in time under each team of the rate that applied (the agent's own, else the
/// team's, else the default), from the brute-force ``ReferenceModel``'s time of each agent under each team.
@Suite struct CostOwnRateModelTests {
    /// a1 and a4 have rates of their own, a2 a rate of 0; `ghost` never logs in. Team `odd` has a rate.
    static let costs = CostConfiguration(
        currency: "EUR", decimals: 2, agentHourly: 2_750, teamHourly: ["odd": 3_333], fixedHourly: 1_999,
        agentRates: ["a1": 4_111, "a2": 0, "a4": 1_234, "ghost": 9_999])
    static let agents = ["a1", "a2", "a3", "a4", "a5"]
    static let teams: [String?] = ["odd", "even", nil]

    @Test(arguments: [31, 32, 33] as [UInt64])
    func everyWindowMatchesTheRateThatApplied(seed: UInt64) throws {
        let start = RFC3339.parse("2026-03-28T23:10:00Z")!
        // Answered contacts transferred too: to an agent without a team the new visit counts in no team.
        var generator = StreamGenerator(seed: seed, start: start, options: .init(transferAnswered: true, teamChanges: true))
        let events = generator.generate(duration: .minutes(100))
        var configuration = EngineConfiguration(
            queues: WindowPropertyTests.settings,
            windows: [RollingWindowSpec(name: "5m", length: .minutes(5)), RollingWindowSpec(name: "15m", length: .minutes(15))],
            calendar: CenterCalendar(intervalLength: .minutes(30)))
        configuration.costs = Self.costs
        let settingsByID = Dictionary(uniqueKeysWithValues: WindowPropertyTests.settings.map { ($0.id, $0) })
        var engine = WallboardEngine(configuration: configuration)
        var random = SeededRandom(seed: seed &* 17)
        var checks = 0
        var restarts = 0
        var repriced = 0
        var logins = 0
        for (index, event) in events.enumerated() {
            #expect(engine.apply(event, now: event.timestamp) == .applied, "event \(event.id) \(event.type)")
            if case .agentLogin = event.body { logins += 1 }
            if random.chance(0.5) { engine.expire(now: event.timestamp) }
            if random.chance(0.02) {
                engine = try WallboardEngine(restoringFrom: engine.checkpoint(), configuration: configuration)
                restarts += 1
            }
            guard random.chance(0.025) else { continue }
            let nextTime = index + 1 < events.count ? events[index + 1].timestamp : event.timestamp
            let now = event.timestamp.advanced(by: Millis(random.int(0...Int(nextTime.since(event.timestamp)))))
            let snapshot = engine.snapshot(now: now)
            let reference = ReferenceModel(events: Array(events[...index]), settings: settingsByID)
            for name in snapshot.windowNames {
                let windowStart = snapshot.windowStarts[name]!.milliseconds
                func figures(_ scope: String) -> ReferenceModel.Figures {
                    reference.figures(scope: scope, start: windowStart, now: now.milliseconds)
                }
                var times: [String: [String?: Int64]] = [:]
                for agent in Self.agents {
                    for team in Self.teams { times[agent, default: [:]][team] = figures("agent:\(agent)@\(team ?? "")").loggedIn }
                }
                let center = figures("center")
                #expect(times.values.reduce(0) { $0 + $1.values.reduce(0, +) } == center.loggedIn, "the reference splits all time")
                if Self.agents.contains(where: { Self.costs.agentRates[$0] != nil && times[$0]!.values.contains { $0 > 0 } }) {
                    repriced += 1
                }
                let pool = Pool(times: times, center: center, length: now.milliseconds - windowStart)
                var scopes: [(String, Snapshot.ScopeFigures)] = [("center", snapshot.center)]
                scopes += snapshot.queues.map { ($0.settings.id, $0.figures) }
                scopes += snapshot.teams.map { ("team:\($0.id)", $0.figures) }
                scopes += snapshot.channels.map { ("channel:\($0.id)", $0.figures) }
                for (scope, scopeFigures) in scopes {
                    let want = pool.expected(scope: scope, figures(scope))
                    #expect(scopeFigures.costs[name] == want, "seed \(seed) window \(name) scope \(scope) at \(now)")
                    checks += 1
                }
            }
        }
        #expect(checks > 100)
        #expect(restarts > 5)
        #expect(repriced > 30, "agents with rates of their own were logged in")
        #expect(logins > 10, "agents logged in again under other teams")
    }

    /// The window's cost by the definition, from each agent's time under each team.
    struct Pool {
        var times: [String: [String?: Int64]]
        var center: ReferenceModel.Figures
        var length: Int64

        static let hour: Int128 = 3_600_000

        /// Σ time × the rate that applied, over the agents' time under `team` (every team: nil).
        func agentCost(team only: String?? = .none) -> Int128 {
            var sum: Int128 = 0
            for (agent, byTeam) in times {
                for (team, time) in byTeam where only == .none || only == .some(team) {
                    let rate = costs.agentRates[agent] ?? team.flatMap { costs.teamHourly[$0] } ?? costs.agentHourly
                    sum += Int128(time) * Int128(rate)
                }
            }
            return sum
        }
        var fixed: Int128 { Int128(length) * Int128(costs.fixedHourly) }

        func expected(scope: String, _ own: ReferenceModel.Figures) -> CostFigures {
            let handle = Int128(center.handleTime)
            let exact: (Int128, Int128)?
            if scope == "center" {
                exact = (agentCost() + fixed, Self.hour)
            } else if scope.hasPrefix("team:") {
                let agents = agentCost(team: .some(String(scope.dropFirst(5))))
                exact = handle == 0
                    ? (agents, Self.hour) : (agents * handle + fixed * Int128(own.handleTime), Self.hour * handle)
            } else {
                exact = handle == 0 ? nil : ((agentCost() + fixed) * Int128(own.handleTime), Self.hour * handle)
            }
            func round(_ fraction: (Int128, Int128)?, per count: Int) -> Int64? {
                guard let (n, d) = fraction, count > 0 else { return nil }
                let denominator = d * Int128(count)
                let whole = n / denominator
                return Int64((n % denominator) * 2 >= denominator ? whole + 1 : whole)
            }
            return CostFigures(
                total: round(exact, per: 1), perHandled: round(exact, per: own.handled), perOffered: round(exact, per: own.offered))
        }
    }
}

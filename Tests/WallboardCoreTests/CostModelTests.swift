import Testing
import WallboardCore

/// Seeded random streams: every window's cost figures of the center, the queues, the teams and the
/// channels equal the documented apportionment (docs/metrics.md, "Cost per contact") worked out here
/// from the brute-force ``ReferenceModel``'s agent and handle times, with rationals of its own.
@Suite struct CostModelTests {
    /// Team `odd` has its own rate; `even` falls back to the default.
    static let costs = CostConfiguration(
        currency: "EUR", decimals: 2, agentHourly: 2_750, teamHourly: ["odd": 3_333], fixedHourly: 1_999)

    @Test(arguments: [21, 22, 23, 24] as [UInt64])
    func everyWindowMatchesTheReferenceModel(seed: UInt64) {
        let start = RFC3339.parse("2026-03-28T23:10:00Z")!
        var generator = StreamGenerator(seed: seed, start: start, options: .init(transferAnswered: true))
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
        var apportioned = 0
        for (index, event) in events.enumerated() {
            #expect(engine.apply(event, now: event.timestamp) == .applied, "event \(event.id) \(event.type)")
            if random.chance(0.5) { engine.expire(now: event.timestamp) }
            guard random.chance(0.05) else { continue }
            let nextTime = index + 1 < events.count ? events[index + 1].timestamp : event.timestamp
            let now = event.timestamp.advanced(by: Millis(random.int(0...Int(nextTime.since(event.timestamp)))))
            let snapshot = engine.snapshot(now: now)
            let reference = ReferenceModel(events: Array(events[...index]), settings: settingsByID)
            for name in snapshot.windowNames {
                let windowStart = snapshot.windowStarts[name]!.milliseconds
                func figures(_ scope: String) -> ReferenceModel.Figures {
                    reference.figures(scope: scope, start: windowStart, now: now.milliseconds)
                }
                let pool = Pool(
                    center: figures("center"), odd: figures("team:odd"), even: figures("team:even"),
                    length: now.milliseconds - windowStart)
                var scopes: [(String, Snapshot.ScopeFigures)] = [("center", snapshot.center)]
                scopes += snapshot.queues.map { ($0.settings.id, $0.figures) }
                scopes += snapshot.teams.map { ("team:\($0.id)", $0.figures) }
                scopes += snapshot.channels.map { ("channel:\($0.id)", $0.figures) }
                for (scope, scopeFigures) in scopes {
                    let want = pool.expected(scope: scope, figures(scope))
                    let got = scopeFigures.costs[name]
                    #expect(got == want, "seed \(seed) window \(name) scope \(scope) at \(now)")
                    if scope.hasPrefix("q"), want.total ?? 0 > 0 { apportioned += 1 }
                    checks += 1
                }
            }
        }
        #expect(checks > 100)
        #expect(apportioned > 20, "queues got shares of the cost")
    }

    /// The window's cost pools, from the reference figures.
    struct Pool {
        var center: ReferenceModel.Figures
        var odd: ReferenceModel.Figures
        var even: ReferenceModel.Figures
        var length: Int64

        static let hour: Int128 = 3_600_000

        /// Team `odd` at its rate, everyone else (team `even` and anyone without a team) at the default.
        var agents: Int128 {
            Int128(odd.loggedIn) * Int128(costs.teamHourly["odd"]!)
                + Int128(center.loggedIn - odd.loggedIn) * Int128(costs.agentHourly)
        }
        var fixed: Int128 { Int128(length) * Int128(costs.fixedHourly) }

        func expected(scope: String, _ own: ReferenceModel.Figures) -> CostFigures {
            let handle = Int128(center.handleTime)
            // (numerator, denominator) of the scope's exact cost in cents.
            let exact: (Int128, Int128)?
            if scope == "center" {
                exact = (agents + fixed, Self.hour)
            } else if scope.hasPrefix("team:") {
                let team = scope == "team:odd" ? odd : even
                let rate = Int128(scope == "team:odd" ? costs.teamHourly["odd"]! : costs.agentHourly)
                exact = handle == 0
                    ? (Int128(team.loggedIn) * rate, Self.hour)
                    : (Int128(team.loggedIn) * rate * handle + fixed * Int128(own.handleTime), Self.hour * handle)
            } else {
                exact = handle == 0 ? nil : ((agents + fixed) * Int128(own.handleTime), Self.hour * handle)
            }
            func round(_ fraction: (Int128, Int128)?, per count: Int) -> Int64? {
                guard let (n, d) = fraction, count > 0 else { return nil }
                let denominator = d * Int128(count)
                let whole = n / denominator
                let rest = n % denominator
                return Int64(rest * 2 >= denominator ? whole + 1 : whole)
            }
            return CostFigures(
                total: round(exact, per: 1), perHandled: round(exact, per: own.handled),
                perOffered: round(exact, per: own.offered))
        }
    }
}

import Testing
import WallboardCore

@Suite struct SimulatorTests {
    static let start = Instant(milliseconds: 1_795_000_000_000)

    /// Runs the simulator in 200 ms steps for `minutes` and feeds a fresh engine.
    static func run(seed: UInt64, minutes: Int64) -> (events: [Event], engine: WallboardEngine, rejected: [EventRejection]) {
        var simulator = ContactCenterSimulator(configuration: .demo(seed: seed))
        var engine = WallboardEngine(configuration: EngineConfiguration(queues: simulator.queueSettings))
        var events: [Event] = []
        var rejected: [EventRejection] = []
        var now = start
        while now < start.advanced(by: .minutes(minutes)) {
            for event in simulator.advance(to: now) {
                events.append(event)
                if case .rejected(let rejection) = engine.apply(event, now: now) { rejected.append(rejection) }
            }
            now = now.advanced(by: 200)
        }
        return (events, engine, rejected)
    }

    @Test func sameSeedGivesSameEvents() {
        let first = Self.run(seed: 7, minutes: 10).events
        let second = Self.run(seed: 7, minutes: 10).events
        #expect(first.count > 50)
        #expect(first == second)
    }

    @Test func differentSeedsGiveDifferentRuns() {
        #expect(Self.run(seed: 1, minutes: 10).events != Self.run(seed: 2, minutes: 10).events)
    }

    @Test func everySimulatedEventIsAcceptedByTheEngine() {
        let run = Self.run(seed: 42, minutes: 30)
        #expect(run.rejected.isEmpty, "\(run.rejected.prefix(3))")
    }

    /// A 30-minute demo looks like a real center: most contacts answered, some abandoned, agents busy.
    @Test func demoCenterHasPlausibleFigures() {
        let run = Self.run(seed: 42, minutes: 30)
        let snapshot = run.engine.snapshot(now: Self.start.advanced(by: .minutes(30)))
        let figures = snapshot.center.windows["30m"]!
        // Arrival rates: 1/30 s + 1/26 s + 1/45 s ≈ 5.6 a minute → roughly 170 in 30 minutes.
        #expect((110...260).contains(figures.offered + figures.shortAbandoned), "offered \(figures.offered)")
        #expect(figures.answered > figures.offered / 2)
        #expect(figures.abandoned + figures.shortAbandoned > 0)
        #expect(figures.handledCount > 0)
        #expect(snapshot.center.agents.loggedIn == 15)
        #expect(snapshot.center.agents.onContact + snapshot.center.agents.wrapUp > 0)
    }

    @Test func exponentialDrawsHaveTheRequestedMean() {
        var random = SplitMix64(seed: 3)
        let draws = (0..<20_000).map { _ in random.exponential(mean: 10_000) }
        let mean = Double(draws.reduce(0, +)) / Double(draws.count)
        #expect(abs(mean - 10_000) < 300, "mean \(mean)")
        #expect(draws.allSatisfy { $0 >= 0 })
    }
}

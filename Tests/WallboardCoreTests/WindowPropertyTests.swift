import Testing
import WallboardCore

/// Random seeded streams: every window's figures equal a brute-force recomputation from the raw events.
@Suite struct WindowPropertyTests {
    static let settings = [
        QueueSettings(id: "q1", threshold: .seconds(20), shortAbandon: .seconds(5), abandonTreatment: .negative),
        QueueSettings(id: "q2", threshold: .seconds(30), shortAbandon: .seconds(3), abandonTreatment: .positive),
        QueueSettings(id: "q3", threshold: .seconds(15), shortAbandon: 0, abandonTreatment: .ignore),
    ]

    @Test(arguments: [1, 2, 3, 4, 5, 6, 7, 8] as [UInt64])
    func everyWindowMatchesBruteForce(seed: UInt64) {
        // Starts 23:10 UTC so the stream crosses midnight: "today" must restart.
        let start = RFC3339.parse("2026-03-28T23:10:00Z")!
        var generator = StreamGenerator(seed: seed, start: start)
        let events = generator.generate(duration: .minutes(100))
        let configuration = EngineConfiguration(
            queues: Self.settings,
            windows: [RollingWindowSpec(name: "5m", length: .minutes(5)), RollingWindowSpec(name: "15m", length: .minutes(15))],
            calendar: CenterCalendar(intervalLength: .minutes(30)))
        let settingsByID = Dictionary(uniqueKeysWithValues: Self.settings.map { ($0.id, $0) })
        var engine = WallboardEngine(configuration: configuration)
        var random = SeededRandom(seed: seed &* 31)
        var checks = 0
        for (index, event) in events.enumerated() {
            #expect(engine.apply(event, now: event.timestamp) == .applied, "event \(event.id) \(event.type)")
            if random.chance(0.5) { engine.expire(now: event.timestamp) }
            guard random.chance(0.08) else { continue }
            let nextTime = index + 1 < events.count ? events[index + 1].timestamp : event.timestamp
            let now = event.timestamp.advanced(by: Millis(random.int(0...Int(nextTime.since(event.timestamp)))))
            let tables = engine.windowTables(now: now)
            // Only what the engine has seen: events after this one may share its timestamp.
            let reference = ReferenceModel(events: Array(events[...index]), settings: settingsByID)
            for name in tables.names {
                let windowStart = tables.starts[name]!.milliseconds
                for scope in ["center", "q1", "q2", "q3"] {
                    let key: ScopeKey = scope == "center" ? .center : .queue(scope)
                    let engineFigures = ReferenceModel.Figures(tables.byWindow[name]?[key] ?? WindowMetrics())
                    let expected = reference.figures(scope: scope, start: windowStart, now: now.milliseconds)
                    #expect(engineFigures == expected, "seed \(seed) window \(name) scope \(scope) at \(now)")
                    checks += 1
                }
            }
        }
        #expect(checks > 50)
    }

    @Test func windowStartsFollowTheCalendar() {
        let engine = WallboardEngine(configuration: EngineConfiguration(calendar: CenterCalendar(intervalLength: .minutes(30))))
        let now = RFC3339.parse("2026-03-29T00:47:12.5Z")!
        let tables = engine.windowTables(now: now)
        #expect(tables.starts["today"] == RFC3339.parse("2026-03-29T00:00:00Z"))
        #expect(tables.starts["interval"] == RFC3339.parse("2026-03-29T00:30:00Z"))
        #expect(tables.starts["15m"] == RFC3339.parse("2026-03-29T00:32:12.5Z"))
    }
}

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

    static let scopes = [
        "center", "q1", "q2", "q3", "team:odd", "team:even", "channel:voice", "channel:chat", "segment:vip",
        "language:en", "language:fr",
    ]

    static func key(_ scope: String) -> ScopeKey {
        let parts = scope.split(separator: ":", maxSplits: 1).map(String.init)
        guard parts.count == 2 else { return scope == "center" ? .center : .queue(scope) }
        switch parts[0] {
        case "team": return .team(parts[1])
        case "channel": return .channel(parts[1])
        case "segment": return .segment(parts[1])
        default: return .language(parts[1])
        }
    }

    /// Every scope (team, channel, segment, language too), on streams without `contact.wrapup_done`
    /// (handling ends at the agent's next state), with lost abandons and ends that the engine expires.
    @Test(arguments: [11, 12, 13, 14] as [UInt64])
    func everyScopeMatchesBruteForceWithoutWrapUpEventsAndWithLostEvents(seed: UInt64) {
        let start = RFC3339.parse("2026-03-28T23:10:00Z")!
        var generator = StreamGenerator(
            seed: seed, start: start, options: .init(wrapUpEvents: seed % 2 == 1, loseEvents: true))
        let events = generator.generate(duration: .minutes(100))
        var configuration = EngineConfiguration(
            queues: Self.settings,
            windows: [RollingWindowSpec(name: "5m", length: .minutes(5)), RollingWindowSpec(name: "15m", length: .minutes(15))],
            calendar: CenterCalendar(intervalLength: .minutes(30)))
        configuration.contactExpiry = .minutes(10)
        let settingsByID = Dictionary(uniqueKeysWithValues: Self.settings.map { ($0.id, $0) })
        var engine = WallboardEngine(configuration: configuration)
        var random = SeededRandom(seed: seed &* 31)
        var lastExpire: Instant?
        var checks = 0
        var expiredSeen = 0
        for (index, event) in events.enumerated() {
            #expect(engine.apply(event, now: event.timestamp) == .applied, "event \(event.id) \(event.type)")
            if random.chance(0.5) {
                engine.expire(now: event.timestamp)
                lastExpire = event.timestamp
            }
            guard random.chance(0.04) else { continue }
            let nextTime = index + 1 < events.count ? events[index + 1].timestamp : event.timestamp
            let now = event.timestamp.advanced(by: Millis(random.int(0...Int(nextTime.since(event.timestamp)))))
            let tables = engine.windowTables(now: now)
            var reference = ReferenceModel(events: Array(events[...index]), settings: settingsByID)
            reference.expiry = configuration.contactExpiry
            reference.lastExpire = lastExpire?.milliseconds
            for name in tables.names {
                let windowStart = tables.starts[name]!.milliseconds
                for scope in Self.scopes {
                    let engineFigures = ReferenceModel.Figures(tables.byWindow[name]?[Self.key(scope)] ?? WindowMetrics())
                    let expected = reference.figures(scope: scope, start: windowStart, now: now.milliseconds)
                    #expect(engineFigures == expected, "seed \(seed) window \(name) scope \(scope) at \(now)")
                    if name == WindowName.today, scope == "center" { expiredSeen = expected.expired }
                    checks += 1
                }
            }
        }
        #expect(checks > 100)
        #expect(expiredSeen > 0, "the stream lost events: some contacts expired")
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

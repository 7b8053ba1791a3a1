import JSONModel
import Testing
import WallboardCore

/// The engine's projected close from its interval book: which pattern, which close, which agents.
@Suite struct CloseProjectionEngineTests {
    static let todayAt10 = RFC3339.parse("2026-12-01T10:05:00Z")!

    /// Yesterday (30 Nov): 1 contact in the 10:00 interval and 2 in the 10:30 one. Today (1 Dec) 09:00–09:30:
    /// 3 answered after 5 s (talk 170 s, wrap-up 10 s) and 1 abandoned after 60 s. Agent a1 staffed throughout.
    static func engine(yesterday: Bool = true, configure: (inout EngineConfiguration) -> Void = { _ in }) -> WallboardEngine {
        var configuration = EngineConfiguration(queues: [QueueSettings(id: "q1", threshold: .seconds(20))])
        configuration.calendar.intervalLength = .minutes(30)
        configure(&configuration)
        var engine = WallboardEngine(configuration: configuration)
        var factory = EventFactory(origin: RFC3339.parse("2026-11-30T09:55:00Z")!)
        var events = [factory.make(0, .agentLogin(AgentLogin(agent: "a1", name: "A", team: nil, queues: ["q1"])))]
        func served(_ id: String, _ at: Double) {
            events.append(factory.make(at, .contactQueued(ContactQueued(contact: id, queue: "q1", channel: .voice))))
            events.append(factory.make(at + 5, .contactAnswered(contact: id, agent: "a1", monitor: nil)))
            events.append(factory.make(at + 175, .contactEnded(contact: id)))
            events.append(factory.make(at + 185, .contactWrapupDone(contact: id, agent: "a1")))
        }
        if yesterday {
            served("y1", 600)  // 10:05
            served("y2", 2400)  // 10:35
            served("y3", 3000)  // 10:45
        }
        let nine = Double(RFC3339.parse("2026-12-01T09:00:00Z")!.since(factory.origin)) / 1000
        served("c1", nine)
        served("c2", nine + 600)
        served("c3", nine + 1200)
        events.append(factory.make(nine + 1500, .contactQueued(ContactQueued(contact: "c4", queue: "q1", channel: .voice))))
        events.append(factory.make(nine + 1560, .contactAbandoned(contact: "c4")))
        engine.run(events)
        engine.expire(now: todayAt10)
        return engine
    }

    static func near(_ a: Double?, _ b: Double) -> Bool { a.map { abs($0 - b) < 1e-12 } ?? false }

    @Test func yesterdaysIntervalsAreThePatternAndTheirLastBusyIntervalTheClose() {
        let engine = Self.engine()
        let p = engine.closeProjection(scope: .queue("q1"), now: Self.todayAt10)!
        #expect(p.source == .yesterday && p.patternDay == "2026-11-30")
        #expect(p.close == RFC3339.parse("2026-12-01T11:00:00Z")!)
        #expect(p.agents == 1 && p.handleTime == 180 && p.expectedOffered == 3)
        // One agent: C = A; 10:00 slot A = 0.1 E, 10:30 slot A = 0.2 E (hand values in CloseProjectionTests' style).
        #expect(Self.near(p.serviceLevel, 0.7919339095291988))
        #expect(Self.near(p.abandonRate, 0.20806609047080118))
        // The same in the report and the snapshot.
        let report = engine.intervalReport(scope: .queue("q1"), day: .today, now: Self.todayAt10)!
        #expect(report.projection == p)
        #expect(report.json()["projection"] == p.json())
        let snapshot = engine.snapshot(now: Self.todayAt10)
        #expect(snapshot.queues[0].figures.projection == p)
        #expect(snapshot.center.projection?.serviceLevel == p.serviceLevel, "one queue: the center projects the same")
        let queueJSON = snapshot.json()["queues"]?.arrayValue?.first
        #expect(queueJSON?["projected_close"] == p.json())
    }

    @Test func aConfiguredCloseAndAQueueOverride() {
        let center = Self.engine { $0.projectionClose = .minutes(10 * 60 + 30) }
        let p = center.closeProjection(scope: .queue("q1"), now: Self.todayAt10)!
        #expect(p.close == RFC3339.parse("2026-12-01T10:30:00Z")!)
        #expect(Self.near(p.serviceLevel, 0.7819032516392808))
        #expect(Self.near(p.abandonRate, 0.21809674836071918))
        let queue = Self.engine {
            $0.projectionClose = .minutes(10 * 60 + 30)
            $0.queues[0].close = .minutes(12 * 60)
        }
        #expect(queue.closeProjection(scope: .queue("q1"), now: Self.todayAt10)!.close == RFC3339.parse("2026-12-01T12:00:00Z")!)
        #expect(queue.closeProjection(scope: .center, now: Self.todayAt10)!.close == RFC3339.parse("2026-12-01T10:30:00Z")!)
        // After the close: today's actuals (3 within of 4; 1 abandoned of 4).
        let late = Self.engine { $0.projectionClose = .minutes(9 * 60) }.closeProjection(scope: .queue("q1"), now: Self.todayAt10)!
        #expect(late.expectedOffered == 0 && Self.near(late.serviceLevel, 0.75) && Self.near(late.abandonRate, 0.25))
    }

    @Test func aPatternSetForTodayWinsAndOneForAnotherDayIsIgnored() {
        var engine = Self.engine()
        engine.setIntervalPattern(
            IntervalPattern(
                source: .lastWeek, day: "2026-11-24", appliesTo: "2026-11-30", offered: [600: 50], intervalLength: .minutes(30)),
            for: .queue("q1"))
        #expect(engine.closeProjection(scope: .queue("q1"), now: Self.todayAt10)!.source == .yesterday)
        engine.setIntervalPattern(
            IntervalPattern(
                source: .lastWeek, day: "2026-11-24", appliesTo: "2026-12-01", offered: [600: 6, 630: 12], intervalLength: .minutes(30)),
            for: .queue("q1"))
        let p = engine.closeProjection(scope: .queue("q1"), now: Self.todayAt10)!
        #expect(p.source == .lastWeek && p.patternDay == "2026-11-24" && p.expectedOffered == 18)
        #expect(engine.intervalReport(scope: .queue("q1"), day: .today, now: Self.todayAt10)!.projection?.source == .lastWeek)
    }

    /// The day `interval_minutes` changes, yesterday's intervals (30 minutes each) are no pattern for
    /// today's 15-minute slots: their counts would be read as per 15 minutes. Today's rate is used instead.
    @Test func yesterdayOfAnotherIntervalLengthIsNoPattern() {
        var engine = Self.engine()
        var configuration = engine.configuration
        configuration.calendar.intervalLength = .minutes(15)
        engine.reconfigure(configuration)
        let p = engine.closeProjection(scope: .queue("q1"), now: Self.todayAt10)!
        #expect(p.source == .todayRate && p.patternDay == nil)
        // Back at 30 minutes, yesterday is the pattern again.
        configuration.calendar.intervalLength = .minutes(30)
        engine.reconfigure(configuration)
        #expect(engine.closeProjection(scope: .queue("q1"), now: Self.todayAt10)!.source == .yesterday)
    }

    @Test func withoutAPatternTodaysRateRunsToTheEndOfTheDay() {
        let engine = Self.engine(yesterday: false)
        let p = engine.closeProjection(scope: .queue("q1"), now: Self.todayAt10)!
        #expect(p.source == .todayRate && p.patternDay == nil)
        #expect(p.close == RFC3339.parse("2026-12-02T00:00:00Z")!)
        // 4 contacts from 09:00 to 10:00, for the 14 hours left.
        #expect(abs(p.expectedOffered - 56) < 1e-9)
    }

    @Test func nobodyStaffedIsAReasonNotANumber() {
        var engine = Self.engine()
        _ = engine.apply(
            Event(id: "nr", timestamp: Self.todayAt10, body: .agentState(agent: "a1", state: .notReady, reason: "break")),
            now: Self.todayAt10)
        let p = engine.closeProjection(scope: .queue("q1"), now: Self.todayAt10)!
        #expect(p.agents == 0 && p.serviceLevel == nil && p.reason == .noAgents)
        #expect(engine.closeProjection(scope: .team("t"), now: Self.todayAt10) == nil)
    }
}

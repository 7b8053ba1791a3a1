import JSONModel
import Testing
import WallboardCore

/// Europe/Paris by the EU rule: UTC+2 from the last Sunday of March 01:00 UTC to the last Sunday of
/// October 01:00 UTC, else UTC+1 (the tests need no tz database).
struct ParisOffset: UTCOffsetProvider {
    func offset(at instant: Instant) -> Millis {
        let day = Instant.floorDays(instant.milliseconds)
        let year = RFC3339.civilFromDays(day).year
        func lastSunday(_ month: Int64) -> Int64 {
            let last = RFC3339.daysFromCivil(year: year, month: month, day: 31)
            return last - ((last + 4) % 7 + 7) % 7
        }
        let summerStart = lastSunday(3) * 86_400_000 + 3_600_000
        let summerEnd = lastSunday(10) * 86_400_000 + 3_600_000
        return instant.milliseconds >= summerStart && instant.milliseconds < summerEnd ? 7_200_000 : 3_600_000
    }
}

extension Instant {
    fileprivate static func floorDays(_ ms: Int64) -> Int64 { ms >= 0 ? ms / 86_400_000 : (ms - 86_399_999) / 86_400_000 }
}

extension ReferenceModel {
    /// Agents logged in and not `not_ready` in `scope` at `time` (changes at `time` included), by the
    /// model's own agent rules: a login is available, an answer or a transfer to an agent puts it on a
    /// contact, `agent.state` sets the state, a logout removes it.
    func staffed(scope: String, at time: Int64) -> Int {
        var state: [String: AgentState] = [:]
        var queues: [String: [String]] = [:]
        for event in events where event.timestamp.milliseconds <= time {
            switch event.body {
            case .agentLogin(let login):
                queues[login.agent] = login.queues
                state[login.agent] = .available
            case .agentState(let agent, let new, _):
                if state[agent] != nil { state[agent] = new }
            case .agentLogout(let agent):
                state[agent] = nil
            case .contactAnswered(_, let agent, _):
                if state[agent] != nil { state[agent] = .onContact }
            case .contactTransferred(_, _, let toAgent?):
                if state[toAgent] != nil { state[toAgent] = .onContact }
            default:
                break
            }
        }
        return state.filter { agent, current in
            current != .notReady && current != .offline && (scope == "center" || queues[agent]?.contains(scope) == true)
        }.count
    }
}

@Suite struct IntervalHistoryTests {
    static let paris = CenterTimeZone(identifier: "Europe/Paris", provider: ParisOffset())
    static let scopes = ["center", "q1", "q2", "q3"]

    static func configuration() -> EngineConfiguration {
        EngineConfiguration(
            queues: WindowPropertyTests.settings,
            windows: [RollingWindowSpec(name: "5m", length: .minutes(5)), RollingWindowSpec(name: "15m", length: .minutes(15))],
            calendar: CenterCalendar(timeZone: paris, intervalLength: .minutes(30)))
    }

    static func key(_ scope: String) -> ScopeKey { scope == "center" ? .center : .queue(scope) }

    /// Figures the reference model gives for `[start, end)`, agent time left out (closed intervals carry none).
    static func expected(_ reference: ReferenceModel, _ scope: String, _ interval: IntervalFigures) -> ReferenceModel.Figures {
        var figures = reference.figures(scope: scope, start: interval.start.milliseconds, now: interval.end.milliseconds - 1)
        figures.handling = 0
        figures.available = 0
        figures.loggedIn = 0
        return figures
    }

    @Test func parisOffsetFollowsTheEURule() {
        #expect(ParisOffset().offset(at: RFC3339.parse("2026-10-25T00:59:59Z")!) == 7_200_000)
        #expect(ParisOffset().offset(at: RFC3339.parse("2026-10-25T01:00:00Z")!) == 3_600_000)
        #expect(ParisOffset().offset(at: RFC3339.parse("2026-03-29T01:00:00Z")!) == 7_200_000)
        #expect(ParisOffset().offset(at: RFC3339.parse("2026-03-29T00:59:59Z")!) == 3_600_000)
    }

    /// Seeded streams from 23:40 local on Saturday 24 October 2026 to 03:00 local (CET) on Sunday: local
    /// midnight, then the hour from 02:00 to 03:00 twice. Every closed interval of both days, per scope,
    /// equals the reference model over `[start, end)`, and its staffed agents the model's at its end.
    @Test(arguments: [1, 2, 3, 4, 5, 6] as [UInt64])
    func closedIntervalsMatchTheReferenceOverMidnightAndDST(seed: UInt64) {
        let start = RFC3339.parse("2026-10-24T21:40:00Z")!
        var generator = StreamGenerator(
            seed: seed, start: start, options: .init(transferAnswered: seed % 2 == 0, surveys: seed % 3 == 0))
        let events = generator.generate(duration: .minutes(260))
        let configuration = Self.configuration()
        let calendar = configuration.calendar
        var engine = WallboardEngine(configuration: configuration)
        var random = SeededRandom(seed: seed &* 17)
        for event in events {
            #expect(engine.apply(event, now: event.timestamp) == .applied, "event \(event.id) \(event.type)")
            if random.chance(0.3) { engine.expire(now: event.timestamp) }
        }
        // 03:00:30 CET, after the last event (the stream may run a few seconds past 02:00Z).
        let now = max(RFC3339.parse("2026-10-25T02:00:30Z")!, events.last!.timestamp.advanced(by: 1))
        engine.expire(now: now)
        let settings = Dictionary(uniqueKeysWithValues: WindowPropertyTests.settings.map { ($0.id, $0) })
        let reference = ReferenceModel(events: events, settings: settings)

        let today = calendar.startOfDay(containing: now)
        #expect(RFC3339.format(today) == "2026-10-24T22:00:00.000Z", "local midnight, summer time")
        let yesterday = calendar.startOfDay(containing: today.advanced(by: -1))
        var checked = 0
        for scope in Self.scopes {
            let closedYesterday = engine.closedIntervals(of: Self.key(scope), dayStart: yesterday) ?? []
            let closedToday = engine.closedIntervals(of: Self.key(scope), dayStart: today) ?? []
            #expect(closedYesterday.map { RFC3339.format($0.start) } == ["2026-10-24T21:30:00.000Z"])
            // 22:00Z (00:00 CEST) to 02:00Z (03:00 CET): eight half hours, 02:00–03:00 local twice.
            #expect(closedToday.count == 8, "scope \(scope): \(closedToday.map { RFC3339.format($0.start) })")
            var previousEnd: Instant?
            for interval in closedYesterday + closedToday {
                #expect(interval.end.since(interval.start) == .minutes(30))
                if let previousEnd { #expect(previousEnd == interval.start, "intervals are contiguous") }
                previousEnd = interval.end
                #expect(interval.complete)
                let engineFigures = ReferenceModel.Figures(interval.metrics)
                let expected = Self.expected(reference, scope, interval)
                #expect(engineFigures == expected, "seed \(seed) \(scope) \(RFC3339.format(interval.start))")
                #expect(
                    interval.staffed == reference.staffed(scope: scope, at: interval.end.milliseconds),
                    "seed \(seed) \(scope) staffed at \(RFC3339.format(interval.end))")
                checked += 1
            }
            // Today's report: the closed intervals, then the current one with the interval window's figures.
            let report = engine.intervalReport(scope: Self.key(scope), day: .today, now: now)!
            #expect(report.intervals.dropLast() == closedToday[...])
            let current = report.intervals.last!
            #expect(!current.complete)
            #expect(current.start == calendar.startOfInterval(containing: now))
            #expect(current.metrics == engine.windowTables(now: now).byWindow[WindowName.interval]?[Self.key(scope)] ?? WindowMetrics())
            #expect(current.staffed == reference.staffed(scope: scope, at: now.milliseconds))
            #expect(report.yesterday == closedYesterday)
        }
        #expect(checked == 4 * 9)
    }

    /// An entry stamped in a closed interval (within the past tolerance) counts there, not in the
    /// current one; an agent change stamped before a closed interval's end corrects its staffed count.
    @Test func lateEntriesAndAgentChangesCorrectClosedIntervals() {
        var factory = EventFactory(origin: RFC3339.parse("2026-11-23T09:00:00Z")!)
        var engine = WallboardEngine(configuration: EngineConfiguration(queues: [QueueSettings(id: "q1")]))
        engine.run([
            factory.make(0, .agentLogin(AgentLogin(agent: "a1", name: "A", team: nil, queues: ["q1"]))),
            factory.make(10, .contactQueued(ContactQueued(contact: "c1", queue: "q1", channel: .voice))),
            factory.make(1790, .contactQueued(ContactQueued(contact: "c2", queue: "q1", channel: .voice))),
        ])
        #expect(!engine.hasIntervalToClose(at: factory.at(1799)))
        #expect(engine.hasIntervalToClose(at: factory.at(1800)), "09:30:00 ends the 09:00 interval; no tick since")
        engine.expire(now: factory.at(1805))  // 09:30:05: the 09:00 interval closes
        #expect(!engine.hasIntervalToClose(at: factory.at(1805)))
        // Stamped 09:29:40 and 09:29:50, arriving after the close.
        #expect(engine.apply(factory.make(1780, .contactAnswered(contact: "c1", agent: "a1", monitor: nil)), now: factory.at(1806)) == .applied)
        #expect(engine.apply(factory.make(1795, .contactAbandoned(contact: "c2")), now: factory.at(1806)) == .applied)
        engine.expire(now: factory.at(1806))
        let day = engine.configuration.calendar.startOfDay(containing: factory.at(0))
        let closed = engine.closedIntervals(of: .queue("q1"), dayStart: day)!
        #expect(closed.count == 1)
        #expect(closed[0].metrics.answered == 1)
        #expect(closed[0].metrics.abandoned == 1)
        #expect(closed[0].metrics.maxWait == .seconds(1770))
        #expect(closed[0].staffed == 1)
        let current = engine.intervalReport(scope: .queue("q1"), day: .today, now: factory.at(1806))!.intervals.last!
        #expect(current.metrics.offered == 0)
        // a1 said not ready at 09:29:59, arriving at 09:30:07: not staffed at the 09:30 boundary.
        #expect(engine.apply(factory.make(1799, .agentState(agent: "a1", state: .notReady, reason: "break")), now: factory.at(1807)) == .applied)
        #expect(engine.closedIntervals(of: .queue("q1"), dayStart: day)![0].staffed == 0)
        #expect(engine.closedIntervals(of: .center, dayStart: day)![0].staffed == 0)
    }

    /// A checkpoint keeps the closed intervals and the agent changes after the last one; a version 4
    /// checkpoint (no intervals) restores with none closed and the staffed count from the agents.
    @Test func checkpointRoundTripKeepsIntervals() throws {
        let start = RFC3339.parse("2026-10-24T21:40:00Z")!
        var generator = StreamGenerator(seed: 9, start: start, options: .init(transferAnswered: true))
        let events = generator.generate(duration: .minutes(150))
        let configuration = Self.configuration()
        var engine = WallboardEngine(configuration: configuration)
        let cut = events.count * 2 / 3
        engine.run(Array(events[..<cut]))
        let checkpoint = engine.checkpoint()
        #expect(checkpoint["version"] == .integer(WallboardEngine.checkpointVersion))
        var restored = try WallboardEngine(restoringFrom: EngineCheckpointTests.throughText(checkpoint), configuration: configuration)
        #expect(restored.checkpoint() == checkpoint)
        engine.run(Array(events[cut...]))
        restored.run(Array(events[cut...]))
        let now = events.last!.timestamp
        let calendar = configuration.calendar
        let today = calendar.startOfDay(containing: now)
        let yesterday = calendar.startOfDay(containing: today.advanced(by: -1))
        for scope in Self.scopes.map(Self.key) {
            #expect(restored.closedIntervals(of: scope, dayStart: today) == engine.closedIntervals(of: scope, dayStart: today))
            #expect(restored.closedIntervals(of: scope, dayStart: yesterday) == engine.closedIntervals(of: scope, dayStart: yesterday))
            #expect(restored.intervalReport(scope: scope, day: .today, now: now) == engine.intervalReport(scope: scope, day: .today, now: now))
        }
        #expect((engine.closedIntervals(of: .center, dayStart: today) ?? []).count >= 2)

        // Version 4: the same state without intervals.
        guard case .object(var root) = checkpoint, case .object(var history)? = root["history"] else {
            Issue.record("checkpoint is not an object")
            return
        }
        history["intervals"] = nil
        root["history"] = .object(history)
        root["version"] = .integer(4)
        let old = try WallboardEngine(restoringFrom: .object(root), configuration: configuration)
        let cutNow = events[cut - 1].timestamp
        let cutDay = calendar.startOfDay(containing: cutNow)
        #expect(old.closedIntervals(of: .center, dayStart: cutDay) == nil)
        for scope in Self.scopes.map(Self.key) {
            let report = old.intervalReport(scope: scope, day: .today, now: cutNow)!
            #expect(report.intervals.count == 1, "only the current interval")
            let original = try WallboardEngine(restoringFrom: checkpoint, configuration: configuration)
            #expect(report.intervals.last == original.intervalReport(scope: scope, day: .today, now: cutNow)!.intervals.last)
        }
    }

    /// A checkpoint whose intervals are damaged is refused with the key that is wrong.
    @Test func damagedIntervalsAreRefused() throws {
        var factory = EventFactory()
        var engine = WallboardEngine(configuration: EngineConfiguration(queues: [QueueSettings(id: "q1")]))
        engine.run([
            factory.make(0, .agentLogin(AgentLogin(agent: "a1", name: "A", team: nil, queues: ["q1"]))),
            factory.make(10, .contactQueued(ContactQueued(contact: "c1", queue: "q1", channel: .voice))),
            factory.make(4000, .contactAbandoned(contact: "c1")),
        ])
        guard case .object(var root) = engine.checkpoint(), case .object(var history)? = root["history"],
            case .object(var intervals)? = history["intervals"], case .array(var today)? = intervals["today"],
            case .object(var first)? = today.first
        else {
            Issue.record("no intervals in the checkpoint")
            return
        }
        first["end"] = first["start"]
        today[0] = .object(first)
        intervals["today"] = .array(today)
        history["intervals"] = .object(intervals)
        root["history"] = .object(history)
        #expect(throws: CheckpointError.self) {
            try WallboardEngine(restoringFrom: .object(root), configuration: engine.configuration)
        }
    }

    /// The JSON and CSV shapes: every contract key, null where a figure is undefined, CSV fields quoted.
    @Test func reportJSONAndCSV() {
        var metrics = WindowMetrics()
        metrics.offered = 12
        metrics.answered = 10
        metrics.abandoned = 2
        metrics.shortAbandoned = 1
        metrics.answeredWithinThreshold = 8
        metrics.serviceLevelNumerator = 8
        metrics.serviceLevelDenominator = 10
        metrics.totalAnswerWait = 142_000
        metrics.handledCount = 2
        metrics.totalTalk = 421_000
        metrics.maxWait = .seconds(61)
        let start = RFC3339.parse("2026-12-01T07:00:00Z")!
        let calendar = CenterCalendar(timeZone: Self.paris, intervalLength: .minutes(30))
        let report = IntervalReport(
            scope: .queue("sales,east"), dayStart: calendar.startOfDay(containing: start), calendar: calendar,
            target: .init(serviceLevel: 0.8, threshold: .seconds(30)),
            intervals: [
                IntervalFigures(start: start, end: start.advanced(by: .minutes(30)), complete: true, metrics: metrics, staffed: 7),
                IntervalFigures(
                    start: start.advanced(by: .minutes(30)), end: start.advanced(by: .minutes(60)), complete: false,
                    metrics: WindowMetrics(), staffed: 6),
            ])
        let text = JSONText.encode(report.json())
        #expect(text.contains(#""scope":"queue:sales,east","day":"2026-12-01","time_zone":"Europe/Paris","interval_minutes":30"#))
        #expect(text.contains(#""target":{"service_level":0.8,"threshold_seconds":30}"#))
        #expect(
            text.contains(
                #"{"start":"2026-12-01T07:00:00.000Z","end":"2026-12-01T07:30:00.000Z","complete":true,"offered":12,"answered":10,"#
                    + #""abandoned":2,"short_abandoned":1,"answered_within":8,"service_level":0.8,"abandon_rate":0.1667,"#
                    + #""asa_seconds":14.2,"aht_seconds":210.5,"max_wait_seconds":61,"staffed":7}"#), "\(text)")
        #expect(text.contains(#""service_level":null,"abandon_rate":null,"asa_seconds":null,"aht_seconds":null,"max_wait_seconds":null,"staffed":6"#))
        #expect(!text.contains("yesterday"))
        let lines = report.csv().split(separator: "\r\n", omittingEmptySubsequences: false)
        #expect(lines.count == 4 && lines[3].isEmpty)
        #expect(lines[0] == "scope,day,start,end,complete,offered,answered,abandoned,short_abandoned,answered_within,service_level,abandon_rate,asa_seconds,aht_seconds,max_wait_seconds,staffed")
        #expect(lines[1] == #""queue:sales,east",2026-12-01,2026-12-01T07:00:00.000Z,2026-12-01T07:30:00.000Z,true,12,10,2,1,8,0.8,0.1667,14.2,210.5,61,7"#)
        #expect(lines[2] == #""queue:sales,east",2026-12-01,2026-12-01T07:30:00.000Z,2026-12-01T08:00:00.000Z,false,0,0,0,0,0,,,,,,6"#)
    }

    /// Local dates both ways, over the autumn DST change and with a day start after midnight.
    @Test func localDates() {
        let calendar = CenterCalendar(timeZone: Self.paris, intervalLength: .minutes(30))
        #expect(calendar.startOfDay(localDate: "2026-10-25").map(RFC3339.format) == "2026-10-24T22:00:00.000Z")
        #expect(calendar.startOfDay(localDate: "2026-10-26").map(RFC3339.format) == "2026-10-25T23:00:00.000Z")
        #expect(calendar.localDate(of: RFC3339.parse("2026-10-25T22:59:59Z")!) == "2026-10-25")
        for bad in ["2026-02-30", "2026-13-01", "26-10-01", "2026-1-01", "today", "2026-10-0x", "２０２６-10-01"] {
            #expect(calendar.startOfDay(localDate: bad) == nil, "\(bad)")
        }
        let early = CenterCalendar(timeZone: Self.paris, dayStart: .minutes(6 * 60 + 15), intervalLength: .minutes(30))
        let dayStart = early.startOfDay(localDate: "2026-12-01")!
        #expect(RFC3339.format(dayStart) == "2026-12-01T05:15:00.000Z")
        #expect(RFC3339.format(early.endOfInterval(startingAt: dayStart)) == "2026-12-01T05:30:00.000Z")
        let last = RFC3339.parse("2026-12-02T05:00:00Z")!  // 06:00 local: the day's last interval ends at 06:15
        #expect(RFC3339.format(early.endOfInterval(startingAt: last)) == "2026-12-02T05:15:00.000Z")
    }
}

import JSONModel
import Testing
import WallboardCore

/// A past day's intervals per scope (``DayIntervals``, what the daemon holds of last week), the same
/// weekday a week before over DST changes, and `last_week` in a report's JSON and CSV.
@Suite struct DayIntervalsTests {
    /// Every scope's closed intervals of a day as the reference model counts them; nil for a day not held.
    @Test(arguments: [7, 8] as [UInt64])
    func dayIntervalsHoldEveryScopeAsTheReferenceCounts(seed: UInt64) throws {
        let start = RFC3339.parse("2026-11-24T07:40:00Z")!
        var generator = StreamGenerator(seed: seed, start: start, options: .init(transferAnswered: seed % 2 == 0))
        let events = generator.generate(duration: .minutes(150))
        let configuration = IntervalHistoryTests.configuration()
        var engine = WallboardEngine(configuration: configuration)
        for event in events {
            #expect(engine.apply(event, now: event.timestamp) == .applied)
            engine.expire(now: event.timestamp)
        }
        // The next day's first interval closed: the day is the engine's yesterday now, all of it closed.
        let calendar = configuration.calendar
        let dayStart = calendar.startOfDay(containing: start)
        let nextDay = calendar.startOfDay(after: dayStart)
        engine.expire(now: nextDay.advanced(by: .minutes(31)))
        let day = try #require(engine.dayIntervals(dayStart: dayStart))
        #expect(day.date == "2026-11-24")
        #expect(day.dayStart == dayStart)
        #expect(Set(day.scopes.keys) == Set(IntervalHistoryTests.scopes.map(IntervalHistoryTests.key)))
        let settings = Dictionary(uniqueKeysWithValues: WindowPropertyTests.settings.map { ($0.id, $0) })
        let reference = ReferenceModel(events: events, settings: settings)
        var busy = 0
        for scope in IntervalHistoryTests.scopes {
            let intervals = day.intervals(of: IntervalHistoryTests.key(scope))
            #expect(intervals.first?.start == RFC3339.parse("2026-11-24T07:30:00Z"), "from the first interval the engine saw")
            #expect(intervals.last?.end == nextDay, "to the day's end")
            #expect(intervals == engine.closedIntervals(of: IntervalHistoryTests.key(scope), dayStart: dayStart))
            // The model is compared while the stream runs (after it, contacts left waiting expire by the engine's rules).
            for interval in intervals where interval.end <= events.last!.timestamp {
                #expect(interval.complete)
                #expect(ReferenceModel.Figures(interval.metrics) == IntervalHistoryTests.expected(reference, scope, interval),
                        "seed \(seed) \(scope) \(RFC3339.format(interval.start))")
                if interval.metrics.offered > 0 { busy += 1 }
            }
        }
        #expect(busy > 8)
        #expect(day.intervals(of: .center).allSatisfy { $0.complete })
        #expect(day.intervals(of: .queue("added-since")) == [])
        #expect(engine.dayIntervals(dayStart: calendar.startOfDay(containing: start.advanced(by: -.minutes(24 * 60)))) == nil)
    }

    /// Seven local days back, whatever DST did in between, with the day starting at midnight or 06:00.
    @Test func weekBeforeIsTheSameWeekdaySevenLocalDaysBack() {
        let paris = IntervalHistoryTests.paris
        for dayStart in [Millis(0), .minutes(6 * 60)] {
            let calendar = CenterCalendar(timeZone: paris, dayStart: dayStart, intervalLength: .minutes(15))
            var today = calendar.startOfDay(localDate: "2026-01-01")!
            for _ in 0..<400 {
                let before = calendar.startOfDay(weekBefore: today)
                let date = calendar.localDate(of: today)
                let days = RFC3339.daysFromCivil(year: Int64(date.prefix(4))!, month: Int64(date.dropFirst(5).prefix(2))!,
                                                 day: Int64(date.suffix(2))!)
                let civil = RFC3339.civilFromDays(days - 7)
                func pad(_ value: Int64) -> String { value < 10 ? "0\(value)" : "\(value)" }
                let want = calendar.startOfDay(localDate: "\(civil.year)-\(pad(civil.month))-\(pad(civil.day))")
                #expect(before == want, "\(date), day start \(dayStart)")
                today = calendar.startOfDay(after: today)
            }
        }
        // The Monday after the autumn change: 00:00 CET, a week before 00:00 CEST (an hour more than 7 x 24 h back).
        let calendar = CenterCalendar(timeZone: paris)
        #expect(calendar.startOfDay(weekBefore: RFC3339.parse("2026-10-25T23:00:00Z")!) == RFC3339.parse("2026-10-18T22:00:00Z")!)
    }

    /// `last_week`, `last_week_day` and `last_week_reason` in the JSON; last week's rows after today's in the CSV.
    @Test func lastWeekInTheReportJSONAndCSV() {
        let calendar = CenterCalendar(timeZone: IntervalHistoryTests.paris, intervalLength: .minutes(30))
        let start = RFC3339.parse("2026-12-01T07:00:00Z")!
        var metrics = WindowMetrics()
        metrics.offered = 3
        metrics.answered = 3
        metrics.answeredWithinThreshold = 2
        metrics.serviceLevelNumerator = 2
        metrics.serviceLevelDenominator = 3
        let today = IntervalFigures(start: start, end: start.advanced(by: .minutes(30)), complete: false, metrics: metrics, staffed: 4)
        let weekAgo = start.advanced(by: -.minutes(7 * 24 * 60))
        let past = IntervalFigures(start: weekAgo, end: weekAgo.advanced(by: .minutes(30)), complete: true, metrics: metrics, staffed: 5)
        var report = IntervalReport(
            scope: .queue("sales"), dayStart: calendar.startOfDay(containing: start), calendar: calendar, target: nil,
            intervals: [today])
        #expect(report.json()["last_week"] == nil, "a report that says nothing of last week has none of its members")
        #expect(report.json()["last_week_day"] == nil)

        report.lastWeek = .init(date: "2026-11-24", intervals: [past], reason: "ignored when held")
        let held = report.json()
        #expect(held["last_week"] == .array([IntervalReport.json(past)]))
        #expect(held["last_week_day"] == "2026-11-24")
        #expect(held["last_week_reason"] == .null)
        let lines = report.csv().split(separator: "\r\n")
        #expect(lines.count == 3)
        #expect(lines[1].hasPrefix("queue:sales,2026-12-01,2026-12-01T07:00:00.000Z,2026-12-01T07:30:00.000Z,false,3,3,0,0,2,"))
        #expect(lines[2] == "queue:sales,2026-11-24,2026-11-24T07:00:00.000Z,2026-11-24T07:30:00.000Z,true,3,3,0,0,2,0.6667,0,0,,,5")

        report.lastWeek = .init(date: "2026-11-24", intervals: nil, reason: "the journal holds no events of 2026-11-24")
        let missing = report.json()
        #expect(missing["last_week"] == .null)
        #expect(missing["last_week_day"] == "2026-11-24")
        #expect(missing["last_week_reason"] == "the journal holds no events of 2026-11-24")
        #expect(report.csv().split(separator: "\r\n").count == 2, "no rows of a day not held")
    }
}

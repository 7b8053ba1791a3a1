import JSONModel
import Testing
import WallboardCore

/// The projected close against hand computations (docs/metrics.md, "Projected close", worked example).
@Suite struct CloseProjectionTests {
    static let t0 = RFC3339.parse("2026-12-01T10:00:00Z")!

    /// Today so far (09:00–10:00): 100 offered, 90 answered (70 within 20 s), 10 abandoned, AHT 180 s.
    static func actual() -> WindowMetrics {
        var m = WindowMetrics()
        m.offered = 100
        m.answered = 90
        m.abandoned = 10
        m.answeredWithinThreshold = 70
        m.serviceLevelNumerator = 70
        m.serviceLevelDenominator = 100
        m.handledCount = 90
        m.totalTalk = 90 * 180_000
        return m
    }

    /// 10:00–10:30 expects 60 contacts, 10:30–11:00 expects 90; 8 agents; threshold 20 s; close 11:00.
    static func input(agents: Int = 8, actual: WindowMetrics = actual(), treatment: QueueSettings.AbandonTreatment = .negative)
        -> CloseProjection.Input
    {
        CloseProjection.Input(
            actual: actual,
            slots: [
                .init(start: t0, end: t0.advanced(by: .minutes(30)), arrivals: 60),
                .init(start: t0.advanced(by: .minutes(30)), end: t0.advanced(by: .minutes(60)), arrivals: 90),
            ],
            agents: agents, threshold: .seconds(20), treatment: treatment, source: .yesterday, patternDay: "2026-11-30",
            close: t0.advanced(by: .minutes(60)))
    }

    static func close(_ a: Double?, _ b: Double, _ tolerance: Double = 1e-9) -> Bool {
        guard let a else { return false }
        return abs(a - b) <= tolerance
    }

    @Test func workedExampleMatchesTheHandComputation() {
        let p = CloseProjection.project(Self.input())
        // Slot 1: A = 60/1800·180 = 6 E on 8 agents: C(8, 6) = 0.356981, SL = 1 − C·e^(−2·20/180) = 0.714152.
        // Slot 2: A = 9 E ≥ 8 agents: SL 0. Late share abandoning = 10 / (100 − 70) = 1/3.
        let sl1 = 1 - 0.35698108587868027 * 0.8007374029168081  // e^(−40/180)
        #expect(Self.close(sl1, 0.7141518924030835))
        #expect(Self.close(p.expectedWithinThreshold, 60 * sl1))
        #expect(Self.close(p.expectedAbandoned, 60 * (1 - sl1) / 3 + 90.0 / 3))
        #expect(Self.close(p.lateAbandonShare, 1.0 / 3))
        #expect(p.expectedOffered == 150)
        #expect(p.handleTime == 180)
        #expect(Self.close(p.serviceLevel, (70 + 60 * sl1) / 250))
        #expect(Self.close(p.serviceLevel, 0.45139645417674, 1e-12))
        #expect(Self.close(p.abandonRate, 0.18286784860775332, 1e-12))
        #expect(p.reason == nil)
        let json = p.json()
        #expect(json["service_level"] == .number(0.451))
        #expect(json["abandon_rate"] == .number(0.183))
        #expect(json["pattern"] == .string("yesterday"))
        #expect(json["close"] == .string("2026-12-01T11:00:00.000Z"))
    }

    @Test func ignoredAbandonsLeaveTheExpectedAbandonsOutOfTheServiceLevel() {
        var actual = Self.actual()
        actual.serviceLevelDenominator = 90
        let p = CloseProjection.project(Self.input(actual: actual, treatment: .ignore))
        let sl1 = 0.7141518924030835
        let abandons = 60 * (1 - sl1) / 3 + 30
        #expect(Self.close(p.serviceLevel, (70 + 60 * sl1) / (90 + 150 - abandons)))
    }

    @Test func noStaffWithContactsExpectedIsNullWithAReason() {
        let p = CloseProjection.project(Self.input(agents: 0))
        #expect(p.serviceLevel == nil && p.abandonRate == nil)
        #expect(p.reason == .noAgents)
        #expect(p.json()["service_level"] == .null)
        #expect(p.json()["reason"] == .string("no_agents_staffed"))
    }

    @Test func nothingExpectedGivesTodaysActualsEvenWithoutStaff() {
        var input = Self.input(agents: 0)
        input.slots = []
        let p = CloseProjection.project(input)
        #expect(Self.close(p.serviceLevel, 0.7))
        #expect(Self.close(p.abandonRate, 0.1))
        #expect(p.reason == nil)
    }

    @Test func withoutHandledContactsThereIsNoAHT() {
        var actual = Self.actual()
        actual.handledCount = 0
        actual.totalTalk = 0
        #expect(CloseProjection.project(Self.input(actual: actual)).reason == .noHandleTime)
    }

    @Test func aZeroHandleTimeIsDefinedAndAnswersEveryExpectedContactInTime() {
        var actual = Self.actual()
        actual.totalTalk = 0
        let p = CloseProjection.project(Self.input(actual: actual))
        #expect(p.reason == nil && p.handleTime == 0)
        #expect(Self.close(p.expectedWithinThreshold, 150))
        #expect(Self.close(p.serviceLevel, (70.0 + 150) / 250))
    }

    @Test func ignoredAbandonsAloneStillHaveAnAbandonRate() {
        // After the close (nothing expected), a day of 5 abandons and nothing answered: with abandons ignored
        // the service level has no contact to judge, the abandon rate is 1.
        var actual = WindowMetrics()
        actual.offered = 5
        actual.abandoned = 5
        var input = Self.input(actual: actual, treatment: .ignore)
        input.slots = []
        let p = CloseProjection.project(input)
        #expect(p.serviceLevel == nil && p.reason == .noContacts)
        #expect(p.abandonRate == 1)
    }

    @Test func withoutAThresholdThereIsNoProjection() {
        var input = Self.input()
        input.threshold = nil
        let p = CloseProjection.project(input)
        #expect(p.reason == .noTarget && p.serviceLevel == nil)
    }

    @Test func aDayWithNothingOfferedAndNothingExpectedHasNoRate() {
        var input = Self.input(actual: WindowMetrics())
        input.slots = []
        let p = CloseProjection.project(input)
        #expect(p.reason == .noContacts && p.serviceLevel == nil && p.abandonRate == nil)
    }

    @Test func overloadEveryWhereProjectsEveryNewContactLate() {
        // 2 agents for 6 E and 9 E: no new contact within the threshold, a third of them abandon.
        let p = CloseProjection.project(Self.input(agents: 2))
        #expect(p.expectedWithinThreshold == 0)
        #expect(Self.close(p.expectedAbandoned, 50))
        #expect(Self.close(p.serviceLevel, 70.0 / 250))
        #expect(Self.close(p.abandonRate, 60.0 / 250))
    }

    @Test func noLateContactTodayExpectsNoAbandons() {
        var actual = Self.actual()
        actual.answeredWithinThreshold = 100
        actual.answered = 100
        actual.abandoned = 0
        actual.serviceLevelNumerator = 100
        let p = CloseProjection.project(Self.input(actual: actual))
        #expect(p.lateAbandonShare == 0 && p.expectedAbandoned == 0 && p.abandonRate == 0)
    }

    @Test func slotsCutTheCurrentIntervalAtNowAndTheLastAtTheClose() {
        let calendar = CenterCalendar(intervalLength: .minutes(30))
        let pattern = IntervalPattern(
            source: .lastWeek, day: "2026-11-24", appliesTo: "2026-12-01", offered: [600: 60, 630: 90, 660: 30],
            intervalLength: .minutes(30))
        let slots = CloseProjection.slots(
            from: Self.t0.advanced(by: .minutes(10)), close: Self.t0.advanced(by: .minutes(75)), calendar: calendar,
            pattern: pattern, rate: 0)
        #expect(slots.map(\.arrivals) == [40, 90, 15])
        #expect(slots.first?.start == Self.t0.advanced(by: .minutes(10)))
        #expect(slots.last?.end == Self.t0.advanced(by: .minutes(75)))
        #expect(abs(slots[0].rate - 60.0 / 1800) < 1e-12)
        let flat = CloseProjection.slots(
            from: Self.t0, close: Self.t0.advanced(by: .minutes(60)), calendar: calendar, pattern: nil, rate: 0.02)
        #expect(flat.map(\.arrivals) == [36, 36])
        #expect(CloseProjection.slots(from: Self.t0, close: Self.t0, calendar: calendar, pattern: pattern, rate: 1).isEmpty)
        #expect(CloseProjection.slots(from: Self.t0, close: Self.t0.advanced(by: .minutes(30)), calendar: calendar, pattern: nil, rate: .nan)
            .map(\.arrivals) == [0])
    }

    @Test func patternsLastBusyEndAndLocalCloseTimes() {
        let pattern = IntervalPattern(
            source: .yesterday, day: "2026-11-30", appliesTo: "2026-12-01", offered: [480: 3, 1110: 5, 1140: 0],
            intervalLength: .minutes(30))
        #expect(pattern.lastBusyEnd() == 1140)
        #expect(IntervalPattern(source: .yesterday, day: "", appliesTo: "", offered: [1410: 1], intervalLength: .minutes(30)).lastBusyEnd() == 1440)
        // A 06:00 day start: 01:00-01:30 is the day's last busy interval, not 23:00 (it ends at 01:30 the next date).
        let late = IntervalPattern(source: .lastWeek, day: "", appliesTo: "", offered: [400: 2, 1380: 4, 60: 1], intervalLength: .minutes(30))
        #expect(late.lastBusyEnd(dayStartMinute: 360) == 360 + 1170)
        #expect(late.lastBusyEnd() == 1410)
        // Paris in winter (UTC+1): 20:00 local is 19:00 UTC; a 06:00 day start puts 02:00 on the next date.
        let paris = CenterCalendar(timeZone: IntervalHistoryTests.paris, dayStart: .minutes(6 * 60))
        let dayStart = paris.startOfDay(containing: RFC3339.parse("2026-12-01T12:00:00Z")!)
        #expect(paris.instant(ofLocalTime: .minutes(20 * 60), inDayStarting: dayStart) == RFC3339.parse("2026-12-01T19:00:00Z")!)
        #expect(paris.instant(ofLocalTime: .minutes(2 * 60), inDayStarting: dayStart) == RFC3339.parse("2026-12-02T01:00:00Z")!)
        // The day's own start time is its end.
        #expect(paris.instant(ofLocalTime: .minutes(6 * 60), inDayStarting: dayStart) == paris.startOfDay(after: dayStart))
        // A DST day (Paris, 25 October 2026: 25 hours): 20:00 local is UTC+1 then.
        let dst = CenterCalendar(timeZone: IntervalHistoryTests.paris)
        let dstStart = dst.startOfDay(containing: RFC3339.parse("2026-10-25T12:00:00Z")!)
        #expect(dst.instant(ofLocalTime: .minutes(20 * 60), inDayStarting: dstStart) == RFC3339.parse("2026-10-25T19:00:00Z")!)
        #expect(dst.localMinuteOfDay(of: RFC3339.parse("2026-10-25T19:00:00Z")!) == 1200)
        // Its 02:00-03:00 comes twice (00:00Z and 01:00Z): the first pass stands for that clock hour in a pattern.
        func hour(_ utc: String, _ offered: Int) -> IntervalFigures {
            var m = WindowMetrics()
            m.offered = offered
            let start = RFC3339.parse(utc)!
            return IntervalFigures(start: start, end: start.advanced(by: .minutes(60)), complete: true, metrics: m, staffed: 1)
        }
        let hourly = CenterCalendar(timeZone: IntervalHistoryTests.paris, intervalLength: .minutes(60))
        let twice = IntervalPattern(
            source: .lastWeek, day: "2026-10-25", appliesTo: "2026-11-01",
            intervals: [hour("2026-10-25T00:00:00Z", 4), hour("2026-10-25T01:00:00Z", 7), hour("2026-10-25T02:00:00Z", 3)], calendar: hourly)
        #expect(twice.offered == [120: 4, 180: 3])
    }
}

import Testing
import WallboardCore

/// A zone that is UTC+1 before `switchAt` and UTC+2 from then on (like a spring-forward).
struct SwitchingOffset: UTCOffsetProvider {
    var switchAt: Instant
    var before: Millis
    var after: Millis

    func offset(at instant: Instant) -> Millis { instant < switchAt ? before : after }
}

@Suite struct CenterCalendarTests {
    @Test func todayStartsAtLocalMidnightInAFixedOffsetZone() {
        let calendar = CenterCalendar(timeZone: CenterTimeZone(identifier: "+01", provider: FixedUTCOffset(.minutes(60))))
        #expect(calendar.startOfDay(containing: RFC3339.parse("2026-11-23T22:59:59Z")!) == RFC3339.parse("2026-11-22T23:00:00Z"))
        #expect(calendar.startOfDay(containing: RFC3339.parse("2026-11-23T23:00:00Z")!) == RFC3339.parse("2026-11-23T23:00:00Z"))
    }

    @Test func configuredDayStartOfSixInTheMorningIsHonoured() {
        let calendar = CenterCalendar(dayStart: .minutes(6 * 60))
        #expect(calendar.startOfDay(containing: RFC3339.parse("2026-11-23T05:59:00Z")!) == RFC3339.parse("2026-11-22T06:00:00Z"))
        #expect(calendar.startOfDay(containing: RFC3339.parse("2026-11-23T06:00:00Z")!) == RFC3339.parse("2026-11-23T06:00:00Z"))
    }

    /// 2026-03-29 01:00Z clocks go from +1 to +2: that day is 23 hours long locally.
    @Test func todayFollowsADaylightSavingChange() {
        let zone = SwitchingOffset(switchAt: RFC3339.parse("2026-03-29T01:00:00Z")!, before: .minutes(60), after: .minutes(120))
        let calendar = CenterCalendar(timeZone: CenterTimeZone(identifier: "test", provider: zone))
        // Local 2026-03-29 started at 2026-03-28T23:00Z (offset +1 at midnight).
        #expect(calendar.startOfDay(containing: RFC3339.parse("2026-03-29T12:00:00Z")!) == RFC3339.parse("2026-03-28T23:00:00Z"))
        // Local 2026-03-30 starts at 2026-03-29T22:00Z (offset +2): 23 hours later.
        #expect(calendar.startOfDay(containing: RFC3339.parse("2026-03-29T21:59:59Z")!) == RFC3339.parse("2026-03-28T23:00:00Z"))
        #expect(calendar.startOfDay(containing: RFC3339.parse("2026-03-29T22:00:00Z")!) == RFC3339.parse("2026-03-29T22:00:00Z"))
    }

    @Test func todayResetsInTheEngineAfterADaylightSavingMidnight() {
        let zone = SwitchingOffset(switchAt: RFC3339.parse("2026-03-29T01:00:00Z")!, before: .minutes(60), after: .minutes(120))
        let configuration = EngineConfiguration(
            calendar: CenterCalendar(timeZone: CenterTimeZone(identifier: "test", provider: zone)), reorderTolerance: 0)
        var engine = WallboardEngine(configuration: configuration)
        var factory = EventFactory(origin: RFC3339.parse("2026-03-29T21:59:00Z")!)
        engine.run([
            factory.make(0, .contactQueued(ContactQueued(contact: "c1", queue: "q", channel: .voice))),
            factory.make(10, .contactAbandoned(contact: "c1")),
            factory.make(70, .contactQueued(ContactQueued(contact: "c2", queue: "q", channel: .voice))),
            factory.make(80, .contactAbandoned(contact: "c2")),
        ])
        let today = engine.windowTables(now: factory.at(80)).byWindow["today"]?[.center]
        #expect(today?.abandoned == 1)  // c1 was yesterday (local), c2 today
    }

    @Test func intervalIsClockAlignedAndNeverStartsBeforeToday() {
        let calendar = CenterCalendar(dayStart: .minutes(6 * 60 + 15), intervalLength: .minutes(30))
        #expect(calendar.startOfInterval(containing: RFC3339.parse("2026-11-23T10:44:00Z")!) == RFC3339.parse("2026-11-23T10:30:00Z"))
        #expect(calendar.startOfInterval(containing: RFC3339.parse("2026-11-23T06:20:00Z")!) == RFC3339.parse("2026-11-23T06:15:00Z"))
    }
}

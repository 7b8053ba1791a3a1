/// The contacts a scope was offered per clock interval on a day like today: what the close projection
/// expects for today's remaining intervals (docs/metrics.md, "Projected close").
///
/// Keyed by the local time of day of each interval's start, so a pattern taken on a day of another
/// length (a DST change) still lines up with today's clock intervals.
public struct IntervalPattern: Sendable, Equatable {
    /// Where a projection's expected arrivals come from.
    public enum Source: String, Sendable, Equatable, CaseIterable {
        /// The same weekday a week ago (set by the server from the journal).
        case lastWeek = "last_week"
        /// Yesterday's closed intervals, kept by the engine.
        case yesterday
        /// Today's own mean arrival rate so far (no pattern day known).
        case todayRate = "today_rate"
    }

    public var source: Source
    /// The local date (`YYYY-MM-DD`) the pattern was taken from.
    public var day: String
    /// The local date the pattern is meant for (a pattern set for another day is ignored).
    public var appliesTo: String
    /// Local minute of day of an interval's start (0 = midnight) → contacts offered in that interval.
    public var offered: [Int: Int]
    /// The length of the pattern's intervals.
    public var intervalLength: Millis

    public init(source: Source, day: String, appliesTo: String, offered: [Int: Int], intervalLength: Millis) {
        self.source = source
        self.day = day
        self.appliesTo = appliesTo
        self.offered = offered
        self.intervalLength = intervalLength
    }

    /// The pattern of a day's closed intervals (e.g. yesterday's, or the same weekday last week from a
    /// journal replay), for use on `appliesTo`.
    public init(
        source: Source, day: String, appliesTo: String, intervals: [IntervalFigures], calendar: CenterCalendar
    ) {
        var offered: [Int: Int] = [:]
        var seen = Set<Int>()
        for interval in intervals {
            // A 25-hour day has one clock hour twice: its first pass stands for that hour (a normal day has one).
            let minute = calendar.localMinuteOfDay(of: interval.start)
            guard seen.insert(minute).inserted, interval.metrics.offered > 0 else { continue }
            offered[minute] = interval.metrics.offered
        }
        self.init(source: source, day: day, appliesTo: appliesTo, offered: offered, intervalLength: calendar.intervalLength)
    }

    /// Contacts the pattern expects in the interval starting at local minute `minute` (0 when it has none).
    public func offered(atMinute minute: Int) -> Int { max(0, offered[minute] ?? 0) }

    /// The local minute at which the pattern's last interval with offered contacts ends, counted in the
    /// business day that starts at local minute `dayStartMinute` (with a 06:00 start, 01:30 comes after
    /// 23:30): `dayStartMinute` plus at most 1,440, so it may exceed 1,440 (take it modulo 1,440 for the
    /// clock time); nil when the pattern has none.
    public func lastBusyEnd(dayStartMinute: Int = 0) -> Int? {
        func clock(_ minute: Int) -> Int { ((minute % 1440) + 1440) % 1440 }
        let start = clock(dayStartMinute)
        func intoDay(_ minute: Int) -> Int { clock(clock(minute) - start) }
        guard let last = offered.filter({ $0.value > 0 }).keys.max(by: { intoDay($0) < intoDay($1) }) else { return nil }
        let length = Int(clamping: max(intervalLength, 60_000) / 60_000)
        return start + min(intoDay(last) + min(length, 1440), 1440)
    }
}

extension CenterCalendar {
    /// The local minute of day of `instant` (0...1439).
    public func localMinuteOfDay(of instant: Instant) -> Int {
        let local = instant.milliseconds &+ timeZone.provider.offset(at: instant)
        return Int((local - Self.floor(local, Self.day)) / 60_000)
    }

    /// The instant of local time of day `time` (milliseconds after local midnight) within the business
    /// day starting at `dayStart`: on the day's first local date, or on the next one when that time came
    /// before the day's start; never after the day's end.
    public func instant(ofLocalTime time: Millis, inDayStarting dayStart: Instant) -> Instant {
        let localStart = dayStart.milliseconds &+ timeZone.provider.offset(at: dayStart)
        var local = Self.floor(localStart, Self.day) &+ min(max(time, 0), Self.day - 1)
        if local <= localStart { local = local &+ Self.day }
        var guess = Instant(milliseconds: local &- timeZone.provider.offset(at: dayStart))
        guess = Instant(milliseconds: local &- timeZone.provider.offset(at: guess))
        return min(max(guess, dayStart), startOfDay(after: dayStart))
    }
}

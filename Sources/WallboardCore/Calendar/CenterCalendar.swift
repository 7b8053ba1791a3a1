/// Where "today" and the current clock-aligned interval begin, in the center's local time.
///
/// Pure arithmetic over a ``UTCOffsetProvider``: local time = UTC + offset(at:). A day starts at local
/// `dayStart` (e.g. 00:00 or 06:00); intervals are aligned to local midnight in steps of `intervalLength`.
/// Over a DST change the local day is 23 or 25 hours long; a local start time that does not exist
/// (skipped by a spring-forward) resolves to the same instant as the offset before the change gives.
public struct CenterCalendar: Sendable, Equatable {
    static let day: Millis = 86_400_000

    public var timeZone: CenterTimeZone
    /// Local time of day when "today" starts, in milliseconds after local midnight.
    public var dayStart: Millis
    /// Length of the clock-aligned interval (e.g. 30 minutes).
    public var intervalLength: Millis

    public init(timeZone: CenterTimeZone = .utc, dayStart: Millis = 0, intervalLength: Millis = .minutes(30)) {
        self.timeZone = timeZone
        self.dayStart = dayStart
        self.intervalLength = intervalLength
    }

    /// The instant today (the business day containing `now`) started.
    public func startOfDay(containing now: Instant) -> Instant {
        let local = now.milliseconds + timeZone.provider.offset(at: now) - dayStart
        let localStart = Self.floor(local, Self.day) + dayStart
        let start = toUTC(localStart, near: now)
        // Over a DST change the guess may land on the wrong side of `now`; step a day if so.
        if start > now { return toUTC(localStart - Self.day, near: start) }
        return start
    }

    /// The instant the clock-aligned interval containing `now` started (at least the start of today).
    public func startOfInterval(containing now: Instant) -> Instant {
        let length = max(intervalLength, 1000)
        let local = now.milliseconds + timeZone.provider.offset(at: now)
        var start = toUTC(Self.floor(local, length), near: now)
        if start > now { start = start.advanced(by: -length) }
        return max(start, startOfDay(containing: now))
    }

    /// The UTC instant of a local time, using the offset in force at that instant (two refinements).
    private func toUTC(_ local: Int64, near hint: Instant) -> Instant {
        var guess = Instant(milliseconds: local - timeZone.provider.offset(at: hint))
        guess = Instant(milliseconds: local - timeZone.provider.offset(at: guess))
        return guess
    }

    static func floor(_ value: Int64, _ step: Int64) -> Int64 {
        let remainder = value % step
        return remainder < 0 ? value - remainder - step : value - remainder
    }
}

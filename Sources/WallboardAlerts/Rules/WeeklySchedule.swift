import WallboardCore

/// Days of the week and times of day in the center's local time, for business and quiet hours.
///
/// An instant is inside when its local weekday is one of `days` and its local time of day is in one
/// of `ranges`. A range whose end is before its start crosses midnight (`22:00-07:00`); `days` always
/// names the calendar day of the instant itself. The local time comes from a UTC-offset function the
/// server supplies (it owns tzdata), so this type stays pure.
public struct WeeklySchedule: Sendable, Equatable {
    /// A time-of-day range in minutes after local midnight, `start` included, `end` excluded.
    public struct Range: Sendable, Equatable {
        public var start: Int
        public var end: Int

        public init(start: Int, end: Int) {
            self.start = start
            self.end = end
        }

        /// `true` when `minute` (0..<1440) is inside.
        public func contains(_ minute: Int) -> Bool {
            if start == end { return true }  // "00:00-00:00" or "08:00-08:00": all day
            return start < end ? (minute >= start && minute < end) : (minute >= start || minute < end)
        }

        /// Parses `HH:MM-HH:MM` (`24:00` allowed as an end).
        public init?(_ text: String) {
            let parts = text.split(separator: "-", omittingEmptySubsequences: false)
            guard parts.count == 2, let start = Self.minutes(parts[0], allow24: false),
                let end = Self.minutes(parts[1], allow24: true)
            else { return nil }
            self.start = start
            self.end = end == 1440 ? 0 : end
            if end == 1440 && start == 0 { self.end = 0 }
        }

        private static func minutes(_ text: Substring, allow24: Bool) -> Int? {
            let pieces = text.trimmingSpaces.split(separator: ":", omittingEmptySubsequences: false)
            guard pieces.count == 2, pieces[0].count == 2, pieces[1].count == 2, let hour = Int(pieces[0]),
                let minute = Int(pieces[1]), minute >= 0, minute < 60, hour >= 0
            else { return nil }
            if hour == 24 && minute == 0 && allow24 { return 1440 }
            guard hour < 24 else { return nil }
            return hour * 60 + minute
        }
    }

    /// ISO weekdays: 1 = Monday ... 7 = Sunday.
    public var days: Set<Int>
    public var ranges: [Range]

    public init(days: Set<Int> = Set(1...7), ranges: [Range]) {
        self.days = days
        self.ranges = ranges
    }

    /// The day names the config accepts, index + 1 = ISO weekday.
    public static let dayNames = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]

    /// `true` when `now`, shifted by `utcOffset(now)` into local time, is inside the schedule.
    public func contains(_ now: Instant, utcOffset: (Instant) -> Millis) -> Bool {
        let local = now.milliseconds + utcOffset(now)
        var days = local / 86_400_000
        var rest = local % 86_400_000
        if rest < 0 {
            rest += 86_400_000
            days -= 1
        }
        // 1970-01-01 was a Thursday (ISO 4).
        let weekday = Int(((days % 7) + 7 + 3) % 7) + 1
        let minute = Int(rest / 60_000)
        return self.days.contains(weekday) && ranges.contains(where: { $0.contains(minute) })
    }
}

extension Substring {
    var trimmingSpaces: Substring {
        var text = self
        while text.first == " " { text.removeFirst() }
        while text.last == " " { text.removeLast() }
        return text
    }
}

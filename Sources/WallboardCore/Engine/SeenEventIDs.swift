/// The event ids the engine has accepted (applied or held back), for duplicate suppression.
///
/// Rule: ids are kept in two buckets, the current business day and the one before, by the engine's
/// `now` when the event arrived (the center's "today" from ``CenterCalendar``, not the event's `ts`).
/// When `now` enters the next business day the buckets shift (current → previous, previous dropped);
/// when it skips a whole day both are emptied. So a redelivered id is reported as a duplicate at least
/// until the end of the business day after the one it first arrived in, and memory stays bounded to
/// about two days of ids. Checkpoints store both buckets and the day they belong to.
struct SeenEventIDs: Sendable, Equatable {
    /// Start of the business day `current` belongs to (`nil` before the first event or tick).
    private(set) var day: Instant?
    private(set) var current: Set<String> = []
    private(set) var previous: Set<String> = []
    /// Start of the day after `day`: a cache of the calendar, recomputed from `day` when needed.
    private var nextDay: Instant?

    init() {}

    init(day: Instant?, current: Set<String>, previous: Set<String>, calendar: CenterCalendar) {
        self.day = day
        self.current = current
        self.previous = previous
        self.nextDay = day.map { Self.dayAfter($0, calendar: calendar) }
    }

    func contains(_ id: String) -> Bool { current.contains(id) || previous.contains(id) }

    mutating func insert(_ id: String) { current.insert(id) }

    /// Shifts the buckets when `now` is in a later business day than `day`. Cheap when it is not.
    mutating func advance(to now: Instant, calendar: CenterCalendar) {
        if let nextDay, now < nextDay { return }
        let today = calendar.startOfDay(containing: now)
        if let day {
            guard today > day else {
                nextDay = Self.dayAfter(day, calendar: calendar)
                return
            }
            if today == Self.dayAfter(day, calendar: calendar) {
                previous = current
            } else {
                previous = []
            }
            current = []
        }
        day = today
        nextDay = Self.dayAfter(today, calendar: calendar)
    }

    /// Forgets the cached day boundary (after the calendar changed).
    mutating func recalibrate(calendar: CenterCalendar) {
        nextDay = day.map { Self.dayAfter($0, calendar: calendar) }
    }

    /// The start of the business day after the one starting at `dayStart` (days are 23 to 25 hours long).
    static func dayAfter(_ dayStart: Instant, calendar: CenterCalendar) -> Instant {
        calendar.startOfDay(containing: dayStart.advanced(by: .minutes(26 * 60)))
    }

    static func == (lhs: SeenEventIDs, rhs: SeenEventIDs) -> Bool {
        lhs.day == rhs.day && lhs.current == rhs.current && lhs.previous == rhs.previous
    }
}

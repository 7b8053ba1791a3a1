/// The event ids the engine has accepted (applied or held back), for duplicate suppression.
///
/// Rule: ids are kept in two buckets, the current business day and the one before, by the engine's
/// `now` when the event arrived (the center's "today" from ``CenterCalendar``, not the event's `ts`).
/// When `now` enters the next business day the buckets shift (current → previous, previous dropped);
/// when it skips a whole day both are emptied. So a redelivered id is reported as a duplicate at least
/// until the end of the business day after the one it first arrived in, and memory stays bounded to
/// about two days of ids. Checkpoints store both buckets and the day they belong to.
///
/// Each id is kept as its 128-bit ``IDDigest`` in a ``DigestSet``: 21 to 43 bytes an id whatever its
/// length, and a checkpoint stores the digests as bytes. Two ids sharing a digest would make the later
/// one a duplicate; docs/reliability.md ("Compact engine memory") gives the odds and why they are
/// acceptable.
struct SeenEventIDs: Sendable, Equatable {
    /// Start of the business day `current` belongs to (`nil` before the first event or tick).
    private(set) var day: Instant?
    private(set) var current = DigestSet()
    /// The day before `day`: complete, so kept sorted (16 bytes an id instead of a table's 21 to 43).
    private(set) var previous = SortedDigestSet()
    /// Start of the day after `day`: a cache of the calendar, recomputed from `day` when needed.
    private var nextDay: Instant?

    init() {}

    init(day: Instant?, current: DigestSet, previous: SortedDigestSet, calendar: CenterCalendar) {
        self.day = day
        self.current = current
        self.previous = previous
        self.nextDay = day.map { Self.dayAfter($0, calendar: calendar) }
    }

    func contains(_ id: String) -> Bool { contains(IDDigest(id)) }

    /// Whether an id of this digest was accepted: the engine digests each event's id once and asks
    /// with it, then inserts it (the SipHash of an id was computed twice per event, issue 14).
    func contains(_ digest: IDDigest) -> Bool { current.contains(digest) || previous.contains(digest) }

    mutating func insert(_ id: String) { insert(IDDigest(id)) }

    /// Accepts an id by its digest (see ``contains(_:)``).
    mutating func insert(_ digest: IDDigest) { current.insert(digest) }

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
                previous = SortedDigestSet(current)  // sorts the day's digests once
            } else {
                previous = SortedDigestSet()
            }
            current = DigestSet()
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

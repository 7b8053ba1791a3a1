/// One clock interval's figures for one scope (the center or a queue): what the interval history serves
/// (docs/metrics.md, "Interval history").
public struct IntervalFigures: Sendable, Equatable {
    /// The interval `[start, end)`; the current one counts `[start, now]`.
    public var start: Instant
    public var end: Instant
    /// `false` for the interval still running.
    public var complete: Bool
    /// The interval's figures, counted as the `interval` window counts them (mixes left empty; agent
    /// time left 0 for closed intervals).
    public var metrics: WindowMetrics
    /// Agents logged in and not `not_ready` at the interval's end (at `now` for the current one).
    public var staffed: Int

    public init(start: Instant, end: Instant, complete: Bool, metrics: WindowMetrics, staffed: Int) {
        self.start = start
        self.end = end
        self.complete = complete
        self.metrics = metrics
        self.staffed = staffed
    }
}

/// A closed interval as the history keeps it: figures per scope id and staffed agents per scope (center
/// and queues only).
struct ClosedInterval: Sendable, Equatable {
    var start: Instant
    var end: Instant
    var figures: [Int: WindowMetrics] = [:]
    var staffed: [ScopeKey: Int] = [:]
}

/// Today's and yesterday's closed clock intervals per queue and for the center, as running tallies
/// closed at each interval boundary by ``MetricsHistory/advance(to:dayStart:intervalStart:keep:settings:calendar:)``
/// (the current interval is the history's "interval" period). An entry recorded late (its time in a
/// closed interval) is added to that interval; an agent change stamped before a closed interval's end
/// corrects its `staffed`. Nothing here scans the history.
struct IntervalBook: Sendable, Equatable {
    /// The business day `today` belongs to (the day of the last closed interval), and its intervals, oldest first.
    var todayStart: Instant?
    var today: [ClosedInterval] = []
    /// The day before `todayStart`, when the book saw it.
    var yesterdayStart: Instant?
    var yesterday: [ClosedInterval] = []
    /// Staffed agents per scope with every change applied, whatever its time (not checkpointed: the
    /// agents' states give it back, ``WallboardEngine/rebuildStaffedCounts()``).
    var staffedNow: [ScopeKey: Int] = [:]
    /// Staffed-count changes stamped after ``lastEnd`` (sorted by time): what separates ``staffedNow``
    /// from the count at a later boundary.
    var pending: [StaffedChange] = []
    /// The end of the last closed interval.
    var lastEnd: Instant?

    struct StaffedChange: Sendable, Equatable {
        var time: Instant
        var scope: ScopeKey
        var delta: Int
    }

    /// Whether the book keeps figures of scope `key` (the center and queues).
    static func keeps(_ key: ScopeKey) -> Bool {
        switch key {
        case .center, .queue: return true
        default: return false
        }
    }

    /// Whether an agent in `state` (nil: logged out) is staffed: logged in and not `not_ready`.
    static func isStaffed(_ state: AgentState?) -> Bool {
        guard let state else { return false }
        return state != .notReady && state != .offline
    }

    /// Records one agent moving from `old` to `new` at `time` in `scopes` (its center and queue scopes).
    mutating func agentChange(scopes ids: [ScopeKey], from old: AgentState?, to new: AgentState?, at time: Instant) {
        let delta = (Self.isStaffed(new) ? 1 : 0) - (Self.isStaffed(old) ? 1 : 0)
        guard delta != 0 else { return }
        for id in ids { staffedNow[id, default: 0] += delta }
        if let lastEnd, time <= lastEnd {
            // A change stamped before a boundary already closed: the closed intervals ending at or after it.
            for index in today.indices where today[index].end >= time {
                for id in ids { today[index].staffed[id, default: 0] += delta }
            }
            for index in yesterday.indices where yesterday[index].end >= time {
                for id in ids { yesterday[index].staffed[id, default: 0] += delta }
            }
            return
        }
        let index = pending.lastIndex { $0.time <= time }.map { $0 + 1 } ?? 0
        pending.insert(contentsOf: ids.map { StaffedChange(time: time, scope: $0, delta: delta) }, at: index)
    }

    /// Staffed agents per scope at `time` (not before ``lastEnd``).
    func staffed(at time: Instant) -> [ScopeKey: Int] {
        var counts = staffedNow
        for change in pending.reversed() {
            guard change.time > time else { break }
            counts[change.scope, default: 0] -= change.delta
        }
        return counts
    }

    /// Adds a closed interval of the business day starting at `dayStart`, with its staffed counts.
    mutating func close(_ interval: ClosedInterval, dayStart: Instant, calendar: CenterCalendar) {
        var interval = interval
        interval.staffed = staffed(at: interval.end).filter { $0.value != 0 }
        pending.removeAll { $0.time <= interval.end }
        lastEnd = interval.end
        if todayStart != dayStart {
            if let todayStart, SeenEventIDs.dayAfter(todayStart, calendar: calendar) == dayStart {
                yesterdayStart = todayStart
                yesterday = today
            } else {
                yesterdayStart = nil
                yesterday = []
            }
            todayStart = dayStart
            today = []
        }
        today.append(interval)
    }

    /// Counts an entry recorded after the interval holding its time closed; false when the book has
    /// no such interval (it is older than yesterday, or fell before the first interval kept).
    @discardableResult
    mutating func addLate(_ item: HistoryItem, registry: ScopeRegistry) -> Bool {
        if let index = Self.index(of: item.time, in: today) {
            Self.count(item, into: &today[index], registry: registry)
            return true
        }
        if let index = Self.index(of: item.time, in: yesterday) {
            Self.count(item, into: &yesterday[index], registry: registry)
            return true
        }
        return false
    }

    private static func index(of time: Instant, in intervals: [ClosedInterval]) -> Int? {
        guard let first = intervals.first, time >= first.start, let last = intervals.last, time < last.end else { return nil }
        var low = 0
        var high = intervals.count
        while low < high {
            let mid = (low + high) / 2
            if intervals[mid].end <= time { low = mid + 1 } else { high = mid }
        }
        return low < intervals.count && intervals[low].start <= time ? low : nil
    }

    /// Counts `item` (judged by the settings it was recorded under) in the center and queue scopes of `interval`.
    static func count(_ item: HistoryItem, into interval: inout ClosedInterval, registry: ScopeRegistry) {
        for id in item.scopes where keeps(registry.keys[id]) {
            var metrics = interval.figures[id] ?? WindowMetrics()
            switch item.entry {
            case .departure(let record):
                if let judged = item.judged { _ = metrics.countExceptMixes(record, settings: judged, sign: 1) }
            case .handled(let record): metrics.add(record)
            case .transfer(let record): metrics.add(record)
            case .survey(let record): metrics.add(record.survey)
            case .callback(let record):
                let threshold = item.judged?.callbackThreshold ?? QueueSettings.defaultCallbackThreshold
                metrics.callbacks.count(record, threshold: threshold, sign: 1)
            case .selfService(let record): metrics.selfService.count(record, sign: 1)
            case .agentSpan: break
            }
            interval.figures[id] = metrics
        }
    }

    /// The closed intervals of the day starting at `dayStart`, if the book holds that day.
    func intervals(ofDay dayStart: Instant) -> [ClosedInterval]? {
        if todayStart == dayStart { return today }
        if yesterdayStart == dayStart { return yesterday }
        return nil
    }
}

extension CenterCalendar {
    /// The end of the clock interval starting at `start` (the start of the next one): the next boundary
    /// of the local clock, or the next day's start if that comes first. Over a DST change an interval
    /// keeps its length in real time (clock intervals are aligned to local time).
    public func endOfInterval(startingAt start: Instant) -> Instant {
        let length = max(intervalLength, 1000)
        var end = startOfInterval(containing: start.advanced(by: length))
        if end <= start { end = start.advanced(by: length) }
        let nextDay = SeenEventIDs.dayAfter(startOfDay(containing: start), calendar: self)
        return min(end, nextDay)
    }

    /// The start of the business day after the one starting at `dayStart` (23 to 25 hours later).
    public func startOfDay(after dayStart: Instant) -> Instant { SeenEventIDs.dayAfter(dayStart, calendar: self) }

    /// The center's local calendar date of `instant`, `YYYY-MM-DD`.
    public func localDate(of instant: Instant) -> String {
        let local = instant.milliseconds + timeZone.provider.offset(at: instant)
        let civil = RFC3339.civilFromDays(Self.floor(local, Self.day) / Self.day)
        func pad(_ value: Int64, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return "\(pad(civil.year, 4))-\(pad(civil.month, 2))-\(pad(civil.day, 2))"
    }

    /// The start of the business day whose local date (the date of its start) is `date` (`YYYY-MM-DD`),
    /// or nil when `date` is not a valid date.
    public func startOfDay(localDate date: String) -> Instant? {
        let parts = date.split(separator: "-", omittingEmptySubsequences: false)
        guard date.utf8.count == 10, parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
            let year = Int64(parts[0]), let month = Int64(parts[1]), let day = Int64(parts[2]),
            parts.allSatisfy({ $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }),
            (1970...9999).contains(year), (1...12).contains(month), day >= 1, day <= RFC3339.daysInMonth(year: year, month: month)
        else { return nil }
        // Local noon of that date lies in the business day starting that date (day starts are before noon)
        // or the one before (a day start after noon): take the one whose start has that local date.
        let noon = RFC3339.daysFromCivil(year: year, month: month, day: day) * Self.day + 12 * 3_600_000
        let guess = Instant(milliseconds: noon - timeZone.provider.offset(at: Instant(milliseconds: noon)))
        var start = startOfDay(containing: guess)
        if localDate(of: start) != date { start = SeenEventIDs.dayAfter(start, calendar: self) }
        return localDate(of: start) == date ? start : nil
    }
}

/// Window figures for every scope: scope → metrics.
public typealias ScopeTable = [ScopeKey: WindowMetrics]

/// Looks up a queue's settings quickly (configured ones, else the defaults).
struct SettingsLookup: Sendable {
    private var byID: [String: QueueSettings] = [:]

    init(_ configuration: EngineConfiguration) {
        for queue in configuration.queues where byID[queue.id] == nil { byID[queue.id] = queue }
    }

    subscript(queue: String) -> QueueSettings { byID[queue] ?? QueueSettings(id: queue) }
}

extension Dictionary where Key == ScopeKey, Value == WindowMetrics {
    /// Counts a point entry (not a span) in every scope it belongs to.
    mutating func addPoint(_ entry: TimelineEntry, settings: SettingsLookup) {
        for scope in entry.scopes {
            switch entry {
            case .departure(let record): self[scope, default: WindowMetrics()].add(record, settings: settings[record.queue])
            case .handled(let record): self[scope, default: WindowMetrics()].add(record)
            case .transfer(let record): self[scope, default: WindowMetrics()].add(record)
            case .survey(let record): self[scope, default: WindowMetrics()].add(record.survey)
            case .agentSpan: break
            }
        }
    }

    /// Counts the part of `span` inside `[start, end]`.
    mutating func addSpan(_ span: AgentStateSpan, start: Instant, end: Instant) {
        let duration = span.overlap(start: start, end: end)
        guard duration > 0 else { return }
        for scope in TimelineEntry.agentSpan(span).scopes {
            self[scope, default: WindowMetrics()].add(agentTime: duration, in: span.state)
        }
    }

    /// Adds every scope of `other`.
    mutating func merge(_ other: ScopeTable) {
        for (scope, metrics) in other { self[scope, default: WindowMetrics()].merge(metrics) }
    }
}

/// The history windows are computed from: a time-sorted timeline of entries, plus running totals of
/// today up to a fold point, so "today" costs a scan of the last few seconds, not of the whole day.
///
/// Invariants: `entries` is sorted by ``TimelineEntry/time`` and holds everything since
/// min(start of today, now − longest window); `todayBase` is exactly the entries with
/// `todayStart ≤ time < foldedUntil` (spans: their overlap with `[todayStart, foldedUntil)` for spans that
/// ended before `foldedUntil`). See docs/metrics.md, "How windows are computed".
struct MetricsHistory: Sendable {
    private(set) var entries: [TimelineEntry] = []
    private(set) var todayStart: Instant?
    private(set) var foldedUntil: Instant?
    private(set) var todayBase = ScopeTable()

    /// How many stale entries may wait before they are dropped together.
    static let dropBatch = 4096

    init() {}

    /// A history as a checkpoint stored it (the caller checked that `entries` are sorted by time).
    init(entries: [TimelineEntry], todayStart: Instant?, foldedUntil: Instant?, todayBase: ScopeTable) {
        self.entries = entries
        self.todayStart = todayStart
        self.foldedUntil = foldedUntil
        self.todayBase = todayBase
    }

    /// Adds an entry at its place in time; one older than the fold point goes into the running totals too.
    mutating func insert(_ entry: TimelineEntry, settings: SettingsLookup) {
        let time = entry.time
        var index = entries.endIndex
        while index > entries.startIndex, entries[index - 1].time > time { index -= 1 }
        entries.insert(entry, at: index)
        if let todayStart, let foldedUntil, time < foldedUntil { fold(entry, dayStart: todayStart, settings: settings) }
    }

    /// Folds entries up to `now` into today's running totals (starting a new day when `dayStart` moved)
    /// and drops entries older than `horizon` that today no longer needs.
    mutating func advance(to now: Instant, dayStart: Instant, horizon: Instant, settings: SettingsLookup) {
        if todayStart != dayStart {
            // A new day: start empty at its start; the loop below folds what is already past.
            todayStart = dayStart
            todayBase = [:]
            foldedUntil = dayStart
        }
        let from = foldedUntil ?? dayStart
        if now > from {
            var index = firstIndex(atOrAfter: from)
            while index < entries.endIndex, entries[index].time < now {
                fold(entries[index], dayStart: dayStart, settings: settings)
                index += 1
            }
            foldedUntil = now
        }
        // Entries older than `keep` are dropped in batches: removing a few at every tick moved the whole
        // array each time (quadratic over a day). Until then they lie before every window's scan start,
        // where `compute` never reaches and `fold` adds nothing of them (issue 14).
        let keep = min(dayStart, horizon)
        let drop = firstIndex(atOrAfter: keep)
        if drop >= Self.dropBatch || (drop > 0 && drop * 2 >= entries.count) { entries.removeFirst(drop) }
    }

    /// Recomputes today's running totals from the entries (after a settings change).
    mutating func refold(settings: SettingsLookup) {
        guard let todayStart, let foldedUntil else { return }
        todayBase = [:]
        for entry in entries where entry.time < foldedUntil { fold(entry, dayStart: todayStart, settings: settings) }
    }

    /// Figures for windows ending at `now`, one table per request, in one backward pass over the entries.
    func compute(now: Instant, requests: [WindowRequest], openSpans: [AgentStateSpan], settings: SettingsLookup)
        -> [ScopeTable]
    {
        var results = [ScopeTable](repeating: [:], count: requests.count)
        var spanTables = [ScopeTable](repeating: [:], count: requests.count)
        let order = requests.indices.sorted { requests[$0].scanFrom > requests[$1].scanFrom }
        var points = ScopeTable()
        var next = 0
        for entry in entries.reversed() {
            let time = entry.time
            while next < order.count, time < requests[order[next]].scanFrom {
                results[order[next]] = points
                next += 1
            }
            if next == order.count { break }
            if case .agentSpan(let span) = entry {
                for request in order[next...] {
                    spanTables[request].addSpan(span, start: requests[request].clipStart, end: now)
                }
            } else if time <= now {
                points.addPoint(entry, settings: settings)
            }
        }
        while next < order.count {
            results[order[next]] = points
            next += 1
        }
        for index in requests.indices {
            for span in openSpans { spanTables[index].addSpan(span, start: requests[index].clipStart, end: now) }
            results[index].merge(spanTables[index])
            if requests[index].addsTodayBase { results[index].merge(todayBase) }
        }
        return results
    }

    /// The request for "today" at `now`: running totals plus the entries since the fold point, or (when
    /// the totals are for another day or ahead of `now`) a scan from the start of the day.
    func todayRequest(now: Instant, dayStart: Instant) -> WindowRequest {
        if todayStart == dayStart, let foldedUntil, foldedUntil <= now {
            return WindowRequest(scanFrom: foldedUntil, clipStart: dayStart, addsTodayBase: true)
        }
        return WindowRequest(scanFrom: dayStart, clipStart: dayStart, addsTodayBase: false)
    }

    /// Adds an entry that lies before the fold point to today's totals (callers guarantee that).
    private mutating func fold(_ entry: TimelineEntry, dayStart: Instant, settings: SettingsLookup) {
        if case .agentSpan(let span) = entry {
            todayBase.addSpan(span, start: dayStart, end: span.to)
        } else if entry.time >= dayStart {
            todayBase.addPoint(entry, settings: settings)
        }
    }

    private func firstIndex(atOrAfter time: Instant) -> Int {
        var low = 0
        var high = entries.count
        while low < high {
            let mid = (low + high) / 2
            if entries[mid].time < time { low = mid + 1 } else { high = mid }
        }
        return low
    }
}

/// One window to compute: entries from `scanFrom` to now, spans clipped at `clipStart`, plus today's
/// running totals when `addsTodayBase`.
struct WindowRequest: Sendable {
    var scanFrom: Instant
    var clipStart: Instant
    var addsTodayBase: Bool

    /// A window `[start, now]` computed from the entries alone.
    static func plain(_ start: Instant) -> WindowRequest {
        WindowRequest(scanFrom: start, clipStart: start, addsTodayBase: false)
    }
}

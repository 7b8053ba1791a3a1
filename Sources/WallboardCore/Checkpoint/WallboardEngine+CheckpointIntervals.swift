import JSONModel

/// The checkpoint's `history.intervals` section (version 5): today's and yesterday's closed clock
/// intervals per queue and for the center, and the agent changes stamped after the last closed one
/// (docs/journal.md, "Engine checkpoints"; docs/metrics.md, "Interval history"). A version 4
/// checkpoint has none: the intervals closed before it are absent until the day ends.
extension WallboardEngine {
    static func encode(_ book: IntervalBook, _ registry: ScopeRegistry) -> JSONValue {
        func interval(_ interval: ClosedInterval) -> JSONValue {
            let figures = interval.figures.keys.sorted { registry.keys[$0].name < registry.keys[$1].name }.map { id -> JSONValue in
                [.string(registry.keys[id].name), encode(interval.figures[id]!)]
            }
            let staffed = interval.staffed.keys.sorted().map { key -> JSONValue in [.string(key.name), .int(interval.staffed[key]!)] }
            return [
                "start": encode(interval.start), "end": encode(interval.end), "figures": .array(figures),
                "staffed": .array(staffed),
            ]
        }
        return [
            "today_start": encode(book.todayStart), "today": .array(book.today.map(interval)),
            "yesterday_start": encode(book.yesterdayStart), "yesterday": .array(book.yesterday.map(interval)),
            "last_end": encode(book.lastEnd),
            "pending": .array(book.pending.map { [encode($0.time), .string($0.scope.name), .int($0.delta)] }),
        ]
    }

    /// The book of a checkpoint's history section; ``IntervalBook/staffedNow`` is left for
    /// ``rebuildStaffedCounts()``.
    static func decodeIntervals(_ node: CheckpointNode, registry: inout ScopeRegistry) throws(CheckpointError) -> IntervalBook {
        try node.onlyKeys(["today_start", "today", "yesterday_start", "yesterday", "last_end", "pending"])
        func scope(_ node: CheckpointNode) throws(CheckpointError) -> ScopeKey {
            let key = try decodeScope(node)
            guard IntervalBook.keeps(key) else { throw node.error(.invalidValue, "intervals keep the center and queues only") }
            return key
        }
        func day(_ start: String, _ list: String) throws(CheckpointError) -> (Instant?, [ClosedInterval]) {
            let dayStart = try node.key(start).optionalInstant()
            var intervals: [ClosedInterval] = []
            for element in try node.key(list).array() {
                try element.onlyKeys(["start", "end", "figures", "staffed"])
                let startNode = try element.key("start")
                guard let begin = try startNode.optionalInstant(), let end = try element.key("end").optionalInstant(), begin < end
                else { throw startNode.error(.invalidValue, "an interval needs a start before its end") }
                if let last = intervals.last, last.end > begin {
                    throw startNode.error(.invalidValue, "intervals must be sorted and not overlap")
                }
                guard let dayStart, begin >= dayStart else { throw startNode.error(.invalidValue, "an interval before its day") }
                var closed = ClosedInterval(start: begin, end: end)
                for pair in try element.key("figures").array() {
                    let fields = try pair.tuple(["scope", "metrics"])
                    let id = registry.id(try scope(fields[0]))
                    guard closed.figures[id] == nil else { throw fields[0].error(.invalidValue, "scope appears twice") }
                    closed.figures[id] = try decodeMetrics(fields[1])
                }
                for pair in try element.key("staffed").array() {
                    let fields = try pair.tuple(["scope", "count"])
                    let key = try scope(fields[0])
                    guard closed.staffed[key] == nil else { throw fields[0].error(.invalidValue, "scope appears twice") }
                    let count = try fields[1].count()
                    guard count <= 1_000_000 else { throw fields[1].error(.invalidValue, "\(count) agents is more than this build handles") }
                    closed.staffed[key] = count
                }
                intervals.append(closed)
            }
            return (dayStart, intervals)
        }
        var book = IntervalBook()
        (book.todayStart, book.today) = try day("today_start", "today")
        (book.yesterdayStart, book.yesterday) = try day("yesterday_start", "yesterday")
        book.lastEnd = try node.key("last_end").optionalInstant()
        for element in try node.key("pending").array() {
            let fields = try element.tuple(["time", "scope", "delta"])
            guard let time = try fields[0].optionalInstant() else { throw fields[0].error(.wrongType, "expected an instant, found null") }
            if let lastEnd = book.lastEnd, time <= lastEnd {
                throw fields[0].error(.invalidValue, "a pending change at or before the last closed interval's end")
            }
            if let last = book.pending.last, last.time > time { throw fields[0].error(.invalidValue, "pending changes must be sorted by time") }
            let delta = try fields[2].int()
            guard delta == 1 || delta == -1 else { throw fields[2].error(.invalidValue, "a staffed change is +1 or -1") }
            book.pending.append(IntervalBook.StaffedChange(time: time, scope: try scope(fields[1]), delta: delta))
        }
        return book
    }
}

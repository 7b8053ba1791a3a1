import JSONC
import JSONModel
import WallboardCore

/// The `intervals:center` and `intervals:queue:<id>` topics (docs/protocol.md): a scope's clock intervals
/// of today (the closed ones and the current one), of yesterday and of the same weekday last week, whole
/// at first, then only what changed: the current interval's figures, a new interval when one closes, a
/// late entry's closed interval, yesterday's or last week's list whole when it changed, the projected
/// close when it moved. Built by ``TopicPayloads`` on the engine queue.
struct IntervalsTopic {
    /// What a topic last published: the report's members but its lists, and each list's entries.
    private struct Published: Equatable {
        var head: JSONObject
        var intervals: [JSONValue]
        var yesterday: [JSONValue]?
        /// `last_week`, `last_week_day` and `last_week_reason`, as published.
        var lastWeek: JSONObject
        var projection: JSONValue?
    }

    private var published: [String: Published] = [:]

    /// The scope a topic name is about (`intervals:center`, `intervals:queue:<id>`), or nil.
    static func scope(of topic: String) -> ScopeKey? {
        guard topic.hasPrefix("intervals:") else { return nil }
        let name = topic.dropFirst("intervals:".count)
        if name == "center" { return .center }
        guard name.hasPrefix("queue:"), name.count > "queue:".count else { return nil }
        return .queue(String(name.dropFirst("queue:".count)))
    }

    /// The topic names of `engine`: the center's and one per queue.
    static func names(of engine: WallboardEngine) -> [String] {
        ["intervals:center"] + engine.queueOrder.map { "intervals:queue:\($0)" }
    }

    /// Forgets what topics no longer known published.
    mutating func forget(except known: Set<String>) {
        if published.keys.contains(where: { !known.contains($0) }) { published = published.filter { known.contains($0.key) } }
    }

    /// The topic's update at `now`, or nil when nothing it shows changed since it was last built (a
    /// `fresh` topic is built whole). `snapshot` gives the current interval's figures, `lastWeek` what the
    /// daemon holds of the same weekday last week (nil: the topic says nothing of it).
    mutating func update(
        _ topic: String, engine: WallboardEngine, snapshot: Snapshot, now: Instant, fresh: Bool,
        lastWeek: LastWeekIntervals.Status? = nil
    ) -> TopicHub.Update? {
        guard let scope = Self.scope(of: topic) else { return nil }
        let figures: Snapshot.ScopeFigures?
        switch scope {
        case .center: figures = snapshot.center
        case .queue(let id): figures = snapshot.queues.first { $0.settings.id == id }?.figures
        default: figures = nil
        }
        guard let figures,
            var report = engine.intervalReport(scope: scope, day: .today, now: now, current: figures.windows[WindowName.interval])
        else { return nil }
        report.lastWeek = lastWeek?.pastDay(of: scope)
        let json = report.json()
        guard var head = json.objectValue else { return nil }
        let intervals = head["intervals"]?.arrayValue ?? []
        let yesterday = head["yesterday"]?.arrayValue
        var lastWeekMembers: JSONObject = [:]
        for key in ["last_week", "last_week_day", "last_week_reason"] {
            if let value = head[key] { lastWeekMembers[key] = value }
            head[key] = nil
        }
        let projection = head["projection"]
        head["intervals"] = nil
        head["yesterday"] = nil
        head["projection"] = nil
        let state = Published(
            head: head, intervals: intervals, yesterday: yesterday, lastWeek: lastWeekMembers, projection: projection)
        let last = fresh ? nil : published[topic]
        if last == state { return nil }
        published[topic] = state
        // A delta only adds or replaces entries: a new day, target or scope, or a list that lost an
        // entry or moved one, goes whole.
        guard let last, last.head == head, last.intervals.count <= intervals.count,
            zip(last.intervals, intervals).allSatisfy({ $0["start"] == $1["start"] })
        else { return TopicHub.Update(dataJSON: JSONC.encode(json)) }
        var delta: JSONObject = [
            "intervals": .array(intervals.indices.filter { $0 >= last.intervals.count || last.intervals[$0] != intervals[$0] }
                .map { intervals[$0] }),
        ]
        if last.yesterday != yesterday { delta["yesterday"] = yesterday.map { .array($0) } ?? .null }
        if last.lastWeek != lastWeekMembers {
            // Whole, all three together (a member the report no longer has goes as null).
            for key in ["last_week", "last_week_day", "last_week_reason"] { delta[key] = lastWeekMembers[key] ?? .null }
        }
        // The projection changes at most once per interval or when the staffed agents change.
        if last.projection != projection { delta["projection"] = projection ?? .null }
        // The whole payload (today's, yesterday's and last week's lists) is encoded only if a board needs
        // it instead of the delta.
        return TopicHub.Update(deltaJSON: JSONC.encode(.object(delta))) { JSONC.encode(json) }
    }
}

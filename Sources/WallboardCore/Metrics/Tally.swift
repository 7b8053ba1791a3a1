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

/// A point entry of the history (never an agent span) with what it needs to be counted and taken back.
struct HistoryItem: Sendable {
    var entry: TimelineEntry
    /// A departure's queue settings in force when it was recorded: "today" and "interval" judge it by
    /// these for good; rolling windows judge by the current settings.
    var judged: QueueSettings?
    /// ``TimelineEntry/scopes``, computed once.
    var scopes: [ScopeKey]

    init(_ entry: TimelineEntry, judged: QueueSettings?) {
        self.entry = entry
        self.judged = judged
        self.scopes = entry.scopes
    }

    var time: Instant { entry.time }
}

/// Running totals of point entries per scope, with how many entries each scope holds, so a scope
/// whose last entry is taken back disappears exactly as if it had never been counted.
struct Tally: Sendable {
    var table = ScopeTable()
    var members: [ScopeKey: Int] = [:]

    /// Counts `item`, judging a departure by `settings`.
    mutating func add(_ item: HistoryItem, settings: QueueSettings?) {
        for scope in item.scopes {
            members[scope, default: 0] += 1
            switch item.entry {
            case .departure(let record): table[scope, default: WindowMetrics()].add(record, settings: settings!)
            case .handled(let record): table[scope, default: WindowMetrics()].add(record)
            case .transfer(let record): table[scope, default: WindowMetrics()].add(record)
            case .survey(let record): table[scope, default: WindowMetrics()].add(record.survey)
            case .agentSpan: break
            }
        }
    }

    /// Takes back `item` counted before with the same `settings` (``WindowMetrics/maxWait`` excepted).
    mutating func subtract(_ item: HistoryItem, settings: QueueSettings?) {
        for scope in item.scopes {
            let left = (members[scope] ?? 0) - 1
            if left <= 0 {
                members[scope] = nil
                table[scope] = nil
                continue
            }
            members[scope] = left
            switch item.entry {
            case .departure(let record): table[scope]?.subtract(record, settings: settings!)
            case .handled(let record): table[scope]?.subtract(record)
            case .transfer(let record): table[scope]?.subtract(record)
            case .survey(let record): table[scope]?.subtract(record.survey)
            case .agentSpan: break
            }
        }
    }

    /// Adds every scope of `other` (a disjoint set of entries).
    mutating func merge(_ other: Tally) {
        for (scope, metrics) in other.table { table[scope, default: WindowMetrics()].merge(metrics) }
        members.merge(other.members, uniquingKeysWith: +)
    }
}

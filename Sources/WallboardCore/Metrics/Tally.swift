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

/// A small integer for every scope the history has seen, so running totals are arrays indexed by
/// scope instead of dictionaries hashed by scope name on every entry (issue 14: replay speed).
struct ScopeRegistry: Sendable {
    private(set) var keys: [ScopeKey] = []
    private var ids: [ScopeKey: Int] = [:]

    /// The id of `key`, registering it the first time.
    mutating func id(_ key: ScopeKey) -> Int {
        if let id = ids[key] { return id }
        ids[key] = keys.count
        keys.append(key)
        return keys.count - 1
    }

    var count: Int { keys.count }
}

/// A point entry of the history (never an agent span) with what it needs to be counted and taken back.
/// Immutable and shared by reference: every running total it passes through would otherwise copy its
/// few hundred bytes and retain each of its strings.
final class HistoryItem: Sendable {
    let entry: TimelineEntry
    /// A departure's queue settings in force when it was recorded: "today" and "interval" judge it by
    /// these for good; rolling windows judge by the current settings.
    let judged: QueueSettings?
    /// The ids of ``TimelineEntry/scopes``, registered once.
    let scopes: [Int]
    let time: Instant

    init(_ entry: TimelineEntry, judged: QueueSettings?, registry: inout ScopeRegistry) {
        self.entry = entry
        self.judged = judged
        self.scopes = entry.scopes.map { registry.id($0) }
        self.time = entry.time
    }
}

/// Running totals of point entries per scope id, with how many entries each scope holds, so a scope
/// whose last entry is taken back disappears exactly as if it had never been counted.
struct Tally: Sendable {
    private(set) var metrics: [WindowMetrics] = []
    /// Entries counted per scope id (0: the scope is not in the table).
    private(set) var members: [Int] = []

    init() {}

    /// Counts `item`, judging a departure by `settings`.
    mutating func add(_ item: HistoryItem, settings: QueueSettings?) {
        for id in item.scopes {
            if id >= members.count { grow(to: id + 1) }
            members[id] += 1
            switch item.entry {
            case .departure(let record): metrics[id].add(record, settings: settings!)
            case .handled(let record): metrics[id].add(record)
            case .transfer(let record): metrics[id].add(record)
            case .survey(let record): metrics[id].add(record.survey)
            case .agentSpan: break
            }
        }
    }

    /// Takes back `item` counted before with the same `settings` (``WindowMetrics/maxWait`` excepted).
    mutating func subtract(_ item: HistoryItem, settings: QueueSettings?) {
        for id in item.scopes where id < members.count && members[id] > 0 {
            members[id] -= 1
            if members[id] == 0 {
                metrics[id] = WindowMetrics()
                continue
            }
            switch item.entry {
            case .departure(let record): metrics[id].subtract(record, settings: settings!)
            case .handled(let record): metrics[id].subtract(record)
            case .transfer(let record): metrics[id].subtract(record)
            case .survey(let record): metrics[id].subtract(record.survey)
            case .agentSpan: break
            }
        }
    }

    /// Adds every scope of `other` (a disjoint set of entries).
    mutating func merge(_ other: Tally) {
        if other.members.count > members.count { grow(to: other.members.count) }
        for id in other.members.indices where other.members[id] > 0 {
            members[id] += other.members[id]
            metrics[id].merge(other.metrics[id])
        }
    }

    /// Sets a scope's figures (a checkpoint being restored).
    mutating func set(_ id: Int, metrics value: WindowMetrics, members count: Int) {
        if id >= members.count { grow(to: id + 1) }
        metrics[id] = value
        members[id] = count
    }

    /// Overrides a counted scope's longest wait.
    mutating func setMaxWait(_ id: Int, _ wait: Millis?) { metrics[id].maxWait = wait }

    /// The ids of the scopes with entries.
    var scopeIDs: [Int] { members.indices.filter { members[$0] > 0 } }

    /// The figures by scope.
    func table(_ registry: ScopeRegistry) -> ScopeTable {
        var table = ScopeTable(minimumCapacity: members.count)
        for id in members.indices where members[id] > 0 { table[registry.keys[id]] = metrics[id] }
        return table
    }

    private mutating func grow(to count: Int) {
        metrics += repeatElement(WindowMetrics(), count: count - metrics.count)
        members += repeatElement(0, count: count - members.count)
    }
}

/// Window figures for every scope: scope → metrics.
public typealias ScopeTable = [ScopeKey: WindowMetrics]

/// Looks up a queue's settings quickly (configured ones, else the defaults).
struct SettingsLookup: Sendable {
    /// Identifies one lookup and its copies: what was judged by it can be remembered until the settings
    /// are replaced (see ``MetricsHistory``'s judgements).
    final class Generation: Sendable {}

    private var byID: [String: QueueSettings] = [:]
    let generation = Generation()

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
    /// Mix keys by id: the channels (``Channel/allCases`` order) first, then reasons as first seen, so
    /// a ``Tally`` counts its channel and reason mixes in arrays instead of string-keyed dictionaries.
    private(set) var mixKeys: [String] = Channel.allCases.map(\.rawValue)
    private var reasonIDs: [String: Int] = [:]
    /// The scope ids of entries by what decides their scopes (``TimelineEntry/scopeSignature``): most
    /// entries share a few hundred combinations, and building each entry's ``ScopeKey`` list and hashing
    /// every key by name cost an array and up to six string hashes per entry (issue 14). Cleared when it
    /// grows past ``signatureLimit``; a miss only costs the full lookup.
    private var idsBySignature: [ScopeSignature: [Int]] = [:]
    static let signatureLimit = 4096
    /// Whether mix id `id` is a channel (else a reason).
    static func isChannel(_ id: Int) -> Bool { id < Channel.allCases.count }

    /// The id of `key`, registering it the first time.
    mutating func id(_ key: ScopeKey) -> Int {
        if let id = ids[key] { return id }
        ids[key] = keys.count
        keys.append(key)
        return keys.count - 1
    }

    var count: Int { keys.count }

    /// The ids of `entry`'s scopes (``TimelineEntry/scopes``, in that order), registering new ones.
    mutating func ids(of entry: TimelineEntry) -> [Int] {
        guard let signature = entry.scopeSignature else { return entry.scopes.map { id($0) } }
        if let known = idsBySignature[signature] { return known }
        let ids = entry.scopes.map { id($0) }
        if idsBySignature.count >= Self.signatureLimit { idsBySignature.removeAll(keepingCapacity: true) }
        idsBySignature[signature] = ids
        return ids
    }

    /// The id of `key`, if it has one.
    func lookup(_ key: ScopeKey) -> Int? { ids[key] }

    /// The mix id of a departure's reason ("unspecified" without one), registering it the first time.
    mutating func reasonID(_ reason: String?) -> Int {
        let key = reason ?? "unspecified"
        if let id = reasonIDs[key] { return id }
        reasonIDs[key] = mixKeys.count
        mixKeys.append(key)
        return mixKeys.count - 1
    }

    /// The mix id of a channel.
    static func channelID(_ channel: Channel) -> Int {
        switch channel {
        case .voice: return 0
        case .chat: return 1
        case .email: return 2
        case .sms: return 3
        case .social: return 4
        case .video: return 5
        }
    }
}

/// What counting a departure or a callback needs from its queue's settings: four plain numbers, so the
/// running totals judge an entry without copying a ``QueueSettings`` (its strings retained, ~100 bytes
/// moved) or hashing its queue's name once per window it enters and leaves (issue 14).
struct Judgement: Sendable, Equatable {
    var threshold: Millis
    var shortAbandon: Millis
    var abandonTreatment: QueueSettings.AbandonTreatment
    var callbackThreshold: Millis

    init(_ settings: QueueSettings) {
        threshold = settings.threshold
        shortAbandon = settings.shortAbandon
        abandonTreatment = settings.abandonTreatment
        callbackThreshold = settings.callbackThreshold
    }
}

/// A point entry of the history (never an agent span) with what it needs to be counted and taken back.
/// Immutable and shared by reference: every running total it passes through would otherwise copy its
/// few hundred bytes and retain each of its strings.
final class HistoryItem: Sendable {
    /// Which kind of entry: what ``Tally`` switches on without binding (and copying) the record.
    enum Kind: UInt8, Sendable {
        case departure, handled, other
    }

    let entry: TimelineEntry
    /// A departure's queue settings in force when it was recorded: "today" and "interval" judge it by
    /// these for good; rolling windows judge by the current settings.
    let judged: QueueSettings?
    /// ``judged`` as the running totals read it.
    let judgement: Judgement?
    /// The ids of ``TimelineEntry/scopes``, registered once.
    let scopes: [Int]
    let time: Instant
    /// A departure's channel and reason mix ids (see ``ScopeRegistry/mixKeys``); -1 for other entries.
    let channel: Int
    let reason: Int
    let kind: Kind
    /// The scope id of a departure's or callback's queue (its settings are looked up by it); -1 otherwise.
    let queueScope: Int
    /// A departure's outcome, wait and repeat mark (`.expired`, 0, false for other entries).
    let outcome: QueueDeparture.Outcome
    let wait: Millis
    let isRepeat: Bool
    /// A handled contact's talk, hold and wrap-up (0 for other entries).
    let talk: Millis
    let hold: Millis
    let wrapUp: Millis

    init(_ entry: TimelineEntry, judged: QueueSettings?, registry: inout ScopeRegistry) {
        self.entry = entry
        self.judged = judged
        self.judgement = judged.map(Judgement.init)
        let scopes = registry.ids(of: entry)
        self.scopes = scopes
        self.time = entry.time
        var kind = Kind.other
        var queueScope = -1
        var outcome = QueueDeparture.Outcome.expired
        var wait: Millis = 0
        var isRepeat = false
        var talk: Millis = 0
        var hold: Millis = 0
        var wrapUp: Millis = 0
        switch entry {
        case .departure(let record):
            kind = .departure
            queueScope = scopes[1]  // ``TimelineEntry/scopes``: the center, then the queue
            outcome = record.outcome
            wait = record.wait
            isRepeat = record.isRepeat
            channel = ScopeRegistry.channelID(record.channel)
            reason = registry.reasonID(record.reason)
        case .handled(let record):
            kind = .handled
            talk = record.talk
            hold = record.hold
            wrapUp = record.wrapUp
            channel = -1
            reason = -1
        case .callback:
            queueScope = scopes[1]  // ``TimelineEntry/scopes``: the center, then the queue
            channel = -1
            reason = -1
        default:
            channel = -1
            reason = -1
        }
        self.kind = kind
        self.queueScope = queueScope
        self.outcome = outcome
        self.wait = wait
        self.isRepeat = isRepeat
        self.talk = talk
        self.hold = hold
        self.wrapUp = wrapUp
    }
}

/// Running totals of point entries per scope id, with how many entries each scope holds, so a scope
/// whose last entry is taken back disappears exactly as if it had never been counted.
///
/// The channel and reason mixes are counted per scope in an array indexed by mix id
/// (``ScopeRegistry/mixKeys``), not in ``WindowMetrics``' dictionaries: hashing a string twice per
/// scope and per total was the largest single cost of replay (issue 14). ``metrics(_:_:)`` and
/// ``table(_:)`` give the dictionaries back.
struct Tally: Sendable {
    /// Figures per scope id, the mixes left empty.
    private var counts: [WindowMetrics] = []
    /// Mix counts per scope id, by mix id (shorter rows read as 0).
    private var mixes: [[Int]] = []
    /// Entries counted per scope id (0: the scope is not in the table).
    private(set) var members: [Int] = []

    init() {}

    /// Counts `item`, judging a departure by `settings`.
    mutating func add(_ item: HistoryItem, settings: QueueSettings?) { add(item, judgement: settings.map(Judgement.init)) }

    /// Counts `item`, judging a departure by `judgement`.
    mutating func add(_ item: HistoryItem, judgement: Judgement?) {
        for id in item.scopes {
            if id >= members.count { grow(to: id + 1) }
            members[id] += 1
            count(item, in: id, settings: judgement, sign: 1)
        }
    }

    /// Takes back `item` counted before with the same `settings` (``WindowMetrics/maxWait`` excepted).
    mutating func subtract(_ item: HistoryItem, settings: QueueSettings?) {
        subtract(item, judgement: settings.map(Judgement.init))
    }

    /// Takes back `item` counted before with the same `judgement` (``WindowMetrics/maxWait`` excepted).
    mutating func subtract(_ item: HistoryItem, judgement settings: Judgement?) {
        for id in item.scopes where id < members.count && members[id] > 0 {
            members[id] -= 1
            if members[id] == 0 {
                counts[id] = WindowMetrics()
                mixes[id] = []
                continue
            }
            count(item, in: id, settings: settings, sign: -1)
        }
    }

    private mutating func count(_ item: HistoryItem, in id: Int, settings: Judgement?, sign: Int) {
        // Departures and handled contacts, most of the entries, are counted from the item's own fields.
        switch item.kind {
        case .departure:
            let isShort = counts[id].countExceptMixes(
                outcome: item.outcome, wait: item.wait, isRepeat: item.isRepeat, judgement: settings!, sign: sign)
            guard !isShort else { return }
            let high = Swift.max(item.channel, item.reason)
            if high >= mixes[id].count { mixes[id] += repeatElement(0, count: high + 1 - mixes[id].count) }
            mixes[id][item.channel] += sign
            mixes[id][item.reason] += sign
            return
        case .handled:
            counts[id].countHandled(talk: item.talk, hold: item.hold, wrapUp: item.wrapUp, sign: sign)
            return
        case .other: break
        }
        switch item.entry {
        case .departure, .handled: break
        case .transfer(let record): sign > 0 ? counts[id].add(record) : counts[id].subtract(record)
        case .survey(let record): sign > 0 ? counts[id].add(record.survey) : counts[id].subtract(record.survey)
        case .callback(let record):
            let threshold = settings?.callbackThreshold ?? QueueSettings.defaultCallbackThreshold
            counts[id].callbacks.count(record, threshold: threshold, sign: sign)
        case .selfService(let record): counts[id].selfService.count(record, sign: sign)
        case .agentSpan: break
        }
    }

    /// Adds every scope of `other` (a disjoint set of entries).
    mutating func merge(_ other: Tally) {
        if other.members.count > members.count { grow(to: other.members.count) }
        for id in other.members.indices where other.members[id] > 0 {
            members[id] += other.members[id]
            counts[id].merge(other.counts[id])
            let theirs = other.mixes[id]
            if theirs.count > mixes[id].count { mixes[id] += repeatElement(0, count: theirs.count - mixes[id].count) }
            for key in theirs.indices { mixes[id][key] += theirs[key] }
        }
    }

    /// Sets a scope's figures (a checkpoint being restored), registering its mix keys in `registry`;
    /// the caller checked that every ``WindowMetrics/channelMix`` key names a ``Channel``.
    mutating func set(_ id: Int, metrics value: WindowMetrics, members count: Int, registry: inout ScopeRegistry) {
        if id >= members.count { grow(to: id + 1) }
        var plain = value
        plain.channelMix = [:]
        plain.reasonMix = [:]
        var row: [Int] = []
        func put(_ key: Int, _ n: Int) {
            if key >= row.count { row += repeatElement(0, count: key + 1 - row.count) }
            row[key] += n
        }
        for (name, n) in value.channelMix {
            if let channel = Channel(rawValue: name) { put(ScopeRegistry.channelID(channel), n) }
        }
        for (name, n) in value.reasonMix { put(registry.reasonID(name), n) }
        counts[id] = plain
        mixes[id] = row
        members[id] = count
    }

    /// Overrides a counted scope's longest wait.
    mutating func setMaxWait(_ id: Int, _ wait: Millis?) { counts[id].maxWait = wait }

    /// Overrides a counted scope's longest callback wait.
    mutating func setCallbackMaxWait(_ id: Int, _ wait: Millis?) { counts[id].callbacks.maxWait = wait }

    /// The ids of the scopes with entries.
    var scopeIDs: [Int] { members.indices.filter { members[$0] > 0 } }

    /// The figures of scope `id`, mixes included.
    func metrics(_ id: Int, _ registry: ScopeRegistry) -> WindowMetrics {
        var metrics = counts[id]
        for (key, n) in mixes[id].enumerated() where n != 0 {
            if ScopeRegistry.isChannel(key) {
                metrics.channelMix[registry.mixKeys[key]] = n
            } else {
                metrics.reasonMix[registry.mixKeys[key]] = n
            }
        }
        return metrics
    }

    /// The figures by scope.
    func table(_ registry: ScopeRegistry) -> ScopeTable {
        var table = ScopeTable(minimumCapacity: members.count)
        for id in members.indices where members[id] > 0 { table[registry.keys[id]] = metrics(id, registry) }
        return table
    }

    private mutating func grow(to count: Int) {
        counts += repeatElement(WindowMetrics(), count: count - counts.count)
        mixes += repeatElement([], count: count - mixes.count)
        members += repeatElement(0, count: count - members.count)
    }
}

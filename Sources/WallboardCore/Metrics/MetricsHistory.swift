extension ScopeKey {
    /// The scopes an agent's time counts in: the center, every queue the agent serves, the team.
    static func agentScopes(queues: [String], team: String?) -> [ScopeKey] {
        var keys: [ScopeKey] = [.center]
        keys += queues.map { .queue($0) }
        if let team { keys.append(.team(team)) }
        return keys
    }
}

/// The running totals windows are read from. See docs/metrics.md, "How windows are computed".
///
/// Point entries (departures, handled contacts, transfers, surveys) sit in ``items``, sorted by time,
/// from the ``cutoff`` on (the longest window plus ``rewindAllowance``, never the day). Everything up
/// to the ``frontier`` (the last ``advance(to:dayStart:intervalStart:keep:settings:)``) is in running
/// totals: one ``Tally`` per rolling window (entries in `[frontier − length, frontier]`, judged by the
/// current settings) and one per period ("today",
/// "interval": entries since the period's start, judged by the settings in force when each was
/// recorded). The longest waits of every rolling window come from one ``MaxDeque`` per scope (see
/// ``maxima``). Agent time is a ``StepIntegral`` per scope and class of states. Reading figures at
/// `now ≥ frontier` costs the entries between the frontier and `now` plus O(scopes × windows).
struct MetricsHistory: Sendable {
    /// How far before the frontier figures stay exact (`windowTables(now:)` with an earlier `now`).
    static let rewindAllowance: Millis = .minutes(5)
    /// The cutoff moves in steps of this much, so forgetting costs nothing on most advances.
    static let forgetStep: Millis = .seconds(60)

    /// Point entries from `cutoff` on, sorted by time; those before `head` are forgotten.
    private(set) var items: [HistoryItem] = []
    /// `items[i].time` in milliseconds, kept in step with ``items``: the binary searches of every advance
    /// and read run over this contiguous array instead of loading each item's object (issue 14).
    private var times: [Int64] = []
    private var head = 0
    /// Entries up to here are in the running totals; later ones are added by the next advance.
    private(set) var frontier: Instant?
    /// Entries before this are forgotten (folded into the periods' `forgotten` tallies).
    private(set) var cutoff: Instant?
    /// Agent-state changes stamped before ``cutoff`` since the last forget: their breakpoints are needed
    /// by no window, so past ``staleChangeLimit`` of them the next advance forgets at once rather than
    /// after ``forgetStep`` (a journal replay or a bulk load of a past day adds millions in seconds).
    private var staleChanges = 0
    static let staleChangeLimit = 4096
    private(set) var rolling: [RollingTotals]
    /// The longest wait per scope id of the departures in `[frontier − longest window, frontier]`, judged
    /// by the current settings. One deque serves every rolling window: it answers the maximum from any
    /// start on (``MaxDeque/max(from:)``), so each departure is inserted once instead of once per window
    /// (``Tally``'s own ``WindowMetrics/maxWait`` is stale after a subtraction).
    private(set) var maxima: [MaxDeque] = []
    /// The longest request-to-connection wait of connected callbacks per scope id, kept the same way.
    private(set) var callbackMaxima: [MaxDeque] = []
    /// The longest rolling window (0 without one): how far back ``maxima`` reach.
    private var longest: Millis = 0
    /// Where the last advance found the frontier's and the longest window's start in ``times``: where the
    /// next one starts looking (a guess, checked: entries inserted or forgotten since move indices).
    private var frontierEnd = 0
    private var waitsEdge = 0
    private(set) var today: PeriodTotals?
    private(set) var interval: PeriodTotals?
    /// Agent time by scope id, for every scope an agent ever counted in.
    private(set) var agents: [AgentIntegrals?] = []
    /// Ids of the scopes, shared by every table above.
    private(set) var registry = ScopeRegistry()
    /// Today's and yesterday's closed clock intervals (Metrics/IntervalHistory.swift).
    var intervals = IntervalBook()
    /// The current settings' ``Judgement`` per queue scope id, looked up on first use: rolling windows
    /// judge each entry as it enters and as it leaves each window, and a lookup by the queue's name
    /// copied and hashed strings every time (issue 14). Valid for the settings of ``judgementsOf``.
    private var judgements: [Judgement?] = []
    private var judgementsOf: SettingsLookup.Generation?
    /// The scope ids of each logged-in agent, with the queues and team they stand for (see
    /// ``agentChange(agent:queues:team:from:to:at:)``).
    private var agentScopeIDs: [String: (queues: [String], team: String?, ids: [Int])] = [:]
    /// Whether ``rolling``, ``maxima`` and ``callbackMaxima`` are kept as running totals (the default).
    /// Without them every read sums its rolling windows from the kept entries (what a read at `now`
    /// before the frontier does anyway): cheaper for a consumer that reads once, at the end, like
    /// `wallboardctl replay` (each entry entered and left each window's totals, the largest part of
    /// replay's per-event cost, for figures it never read; issue 14). See ``summingWindowsWhenRead()``.
    private(set) var keepsRunningWindows = true

    init(windows: [Millis] = []) {
        rolling = windows.map { RollingTotals(length: $0) }
        longest = windows.max() ?? 0
    }

    /// A history as a checkpoint stored it (the caller checked that `items` are sorted by time and
    /// not before `cutoff`); the rolling windows are rebuilt from the items with `settings`.
    init(
        windows: [Millis], items: [HistoryItem], frontier: Instant?, cutoff: Instant?, today: PeriodTotals?,
        interval: PeriodTotals?, agents: [AgentIntegrals?], registry: ScopeRegistry, settings: SettingsLookup
    ) {
        self.init(windows: windows)
        self.registry = registry
        self.times = items.map(\.time.milliseconds)
        self.items = items
        self.frontier = frontier
        self.cutoff = cutoff
        self.today = today
        self.interval = interval
        self.agents = agents
        rebuildRolling(settings: settings)
    }

    /// Stops keeping the rolling windows' running totals (``keepsRunningWindows``): every later read sums
    /// them from the kept entries. Figures stay the same; only the cost moves from each advance to each read.
    mutating func summingWindowsWhenRead() {
        keepsRunningWindows = false
        rolling = rolling.map { RollingTotals(length: $0.length) }
        maxima = []
        callbackMaxima = []
    }

    /// The kept point entries, oldest first.
    var retained: ArraySlice<HistoryItem> { items[head...] }

    // MARK: - Recording

    /// Records a point entry, judging a departure by `settings`; one at or before the frontier goes
    /// straight into the running totals that cover its time.
    mutating func insert(_ entry: TimelineEntry, settings: SettingsLookup) {
        var judged: QueueSettings?
        if case .departure(let record) = entry { judged = settings[record.queue] }
        if case .callback(let record) = entry { judged = settings[record.queue] }
        let item = HistoryItem(entry, judged: judged, registry: &registry)
        let time = item.time
        if let frontier, time <= frontier {
            if keepsRunningWindows {
                let judged = judge(item, settings)
                for index in rolling.indices where time >= frontier.advanced(by: -rolling[index].length) {
                    rolling[index].tally.add(item, judgement: judged)
                }
                if !rolling.isEmpty, time >= frontier.advanced(by: -longest) { noteWait(item, settings: judged) }
            }
            today?.addLate(item, forgotten: cutoff.map { time < $0 } ?? false)
            interval?.addLate(item, forgotten: cutoff.map { time < $0 } ?? false)
            if let start = interval?.start, time < start { intervals.addLate(item, registry: registry) }
            if let cutoff, time < cutoff { return }
        }
        var index = items.endIndex
        if let last = times.last, times.count > head, last > time.milliseconds { index = upperBound(time) }
        times.insert(time.milliseconds, at: index)
        items.insert(item, at: index)
    }

    /// Records that `scopes` have one agent moving from `old` to `new` state (nil: logged out) at `time`.
    mutating func agentChange(scopes: [ScopeKey], from old: AgentState?, to new: AgentState?, at time: Instant) {
        agentChange(ids: scopes.map { registry.id($0) }, from: old, to: new, at: time)
    }

    /// ``agentChange(scopes:from:to:at:)`` for the scopes of an agent serving `queues` in `team`
    /// (``ScopeKey/agentScopes(queues:team:)``), their ids remembered per agent while it is logged in: an
    /// agent's state changes many times a day, and each change built its scope list and hashed every scope
    /// by name (issue 14).
    mutating func agentChange(
        agent: String, queues: [String], team: String?, from old: AgentState?, to new: AgentState?, at time: Instant
    ) {
        let ids: [Int]
        if let known = agentScopeIDs[agent], known.queues == queues, known.team == team {
            ids = known.ids
        } else {
            ids = ScopeKey.agentScopes(queues: queues, team: team).map { registry.id($0) }
            agentScopeIDs[agent] = (queues, team, ids)
        }
        if new == nil { agentScopeIDs[agent] = nil }
        agentChange(ids: ids, from: old, to: new, at: time)
    }

    private mutating func agentChange(ids: [Int], from old: AgentState?, to new: AgentState?, at time: Instant) {
        if IntervalBook.isStaffed(old) != IntervalBook.isStaffed(new) {
            intervals.agentChange(
                scopes: ids.map { registry.keys[$0] }.filter(IntervalBook.keeps), from: old, to: new, at: time)
        }
        let delta = AgentTime.Classes.change(from: old, to: new)
        guard !delta.isZero else { return }
        if let cutoff, time < cutoff { staleChanges += 1 }
        for id in ids {
            if id >= agents.count { agents += repeatElement(nil, count: id + 1 - agents.count) }
            if agents[id] == nil { agents[id] = AgentIntegrals() }
            agents[id]!.add(delta, at: time)
            today?.noteAgentChange(scope: id, delta: delta, at: time)
            interval?.noteAgentChange(scope: id, delta: delta, at: time)
        }
    }

    // MARK: - Advancing

    /// Moves the frontier to `now` (ignored unless later): adds the entries up to `now` to the running
    /// totals, takes the ones that left a rolling window out, starts new periods, forgets what is older
    /// than `keep` before `now`. With a `calendar`, closes the clock intervals `now` passed the end of
    /// into ``intervals``.
    mutating func advance(
        to now: Instant, dayStart: Instant, intervalStart: Instant, keep: Millis, settings: SettingsLookup,
        calendar: CenterCalendar? = nil
    ) {
        let old = frontier
        if let old, now <= old { return }
        if let calendar, let old, let current = interval, intervalStart > current.start {
            closeIntervals(current, frontier: old, upTo: intervalStart, calendar: calendar)
        }
        // The entries after the old frontier, found once for the periods and the windows: each advance
        // starts looking where the last one ended, so a step of a few entries costs a few comparisons
        // instead of a dozen binary searches over the kept entries (issue 14).
        let end = upperBound(now)
        let fresh = old.map { upperBound($0, near: frontierEnd)..<end }
        frontierEnd = end
        // Moved out and back so the tables stay uniquely referenced and are updated in place.
        var period = today
        today = nil
        advance(&period, start: dayStart, fresh: fresh, to: now)
        today = period
        period = interval
        interval = nil
        advance(&period, start: intervalStart, fresh: fresh, to: now)
        interval = period
        if keepsRunningWindows { advanceWindows(from: old, to: now, fresh: fresh, settings: settings) }
        frontier = now
        let cut = now.advanced(by: -keep)
        if staleChanges >= Self.staleChangeLimit || cutoff.map({ cut.since($0) >= Self.forgetStep }) ?? true {
            forget(before: cut)
        }
    }

    /// The rolling windows' part of ``advance(to:dayStart:intervalStart:keep:settings:calendar:)``.
    private mutating func advanceWindows(from old: Instant?, to now: Instant, fresh: Range<Int>?, settings: SettingsLookup) {
        // Windows moved less than their length take out what left them; the new entries, the same for
        // every such window, are then judged once each and added to all of them.
        var moved = 0
        for index in rolling.indices {
            let length = rolling[index].length
            guard let old, now.advanced(by: -length) <= old else {
                rolling[index] = rebuilt(length: length, at: now, settings: settings)
                continue
            }
            let from = lowerBound(old.advanced(by: -length), near: rolling[index].edge)
            let to = lowerBound(now.advanced(by: -length), near: from)
            for item in items[from..<to] { rolling[index].tally.subtract(item, judgement: judge(item, settings)) }
            rolling[index].edge = to
            moved += 1
        }
        // The longest waits: rebuilt with the longest window, else the departures that left it dropped
        // and the new ones inserted once for every window.
        let keepsWaits = old.map { now.advanced(by: -longest) <= $0 } ?? false
        if let old, keepsWaits {
            let cut = now.advanced(by: -longest)
            let from = lowerBound(old.advanced(by: -longest), near: waitsEdge)
            waitsEdge = lowerBound(cut, near: from)
            for item in items[from..<waitsEdge] { dropWaits(of: item, before: cut) }
        } else if !rolling.isEmpty {
            rebuildWaits(at: now, settings: settings)
        }
        if let old, let fresh, moved > 0 || keepsWaits {
            for item in items[fresh] {
                let judged = judge(item, settings)
                for index in rolling.indices where now.advanced(by: -rolling[index].length) <= old {
                    rolling[index].tally.add(item, judgement: judged)
                }
                if keepsWaits { noteWait(item, settings: judged) }
            }
        }
    }

    /// Applies new settings: rolling windows are rebuilt from the kept entries and judged by them;
    /// "today" and "interval" keep what each entry was judged by when it was recorded.
    mutating func reconfigure(windows: [Millis], settings: SettingsLookup) {
        rolling = windows.map { RollingTotals(length: $0) }
        longest = windows.max() ?? 0
        maxima = []
        callbackMaxima = []
        rebuildRolling(settings: settings)
    }

    private mutating func rebuildRolling(settings: SettingsLookup) {
        guard keepsRunningWindows, let frontier else { return }
        for index in rolling.indices {
            rolling[index] = rebuilt(length: rolling[index].length, at: frontier, settings: settings)
        }
        if !rolling.isEmpty { rebuildWaits(at: frontier, settings: settings) }
    }

    private func rebuilt(length: Millis, at now: Instant, settings: SettingsLookup) -> RollingTotals {
        var totals = RollingTotals(length: length)
        totals.edge = lowerBound(now.advanced(by: -length))
        for item in items[totals.edge..<upperBound(now)] {
            totals.tally.add(item, judgement: current(item, settings))
        }
        return totals
    }

    /// Refills ``maxima`` and ``callbackMaxima`` from the kept entries of the longest window ending at `now`.
    private mutating func rebuildWaits(at now: Instant, settings: SettingsLookup) {
        maxima = []
        callbackMaxima = []
        waitsEdge = lowerBound(now.advanced(by: -longest))
        for item in items[waitsEdge..<upperBound(now)] {
            noteWait(item, settings: judge(item, settings))
        }
    }

    /// Inserts a departure's wait (judged by `settings`) or a connected callback's into the scopes' deques.
    private mutating func noteWait(_ item: HistoryItem, settings: Judgement?) {
        if case .callback(let record) = item.entry, record.kind == .connected {
            for id in item.scopes {
                if id >= callbackMaxima.count {
                    callbackMaxima += repeatElement(MaxDeque(), count: id + 1 - callbackMaxima.count)
                }
                callbackMaxima[id].insert(record.wait, at: record.at)
            }
            return
        }
        guard item.kind == .departure, let settings,
            WindowMetrics.countsWait(outcome: item.outcome, wait: item.wait, judgement: settings)
        else { return }
        for id in item.scopes {
            if id >= maxima.count { maxima += repeatElement(MaxDeque(), count: id + 1 - maxima.count) }
            maxima[id].insert(item.wait, at: item.time)
        }
    }

    /// Forgets the waits before `cut` in the deques of the scopes of `item`, which left the longest window.
    private mutating func dropWaits(of item: HistoryItem, before cut: Instant) {
        if case .callback(let record) = item.entry, record.kind == .connected {
            for id in item.scopes where id < callbackMaxima.count { callbackMaxima[id].drop(before: cut) }
            return
        }
        guard item.kind == .departure else { return }
        for id in item.scopes where id < maxima.count { maxima[id].drop(before: cut) }
    }

    /// Adds the entries up to `now` (`fresh`: the indices of those after the old frontier, nil on the first
    /// advance) to `period`, or starts it anew from the kept entries when `start` moved.
    private func advance(_ period: inout PeriodTotals?, start: Instant, fresh: Range<Int>?, to now: Instant) {
        if period?.start == start, let fresh {
            for item in items[fresh] { period!.tally.add(item, judgement: item.judgement) }
            return
        }
        // A new period (or the first advance): the kept entries since its start.
        var started = PeriodTotals(start: start)
        started.agentBase = agents.map { $0?.values(at: start) ?? AgentTime() }
        for item in items[lowerBound(start)..<upperBound(now)] { started.tally.add(item, judgement: item.judgement) }
        period = started
    }

    /// Closes the interval of `current` (its totals up to `frontier`) and every interval after it that ends
    /// by `next`, each counting the kept entries between its start (or the frontier) and its end.
    private mutating func closeIntervals(_ current: PeriodTotals, frontier: Instant, upTo next: Instant, calendar: CenterCalendar) {
        var start = current.start
        var first = true
        while start < next {
            let end = min(calendar.endOfInterval(startingAt: start), next)
            var closed = ClosedInterval(start: start, end: end)
            if first {
                for id in current.tally.scopeIDs where IntervalBook.keeps(registry.keys[id]) {
                    var metrics = current.tally.metrics(id, registry)
                    metrics.channelMix = [:]
                    metrics.reasonMix = [:]
                    closed.figures[id] = metrics
                }
            }
            let from = first ? upperBound(frontier) : lowerBound(start)
            for item in items[from..<max(from, lowerBound(end))] { IntervalBook.count(item, into: &closed, registry: registry) }
            intervals.close(closed, dayStart: calendar.startOfDay(containing: start), calendar: calendar)
            start = end
            first = false
        }
    }

    private mutating func forget(before cut: Instant) {
        let end = lowerBound(cut)
        for item in items[head..<end] {
            today?.forget(item)
            interval?.forget(item)
        }
        head = end
        if head >= 4096, head * 2 >= items.count {
            times.removeFirst(head)
            items.removeFirst(head)
            head = 0
        }
        for id in agents.indices { agents[id]?.drop(before: cut) }
        cutoff = cut
        staleChanges = 0
    }

    // MARK: - Reading

    /// The figures of every scope for windows ending at `now`: one table per rolling window (in the
    /// order of the history's windows), then the interval starting at `intervalStart`, then the day
    /// starting at `dayStart`.
    func tables(now: Instant, dayStart: Instant, intervalStart: Instant, settings: SettingsLookup) -> [ScopeTable] {
        var pendingCurrent: Tally?
        var tables: [ScopeTable] = []
        for totals in rolling {
            let start = now.advanced(by: -totals.length)
            var tally: Tally
            if keepsRunningWindows, let frontier, now >= frontier, start <= frontier {
                tally = totals.tally
                let edge = lowerBound(frontier.advanced(by: -totals.length), near: totals.edge)
                for item in items[edge..<lowerBound(start, near: edge)] {
                    tally.subtract(item, judgement: current(item, settings))
                }
                for id in tally.scopeIDs {
                    tally.setMaxWait(id, id < maxima.count ? maxima[id].max(from: start) : nil)
                    tally.setCallbackMaxWait(id, id < callbackMaxima.count ? callbackMaxima[id].max(from: start) : nil)
                }
                if pendingCurrent == nil {
                    var pending = Tally()
                    for item in items[upperBound(frontier)..<upperBound(now)] { pending.add(item, judgement: current(item, settings)) }
                    pendingCurrent = pending
                }
                tally.merge(pendingCurrent!)
            } else {
                tally = Tally()
                for item in items[lowerBound(start)..<upperBound(now)] { tally.add(item, judgement: current(item, settings)) }
            }
            tables.append(withAgentTime(tally.table(registry), from: start, to: now))
        }
        tables.append(periodTable(interval, start: intervalStart, now: now))
        tables.append(periodTable(today, start: dayStart, now: now))
        return tables
    }

    private func periodTable(_ period: PeriodTotals?, start: Instant, now: Instant) -> ScopeTable {
        var tally: Tally
        if let period, period.start == start, let frontier {
            if now >= frontier {
                tally = period.tally
                for item in items[upperBound(frontier)..<upperBound(now)] { tally.add(item, judgement: item.judgement) }
            } else {
                tally = period.forgotten
                for item in items[lowerBound(start)..<upperBound(now)] { tally.add(item, judgement: item.judgement) }
            }
        } else {
            tally = Tally()
            for item in items[lowerBound(start)..<upperBound(now)] { tally.add(item, judgement: item.judgement) }
        }
        var table = tally.table(registry)
        guard now > start else { return table }
        let matches = period?.start == start
        for (id, integrals) in agents.enumerated() {
            guard let integrals else { continue }
            let base = matches ? period!.base(id) : integrals.values(at: start)
            let time = integrals.values(at: now) - base
            guard time.loggedIn > 0 else { continue }
            table[registry.keys[id], default: WindowMetrics()].setAgentTime(time)
        }
        return table
    }

    private func withAgentTime(_ table: ScopeTable, from start: Instant, to now: Instant) -> ScopeTable {
        var table = table
        for (id, integrals) in agents.enumerated() {
            guard let time = integrals?.time(from: start, to: now), time.loggedIn > 0 else { continue }
            table[registry.keys[id], default: WindowMetrics()].setAgentTime(time)
        }
        return table
    }

    /// How `settings` judge `item` (nil: an entry no settings judge), looked up by its queue's name.
    private func current(_ item: HistoryItem, _ settings: SettingsLookup) -> Judgement? {
        guard item.queueScope >= 0, case .queue(let queue) = registry.keys[item.queueScope] else { return nil }
        return Judgement(settings[queue])
    }

    /// ``current(_:_:)``, remembered per queue scope id while the settings stay the same.
    private mutating func judge(_ item: HistoryItem, _ settings: SettingsLookup) -> Judgement? {
        let id = item.queueScope
        guard id >= 0 else { return nil }
        if judgementsOf !== settings.generation {
            judgements = []
            judgementsOf = settings.generation
        }
        if id < judgements.count, let judged = judgements[id] { return judged }
        if id >= judgements.count { judgements += repeatElement(nil, count: id + 1 - judgements.count) }
        let judged = current(item, settings)
        judgements[id] = judged
        return judged
    }

    /// The first kept index whose time is at or after `time`.
    private func lowerBound(_ time: Instant) -> Int {
        let t = time.milliseconds
        return times.withUnsafeBufferPointer { times in
            var low = head
            var high = times.count
            while low < high {
                let mid = (low + high) / 2
                if times[mid] < t { low = mid + 1 } else { high = mid }
            }
            return low
        }
    }

    /// ``lowerBound(_:)``, looking at `hint` (an index an earlier search returned) and a few entries after
    /// it first; checked, so a stale hint only costs the binary search.
    private func lowerBound(_ time: Instant, near hint: Int) -> Int {
        let t = time.milliseconds
        guard hint >= head, hint <= times.count, hint == head || times[hint - 1] < t else { return lowerBound(time) }
        var index = hint
        while index < times.count, times[index] < t {
            index += 1
            if index - hint > 8 { return lowerBound(time) }
        }
        return index
    }

    /// ``upperBound(_:)``, looking at `hint` and a few entries after it first (see ``lowerBound(_:near:)``).
    private func upperBound(_ time: Instant, near hint: Int) -> Int {
        let t = time.milliseconds
        guard hint >= head, hint <= times.count, hint == head || times[hint - 1] <= t else { return upperBound(time) }
        var index = hint
        while index < times.count, times[index] <= t {
            index += 1
            if index - hint > 8 { return upperBound(time) }
        }
        return index
    }

    /// The first kept index whose time is after `time`.
    private func upperBound(_ time: Instant) -> Int {
        let t = time.milliseconds
        if let last = times.last, times.count > head, last <= t { return times.count }
        return times.withUnsafeBufferPointer { times in
            var low = head
            var high = times.count
            while low < high {
                let mid = (low + high) / 2
                if times[mid] <= t { low = mid + 1 } else { high = mid }
            }
            return low
        }
    }
}

/// One rolling window's running totals: the entries in `[frontier − length, frontier]` (their longest
/// waits are ``MetricsHistory/maxima``, shared by every window).
struct RollingTotals: Sendable {
    var length: Millis
    var tally = Tally()
    /// Where the last advance found `frontier − length` in the history's entries (a hint, see
    /// ``MetricsHistory/lowerBound(_:near:)``).
    var edge = 0

    init(length: Millis) { self.length = length }
}

/// "Today" or "interval": running totals since `start`.
struct PeriodTotals: Sendable {
    var start: Instant
    /// The period's entries up to the frontier, each judged by the settings it was recorded under.
    var tally = Tally()
    /// The part of `tally` before the history's cutoff, for figures at a `now` before the frontier.
    var forgotten = Tally()
    /// Per scope id, the agent-time integrals' values at `start` (see ``AgentIntegrals/values(at:)``);
    /// a scope past the end (first seen after the start) had none: 0.
    var agentBase: [AgentTime] = []

    init(start: Instant) { self.start = start }

    init(start: Instant, tally: Tally, forgotten: Tally, agentBase: [AgentTime]) {
        self.start = start
        self.tally = tally
        self.forgotten = forgotten
        self.agentBase = agentBase
    }

    /// Counts an entry recorded at or before the frontier, when it falls in the period.
    mutating func addLate(_ item: HistoryItem, forgotten isForgotten: Bool) {
        guard item.time >= start else { return }
        tally.add(item, judgement: item.judgement)
        if isForgotten { forgotten.add(item, judgement: item.judgement) }
    }

    /// Moves an entry the history forgets into `forgotten`, when it falls in the period.
    mutating func forget(_ item: HistoryItem) {
        if item.time >= start { forgotten.add(item, judgement: item.judgement) }
    }

    /// Keeps `agentBase` equal to the integrals' values at `start` after a change at `time`.
    mutating func noteAgentChange(scope id: Int, delta: AgentTime.Classes, at time: Instant) {
        guard time < start else { return }
        if id >= agentBase.count { agentBase += repeatElement(AgentTime(), count: id + 1 - agentBase.count) }
        agentBase[id] = agentBase[id] + AgentTime.scaled(delta, by: start.since(time))
    }

    /// The agent-time integrals' values at `start` for scope `id`.
    func base(_ id: Int) -> AgentTime { id < agentBase.count ? agentBase[id] : AgentTime() }
}

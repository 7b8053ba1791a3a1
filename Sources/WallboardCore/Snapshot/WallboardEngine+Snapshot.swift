extension WallboardEngine {
    /// Everything a board shows, computed at `now` (which should not be earlier than the last
    /// ``expire(now:)``; "today" is exact from then on).
    public func snapshot(now: Instant, sources: [Snapshot.SourceStatus] = []) -> Snapshot {
        let tables = windowTables(now: now)
        var center = Snapshot.ScopeFigures()
        var scopes: [ScopeKey: Snapshot.ScopeFigures] = [:]
        for queue in queueOrder { scopes[.queue(queue)] = Snapshot.ScopeFigures() }
        for team in teamOrder { scopes[.team(team)] = Snapshot.ScopeFigures() }

        for contact in contacts.values where contact.phase == .waiting {
            for key in [ScopeKey.queue(contact.queue), .channel(contact.channel.rawValue)] {
                scopes[key, default: .init()].noteWaiting(contact)
            }
            center.noteWaiting(contact)
        }
        for pending in pendingCallbacks.values {  // Engine/WallboardEngine+Callbacks.swift
            for key in [ScopeKey.queue(pending.contact.queue), .channel(pending.contact.channel.rawValue)] {
                scopes[key, default: .init()].notePendingCallback(pending)
            }
            center.notePendingCallback(pending)
        }
        for agent in agents.values {
            center.agents.count(agent)
            for queue in agent.queues { scopes[.queue(queue), default: .init()].agents.count(agent) }
            if let team = agent.team { scopes[.team(team), default: .init()].agents.count(agent) }
        }
        for (name, table) in tables.byWindow {
            center.windows[name] = table[.center] ?? WindowMetrics()
            for (key, metrics) in table where key != .center { scopes[key, default: .init()].windows[name] = metrics }
        }
        func fill(_ figures: Snapshot.ScopeFigures) -> Snapshot.ScopeFigures {
            var figures = figures
            for name in tables.names where figures.windows[name] == nil { figures.windows[name] = WindowMetrics() }
            return figures
        }
        func groups(_ pick: (ScopeKey) -> String?) -> [Snapshot.GroupEntry] {
            scopes.compactMap { key, figures in pick(key).map { Snapshot.GroupEntry(id: $0, figures: fill(figures)) } }
                .sorted { $0.id < $1.id }
        }
        let teamIDs = teamOrder + groups { if case .team(let id) = $0 { id } else { nil } }.map(\.id)
            .filter { !teamOrder.contains($0) }
        let channelRank = Dictionary(uniqueKeysWithValues: Channel.allCases.enumerated().map { ($1.rawValue, $0) })
        var snapshot = Snapshot(
            generatedAt: now, primaryWindow: configuration.primaryWindow, windowNames: tables.names, sources: sources,
            center: fill(center),
            queues: queueOrder.map { Snapshot.QueueEntry(settings: settings[$0], figures: fill(scopes[.queue($0)]!)) },
            agents: agents.values.sorted { $0.id < $1.id }, contacts: contacts)
        let projections = closeProjections(of: [.center] + queueOrder.map { .queue($0) }, now: now)  // Metrics/CloseProjection+Engine.swift
        snapshot.center.projection = projections[.center]
        for index in snapshot.queues.indices { snapshot.queues[index].figures.projection = projections[.queue(snapshot.queues[index].settings.id)] }
        snapshot.teams = teamIDs.map { Snapshot.GroupEntry(id: $0, figures: fill(scopes[.team($0)] ?? .init())) }
        snapshot.channels = groups { if case .channel(let id) = $0 { id } else { nil } }
            .sorted { channelRank[$0.id] ?? 99 < channelRank[$1.id] ?? 99 }
        snapshot.segments = groups { if case .segment(let id) = $0 { id } else { nil } }
        snapshot.languages = groups { if case .language(let id) = $0 { id } else { nil } }
        for agent in agents.values where !agent.contacts.isEmpty { snapshot.loads[agent.id] = load(of: agent) }
        if let costs = configuration.costs {  // Metrics/CostSnapshot.swift, Metrics/AgentDay+Costs.swift
            snapshot.addCosts(costs, tables: tables, ownRates: ownRateTimes(costs, tables: tables, now: now))
        }
        snapshot.queueGroups = QueueGroupRollup.rollups(configuration.queueGroups, of: snapshot)
        snapshot.windowLengths = tables.lengths
        snapshot.windowStarts = tables.starts
        snapshot.waiting = contacts.values.filter { $0.phase == .waiting }
            .sorted { ($0.queuedAt, $0.id) < ($1.queuedAt, $1.id) }
        let dayStart = configuration.calendar.startOfDay(containing: now)
        for contact in abandonedToday.reversed() where contact.at >= dayStart && contact.at <= now {
            let count = (snapshot.abandonedTodayCounts[contact.queue] ?? 0) + 1
            snapshot.abandonedTodayCounts[contact.queue] = count
            if count <= Snapshot.abandonedListPerQueue { snapshot.abandonedToday.append(contact) }
        }
        return snapshot
    }

    /// Every window's figures for every scope at `now`, read from the history's running totals:
    /// O(scopes × windows) plus the entries recorded since the last ``expire(now:)``. Exact for any
    /// `now` from a few minutes before the last ``expire(now:)`` on (docs/metrics.md, "How windows are
    /// computed").
    public func windowTables(now: Instant) -> WindowTables {
        let calendar = configuration.calendar
        let dayStart = calendar.startOfDay(containing: now)
        let intervalStart = calendar.startOfInterval(containing: now)
        let names = configuration.windows.map(\.name) + [WindowName.interval, WindowName.today]
        let starts = configuration.windows.map { now.advanced(by: -$0.length) } + [intervalStart, dayStart]
        let results = history.tables(now: now, dayStart: dayStart, intervalStart: intervalStart, settings: settings)
        var tables = WindowTables(names: names)
        for (index, name) in names.enumerated() {
            tables.byWindow[name] = results[index]
            tables.starts[name] = starts[index]
            tables.lengths[name] = now.since(starts[index])
        }
        return tables
    }
}

/// Figures of every window for every scope, as ``WallboardEngine/windowTables(now:)`` returns them.
public struct WindowTables: Sendable, Equatable {
    /// Window names in display order: rolling ones, "interval", "today".
    public var names: [String]
    public var byWindow: [String: ScopeTable] = [:]
    public var starts: [String: Instant] = [:]
    public var lengths: [String: Millis] = [:]
}

extension Snapshot.ScopeFigures {
    mutating func notePendingCallback(_ pending: PendingCallback) {
        callbacksPending += 1
        oldestCallbackRequestedAt = min(oldestCallbackRequestedAt ?? pending.requestedAt, pending.requestedAt)
    }

    mutating func noteWaiting(_ contact: LiveContact) {
        waitingNow += 1
        oldestQueuedAt = min(oldestQueuedAt ?? contact.queuedAt, contact.queuedAt)
    }
}

extension WallboardEngine {
    /// Everything a board shows, computed at `now`.
    public func snapshot(now: Instant, sources: [Snapshot.SourceStatus] = []) -> Snapshot {
        var center = Snapshot.ScopeFigures()
        var perQueue: [String: Snapshot.ScopeFigures] = [:]
        for queue in queueOrder { perQueue[queue] = Snapshot.ScopeFigures() }

        for contact in contacts.values where contact.phase == .waiting {
            perQueue[contact.queue, default: .init()].waitingNow += 1
            perQueue[contact.queue]!.oldestQueuedAt = min(perQueue[contact.queue]!.oldestQueuedAt ?? contact.queuedAt, contact.queuedAt)
            center.waitingNow += 1
            center.oldestQueuedAt = min(center.oldestQueuedAt ?? contact.queuedAt, contact.queuedAt)
        }
        for agent in agents.values {
            center.agents.count(agent)
            for queue in agent.queues { perQueue[queue, default: .init()].agents.count(agent) }
        }
        for window in configuration.windows {
            let start = now.advanced(by: -window.length)
            var centerMetrics = WindowMetrics()
            var queueMetrics: [String: WindowMetrics] = [:]
            for departure in departures.reversed() {
                guard departure.leftAt > start else { break }
                guard departure.leftAt <= now else { continue }
                let settings = configuration.settings(for: departure.queue)
                centerMetrics.add(departure, settings: settings)
                queueMetrics[departure.queue, default: WindowMetrics()].add(departure, settings: settings)
            }
            for record in handled.reversed() {
                guard record.finishedAt > start else { break }
                guard record.finishedAt <= now else { continue }
                centerMetrics.add(record)
                queueMetrics[record.queue, default: WindowMetrics()].add(record)
            }
            center.windows[window.name] = centerMetrics
            for queue in queueOrder { perQueue[queue]!.windows[window.name] = queueMetrics[queue] ?? WindowMetrics() }
        }
        return Snapshot(
            generatedAt: now, primaryWindow: configuration.primaryWindow,
            windowNames: configuration.windows.map(\.name), sources: sources, center: center,
            queues: queueOrder.map { Snapshot.QueueEntry(settings: configuration.settings(for: $0), figures: perQueue[$0]!) },
            agents: agents.values.sorted { $0.id < $1.id }, contacts: contacts)
    }
}

import JSONModel

/// A named set of queues a board shows together (config `queue_groups:`, `?group=<id>` on the board), with
/// optional target overrides for its roll-up.
public struct QueueGroup: Sendable, Equatable {
    public var id: String
    /// The name shown on the board.
    public var name: String
    /// Member queue ids, in display order.
    public var queues: [String]
    /// The roll-up's service-level target; `nil`: the members' target when they share one, else the highest.
    public var target: Double?
    /// Below this the roll-up's service level shows red; `nil`: the target less 10 points.
    public var warningLevel: Double?

    public init(id: String, name: String? = nil, queues: [String], target: Double? = nil, warningLevel: Double? = nil) {
        self.id = id
        self.name = name ?? id
        self.queues = queues
        self.target = target
        self.warningLevel = warningLevel
    }
}

extension Snapshot {
    /// A queue group's roll-up: its member queues' figures added up as the center's are.
    public struct QueueGroupEntry: Sendable, Equatable {
        public var group: QueueGroup
        public var figures: ScopeFigures
        /// The target and warning level the board colours the roll-up's service level by.
        public var target: Double
        public var warningLevel: Double
        /// The members' service-level threshold when they share one (`nil` when they differ): each
        /// departure is still judged by its own queue's threshold.
        public var threshold: Millis?
    }
}

/// Rolls member queues' figures up into a group's, the way the center's are: counts and durations
/// summed (so rates and averages are weighted by contacts, never averages of percentages), the longest
/// wait the longest of the members' (the earliest `oldest_queued_at`), agents counted once each even
/// when they serve several member queues. Pure: figures in, figures out.
public enum QueueGroupRollup {
    /// The roll-up of `group` from the snapshot's `queues` and logged-in `agents`. Member ids that no
    /// queue has count as empty queues; `windowNames` get an entry each even when no member has one.
    public static func rollup(
        _ group: QueueGroup, queues: [Snapshot.QueueEntry], agents: [AgentRecord], windowNames: [String]
    ) -> Snapshot.QueueGroupEntry {
        let members = Set(group.queues)
        let entries = queues.filter { members.contains($0.settings.id) }
        var figures = Snapshot.ScopeFigures()
        for name in windowNames { figures.windows[name] = WindowMetrics() }
        for entry in entries {
            figures.waitingNow += entry.figures.waitingNow
            if let oldest = entry.figures.oldestQueuedAt {
                figures.oldestQueuedAt = min(figures.oldestQueuedAt ?? oldest, oldest)
            }
            for (name, metrics) in entry.figures.windows { figures.windows[name, default: WindowMetrics()].merge(metrics) }
        }
        for agent in agents where agent.queues.contains(where: members.contains) { figures.agents.count(agent) }
        let targets = Set(entries.map(\.settings.target))
        let target = group.target ?? (targets.count == 1 ? targets.first! : targets.max() ?? 0.8)
        let thresholds = Set(entries.map(\.settings.threshold))
        return Snapshot.QueueGroupEntry(
            group: group, figures: figures, target: target, warningLevel: group.warningLevel ?? max(0, target - 0.1),
            threshold: thresholds.count == 1 ? thresholds.first : nil)
    }

    /// Every group's roll-up from a snapshot, in config order.
    public static func rollups(_ groups: [QueueGroup], of snapshot: Snapshot) -> [Snapshot.QueueGroupEntry] {
        groups.map { rollup($0, queues: snapshot.queues, agents: snapshot.agents, windowNames: snapshot.windowNames) }
    }
}

extension Snapshot {
    /// A queue group's roll-up as in `queue_groups` of the snapshot and the `center` topic: id, name,
    /// member `queues`, `target`, `warning_level`, `threshold_seconds` (null when the members differ) and
    /// the figures of a queue (`clocked` as for ``queueJSON(_:clocked:)``).
    public func queueGroupJSON(_ entry: QueueGroupEntry, clocked: Bool) -> JSONValue {
        var object: JSONObject = [
            "id": .string(entry.group.id), "name": .string(entry.group.name),
            "queues": .array(entry.group.queues.map { .string($0) }),
            "target": .number(entry.target), "warning_level": .number(entry.warningLevel),
            "threshold_seconds": .optional(entry.threshold) { .number($0.asSeconds) },
        ]
        for member in figuresJSON(entry.figures, settings: nil, clocked: clocked).members { object[member.key] = member.value }
        return .object(object)
    }
}

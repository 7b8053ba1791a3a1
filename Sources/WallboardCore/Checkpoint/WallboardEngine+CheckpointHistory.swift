import JSONModel

/// The checkpoint's "history" section: the running totals and the entries of the last window, not
/// the day (docs/journal.md, "Engine checkpoints"; docs/metrics.md, "How windows are computed").
///
/// Stored: the frontier and cutoff, the kept point entries (each departure with the queue settings it
/// was judged by), "today" and "interval" (their totals, the part before the cutoff, the agent-time
/// integrals' values at their start) and each scope's agent-time step functions. The rolling windows'
/// totals are not stored: a restore rebuilds them from the kept entries under the configuration it is
/// given, which is what ``WallboardEngine/reconfigure(_:)`` does too.
extension WallboardEngine {
    static func encode(_ history: MetricsHistory) -> JSONValue {
        var object: JSONObject = [:]
        object["frontier"] = encode(history.frontier)
        object["cutoff"] = encode(history.cutoff)
        object["items"] = .array(history.retained.map(encode))
        let registry = history.registry
        object["today"] = history.today.map { encode($0, registry) } ?? .null
        object["interval"] = history.interval.map { encode($0, registry) } ?? .null
        var agents: [JSONValue] = []
        for id in byName(history.agents.indices, registry) {
            guard let integrals = history.agents[id] else { continue }
            let scope = JSONValue.string(registry.keys[id].name)
            agents.append([scope, encode(integrals.handling), encode(integrals.available), encode(integrals.loggedIn)])
        }
        object["agent_time"] = .array(agents)
        object["intervals"] = encode(history.intervals, registry)  // Checkpoint/WallboardEngine+CheckpointIntervals.swift
        return .object(object)
    }

    private static func encode(_ item: HistoryItem) -> JSONValue {
        if case .callback = item.entry, let judged = item.judged {  // version 6: its callback threshold
            return [encode(item.entry), [.integer(judged.callbackThreshold)]]
        }
        let judged: JSONValue = item.judged.map {
            [.integer($0.threshold), .integer($0.shortAbandon), .string($0.abandonTreatment.rawValue)]
        } ?? .null
        return [encode(item.entry), judged]
    }

    /// Scope ids among `ids`, in the order of their names (a checkpoint does not depend on id order).
    private static func byName(_ ids: Range<Int>, _ registry: ScopeRegistry) -> [Int] {
        ids.sorted { registry.keys[$0].name < registry.keys[$1].name }
    }

    private static func encode(_ period: PeriodTotals, _ registry: ScopeRegistry) -> JSONValue {
        func tally(_ tally: Tally) -> JSONValue {
            let ids = byName(tally.members.indices, registry).filter { tally.members[$0] > 0 }
            return .array(
                ids.map { id -> JSONValue in
                    [.string(registry.keys[id].name), encode(tally.metrics(id, registry)), .int(tally.members[id])]
                })
        }
        let base = byName(period.agentBase.indices, registry).compactMap { id -> JSONValue? in
            // A missing scope reads 0, so zeros are left out (lossless, and independent of the ids).
            let time = period.agentBase[id]
            guard time != AgentTime() else { return nil }
            return [
                .string(registry.keys[id].name), .integer(time.handling), .integer(time.available), .integer(time.loggedIn),
            ]
        }
        return [
            "start": encode(period.start), "totals": tally(period.tally), "forgotten": tally(period.forgotten),
            "agent_base": .array(base),
        ]
    }

    private static func encode(_ integral: StepIntegral) -> JSONValue {
        [
            .int(integral.before), .integer(integral.origin),
            .array(integral.breakpoints.map { [encode($0.time), .int($0.count)] }),
        ]
    }

    // MARK: - Decoding

    static func decodeHistory(_ node: CheckpointNode, configuration: EngineConfiguration, settings: SettingsLookup)
        throws(CheckpointError) -> MetricsHistory
    {
        try node.onlyKeys(["frontier", "cutoff", "items", "today", "interval", "agent_time", "intervals"])
        let frontier = try handledTime(node.key("frontier"))
        let cutoff = try handledTime(node.key("cutoff"))
        if let frontier, let cutoff, cutoff > frontier {
            throw try node.key("cutoff").error(.invalidValue, "the cutoff lies after the frontier")
        }
        var registry = ScopeRegistry()
        var items: [HistoryItem] = []
        for element in try node.key("items").array() {
            let item = try decodeItem(element, registry: &registry)
            if let last = items.last, last.time > item.time {
                throw element.error(.invalidValue, "items must be sorted by time (\(item.time) after \(last.time))")
            }
            if let cutoff, item.time < cutoff { throw element.error(.invalidValue, "an item before the cutoff") }
            items.append(item)
        }
        var periods: [PeriodTotals?] = []
        for name in ["today", "interval"] {
            let periodNode = try node.key(name)
            if periodNode.isNull {
                periods.append(nil)
            } else {
                guard frontier != nil else { throw periodNode.error(.invalidValue, "a period without a frontier") }
                periods.append(try decodePeriod(periodNode, registry: &registry))
            }
        }
        var agents: [AgentIntegrals?] = []
        for element in try node.key("agent_time").array() {
            let fields = try element.tuple(["scope", "handling", "available", "logged_in"])
            let id = registry.id(try decodeScope(fields[0]))
            if id >= agents.count { agents += repeatElement(nil, count: id + 1 - agents.count) }
            guard agents[id] == nil else { throw fields[0].error(.invalidValue, "scope appears twice") }
            agents[id] = AgentIntegrals(
                handling: try decodeIntegral(fields[1]), available: try decodeIntegral(fields[2]),
                loggedIn: try decodeIntegral(fields[3]))
        }
        // Version 4 has no intervals: those closed before it are absent (docs/reliability.md).
        let intervals = try node.optionalKey("intervals").map { (node) throws(CheckpointError) in
            try decodeIntervals(node, registry: &registry)
        } ?? IntervalBook()
        var history = MetricsHistory(
            windows: configuration.windows.map(\.length), items: items, frontier: frontier, cutoff: cutoff,
            today: periods[0], interval: periods[1], agents: agents, registry: registry, settings: settings)
        history.intervals = intervals
        return history
    }

    private static func decodeItem(_ node: CheckpointNode, registry: inout ScopeRegistry) throws(CheckpointError)
        -> HistoryItem
    {
        let fields = try node.tuple(["entry", "judged"])
        let entry = try decodeEntry(fields[0])
        if case .agentSpan = entry { throw fields[0].error(.invalidValue, "agent spans are not history items") }
        let judgedNode = fields[1]
        if case .callback(let record) = entry {
            let judged = try judgedNode.tuple(["callback_threshold"])
            let settings = QueueSettings(id: record.queue, callbackThreshold: try judged[0].int64())
            return HistoryItem(entry, judged: settings, registry: &registry)
        }
        guard case .departure(let record) = entry else {
            guard judgedNode.isNull else { throw judgedNode.error(.invalidValue, "only departures carry settings") }
            return HistoryItem(entry, judged: nil, registry: &registry)
        }
        let judged = try judgedNode.tuple(["threshold", "short_abandon", "abandon_treatment"])
        let settings = QueueSettings(
            id: record.queue, threshold: try judged[0].int64(), shortAbandon: try judged[1].int64(),
            abandonTreatment: try judged[2].oneOf(QueueSettings.AbandonTreatment.self))
        return HistoryItem(entry, judged: settings, registry: &registry)
    }

    private static func decodePeriod(_ node: CheckpointNode, registry: inout ScopeRegistry) throws(CheckpointError)
        -> PeriodTotals
    {
        try node.onlyKeys(["start", "totals", "forgotten", "agent_base"])
        func tally(_ node: CheckpointNode, _ registry: inout ScopeRegistry) throws(CheckpointError) -> Tally {
            var tally = Tally()
            for element in try node.array() {
                let fields = try element.tuple(["scope", "metrics", "members"])
                let id = registry.id(try decodeScope(fields[0]))
                guard id >= tally.members.count || tally.members[id] == 0 else {
                    throw fields[0].error(.invalidValue, "scope appears twice")
                }
                let members = try fields[2].count()
                guard members > 0 else { throw fields[2].error(.invalidValue, "a scope in the totals counts entries") }
                let metrics = try decodeMetrics(fields[1])
                if let name = metrics.channelMix.keys.first(where: { Channel(rawValue: $0) == nil }) {
                    throw fields[1].error(.invalidValue, "channel_mix names \"\(name)\", which is not a channel")
                }
                tally.set(id, metrics: metrics, members: members, registry: &registry)
            }
            return tally
        }
        var base: [AgentTime] = []
        var seen = Set<Int>()
        for element in try node.key("agent_base").array() {
            let fields = try element.tuple(["scope", "handling", "available", "logged_in"])
            let id = registry.id(try decodeScope(fields[0]))
            guard seen.insert(id).inserted else { throw fields[0].error(.invalidValue, "scope appears twice") }
            if id >= base.count { base += repeatElement(AgentTime(), count: id + 1 - base.count) }
            base[id] = AgentTime(
                handling: try integralValue(fields[1]), available: try integralValue(fields[2]),
                loggedIn: try integralValue(fields[3]))
        }
        return PeriodTotals(
            start: try requiredTime(node.key("start")), tally: try tally(node.key("totals"), &registry),
            forgotten: try tally(node.key("forgotten"), &registry), agentBase: base)
    }

    private static func decodeIntegral(_ node: CheckpointNode) throws(CheckpointError) -> StepIntegral {
        let fields = try node.tuple(["before", "origin", "breakpoints"])
        let before = try agentCount(fields[0])
        let origin = try fields[1].int64()
        var points: [(time: Instant, count: Int)] = []
        for element in try fields[2].array() {
            let pair = try element.tuple(["time", "count"])
            let time = try requiredTime(pair[0])
            if let last = points.last, last.time >= time {
                throw pair[0].error(.invalidValue, "breakpoints must be in strictly increasing time")
            }
            points.append((time, try agentCount(pair[1])))
        }
        guard let integral = StepIntegral(before: before, origin: origin, breakpoints: points) else {
            throw fields[1].error(.invalidValue, "the agent-time integral is out of range")
        }
        return integral
    }

    /// An instant from 1970 to 2109 (so differences of them times agent counts cannot overflow); nil for null.
    private static func handledTime(_ node: CheckpointNode) throws(CheckpointError) -> Instant? {
        guard let time = try node.optionalInstant() else { return nil }
        guard (0..<(1 << 42)).contains(time.milliseconds) else {
            throw node.error(.invalidValue, "\(time.milliseconds) is not a time this build handles")
        }
        return time
    }

    private static func requiredTime(_ node: CheckpointNode) throws(CheckpointError) -> Instant {
        guard let time = try handledTime(node) else { throw node.error(.wrongType, "expected an instant, found null") }
        return time
    }

    /// Agents in a class of states: at most a million.
    private static func agentCount(_ node: CheckpointNode) throws(CheckpointError) -> Int {
        let count = try node.count()
        guard count <= 1_000_000 else { throw node.error(.invalidValue, "\(count) agents is more than this build handles") }
        return count
    }

    /// An agent-time integral's value at a period start (see ``StepIntegral/integralLimit``).
    private static func integralValue(_ node: CheckpointNode) throws(CheckpointError) -> Int64 {
        let value = try node.int64()
        guard value.magnitude <= StepIntegral.integralLimit.magnitude else { throw node.error(.invalidValue, "out of range") }
        return value
    }
}

import JSONModel
import WallboardCore

/// One scope instance's figure for one rule at one tick.
struct Measurement {
    /// `center`, `queue:<id>`, `team:<id>`, `agent:<id>`.
    var instance: String
    /// `scope` plus `queue`/`team`/`agent` for the instance.
    var labels: [String: String]
    /// `nil` when undefined (e.g. service level with no contacts in the window): never breaches, always clears.
    var value: Double?
    /// A readable name for summaries, e.g. `queue Sales`, `agent Alice Martin (a01)`.
    var displayName: String
}

/// The figures a scope rule can read: a queue's or the center's, or agent counts of a team.
struct ScopeView {
    var waitingNow: Int?
    var longestWaitSeconds: Double?
    var available: Int
    var notReady: Int
    var windows: [String: WindowMetrics]
    /// Window name → cost figures in minor units (empty without `costs:`), and the currency's decimals.
    var costs: [String: CostFigures] = [:]
    var costDecimals = 0
    /// Where today is projected to close (the center and queues).
    var projection: CloseProjection?

    init(waitingNow: Int?, longestWaitSeconds: Double?, available: Int, notReady: Int, windows: [String: WindowMetrics])
    {
        self.waitingNow = waitingNow
        self.longestWaitSeconds = longestWaitSeconds
        self.available = available
        self.notReady = notReady
        self.windows = windows
    }

    init(_ figures: Snapshot.ScopeFigures, _ now: Instant, _ snapshot: Snapshot) {
        self.init(
            waitingNow: figures.waitingNow, longestWaitSeconds: figures.longestWait(at: now).asSeconds,
            available: figures.agents.available, notReady: figures.agents.notReady, windows: figures.windows)
        costs = figures.costs
        costDecimals = snapshot.costs?.decimals ?? 0
        projection = figures.projection
    }

    /// A cost figure of `window` in major units (minor units / 10^decimals), nil when undefined.
    func money(_ window: String?, _ pick: (CostFigures) -> Int64?) -> Double? {
        guard let window, let figures = costs[window], let minor = pick(figures) else { return nil }
        var scale = 1.0
        for _ in 0..<costDecimals { scale *= 10 }
        return Double(minor) / scale
    }
}

extension AlertEngine {
    /// The figure of `rule` for every instance of its scope in `snapshot`.
    func measure(_ rule: AlertRule, in snapshot: Snapshot, now: Instant) -> [Measurement] {
        switch rule.scope {
        case .center:
            return [
                scopeMeasurement(rule, ScopeView(snapshot.center, now, snapshot), instance: "center", labels: [:], name: "center")
            ]
        case .queue(let id):
            guard let entry = snapshot.queues.first(where: { $0.settings.id == id }) else { return [] }
            return [queueMeasurement(rule, entry, snapshot, now)]
        case .everyQueue:
            return snapshot.queues.map { queueMeasurement(rule, $0, snapshot, now) }
        case .team(let id):
            let members = snapshot.agents.filter { $0.team == id }
            guard !members.isEmpty else { return [] }
            var view = ScopeView(waitingNow: nil, longestWaitSeconds: nil, available: 0, notReady: 0, windows: [:])
            view.costs = snapshot.teams.first { $0.id == id }?.figures.costs ?? [:]
            view.costDecimals = snapshot.costs?.decimals ?? 0
            for agent in members {
                if agent.state == .available { view.available += 1 }
                if agent.state == .notReady { view.notReady += 1 }
            }
            return [scopeMeasurement(rule, view, instance: "team:\(id)", labels: ["team": id], name: "team \(id)")]
        case .everyAgent:
            return snapshot.agents.map { agent in
                Measurement(
                    instance: "agent:\(agent.id)",
                    labels: ["scope": "agent:\(agent.id)", "agent": agent.id, "team": agent.team ?? ""]
                        .filter { !$0.value.isEmpty },
                    value: agentValue(rule.metric, agent, snapshot, now),
                    displayName: agent.name == agent.id ? "agent \(agent.id)" : "agent \(agent.name) (\(agent.id))")
            }
        }
    }

    private func queueMeasurement(_ rule: AlertRule, _ entry: Snapshot.QueueEntry, _ snapshot: Snapshot, _ now: Instant)
        -> Measurement
    {
        let id = entry.settings.id
        return scopeMeasurement(
            rule, ScopeView(entry.figures, now, snapshot), instance: "queue:\(id)", labels: ["queue": id],
            name: "queue \(entry.settings.name)")
    }

    private func scopeMeasurement(
        _ rule: AlertRule, _ figures: ScopeView, instance: String,
        labels: [String: String], name: String
    ) -> Measurement {
        var labels = labels
        labels["scope"] = instance
        let window = rule.window.flatMap { figures.windows[$0] }
        let value: Double?
        switch rule.metric {
        case .serviceLevel: value = window?.serviceLevel
        case .abandonRate: value = window?.abandonRate
        case .asaSeconds: value = window?.averageSpeedOfAnswer
        case .callbackServiceLevel: value = window?.callbacks.serviceLevel
        case .callbackWaitSeconds: value = window?.callbacks.averageWait
        case .containmentRate: value = window?.selfService.total.containmentRate
        case .projectedServiceLevel: value = figures.projection?.serviceLevel
        case .projectedAbandonRate: value = figures.projection?.abandonRate
        case .waitingNow: value = figures.waitingNow.map(Double.init)
        case .longestWaitSeconds: value = figures.longestWaitSeconds
        case .agentsAvailable: value = Double(figures.available)
        case .agentsNotReady: value = Double(figures.notReady)
        case .agentStateSeconds, .contactSeconds: value = nil
        case .cost: value = figures.money(rule.window, \.total)
        case .costPerHandled: value = figures.money(rule.window, \.perHandled)
        case .costPerOffered: value = figures.money(rule.window, \.perOffered)
        }
        return Measurement(instance: instance, labels: labels, value: value, displayName: name)
    }

    private func agentValue(_ metric: AlertMetric, _ agent: AgentRecord, _ snapshot: Snapshot, _ now: Instant)
        -> Double?
    {
        switch metric {
        case .agentStateSeconds(let state, let reason):
            guard agent.state == state, reason == nil || agent.reason == reason else { return nil }
            return max(0, now.since(agent.stateSince)).asSeconds
        case .contactSeconds:
            guard agent.state == .onContact, let id = agent.contact, let contact = snapshot.contacts[id],
                let answered = contact.answeredAt
            else { return nil }
            return max(0, now.since(answered)).asSeconds
        default:
            return nil
        }
    }

    /// e.g. "Service level (15m) 72% < 80% on queue Sales".
    static func summary(_ rule: AlertRule, _ measurement: Measurement) -> String {
        let figure: String
        switch rule.metric {
        case .serviceLevel: figure = "Service level (\(rule.window ?? ""))"
        case .abandonRate: figure = "Abandon rate (\(rule.window ?? ""))"
        case .asaSeconds: figure = "Average speed of answer (\(rule.window ?? ""))"
        case .waitingNow: figure = "Contacts waiting"
        case .longestWaitSeconds: figure = "Longest wait"
        case .agentsAvailable: figure = "Agents available"
        case .agentsNotReady: figure = "Agents not ready"
        case .agentStateSeconds(let state, let reason):
            figure = "Time in \(state.rawValue)" + (reason.map { " (\($0))" } ?? "")
        case .contactSeconds: figure = "Contact duration"
        case .cost: figure = "Cost (\(rule.window ?? ""))"
        case .costPerHandled: figure = "Cost per handled contact (\(rule.window ?? ""))"
        case .costPerOffered: figure = "Cost per offered contact (\(rule.window ?? ""))"
        case .callbackServiceLevel: figure = "Callback service level (\(rule.window ?? ""))"
        case .callbackWaitSeconds: figure = "Callback wait (\(rule.window ?? ""))"
        case .containmentRate: figure = "Self-service containment (\(rule.window ?? ""))"
        case .projectedServiceLevel: figure = "Projected close service level"
        case .projectedAbandonRate: figure = "Projected close abandon rate"
        }
        let value = measurement.value.map { format($0, rule.metric) } ?? "n/a"
        return
            "\(figure) \(value) \(rule.comparison.rawValue) \(format(rule.threshold, rule.metric)) on \(measurement.displayName)"
    }

    /// Rates as percentages, seconds as `m:ss` from a minute up, counts as integers.
    static func format(_ value: Double, _ metric: AlertMetric) -> String {
        if metric.isRate { return JSONValue.formatNumber((value * 1000).rounded() / 10) + "%" }
        if metric.isMoney { return JSONValue.formatNumber(value) }
        switch metric {
        case .waitingNow, .agentsAvailable, .agentsNotReady:
            return JSONValue.formatNumber(value)
        default:
            let seconds = Int(value.rounded())
            if seconds < 60 { return "\(seconds)s" }
            let rest = seconds % 60
            return "\(seconds / 60)m" + (rest == 0 ? "" : " \(rest)s")
        }
    }
}

import JSONModel

extension Snapshot {
    /// The JSON form documented in `docs/snapshot.md`.
    public func json() -> JSONValue {
        var object = JSONObject()
        object["generated_at"] = .string(RFC3339.format(generatedAt))
        object["primary_window"] = .string(primaryWindow)
        object["windows"] = .array(windowNames.map { .string($0) })
        object["sources"] = .array(sources.map(\.json))
        object["center"] = .object(figuresJSON(center))
        object["queues"] = .array(queues.map(queueJSON))
        object["agents"] = .array(agents.map(agentJSON))
        return .object(object)
    }

    private func queueJSON(_ entry: QueueEntry) -> JSONValue {
        var object: JSONObject = [
            "id": .string(entry.settings.id), "name": .string(entry.settings.name),
            "threshold_seconds": .number(entry.settings.threshold.asSeconds), "target": .number(entry.settings.target),
            "short_abandon_seconds": .number(entry.settings.shortAbandon.asSeconds),
            "abandon_treatment": .string(entry.settings.abandonTreatment.rawValue),
        ]
        for member in figuresJSON(entry.figures).members { object[member.key] = member.value }
        return .object(object)
    }

    private func figuresJSON(_ figures: ScopeFigures) -> JSONObject {
        var object = JSONObject()
        object["waiting_now"] = .int(figures.waitingNow)
        object["longest_wait_seconds"] = .number(figures.longestWait(at: generatedAt).asSeconds)
        object["oldest_queued_at"] = .optional(figures.oldestQueuedAt) { .string(RFC3339.format($0)) }
        object["agents"] = [
            "logged_in": .int(figures.agents.loggedIn), "available": .int(figures.agents.available),
            "ringing": .int(figures.agents.ringing), "on_contact": .int(figures.agents.onContact),
            "wrap_up": .int(figures.agents.wrapUp), "not_ready": .int(figures.agents.notReady),
        ]
        var reasons = JSONObject()
        for (reason, count) in figures.agents.notReadyReasons.sorted(by: { $0.key < $1.key }) {
            reasons[reason] = .int(count)
        }
        object["not_ready_reasons"] = .object(reasons)
        var windows = JSONObject()
        for name in windowNames { windows[name] = (figures.windows[name] ?? WindowMetrics()).json() }
        object["metrics"] = .object(windows)
        return object
    }

    private func agentJSON(_ agent: AgentRecord) -> JSONValue {
        var object: JSONObject = [
            "id": .string(agent.id), "name": .string(agent.name), "team": .optional(agent.team) { .string($0) },
            "queues": .array(agent.queues.map { .string($0) }), "state": .string(agent.state.rawValue),
            "reason": .optional(agent.reason) { .string($0) }, "state_since": .string(RFC3339.format(agent.stateSince)),
        ]
        if let id = agent.contact, let contact = contacts[id] {
            object["contact"] = ["id": .string(id), "queue": .string(contact.queue), "channel": .string(contact.channel.rawValue)]
        } else {
            object["contact"] = .null
        }
        return .object(object)
    }
}

extension Snapshot.SourceStatus {
    var json: JSONValue {
        ["name": .string(name), "kind": .string(kind), "state": .string(state), "detail": .optional(detail) { .string($0) }]
    }
}

extension WindowMetrics {
    /// The metrics object with the keys fixed in the design brief (and more).
    public func json() -> JSONValue {
        [
            "offered": .int(offered), "answered": .int(answered), "abandoned": .int(abandoned),
            "short_abandoned": .int(shortAbandoned), "transferred_out": .int(transferredOut),
            "answered_within_threshold": .int(answeredWithinThreshold),
            "service_level": .number(serviceLevel), "abandon_rate": .number(abandonRate),
            "asa_seconds": .number(averageSpeedOfAnswer), "aht_seconds": .number(averageHandleTime),
            "max_wait_seconds": .number(maxWait.map(\.asSeconds)), "handled": .int(handledCount),
        ]
    }
}

import JSONModel

extension Snapshot {
    /// The JSON form documented in `docs/snapshot.md`.
    ///
    /// `waiting` and `abandoned_today` carry customer ids: a server must drop them (or the ids) for
    /// viewer tokens.
    public func json() -> JSONValue {
        var object = JSONObject()
        object["generated_at"] = .string(RFC3339.format(generatedAt))
        object["primary_window"] = .string(primaryWindow)
        object["windows"] = .array(windowNames.map { .string($0) })
        var starts = JSONObject()
        for name in windowNames { starts[name] = .optional(windowStarts[name]) { .string(RFC3339.format($0)) } }
        object["window_starts"] = .object(starts)
        object["sources"] = .array(sources.map(\.json))
        object["center"] = .object(figuresJSON(center, settings: nil))
        object["queues"] = .array(queues.map(queueJSON))
        object["teams"] = .array(teams.map(groupJSON))
        object["channels"] = .array(channels.map(groupJSON))
        object["segments"] = .array(segments.map(groupJSON))
        object["languages"] = .array(languages.map(groupJSON))
        object["agents"] = .array(agents.map(agentJSON))
        object["waiting"] = .array(waiting.map(waitingJSON))
        object["abandoned_today"] = .array(abandonedToday.map(abandonedJSON))
        object["abandoned_today_counts"] = .object(
            JSONObject(distinctKeys: abandonedTodayCounts.sorted { $0.key < $1.key }.map { ($0.key, .int($0.value)) }))
        return .object(object)
    }

    private func queueJSON(_ entry: QueueEntry) -> JSONValue {
        var object: JSONObject = [
            "id": .string(entry.settings.id), "name": .string(entry.settings.name),
            "threshold_seconds": .number(entry.settings.threshold.asSeconds), "target": .number(entry.settings.target),
            "short_abandon_seconds": .number(entry.settings.shortAbandon.asSeconds),
            "abandon_treatment": .string(entry.settings.abandonTreatment.rawValue),
        ]
        for member in figuresJSON(entry.figures, settings: entry.settings).members { object[member.key] = member.value }
        return .object(object)
    }

    private func groupJSON(_ entry: GroupEntry) -> JSONValue {
        var object: JSONObject = ["id": .string(entry.id)]
        for member in figuresJSON(entry.figures, settings: nil).members { object[member.key] = member.value }
        return .object(object)
    }

    private func figuresJSON(_ figures: ScopeFigures, settings: QueueSettings?) -> JSONObject {
        var object = JSONObject()
        object["waiting_now"] = .int(figures.waitingNow)
        object["longest_wait_seconds"] = .number(figures.longestWait(at: generatedAt).asSeconds)
        object["oldest_queued_at"] = .optional(figures.oldestQueuedAt) { .string(RFC3339.format($0)) }
        object["agents"] = [
            "logged_in": .int(figures.agents.loggedIn), "available": .int(figures.agents.available),
            "ringing": .int(figures.agents.ringing), "on_contact": .int(figures.agents.onContact),
            "wrap_up": .int(figures.agents.wrapUp), "not_ready": .int(figures.agents.notReady),
            "staffed": .int(figures.staffed),
        ]
        var reasons = JSONObject()
        for (reason, count) in figures.agents.notReadyReasons.sorted(by: { $0.key < $1.key }) {
            reasons[reason] = .int(count)
        }
        object["not_ready_reasons"] = .object(reasons)
        var windows = JSONObject()
        for name in windowNames {
            let metrics = figures.windows[name] ?? WindowMetrics()
            var json = metrics.jsonObject()
            let erlang = settings.map {
                metrics.erlangJSON(
                    settings: $0, period: (windowLengths[name] ?? 0).asSeconds, staffed: figures.staffed)
            }
            for member in (erlang ?? WindowMetrics.nullErlangJSON).members { json[member.key] = member.value }
            windows[name] = .object(json)
        }
        object["metrics"] = .object(windows)
        return object
    }

    private func agentJSON(_ agent: AgentRecord) -> JSONValue {
        var object: JSONObject = [
            "id": .string(agent.id), "name": .string(agent.name), "team": .optional(agent.team) { .string($0) },
            "queues": .array(agent.queues.map { .string($0) }), "state": .string(agent.state.rawValue),
            "reason": .optional(agent.reason) { .string($0) }, "state_since": .string(RFC3339.format(agent.stateSince)),
            "state_seconds": .number(max(0, generatedAt.since(agent.stateSince)).asSeconds),
            "skills": .object(JSONObject(agent.skills.sorted { $0.key < $1.key }.map { ($0.key, .int($0.value)) })),
            "languages": .array(agent.languages.map { .string($0) }),
        ]
        if let id = agent.contact, let contact = contacts[id] {
            object["contact"] = [
                "id": .string(id), "queue": .string(contact.queue), "channel": .string(contact.channel.rawValue),
                "phase": .string(contact.phase.rawValue),
            ]
        } else {
            object["contact"] = .null
        }
        return .object(object)
    }

    private func waitingJSON(_ contact: LiveContact) -> JSONValue {
        [
            "contact": .string(contact.id), "queue": .string(contact.queue), "channel": .string(contact.channel.rawValue),
            "customer": .optional(contact.customer?.id) { .string($0) },
            "segment": .optional(contact.customer?.segment) { .string($0) },
            "language": .optional(contact.language) { .string($0) }, "reason": .optional(contact.reason) { .string($0) },
            "priority": .optional(contact.priority) { .int($0) },
            "queued_at": .string(RFC3339.format(contact.queuedAt)),
            "wait_seconds": .number(max(0, generatedAt.since(contact.queuedAt)).asSeconds),
        ]
    }

    private func abandonedJSON(_ contact: AbandonedContact) -> JSONValue {
        [
            "contact": .string(contact.contact), "customer": .optional(contact.customer?.id) { .string($0) },
            "segment": .optional(contact.customer?.segment) { .string($0) }, "queue": .string(contact.queue),
            "channel": .string(contact.channel.rawValue), "wait_seconds": .number(contact.wait.asSeconds),
            "at": .string(RFC3339.format(contact.at)),
        ]
    }
}

extension JSONObject {
    init(_ pairs: [(String, JSONValue)]) {
        self.init()
        for (key, value) in pairs { self[key] = value }
    }
}

extension Snapshot.SourceStatus {
    var json: JSONValue {
        ["name": .string(name), "kind": .string(kind), "state": .string(state), "detail": .optional(detail) { .string($0) }]
    }
}

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
        object["center"] = .object(figuresJSON(center, settings: nil, clocked: true))
        object["queues"] = .array(queues.map { queueJSON($0, clocked: true) })
        object["teams"] = .array(teams.map { groupJSON($0, clocked: true) })
        if !queueGroups.isEmpty { object["queue_groups"] = .array(queueGroups.map { queueGroupJSON($0, clocked: true) }) }
        object["channels"] = .array(channels.map { groupJSON($0, clocked: true) })
        object["segments"] = .array(segments.map { groupJSON($0, clocked: true) })
        object["languages"] = .array(languages.map { groupJSON($0, clocked: true) })
        object["agents"] = .array(
            agents.map {
                Self.agentJSON($0, contact: $0.contact.flatMap { contacts[$0] }, at: generatedAt, load: loads[$0.id] ?? [])
            })
        object["waiting"] = .array(waiting.map { Self.waitingJSON($0, at: generatedAt) })
        object["abandoned_today"] = .array(abandonedToday.map(Self.abandonedJSON))
        object["abandoned_today_counts"] = .object(
            JSONObject(distinctKeys: abandonedTodayCounts.sorted { $0.key < $1.key }.map { ($0.key, .int($0.value)) }))
        return .object(object)
    }

    /// One queue's settings and figures as in `queues` of the snapshot. `clocked: false` leaves out
    /// `longest_wait_seconds`, which changes every instant (topics send `oldest_queued_at` only).
    public func queueJSON(_ entry: QueueEntry, clocked: Bool) -> JSONValue {
        var object: JSONObject = [
            "id": .string(entry.settings.id), "name": .string(entry.settings.name),
            "threshold_seconds": .number(entry.settings.threshold.asSeconds), "target": .number(entry.settings.target),
            "short_abandon_seconds": .number(entry.settings.shortAbandon.asSeconds),
            "abandon_treatment": .string(entry.settings.abandonTreatment.rawValue),
            "callback_threshold_seconds": .number(entry.settings.callbackThreshold.asSeconds),
        ]
        for member in figuresJSON(entry.figures, settings: entry.settings, clocked: clocked).members {
            object[member.key] = member.value
        }
        return .object(object)
    }

    /// A team's, channel's, segment's or language's figures (`clocked` as for ``queueJSON(_:clocked:)``).
    public func groupJSON(_ entry: GroupEntry, clocked: Bool) -> JSONValue {
        var object: JSONObject = ["id": .string(entry.id)]
        for member in figuresJSON(entry.figures, settings: nil, clocked: clocked).members { object[member.key] = member.value }
        return .object(object)
    }

    /// Live values and window metrics of a scope (`clocked` as for ``queueJSON(_:clocked:)``).
    public func figuresJSON(_ figures: ScopeFigures, settings: QueueSettings?, clocked: Bool) -> JSONObject {
        var object = JSONObject()
        object["waiting_now"] = .int(figures.waitingNow)
        if clocked { object["longest_wait_seconds"] = .number(figures.longestWait(at: generatedAt).asSeconds) }
        // The REST snapshot only: boards get it from the intervals topics (docs/snapshot.md).
        if clocked, let projection = figures.projection { object["projected_close"] = projection.json() }
        object["oldest_queued_at"] = .optional(figures.oldestQueuedAt) { .string(RFC3339.format($0)) }
        object["callbacks_pending"] = .int(figures.callbacksPending)
        object["oldest_callback_requested_at"] = .optional(figures.oldestCallbackRequestedAt) { .string(RFC3339.format($0)) }
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
            addCostFields(figures, window: name, to: &json)  // Metrics/CostSnapshot.swift
            windows[name] = .object(json)
        }
        object["metrics"] = .object(windows)
        if let currency = currencyJSON { object["currency"] = currency }
        return object
    }

    /// One agent as in `agents` of the snapshot, with `contact` (the agent's current contact, if
    /// any). With `at`, also `state_seconds` (time in state at that instant); topics leave it out and
    /// send `state_since` only, so an agent whose state did not change sends nothing.
    /// `contact` is the agent's latest contact; `contacts` lists the ids of all it holds and `load` how
    /// many of each channel against its capacity (``WallboardEngine/load(of:)``).
    public static func agentJSON(
        _ agent: AgentRecord, contact: LiveContact?, at generatedAt: Instant?, load: [AgentLoad] = []
    ) -> JSONValue {
        var object: JSONObject = [
            "id": .string(agent.id), "name": .string(agent.name), "team": .optional(agent.team) { .string($0) },
            "queues": .array(agent.queues.map { .string($0) }), "state": .string(agent.state.rawValue),
            "reason": .optional(agent.reason) { .string($0) }, "state_since": .string(RFC3339.format(agent.stateSince)),
            "skills": .object(JSONObject(agent.skills.sorted { $0.key < $1.key }.map { ($0.key, .int($0.value)) })),
            "languages": .array(agent.languages.map { .string($0) }),
        ]
        if let generatedAt { object["state_seconds"] = .number(max(0, generatedAt.since(agent.stateSince)).asSeconds) }
        if let id = agent.contact, let contact {
            object["contact"] = [
                "id": .string(id), "queue": .string(contact.queue), "channel": .string(contact.channel.rawValue),
                "phase": .string(contact.phase.rawValue),
            ]
        } else {
            object["contact"] = .null
        }
        object["contacts"] = .array(agent.contacts.map { .string($0) })
        object["load"] = .array(
            load.map { ["channel": .string($0.channel.rawValue), "live": .int($0.live), "capacity": .int($0.capacity)] })
        return .object(object)
    }

    /// One waiting contact as in `waiting` of the snapshot; with `at`, also `wait_seconds` at that
    /// instant (topics send `queued_at` only).
    public static func waitingJSON(_ contact: LiveContact, at generatedAt: Instant?) -> JSONValue {
        var object: JSONObject = [
            "contact": .string(contact.id), "queue": .string(contact.queue), "channel": .string(contact.channel.rawValue),
            "customer": .optional(contact.customer?.id) { .string($0) },
            "segment": .optional(contact.customer?.segment) { .string($0) },
            "language": .optional(contact.language) { .string($0) }, "reason": .optional(contact.reason) { .string($0) },
            "priority": .optional(contact.priority) { .int($0) },
            "queued_at": .string(RFC3339.format(contact.queuedAt)),
        ]
        if let generatedAt { object["wait_seconds"] = .number(max(0, generatedAt.since(contact.queuedAt)).asSeconds) }
        return .object(object)
    }

    /// One entry of `abandoned_today` (its `wait_seconds` is how long the contact had waited: fixed).
    /// `called_back` is `null` until a `contact.callback_*` event names the contact (docs/metrics.md, "Callbacks").
    public static func abandonedJSON(_ contact: AbandonedContact) -> JSONValue {
        [
            "contact": .string(contact.contact), "customer": .optional(contact.customer?.id) { .string($0) },
            "segment": .optional(contact.customer?.segment) { .string($0) }, "queue": .string(contact.queue),
            "channel": .string(contact.channel.rawValue), "wait_seconds": .number(contact.wait.asSeconds),
            "at": .string(RFC3339.format(contact.at)),
            "called_back": .optional(contact.calledBack) { mark in
                [
                    "state": .string(mark.state.rawValue), "at": .string(RFC3339.format(mark.at)),
                    "attempts": .int(mark.attempts), "agent": .optional(mark.agent) { .string($0) },
                    "reason": .optional(mark.reason) { .string($0) },
                ]
            },
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
    /// The source as in `sources` of the snapshot.
    public var json: JSONValue {
        ["name": .string(name), "kind": .string(kind), "state": .string(state), "detail": .optional(detail) { .string($0) }]
    }
}

import JSONModel

/// Engine checkpoints: the whole engine state as a JSON value, so a restart restores it and replays only
/// the journal's tail. See docs/journal.md, "Engine checkpoints".
///
/// Restoring a checkpoint taken at `t` and then applying the events after `t` gives exactly the state
/// (snapshots, counters, duplicate suppression) of applying every event from the start. Every number
/// stored is an integer (milliseconds since the epoch, durations in milliseconds, counts), so a round
/// trip through JSON text loses nothing. The configuration is not stored: it is passed when restoring.
extension WallboardEngine {
    /// The checkpoint format version this build writes and the only one it reads. Version 1 held the
    /// whole day's history; version 2 holds running totals and the last window's entries (issue 14,
    /// engine); version 3 also holds seen ids, finished contacts and last contact by customer as base64
    /// binary records (issue 14, memory); version 4 also holds each agent's several live contacts,
    /// contacts' wrap-up clocks and last activity, late wrap-ups and expired counts (issue 16); version 5
    /// also holds today's and yesterday's closed clock intervals (issue 18); version 6 also pending
    /// callbacks, self-service sessions, the call-back marks of abandoned contacts, and callback and
    /// self-service entries and figures (issue 23; Checkpoint/WallboardEngine+CheckpointCallbacks.swift);
    /// version 7 also the team of each agent's logged-in stretches, for agents' own hourly rates (issue 23;
    /// Metrics/AgentDay+Checkpoint.swift). Version 3 is read as version 4 without them, 4 as 5 without
    /// intervals, 5 as 6 without callbacks, 6 as 7 with each agent's stretches under its team at the restore.
    public static let checkpointVersion: Int64 = 7
    /// The oldest version this build reads (an older checkpoint is skipped: the journal is replayed).
    public static let oldestCheckpointVersion: Int64 = 3
    /// The value of the checkpoint's `format` key.
    public static let checkpointFormat = "wallboardd.engine"

    /// The complete engine state, ready to be written as JSON text.
    public func checkpoint() -> JSONValue {
        var root: JSONObject = [
            "format": .string(Self.checkpointFormat), "version": .integer(Self.checkpointVersion),
        ]
        root["queue_order"] = .array(queueOrder.map { .string($0) })
        root["team_order"] = .array(teamOrder.map { .string($0) })
        root["agents"] = .array(agents.values.sorted { $0.id < $1.id }.map(Self.encode))
        root["contacts"] = .array(contacts.values.sorted { $0.id < $1.id }.map(Self.encode))
        root["abandoned_today"] = .array(abandonedToday.map(Self.encode))
        root["last_contact_by_customer"] = encodeLastContacts()
        root["finished_contacts"] = encodeFinishedContacts()
        root["deferred"] = .array(
            deferred.map { item in
                [
                    "event": EventEncoder.encode(item.event), "received_at": Self.encode(item.receivedAt),
                    "code": .string(item.rejection.code.rawValue), "message": .string(item.rejection.message),
                ]
            })
        root["counters"] = Self.encode(counters)
        root["seen_ids"] = encodeSeenIDs()
        root["history"] = Self.encode(history)
        root["agent_days"] = encodeAgentDays()  // Metrics/AgentDay+Checkpoint.swift
        encodeCallbackState(into: &root)  // Checkpoint/WallboardEngine+CheckpointCallbacks.swift
        return .object(root)
    }

    /// Restores the state of `checkpoint` under `configuration` (which may differ from the one the
    /// checkpoint was taken with: the result is then as if ``reconfigure(_:)`` had been called).
    /// Throws a ``CheckpointError`` naming the key for a damaged, foreign or newer-version checkpoint.
    public init(restoringFrom checkpoint: JSONValue, configuration: EngineConfiguration) throws(CheckpointError) {
        self.init(configuration: configuration)
        let root = CheckpointNode(checkpoint, path: "")
        let format = try root.key("format").string()
        guard format == Self.checkpointFormat else {
            throw try root.key("format").error(.invalidValue, "not an engine checkpoint (\"\(format)\")")
        }
        let versionNode = try root.key("version")
        let version = try versionNode.int64()
        guard version >= 1 else { throw versionNode.error(.invalidValue, "version \(version) does not exist") }
        guard version <= Self.checkpointVersion else {
            throw versionNode.error(
                .unsupportedVersion,
                "checkpoint version \(version) is newer than this build reads (\(Self.checkpointVersion))")
        }
        guard version >= Self.oldestCheckpointVersion else {
            throw versionNode.error(
                .unsupportedVersion,
                "checkpoint version \(version) is older than this build reads (\(Self.oldestCheckpointVersion)): "
                    + "it holds the whole day's history or ids as text; the journal is replayed instead")
        }
        try root.onlyKeys(
            Set([
                "format", "version", "queue_order", "team_order", "agents", "contacts", "abandoned_today",
                "last_contact_by_customer", "finished_contacts", "deferred", "counters", "seen_ids", "history", "agent_days",
            ]).union(Self.callbackCheckpointKeys))

        let storedQueues = try Self.uniqueStrings(root.key("queue_order"))
        let configured = configuration.queues.map(\.id)
        queueOrder = configured + storedQueues.filter { !configured.contains($0) }
        teamOrder = try Self.uniqueStrings(root.key("team_order"))

        for node in try root.key("agents").array() {
            let agent = try Self.decodeAgent(node)
            guard agents[agent.id] == nil else { throw node.error(.invalidValue, "agent \"\(agent.id)\" appears twice") }
            agents[agent.id] = agent
        }
        for node in try root.key("contacts").array() {
            let contact = try Self.decodeContact(node)
            guard contacts[contact.id] == nil else {
                throw node.error(.invalidValue, "contact \"\(contact.id)\" appears twice")
            }
            contacts[contact.id] = contact
        }
        abandonedToday = try root.key("abandoned_today").map(Self.decodeAbandoned)
        try decodeCallbackState(root)
        lastContactByCustomer = try Self.decodeLastContacts(root.key("last_contact_by_customer"))
        finishedContacts = try Self.decodeFinishedContacts(root.key("finished_contacts"))
        deferred = try root.key("deferred").map(Self.decodeDeferred)
        heldIndex = HeldIndex(deferred.map(\.event))
        counters = try Self.decodeCounters(root.key("counters"))
        guard counters.deferred == deferred.count else {
            throw try root.key("counters").key("deferred").error(
                .invalidValue, "\(counters.deferred) held-back events counted but \(deferred.count) stored")
        }

        seenEventIDs = try Self.decodeSeenIDs(root.key("seen_ids"), calendar: configuration.calendar)

        // Rolling windows are rebuilt under `configuration`; "today" and "interval" keep what was judged
        // under the settings in force when each contact left, as after ``reconfigure(_:)``.
        history = try Self.decodeHistory(root.key("history"), configuration: configuration, settings: settings)
        agentDays = try Self.decodeAgentDays(
            root.optionalKey("agent_days"), keep: configuration.longestWindow.adding(MetricsHistory.rewindAllowance),
            legacyTeams: version < 7 ? agents.compactMapValues(\.team) : nil)
        rebuildStaffedCounts()  // Metrics/IntervalHistory+Engine.swift
    }

    // MARK: - Encoding

    static func encode(_ instant: Instant) -> JSONValue { .integer(instant.milliseconds) }
    static func encode(_ instant: Instant?) -> JSONValue { instant.map { .integer($0.milliseconds) } ?? .null }
    static func encode(_ string: String?) -> JSONValue { string.map { .string($0) } ?? .null }
    static func encode(_ customer: Customer?) -> JSONValue {
        guard let customer else { return .null }
        return [encode(customer.id), encode(customer.segment)]
    }

    private static func encode(_ agent: AgentRecord) -> JSONValue {
        var object: JSONObject = [
            "id": .string(agent.id), "name": .string(agent.name), "queues": .array(agent.queues.map { .string($0) }),
        ]
        if let team = agent.team { object["team"] = .string(team) }
        if !agent.skills.isEmpty {
            var skills = JSONObject()
            for (queue, level) in agent.skills.sorted(by: { $0.key < $1.key }) { skills[queue] = .int(level) }
            object["skills"] = .object(skills)
        }
        if !agent.languages.isEmpty { object["languages"] = .array(agent.languages.map { .string($0) }) }
        object["state"] = .string(agent.state.rawValue)
        if let reason = agent.reason { object["reason"] = .string(reason) }
        object["since"] = encode(agent.stateSince)
        if !agent.contacts.isEmpty { object["contacts"] = .array(agent.contacts.map { .string($0) }) }
        return .object(object)
    }

    static func encode(_ contact: LiveContact) -> JSONValue {
        var object: JSONObject = [
            "id": .string(contact.id), "queue": .string(contact.queue), "channel": .string(contact.channel.rawValue),
            "phase": .string(contact.phase.rawValue), "queued_at": encode(contact.queuedAt),
        ]
        if contact.customer != nil { object["customer"] = encode(contact.customer) }
        if let language = contact.language { object["language"] = .string(language) }
        if let reason = contact.reason { object["reason"] = .string(reason) }
        if let priority = contact.priority { object["priority"] = .int(priority) }
        if let answeredAt = contact.answeredAt { object["answered_at"] = encode(answeredAt) }
        if let agent = contact.agent { object["agent"] = .string(agent) }
        if let monitor = contact.monitor { object["monitor"] = [.string(monitor.kind), .string(monitor.target)] }
        if let team = contact.team { object["team"] = .string(team) }
        if contact.isRepeat { object["repeat"] = true }
        if contact.holdTotal != 0 { object["hold_total"] = .integer(contact.holdTotal) }
        if let heldSince = contact.heldSince { object["held_since"] = encode(heldSince) }
        if let endedAt = contact.endedAt { object["ended_at"] = encode(endedAt) }
        if contact.wrapUpTotal != 0 { object["wrap_up_total"] = .integer(contact.wrapUpTotal) }
        if let since = contact.wrapUpSince { object["wrap_up_since"] = encode(since) }
        if let touchedAt = contact.touchedAt { object["touched_at"] = encode(touchedAt) }
        return .object(object)
    }

    private static func encode(_ item: AbandonedContact) -> JSONValue {
        [
            .string(item.contact), encode(item.customer), .string(item.queue), .string(item.channel.rawValue),
            .integer(item.wait), encode(item.at),
        ]
    }

    private static func encode(_ counters: EngineCounters) -> JSONValue {
        var applied = JSONObject()
        for (type, count) in counters.applied.sorted(by: { $0.key < $1.key }) { applied[type] = .int(count) }
        var rejected = JSONObject()
        for (code, count) in counters.rejected.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
            rejected[code.rawValue] = .int(count)
        }
        return [
            "applied": .object(applied), "duplicates": .int(counters.duplicates), "rejected": .object(rejected),
            "clamped_from_future": .int(counters.clampedFromFuture), "surveys": .int(counters.surveys),
            "deferred": .int(counters.deferred), "late_wrapups": .int(counters.lateWrapUps),
            "expired": .int(counters.expired),
        ]
    }

    /// One history entry as a tuple whose first element says its kind (see ``decodeEntry(_:)``).
    static func encode(_ entry: TimelineEntry) -> JSONValue {
        switch entry {
        case .departure(let r):
            return [
                "departure", .string(r.contact), .string(r.queue), .string(r.channel.rawValue), .string(r.outcome.rawValue),
                encode(r.leftAt), .integer(r.wait), encode(r.customer), encode(r.language), encode(r.reason),
                encode(r.agent), encode(r.team), .bool(r.isRepeat),
            ]
        case .handled(let r):
            return [
                "handled", .string(r.contact), .string(r.queue), .string(r.agent), encode(r.finishedAt), .integer(r.talk),
                .integer(r.hold), .integer(r.wrapUp), .string(r.channel.rawValue), encode(r.team), encode(r.segment),
                encode(r.language),
            ]
        case .transfer(let r):
            return ["transfer", .string(r.contact), .string(r.fromQueue), .string(r.channel.rawValue), encode(r.team), encode(r.at)]
        case .survey(let r):
            return [
                "survey", .string(r.survey.contact), .optional(r.survey.csat) { .int($0) },
                .optional(r.survey.ces) { .int($0) }, .optional(r.survey.resolved) { .bool($0) }, encode(r.at),
                encode(r.queue), encode(r.channel?.rawValue), encode(r.team), encode(r.segment), encode(r.language),
            ]
        case .agentSpan(let span):
            return [
                "span", .string(span.agent), encode(span.team), .array(span.queues.map { .string($0) }),
                .string(span.state.rawValue), encode(span.from), encode(span.to),
            ]
        case .callback, .selfService:
            return encodeCallbackEntry(entry)!  // Checkpoint/WallboardEngine+CheckpointCallbacks.swift
        }
    }

    static func encode(_ metrics: WindowMetrics) -> JSONValue {
        var object = JSONObject()
        for (name, path) in WindowMetrics.checkpointCounts where metrics[keyPath: path] != 0 {
            object[name] = .int(metrics[keyPath: path])
        }
        for (name, path) in WindowMetrics.checkpointDurations where metrics[keyPath: path] != 0 {
            object[name] = .integer(metrics[keyPath: path])
        }
        if let maxWait = metrics.maxWait { object["max_wait"] = .integer(maxWait) }
        for (name, mix) in [("channel_mix", metrics.channelMix), ("reason_mix", metrics.reasonMix)] where !mix.isEmpty {
            var members = JSONObject()
            for (key, count) in mix.sorted(by: { $0.key < $1.key }) { members[key] = .int(count) }
            object[name] = .object(members)
        }
        encodeCallbackFigures(metrics, into: &object)
        return .object(object)
    }

    // MARK: - Decoding

    static func uniqueStrings(_ node: CheckpointNode) throws(CheckpointError) -> [String] {
        var seen = Set<String>()
        var result: [String] = []
        for element in try node.array() {
            let value = try element.string()
            guard seen.insert(value).inserted else { throw element.error(.invalidValue, "\"\(value)\" appears twice") }
            result.append(value)
        }
        return result
    }

    private static func decodeCustomer(_ node: CheckpointNode) throws(CheckpointError) -> Customer? {
        if node.isNull { return nil }
        let fields = try node.tuple(["id", "segment"])
        return Customer(id: try fields[0].optionalString(), segment: try fields[1].optionalString())
    }

    private static func decodeAgent(_ node: CheckpointNode) throws(CheckpointError) -> AgentRecord {
        // Version 3 held at most one contact, as "contact".
        var contacts = try node.optionalKey("contacts")?.strings() ?? []
        if let single = try node.optionalKey("contact") { contacts = [try single.string()] }
        try node.onlyKeys(["id", "name", "team", "queues", "skills", "languages", "state", "reason", "since", "contact", "contacts"])
        var skills: [String: Int] = [:]
        for (queue, level) in try node.optionalKey("skills")?.members() ?? [] { skills[queue] = try level.int() }
        return AgentRecord(
            id: try node.key("id").string(), name: try node.key("name").string(),
            team: try node.optionalKey("team")?.string(), queues: try node.key("queues").strings(), skills: skills,
            languages: try node.optionalKey("languages")?.strings() ?? [], state: try node.key("state").oneOf(AgentState.self),
            reason: try node.optionalKey("reason")?.string(), stateSince: try node.key("since").instant(),
            contacts: contacts)
    }

    static func decodeContact(_ node: CheckpointNode) throws(CheckpointError) -> LiveContact {
        try node.onlyKeys([
            "id", "queue", "channel", "phase", "queued_at", "customer", "language", "reason", "priority", "answered_at",
            "agent", "monitor", "team", "repeat", "hold_total", "held_since", "ended_at",
            "wrap_up_total", "wrap_up_since", "touched_at",
        ])
        var contact = LiveContact(
            id: try node.key("id").string(), queue: try node.key("queue").string(),
            channel: try node.key("channel").oneOf(Channel.self),
            customer: try node.optionalKey("customer").map { n throws(CheckpointError) in try decodeCustomer(n) } ?? nil,
            language: try node.optionalKey("language")?.string(), reason: try node.optionalKey("reason")?.string(),
            priority: try node.optionalKey("priority")?.int(), phase: try node.key("phase").oneOf(LiveContact.Phase.self),
            queuedAt: try node.key("queued_at").instant(), answeredAt: try node.optionalKey("answered_at")?.instant(),
            agent: try node.optionalKey("agent")?.string())
        if let monitor = try node.optionalKey("monitor") {
            let fields = try monitor.tuple(["kind", "target"])
            contact.monitor = MonitorHandle(kind: try fields[0].string(), target: try fields[1].string())
        }
        contact.team = try node.optionalKey("team")?.string()
        contact.isRepeat = try node.optionalKey("repeat")?.bool() ?? false
        contact.holdTotal = try node.optionalKey("hold_total")?.int64() ?? 0
        contact.heldSince = try node.optionalKey("held_since")?.instant()
        contact.endedAt = try node.optionalKey("ended_at")?.instant()
        contact.wrapUpTotal = try node.optionalKey("wrap_up_total")?.int64() ?? 0
        contact.wrapUpSince = try node.optionalKey("wrap_up_since")?.instant()
        contact.touchedAt = try node.optionalKey("touched_at")?.instant()
        return contact
    }

    private static func decodeAbandoned(_ node: CheckpointNode) throws(CheckpointError) -> AbandonedContact {
        let fields = try node.tuple(["contact", "customer", "queue", "channel", "wait", "at"])
        return AbandonedContact(
            contact: try fields[0].string(), customer: try decodeCustomer(fields[1]), queue: try fields[2].string(),
            channel: try fields[3].oneOf(Channel.self), wait: try fields[4].int64(), at: try fields[5].instant())
    }

    private static func decodeDeferred(_ node: CheckpointNode) throws(CheckpointError)
        -> (event: Event, receivedAt: Instant, rejection: EventRejection)
    {
        try node.onlyKeys(["event", "received_at", "code", "message"])
        let eventNode = try node.key("event")
        let event: Event
        do {
            event = try EventDecoder.decode(eventNode.value, limits: .unlimited)  // accepted before: never re-judged
        } catch {
            throw eventNode.error(.invalidValue, "not a valid event: \(error.message)")
        }
        let rejection = EventRejection(try node.key("code").oneOf(EventRejection.Code.self), try node.key("message").string())
        return (event, try node.key("received_at").instant(), rejection)
    }

    private static func decodeCounters(_ node: CheckpointNode) throws(CheckpointError) -> EngineCounters {
        try node.onlyKeys(["applied", "duplicates", "rejected", "clamped_from_future", "surveys", "deferred", "late_wrapups", "expired"])
        var counters = EngineCounters()
        for (type, count) in try node.key("applied").members() { counters.applied[type] = try count.count() }
        for (code, count) in try node.key("rejected").members() {
            guard let known = EventRejection.Code(rawValue: code) else {
                throw count.error(.invalidValue, "unknown rejection code")
            }
            counters.rejected[known] = try count.count()
        }
        counters.duplicates = try node.key("duplicates").count()
        counters.clampedFromFuture = try node.key("clamped_from_future").count()
        counters.surveys = try node.key("surveys").count()
        counters.deferred = try node.key("deferred").count()
        counters.lateWrapUps = try node.optionalKey("late_wrapups")?.count() ?? 0
        counters.expired = try node.optionalKey("expired")?.count() ?? 0
        return counters
    }

    static func decodeScope(_ node: CheckpointNode) throws(CheckpointError) -> ScopeKey {
        let name = try node.string()
        if name == "center" { return .center }
        guard let colon = name.firstIndex(of: ":") else { throw node.error(.invalidValue, "unknown scope \"\(name)\"") }
        let id = String(name[name.index(after: colon)...])
        switch name[..<colon] {
        case "queue": return .queue(id)
        case "team": return .team(id)
        case "channel": return .channel(id)
        case "segment": return .segment(id)
        case "language": return .language(id)
        default: throw node.error(.invalidValue, "unknown scope \"\(name)\"")
        }
    }

    static func decodeMetrics(_ node: CheckpointNode) throws(CheckpointError) -> WindowMetrics {
        var metrics = WindowMetrics()
        let counts = Dictionary(uniqueKeysWithValues: WindowMetrics.checkpointCounts.map { ($0.0, $0.1) })
        let durations = Dictionary(uniqueKeysWithValues: WindowMetrics.checkpointDurations.map { ($0.0, $0.1) })
        for (name, value) in try node.members() {
            if let path = counts[name] {
                metrics[keyPath: path] = try value.count()
            } else if let path = durations[name] {
                metrics[keyPath: path] = try value.int64()
            } else if name == "max_wait" {
                metrics.maxWait = try value.int64()
            } else if name == "channel_mix" || name == "reason_mix" {
                var mix: [String: Int] = [:]
                for (key, count) in try value.members() { mix[key] = try count.count() }
                if name == "channel_mix" { metrics.channelMix = mix } else { metrics.reasonMix = mix }
            } else if try decodeCallbackFigures(name, value, into: &metrics) {
                continue
            } else {
                throw value.error(.invalidValue, "unknown key")
            }
        }
        return metrics
    }

    static func decodeEntry(_ node: CheckpointNode) throws(CheckpointError) -> TimelineEntry {
        let elements = try node.array()
        guard let kindNode = elements.first else { throw node.error(.invalidValue, "empty entry") }
        let kind = try CheckpointNode(kindNode.value, path: kindNode.path, label: "kind").string()
        switch kind {
        case "departure":
            let f = try node.tuple([
                "kind", "contact", "queue", "channel", "outcome", "left_at", "wait", "customer", "language", "reason",
                "agent", "team", "repeat",
            ])
            return .departure(
                QueueDeparture(
                    contact: try f[1].string(), queue: try f[2].string(), channel: try f[3].oneOf(Channel.self),
                    outcome: try f[4].oneOf(QueueDeparture.Outcome.self), leftAt: try f[5].instant(), wait: try f[6].int64(),
                    customer: try decodeCustomer(f[7]), language: try f[8].optionalString(), reason: try f[9].optionalString(),
                    agent: try f[10].optionalString(), team: try f[11].optionalString(), isRepeat: try f[12].bool()))
        case "handled":
            let f = try node.tuple([
                "kind", "contact", "queue", "agent", "finished_at", "talk", "hold", "wrap_up", "channel", "team", "segment",
                "language",
            ])
            return .handled(
                HandledContact(
                    contact: try f[1].string(), queue: try f[2].string(), agent: try f[3].string(),
                    finishedAt: try f[4].instant(), talk: try f[5].int64(), hold: try f[6].int64(), wrapUp: try f[7].int64(),
                    channel: try f[8].oneOf(Channel.self), team: try f[9].optionalString(), segment: try f[10].optionalString(),
                    language: try f[11].optionalString()))
        case "transfer":
            let f = try node.tuple(["kind", "contact", "from_queue", "channel", "team", "at"])
            return .transfer(
                TransferRecord(
                    contact: try f[1].string(), fromQueue: try f[2].string(), channel: try f[3].oneOf(Channel.self),
                    team: try f[4].optionalString(), at: try f[5].instant()))
        case "survey":
            let f = try node.tuple([
                "kind", "contact", "csat", "ces", "resolved", "at", "queue", "channel", "team", "segment", "language",
            ])
            return .survey(
                SurveyRecord(
                    survey: SurveyResult(
                        contact: try f[1].string(), csat: try f[2].optionalInt(), ces: try f[3].optionalInt(),
                        resolved: try f[4].optionalBool()), at: try f[5].instant(), queue: try f[6].optionalString(),
                    channel: try f[7].optionalOneOf(Channel.self), team: try f[8].optionalString(),
                    segment: try f[9].optionalString(), language: try f[10].optionalString()))
        case "span":
            let f = try node.tuple(["kind", "agent", "team", "queues", "state", "from", "to"])
            let span = AgentStateSpan(
                agent: try f[1].string(), team: try f[2].optionalString(), queues: try f[3].strings(),
                state: try f[4].oneOf(AgentState.self), from: try f[5].instant(), to: try f[6].instant())
            guard span.from <= span.to else { throw f[6].error(.invalidValue, "a span cannot end before it starts") }
            return .agentSpan(span)
        default:
            if let entry = try decodeCallbackEntry(kind: kind, node) { return entry }
            throw kindNode.error(.invalidValue, "unknown entry kind \"\(kind)\"")
        }
    }
}

extension WindowMetrics {
    /// Every `Int` field, by its checkpoint key. A test checks these lists cover every stored property.
    static var checkpointCounts: [(String, WritableKeyPath<WindowMetrics, Int>)] {
        [
        ("offered", \.offered), ("answered", \.answered), ("abandoned", \.abandoned),
        ("short_abandoned", \.shortAbandoned), ("transferred_out", \.transferredOut), ("expired", \.expired),
        ("answered_within_threshold", \.answeredWithinThreshold),
        ("abandoned_within_threshold", \.abandonedWithinThreshold), ("sl_numerator", \.serviceLevelNumerator),
        ("sl_denominator", \.serviceLevelDenominator), ("repeat_contacts", \.repeatContacts), ("transfers", \.transfers),
        ("handled", \.handledCount), ("csat_count", \.csatCount), ("csat_sum", \.csatSum),
        ("csat_satisfied", \.csatSatisfied), ("ces_count", \.cesCount), ("ces_sum", \.cesSum),
        ("resolved_answers", \.resolvedAnswers), ("resolved_yes", \.resolvedYes),
        ]
    }
    /// Every `Millis` field but `maxWait`, by its checkpoint key.
    static var checkpointDurations: [(String, WritableKeyPath<WindowMetrics, Millis>)] {
        [
        ("total_answer_wait", \.totalAnswerWait), ("total_talk", \.totalTalk), ("total_hold", \.totalHold),
        ("total_wrap_up", \.totalWrapUp), ("handling_time", \.handlingTime), ("available_time", \.availableTime),
        ("logged_in_time", \.loggedInTime),
        ]
    }
}

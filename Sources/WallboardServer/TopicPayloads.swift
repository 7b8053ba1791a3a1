import JSONC
import JSONModel
import WallboardCore

/// Builds the WebSocket topics boards subscribe to (see `docs/protocol.md`) from the engine's
/// state: `center`, `groups`, `queue:<id>`, `team:<id>`, `agents`, `agents:<queue or team id>`,
/// and `snapshot` for scripts. Engine queue only.
///
/// Only the topics asked for are built, and one is published only when what it shows changed: each
/// topic keeps the values it last published (figures, contacts, agent records, all `Equatable`) and
/// compares them, without building JSON to compare. Topic payloads carry instants (`state_since`,
/// `queued_at`, `oldest_queued_at`), never clock-derived seconds, so an unchanged queue sends nothing.
/// Agent lists and queues go out as deltas after their first whole payload, carrying only what changed
/// (an agent's changed fields, a queue's changed values, lists as edits: ``TopicDeltas``); a queue's
/// window figures (most of its payload, and moving with every instant) at most every ``windowPeriod``.
public struct TopicPayloads {
    /// What the engine service adds to the engine's state.
    struct Context {
        var centerName: String
        var sources: [Snapshot.SourceStatus]
        /// Per queue: the service level below which boards show red.
        var warningLevels: [String: Double]
        /// Set while today's figures start after the day did (see ``DayCoverage``).
        var partialDay: DayCoverage? = nil
        /// What the daemon holds of the same weekday last week (LastWeekIntervals.swift), for the interval topics.
        var lastWeek: LastWeekIntervals.Status? = nil
    }

    /// The fields of an agent's JSON: its record and its current contact, if any.
    struct AgentKey: Equatable {
        var record: AgentRecord
        var contact: LiveContact?
        var load: [AgentLoad] = []

        static func == (lhs: AgentKey, rhs: AgentKey) -> Bool {
            guard lhs.record == rhs.record, lhs.load == rhs.load else { return false }
            // Only these of the contact are shown (`docs/snapshot.md`, agents[].contact).
            return lhs.contact?.id == rhs.contact?.id && lhs.contact?.queue == rhs.contact?.queue
                && lhs.contact?.channel == rhs.contact?.channel && lhs.contact?.phase == rhs.contact?.phase
        }
    }

    fileprivate struct CenterState: Equatable {
        var name: String
        var sources: [Snapshot.SourceStatus]
        var primaryWindow: String
        var windowNames: [String]
        var figures: Snapshot.ScopeFigures
        var queues: [QueueSettings]
        var teams: [String]
        var partialDay: DayCoverage?
        var queueGroups: [Snapshot.QueueGroupEntry] = []
    }

    fileprivate struct QueueState: Equatable {
        var entry: Snapshot.QueueEntry
        var warningLevel: Double
        var waiting: [LiveContact]
        var abandoned: [AbandonedContact]
        var abandonedCount: Int
    }

    fileprivate struct GroupsState: Equatable {
        var channels: [Snapshot.GroupEntry]
        var segments: [Snapshot.GroupEntry]
        var languages: [Snapshot.GroupEntry]
    }

    private enum Published {
        /// The state as the client has it (window figures as last sent) and its payload so.
        case center(CenterState, sent: JSONObject)
        /// The state as the client has it (window figures as last sent) and its `queue` object so.
        case queue(QueueState, sent: JSONObject)
        /// The state and the payload's text as last published.
        case team(Snapshot.GroupEntry, sent: String)
        case groups(GroupsState, sent: String)
        /// Each member as published, by id.
        case agents([String: TopicDeltas.EncodedObject])
        case snapshot(JSONValue)
    }

    /// What each topic last published, and when.
    private var published: [String: Published] = [:]
    private var publishedAt: [String: Instant] = [:]
    /// How often a topic whose window figures alone changed is published: they move with every
    /// instant (windows slide, agents' time in state accrues), live values and lists do not.
    static let windowPeriod: Millis = 1000
    /// Each agent's JSON, field by field, re-encoded only when the agent changes, and then only the
    /// fields that changed (shared by all agent topics).
    private var agentText: [String: (key: AgentKey, encoded: TopicDeltas.EncodedObject)] = [:]
    /// The supervisors' `interactions` topic (Console/InteractionsTopic.swift).
    private var interactions = InteractionsTopic()
    /// The `intervals:<scope>` topics (IntervalsAPI+Topic.swift).
    private var intervalTopics = IntervalsTopic()
    /// When each window-limited topic (``TopicWindows``) was last built: one nobody has built for
    /// ``cutMemory`` is forgotten (a name is any list of windows: what they left must not pile up).
    private var cutBuiltAt: [String: Instant] = [:]
    static let cutMemory: Millis = 10_000

    /// Every topic of `engine` at `now`, whole (fixtures, tests).
    public static func everyTopic(
        of engine: WallboardEngine, now: Instant, centerName: String = "wallboard"
    ) -> [(topic: String, update: TopicHub.Update)] {
        var payloads = TopicPayloads()
        let names = Self.names(of: engine)
        return payloads.build(
            names, fresh: names, engine: engine, snapshot: engine.snapshot(now: now), now: now,
            context: Context(centerName: centerName, sources: [], warningLevels: [:]))
    }

    /// ``names(of:)`` as last built, and the queues and teams it was built from.
    private var knownNames: (queues: [String], teams: [String], names: Set<String>)?

    /// ``names(of:)``, built again only when the engine's queues or teams changed (a configuration
    /// change): the engine service and ``build(_:fresh:engine:snapshot:now:context:)`` both need it at
    /// every publish cycle, and the same set each time lets the hub see at once that nothing changed.
    mutating func currentNames(of engine: WallboardEngine) -> Set<String> {
        if let known = knownNames, known.queues == engine.queueOrder, known.teams == engine.teamOrder { return known.names }
        let names = Self.names(of: engine)
        knownNames = (engine.queueOrder, engine.teamOrder, names)
        return names
    }

    /// Every topic name the engine can build now (what `hello.topics` lists and `unknown_topic` checks).
    public static func names(of engine: WallboardEngine) -> Set<String> {
        var names: Set<String> = ["snapshot", "center", "groups", "agents", "interactions"]
        for id in engine.queueOrder {
            names.insert("queue:\(id)")
            names.insert("agents:\(id)")
        }
        for id in engine.teamOrder {
            names.insert("team:\(id)")
            names.insert("agents:\(id)")
        }
        names.formUnion(IntervalsTopic.names(of: engine))
        return names
    }

    /// Whether building `topics` needs the engine's figures (a ``Snapshot``), not only its agents.
    static func needsSnapshot(_ topics: Set<String>) -> Bool {
        topics.contains { !($0 == "agents" || $0.hasPrefix("agents:") || $0 == "interactions") }
    }

    /// Builds `topics` and returns those that changed since they were last built (all of `fresh`,
    /// whole). `snapshot` must be given when ``needsSnapshot(_:)`` says so. Forgets topics that are
    /// no longer known.
    mutating func build(
        _ topics: Set<String>, fresh: Set<String>, engine: WallboardEngine, snapshot: Snapshot?, now: Instant,
        context: Context
    ) -> [(topic: String, update: TopicHub.Update)] {
        let known = currentNames(of: engine)
        // A window-limited topic is known while its base is (its windows were checked at subscribe).
        let cuts = Dictionary(uniqueKeysWithValues: topics.compactMap { topic -> (String, TopicWindows)? in
            guard !known.contains(topic), let cut = TopicWindows(topic), known.contains(cut.base) else { return nil }
            return (topic, cut)
        })
        for topic in cuts.keys { cutBuiltAt[topic] = now }
        if cutBuiltAt.values.contains(where: { now.since($0) >= Self.cutMemory }) {
            cutBuiltAt = cutBuiltAt.filter { now.since($0.value) < Self.cutMemory }
        }
        let kept = cutBuiltAt
        let isKnown = { (topic: String) in known.contains(topic) || kept[topic] != nil }
        // Copied only when something is to go (most cycles nothing is).
        if published.keys.contains(where: { !isKnown($0) }) { published = published.filter { isKnown($0.key) } }
        if publishedAt.keys.contains(where: { !isKnown($0) }) { publishedAt = publishedAt.filter { isKnown($0.key) } }
        intervalTopics.forget(except: known)
        for topic in fresh { published[topic] = nil }
        if agentText.count > engine.agents.count {
            agentText = agentText.filter { engine.agents[$0.key] != nil }
        }
        var updates: [(String, TopicHub.Update)] = []
        // Each queue's and team's entry and lists, found once for every topic that shows one.
        let scopes = snapshot.map { ScopeIndex($0) }
        for topic in topics.sorted() where known.contains(topic) || cuts[topic] != nil {
            let update: TopicHub.Update?
            if topic.hasPrefix("intervals:") {
                update = snapshot.flatMap { intervalTopics.update(
                    topic, engine: engine, snapshot: $0, now: now, fresh: fresh.contains(topic), lastWeek: context.lastWeek) }
            } else if topic == "interactions" {
                update = interactions.update(engine: engine, fresh: fresh.contains(topic))
            } else if topic == "agents" || topic.hasPrefix("agents:") {
                update = agents(topic, engine: engine)
            } else if let snapshot, let scopes, let cut = cuts[topic] {
                // The base's payload with the topic's windows only.
                update = figures(topic, base: cut.base, cut: cut, snapshot: snapshot, scopes: scopes, now: now, context: context)
            } else if let snapshot, let scopes {
                update = figures(topic, base: topic, cut: nil, snapshot: snapshot, scopes: scopes, now: now, context: context)
            } else {
                update = nil
            }
            if let update { updates.append((topic, update)) }
        }
        return updates
    }

    // MARK: - Figures

    /// Whether a change from `last` to `state` is published now: at once unless only window figures
    /// changed (`windowless` equal), those at most every ``windowPeriod``.
    private mutating func due<State: Equatable>(
        _ topic: String, _ state: State, last: State?, windowless: (State) -> State, now: Instant
    ) -> Bool {
        guard let last else { return true }
        if last == state { return false }
        if windowless(last) == windowless(state), let at = publishedAt[topic], now.since(at) < Self.windowPeriod {
            return false
        }
        return true
    }

    /// Each queue's and team's entry by id, and the waiting and abandoned contacts by queue: found once per
    /// build, where each queue topic looking through the snapshot's lists made a build O(queues²).
    struct ScopeIndex {
        var queues: [String: Snapshot.QueueEntry] = [:]
        var teams: [String: Snapshot.GroupEntry] = [:]
        var waiting: [String: [LiveContact]] = [:]
        var abandoned: [String: [AbandonedContact]] = [:]

        init(_ snapshot: Snapshot) {
            for entry in snapshot.queues where queues[entry.settings.id] == nil { queues[entry.settings.id] = entry }
            for entry in snapshot.teams where teams[entry.id] == nil { teams[entry.id] = entry }
            for contact in snapshot.waiting { waiting[contact.queue, default: []].append(contact) }
            for contact in snapshot.abandonedToday { abandoned[contact.queue, default: []].append(contact) }
        }
    }

    /// Builds `topic`, the payload of topic `base`: itself, or the base of the window-limited topic `cut`
    /// (whose payload carries its windows only: ``TopicWindows/limit(_:)``, done here for the one scope a
    /// queue or team topic shows instead of copying the snapshot's every queue or team for each).
    private mutating func figures(
        _ topic: String, base: String, cut: TopicWindows?, snapshot whole: Snapshot, scopes: ScopeIndex, now: Instant,
        context: Context
    ) -> TopicHub.Update? {
        var snapshot = whole
        var keep: Set<String>?
        if let cut {
            if base.hasPrefix("queue:") || base.hasPrefix("team:") {
                snapshot.windowNames = cut.windows(primaryWindow: whole.primaryWindow, available: whole.windowNames)
                keep = Set(snapshot.windowNames)
            } else {
                snapshot = cut.limit(whole)
            }
        }
        if base == "snapshot" {
            let json = Self.snapshotJSON(snapshot, context: context)
            var unclocked = json.objectValue ?? JSONObject()
            unclocked["generated_at"] = nil
            if case .snapshot(let last)? = published[topic], last == .object(unclocked) { return nil }
            published[topic] = .snapshot(.object(unclocked))
            return TopicHub.Update(dataJSON: JSONC.encode(json))
        }
        if base == "center" {
            return center(topic, snapshot: snapshot, now: now, context: context)
        }
        if base == "groups" {
            let state = GroupsState(channels: snapshot.channels, segments: snapshot.segments, languages: snapshot.languages)
            var last: GroupsState?
            var sent: String?
            if case .groups(let value, let text)? = published[topic] { (last, sent) = (value, text) }
            guard due(topic, state, last: last, windowless: { $0.windowless }, now: now) else { return nil }
            func scopes(_ entries: [Snapshot.GroupEntry]) -> JSONValue {
                .array(entries.map { .object(TopicPrecision.scope(snapshot.groupJSON($0, clocked: false).objectValue ?? [:])) })
            }
            let dataJSON = JSONC.encode([
                "channels": scopes(state.channels), "segments": scopes(state.segments), "languages": scopes(state.languages),
            ])
            published[topic] = .groups(state, sent: dataJSON)
            // Changed below the figures' precision only: nothing to send.
            guard dataJSON != sent else { return nil }
            publishedAt[topic] = now
            return TopicHub.Update(dataJSON: dataJSON)
        }
        if base.hasPrefix("queue:") {
            let id = String(base.dropFirst("queue:".count))
            guard var entry = scopes.queues[id] else { return nil }
            if let keep { entry.figures = entry.figures.limited(to: keep) }
            let state = QueueState(
                entry: entry, warningLevel: Self.warningLevel(entry.settings, context),
                waiting: scopes.waiting[id] ?? [],
                abandoned: scopes.abandoned[id] ?? [],
                abandonedCount: snapshot.abandonedTodayCounts[id] ?? 0)
            var windowsDue = true
            if case .queue(let last, _)? = published[topic] {
                if last == state { return nil }
                // Live values and lists go at once; the window figures (most of the payload) at most every
                // windowPeriod: until then the client keeps those it has, and so does the whole payload.
                let liveChanged = last.windowless != state.windowless
                windowsDue = last.entry.figures.windows != state.entry.figures.windows
                    && (publishedAt[topic].map { now.since($0) >= Self.windowPeriod } ?? true)
                // Only window figures changed, and they are not due: nothing to build.
                guard liveChanged || windowsDue else { return nil }
            }
            var queue = snapshot.queueJSON(entry, clocked: false).objectValue ?? JSONObject()
            queue["warning_level"] = .number(state.warningLevel)
            queue = TopicPrecision.scope(queue)
            @Sendable func whole(_ queue: JSONObject) -> String {
                JSONC.encode([
                    "queue": .object(queue),
                    "waiting": .array(state.waiting.map { Snapshot.waitingJSON($0, at: nil) }),
                    "abandoned_today": .array(state.abandoned.map(Snapshot.abandonedJSON)),
                    "abandoned_today_count": .int(state.abandonedCount),
                ])
            }
            guard case .queue(let last, let sent)? = published[topic] else {
                published[topic] = .queue(state, sent: queue)
                publishedAt[topic] = now
                return TopicHub.Update(dataJSON: whole(queue))
            }
            var kept = state
            if !windowsDue {
                kept.entry.figures.windows = last.entry.figures.windows
                queue["metrics"] = sent["metrics"]
            } else if queue["metrics"] != sent["metrics"] {
                // Sent only when a figure changed at its precision (TopicPrecision): until then the next
                // change of one may go at once.
                publishedAt[topic] = now
            }
            published[topic] = .queue(kept, sent: queue)
            // Only what changed: of `queue` its changed values (of `metrics` the changed figures of each
            // window, of a count map its changed names), lists as edits of the client's. A change of shape
            // goes whole.
            guard let changedQueue = TopicDeltas.objectChanges(queue, since: sent) else { return TopicHub.Update(dataJSON: whole(queue)) }
            var delta = JSONObject()
            if changedQueue.count > 0 { delta["queue"] = .object(changedQueue) }
            if last.waiting != state.waiting {
                delta["waiting"] = TopicDeltas.listEdits(state.waiting, from: last.waiting, id: \.id) { Snapshot.waitingJSON($0, at: nil) }
            }
            if last.abandoned != state.abandoned {
                delta["abandoned_today"] = TopicDeltas.listEdits(state.abandoned, from: last.abandoned, id: \.contact, json: Snapshot.abandonedJSON)
            }
            if last.abandonedCount != state.abandonedCount { delta["abandoned_today_count"] = .int(state.abandonedCount) }
            // Changed only where no client looks (e.g. a waiting contact's agent): nothing to send.
            guard delta.count > 0 else { return nil }
            // The whole payload only if a board needs it instead of the delta.
            return TopicHub.Update(deltaJSON: JSONC.encode(.object(delta))) { [queue] in whole(queue) }
        }
        if base.hasPrefix("team:") {
            let id = String(base.dropFirst("team:".count))
            guard var entry = scopes.teams[id] else { return nil }
            if let keep { entry.figures = entry.figures.limited(to: keep) }
            var last: Snapshot.GroupEntry?
            var sent: String?
            if case .team(let value, let text)? = published[topic] { (last, sent) = (value, text) }
            guard due(topic, entry, last: last, windowless: { $0.windowless }, now: now) else { return nil }
            let dataJSON = JSONC.encode(["team": .object(TopicPrecision.scope(snapshot.groupJSON(entry, clocked: false).objectValue ?? [:]))])
            published[topic] = .team(entry, sent: dataJSON)
            guard dataJSON != sent else { return nil }
            publishedAt[topic] = now
            return TopicHub.Update(dataJSON: dataJSON)
        }
        return nil
    }

    /// The `center` topic: whole at first, then deltas (docs/protocol.md, "Deltas"): of `center` and each
    /// queue group its changed values, of their window figures the changed ones (at most every
    /// ``windowPeriod``), of count maps the changed names; any other member of the payload when it changed.
    /// `generated_at` goes with every change, and alone it is none.
    private mutating func center(_ topic: String, snapshot: Snapshot, now: Instant, context: Context) -> TopicHub.Update? {
        let state = CenterState(
            name: context.centerName, sources: context.sources, primaryWindow: snapshot.primaryWindow,
            windowNames: snapshot.windowNames, figures: snapshot.center, queues: snapshot.queues.map(\.settings),
            teams: snapshot.teams.map(\.id), partialDay: context.partialDay, queueGroups: snapshot.queueGroups)
        guard case .center(let last, let sent)? = published[topic] else {
            let data = Self.centerJSON(snapshot, context: context)
            published[topic] = .center(state, sent: data)
            publishedAt[topic] = now
            return TopicHub.Update(dataJSON: JSONC.encode(.object(data)))
        }
        if last == state { return nil }
        // As for a queue: live values at once, window figures at most every windowPeriod (and at once
        // when the windows or the groups are others: the figures kept would not fit them).
        let reshaped = last.windowNames != state.windowNames || last.queueGroups.map(\.group.id) != state.queueGroups.map(\.group.id)
        let windowsDue = last.windows != state.windows
            && (reshaped || (publishedAt[topic].map { now.since($0) >= Self.windowPeriod } ?? true))
        guard last.windowless != state.windowless || windowsDue else { return nil }
        var data = Self.centerJSON(snapshot, context: context)
        var kept = state
        if !windowsDue {
            kept.keepWindows(of: last)
            Self.keepWindows(in: &data, from: sent)
        } else if Self.windows(of: data) != Self.windows(of: sent) {
            publishedAt[topic] = now
        }
        guard let changes = TopicDeltas.objectChanges(data, since: sent) else {
            published[topic] = .center(kept, sent: data)
            return TopicHub.Update(dataJSON: JSONC.encode(.object(data)))
        }
        // Changed below the figures' precision, or where no payload looks: the client has it all still.
        guard changes.members.contains(where: { $0.key != "generated_at" }) else {
            published[topic] = .center(kept, sent: sent)
            return nil
        }
        published[topic] = .center(kept, sent: data)
        return TopicHub.Update(deltaJSON: JSONC.encode(.object(changes))) { [data] in JSONC.encode(.object(data)) }
    }

    /// The whole `center` payload, its figures at their precision (``TopicPrecision``).
    private static func centerJSON(_ snapshot: Snapshot, context: Context) -> JSONObject {
        var center = snapshot.figuresJSON(snapshot.center, settings: nil, clocked: false)
        center["name"] = .string(context.centerName)
        context.partialDay?.addFields(to: &center)
        var data: JSONObject = [
            "generated_at": .string(RFC3339.format(snapshot.generatedAt)),
            "primary_window": .string(snapshot.primaryWindow),
            "windows": .array(snapshot.windowNames.map { .string($0) }),
            "sources": .array(context.sources.map(\.json)),
            "center": .object(TopicPrecision.scope(center)),
            "queues": .array(snapshot.queues.map { ["id": .string($0.settings.id), "name": .string($0.settings.name)] }),
            "teams": .array(snapshot.teams.map { .string($0.id) }),
        ]
        if !snapshot.queueGroups.isEmpty {
            data["queue_groups"] = .array(snapshot.queueGroups.map {
                .object(TopicPrecision.scope(snapshot.queueGroupJSON($0, clocked: false).objectValue ?? [:]))
            })
        }
        return data
    }

    /// The window figures of a `center` payload: the center's `metrics`, then each queue group's.
    private static func windows(of data: JSONObject) -> [JSONValue?] {
        [data["center"]?["metrics"]] + (data["queue_groups"]?.arrayValue ?? []).map { $0["metrics"] }
    }

    /// Puts the window figures of `sent` (the same windows and groups) into `data`.
    private static func keepWindows(in data: inout JSONObject, from sent: JSONObject) {
        if var center = data["center"]?.objectValue, let metrics = sent["center"]?["metrics"] {
            center["metrics"] = metrics
            data["center"] = .object(center)
        }
        if let groups = data["queue_groups"]?.arrayValue, let before = sent["queue_groups"]?.arrayValue, groups.count == before.count {
            data["queue_groups"] = .array(zip(groups, before).map { group, old in
                guard var object = group.objectValue, let metrics = old["metrics"] else { return group }
                object["metrics"] = metrics
                return .object(object)
            })
        }
    }

    /// The whole snapshot for scripts (`GET /api/v1/snapshot`, topic `snapshot`): with the clock-derived
    /// seconds, the center's name and each queue's `warning_level`.
    static func snapshotJSON(_ snapshot: Snapshot, context: Context) -> JSONValue {
        guard case .object(var object) = snapshot.json() else { return snapshot.json() }
        if case .object(var center)? = object["center"] {
            center["name"] = .string(context.centerName)
            context.partialDay?.addFields(to: &center)
            object["center"] = .object(center)
        }
        object["queues"] = .array(
            zip(snapshot.queues, object["queues"]?.arrayValue ?? []).map { entry, json in
                guard case .object(var queue) = json else { return json }
                queue["warning_level"] = .number(warningLevel(entry.settings, context))
                return .object(queue)
            })
        return .object(object)
    }

    /// The configured warning level, else the target less 10 points.
    private static func warningLevel(_ settings: QueueSettings, _ context: Context) -> Double {
        context.warningLevels[settings.id] ?? max(0, settings.target - 0.1)
    }

    // MARK: - Agents

    /// `agents` (every logged-in agent) or `agents:<id>` (the agents of queue `<id>`, else of team
    /// `<id>`): the whole list, and the delta from the list last published.
    private mutating func agents(_ topic: String, engine: WallboardEngine) -> TopicHub.Update? {
        let members: [AgentRecord]
        if topic == "agents" {
            members = Array(engine.agents.values)
        } else {
            let id = String(topic.dropFirst("agents:".count))
            if engine.queueOrder.contains(id) {
                members = engine.agents.values.filter { $0.queues.contains(id) }
            } else {
                members = engine.agents.values.filter { $0.team == id }
            }
        }
        var ids: [String] = []
        var current: [String: TopicDeltas.EncodedObject] = [:]
        ids.reserveCapacity(members.count)
        current.reserveCapacity(members.count)
        for agent in members {
            ids.append(agent.id)
            current[agent.id] = encoded(AgentKey(
                record: agent, contact: agent.contact.flatMap { engine.contacts[$0] }, load: engine.load(of: agent)))
        }
        ids.sort()
        var previous: [String: TopicDeltas.EncodedObject]?
        if case .agents(let last)? = published[topic] { previous = last }
        published[topic] = .agents(current)
        // Made when a board needs the whole list (a new subscriber, one that missed a cycle, REST).
        let whole = { @Sendable [ids, current] in #"{"agents":["# + ids.map { current[$0]!.json }.joined(separator: ",") + "]}" }
        guard let previous else { return TopicHub.Update(dataJSON: whole()) }
        // A new member whole, a known one as its id and the fields that changed since it was last published.
        var changes: [String] = []
        for id in ids {
            let now = current[id]!
            guard let before = previous[id] else {
                changes.append(now.json)
                continue
            }
            if before !== now, let change = now.changes(since: before, key: "id") { changes.append(change) }
        }
        let removed = previous.keys.filter { current[$0] == nil }.sorted()
        // Unchanged, or changed only where no client looks: what the client has is the whole list still.
        if changes.isEmpty && removed.isEmpty { return nil }
        let deltaJSON = #"{"agents":["# + changes.joined(separator: ",") + #"],"removed":"#
            + JSONC.encode(.array(removed.map { .string($0) })) + "}"
        return TopicHub.Update(deltaJSON: deltaJSON, whole: whole)
    }

    /// The agent's JSON field by field, encoded once per change of the agent (only its changed fields).
    private mutating func encoded(_ key: AgentKey) -> TopicDeltas.EncodedObject {
        let cached = agentText[key.record.id]
        if let cached, cached.key == key { return cached.encoded }
        let object = Snapshot.agentJSON(key.record, contact: key.contact, at: nil, load: key.load).objectValue ?? JSONObject()
        let encoded = TopicDeltas.EncodedObject(object, reusing: cached?.encoded)
        agentText[key.record.id] = (key, encoded)
        return encoded
    }
}

private extension Snapshot.ScopeFigures {
    /// The live values only (no window figures).
    var windowless: Snapshot.ScopeFigures {
        var figures = self
        figures.windows = [:]
        return figures
    }
}

private extension Snapshot.GroupEntry {
    var windowless: Snapshot.GroupEntry {
        var entry = self
        entry.figures = entry.figures.windowless
        return entry
    }
}

private extension TopicPayloads.CenterState {
    /// The window figures: the center's, then each queue group's.
    var windows: [[String: WindowMetrics]] { [figures.windows] + queueGroups.map(\.figures.windows) }

    /// The window figures of `other` (the same groups) in place of these.
    mutating func keepWindows(of other: Self) {
        figures.windows = other.figures.windows
        for index in queueGroups.indices where index < other.queueGroups.count {
            queueGroups[index].figures.windows = other.queueGroups[index].figures.windows
        }
    }

    var windowless: Self {
        var state = self
        state.figures = state.figures.windowless
        for index in state.queueGroups.indices { state.queueGroups[index].figures = state.queueGroups[index].figures.windowless }
        return state
    }
}

private extension TopicPayloads.QueueState {
    var windowless: Self {
        var state = self
        state.entry.figures = state.entry.figures.windowless
        return state
    }
}

private extension TopicPayloads.GroupsState {
    var windowless: Self {
        Self(channels: channels.map(\.windowless), segments: segments.map(\.windowless), languages: languages.map(\.windowless))
    }
}

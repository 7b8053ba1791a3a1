import JSONModel

/// The queues and teams a token is limited to; ``all`` when it is not limited.
///
/// A scoped token sees a queue when the queue is listed or is served by an agent of a listed team;
/// an agent when the agent's team is listed or the agent serves a listed queue; a team only when it is
/// listed. Center-wide figures (center, channels, segments, languages) span every queue, so a scoped
/// token does not get them.
public struct AccessScope: Sendable, Equatable {
    /// Allowed queue ids, or `nil` for no limit by queue.
    public var queues: Set<String>?
    /// Allowed team ids, or `nil` for no limit by team.
    public var teams: Set<String>?

    /// No limit.
    public static let all = AccessScope()
    /// Sees nothing (a connection whose token could not be re-read).
    public static let nothing = AccessScope(queues: [], teams: [])

    public init(queues: [String]? = nil, teams: [String]? = nil) {
        self.queues = queues.map(Set.init)
        self.teams = teams.map(Set.init)
    }

    /// Whether the token is limited at all.
    public var isLimited: Bool { queues != nil || teams != nil }

    /// Whether a contact in `queue`, handled by an agent of `team`, is visible.
    public func allows(queue: String, team: String? = nil) -> Bool {
        guard isLimited else { return true }
        if queues?.contains(queue) == true { return true }
        if let team, teams?.contains(team) == true { return true }
        return false
    }

    /// Whether a WebSocket topic may be read: `queue:<id>`, `team:<id>` and `agents:<id>` must be in
    /// scope; center-wide topics (`center`, `snapshot`) are filtered by the caller, `alerts` is open.
    public func allows(topic: String) -> Bool {
        guard isLimited, let colon = topic.firstIndex(of: ":") else { return true }
        let kind = topic[..<colon]
        let id = String(topic[topic.index(after: colon)...])
        switch kind {
        case "queue": return queues?.contains(id) == true
        case "team": return teams?.contains(id) == true
        case "agents": return queues?.contains(id) == true || teams?.contains(id) == true
        // Interval history (IntervalsAPI.swift): a listed queue's; the center's spans every queue.
        case "intervals": return id.hasPrefix("queue:") && queues?.contains(String(id.dropFirst("queue:".count))) == true
        default: return true
        }
    }

    /// The snapshot JSON (`docs/snapshot.md`) cut down to this scope. Pure; unlimited scopes return it as is.
    public func filter(snapshot: JSONValue) -> JSONValue {
        guard isLimited, var object = snapshot.objectValue else { return snapshot }
        let agents = object["agents"]?.arrayValue ?? []
        let teamQueues = Set(
            agents.filter { teams?.contains($0["team"]?.stringValue ?? "") == true }
                .flatMap { $0["queues"]?.arrayValue?.compactMap(\.stringValue) ?? [] })
        let visibleQueues = (queues ?? []).union(teamQueues)
        func queueVisible(_ value: JSONValue, key: String) -> Bool {
            visibleQueues.contains(value[key]?.stringValue ?? "")
        }
        func agentVisible(_ agent: JSONValue) -> Bool {
            if teams?.contains(agent["team"]?.stringValue ?? "") == true { return true }
            let served = agent["queues"]?.arrayValue?.compactMap(\.stringValue) ?? []
            return served.contains { queues?.contains($0) == true }
        }
        object["queues"] = .array((object["queues"]?.arrayValue ?? []).filter { queueVisible($0, key: "id") })
        object["teams"] = .array(
            (object["teams"]?.arrayValue ?? []).filter { teams?.contains($0["id"]?.stringValue ?? "") == true })
        object["agents"] = .array(agents.filter(agentVisible))
        object["waiting"] = .array((object["waiting"]?.arrayValue ?? []).filter { queueVisible($0, key: "queue") })
        object["abandoned_today"] = .array(
            (object["abandoned_today"]?.arrayValue ?? []).filter { queueVisible($0, key: "queue") })
        if let counts = object["abandoned_today_counts"]?.objectValue {
            object["abandoned_today_counts"] = .object(
                JSONObject(distinctKeys: counts.members.filter { visibleQueues.contains($0.key) }.map { ($0.key, $0.value) }))
        }
        for key in ["channels", "segments", "languages"] where object[key] != nil { object[key] = .array([]) }
        // A queue group's roll-up spans its member queues: shown only when every member is visible.
        if let groups = object["queue_groups"]?.arrayValue {
            object["queue_groups"] = .array(groups.filter { group in
                (group["queues"]?.arrayValue ?? []).allSatisfy { visibleQueues.contains($0.stringValue ?? "") }
            })
        }
        if let center = object["center"]?.objectValue {
            object["center"] = ["name": center["name"] ?? .null, "scoped": true]
        }
        object["scope"] = [
            "queues": .array(visibleQueues.sorted().map { .string($0) }),
            "teams": .array((teams ?? []).sorted().map { .string($0) }),
        ]
        return .object(object)
    }
}

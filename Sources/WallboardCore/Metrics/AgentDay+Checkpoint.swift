import JSONModel

/// ``AgentDayBook`` in the engine checkpoint (key `agent_days`), so each agent's day survives a restart:
/// `{"day_start": ms, "pruned_at": ms (the last sweep, so a restored book forgets marks when the running one
/// would), "teams": [team], "agents": [{"id", "today": [handled, talk, hold, wrap_up, ring_no_answer, transfers,
/// available, ringing, on_contact, wrap_up_state, not_ready], "not_ready": {reason: ms}, "staffed": [[team, ms]],
/// "marks": [[kind, at, from, state, reason, talk, hold, wrap_up]]}]}`, every number an integer. A span mark's
/// `hold` is its team: 1 + its index in `teams`, 0 for none; `staffed` is today's logged-in time by team (null:
/// none), adding up to today's state times. A checkpoint without the key (written before the console) restores
/// an empty book. One written before version 7 has neither `teams` nor `staffed` (nor teams on its marks): its
/// time is read as under each agent's team at the restore (none for an agent logged out then).
extension WallboardEngine {
    /// The states whose time ``AgentFigures`` keeps, in the checkpoint's order.
    static let agentDayStates: [AgentState] = [.available, .ringing, .onContact, .wrapUp, .notReady]

    func encodeAgentDays() -> JSONValue {
        let agents = agentDays.entries.sorted { $0.key < $1.key }.map { id, entry -> JSONValue in
            let today = entry.today
            let counts: [Int64] = [Int64(today.handled), today.talk, today.hold, today.wrapUp, Int64(today.ringNoAnswer),
                                   Int64(today.transfers)] + Self.agentDayStates.map { today[$0] }
            return [
                "id": .string(id), "today": .array(counts.map { .integer($0) }),
                "not_ready": .object(
                    JSONObject(distinctKeys: today.notReadyByReason.sorted { $0.key < $1.key }.map { ($0.key, .integer($0.value)) })),
                "staffed": .array(
                    entry.todayTeams.times(total: today.loggedIn).map { [Self.encode(agentDays.team(code: $0.team)), .integer($0.time)] }),
                "marks": .array(
                    entry.marks.map { mark in
                        let handled = mark.kind == .handled
                        return [
                            .integer(Int64(mark.kind.rawValue)), .integer(mark.at.milliseconds),
                            .integer(mark.kind == .span ? mark.from.milliseconds : mark.at.milliseconds),
                            .string(mark.state.rawValue), Self.encode(agentDays.reason(of: mark)),
                            .integer(handled ? Int64(mark.first) : 0), .integer(Int64(mark.second)), .integer(Int64(mark.third)),
                        ]
                    }),
            ]
        }
        return [
            "day_start": Self.encode(agentDays.dayStart), "pruned_at": Self.encode(agentDays.prunedAt),
            "teams": .array(agentDays.teams.map { .string($0) }), "agents": .array(agents),
        ]
    }

    /// The book stored at `node`; `legacyTeams` (agent id → team of its live record) for a checkpoint
    /// written before version 7, whose time carries no team (unless its book has `teams` after all: then
    /// it is read as version 7's).
    static func decodeAgentDays(
        _ node: CheckpointNode?, keep: Millis, legacyTeams olderTeams: [String: String]? = nil
    ) throws(CheckpointError) -> AgentDayBook {
        guard let node else { return AgentDayBook(keep: keep) }
        let legacyTeams = try node.optionalKey("teams") == nil ? olderTeams : nil
        try node.onlyKeys(legacyTeams == nil ? ["day_start", "pruned_at", "teams", "agents"] : ["day_start", "pruned_at", "agents"])
        var entries: [String: AgentDayBook.Entry] = [:]
        var reasons: [String] = []
        var reasonIDs: [String: UInt16] = [:]
        let teams: [String]
        if let legacyTeams {
            teams = Array(Set(legacyTeams.values)).sorted()
        } else {
            teams = try uniqueStrings(node.key("teams"))
        }
        let teamCodes = Dictionary(uniqueKeysWithValues: teams.enumerated().map { ($1, UInt32($0 + 1)) })
        /// A stored team code, checked against the table.
        func teamCode(_ node: CheckpointNode) throws(CheckpointError) -> UInt32 {
            let value = try node.int64()
            guard value >= 0, value <= Int64(teams.count) else {
                throw node.error(.invalidValue, "team \(value) is not 0 (none) or 1 to \(teams.count)")
            }
            return UInt32(value)
        }
        for agent in try node.key("agents").array() {
            try agent.onlyKeys(legacyTeams == nil ? ["id", "today", "not_ready", "staffed", "marks"] : ["id", "today", "not_ready", "marks"])
            let id = try agent.key("id").string()
            guard entries[id] == nil else { throw agent.error(.invalidValue, "agent \"\(id)\" appears twice") }
            let labels = ["handled", "talk", "hold", "wrap_up", "ring_no_answer", "transfers"] + agentDayStates.map(\.rawValue)
            let today = try agent.key("today").tuple(labels)
            var figures = AgentFigures()
            figures.handled = try today[0].count()
            figures.talk = try duration(today[1])
            figures.hold = try duration(today[2])
            figures.wrapUp = try duration(today[3])
            figures.ringNoAnswer = try today[4].count()
            figures.transfers = try today[5].count()
            for (index, state) in agentDayStates.enumerated() {
                let time = try duration(today[6 + index])
                figures[state] = time
            }
            for (reason, time) in try agent.key("not_ready").members() { figures.notReadyByReason[reason] = try duration(time) }
            // Before version 7: every stretch under the agent's team at the restore.
            let legacyTeam = legacyTeams.map { $0[id].flatMap { teamCodes[$0] } ?? 0 }
            var todayTeams = AgentDayBook.TeamTimes()
            if let legacyTeam {
                todayTeams.only = legacyTeam
            } else {
                var total: Millis = 0
                for pair in try agent.key("staffed").array() {
                    let fields = try pair.tuple(["team", "time"])
                    var code: UInt32 = 0
                    if let team = try fields[0].optionalString() {
                        guard let known = teamCodes[team] else {
                            throw fields[0].error(.invalidValue, "team \"\(team)\" is not in agent_days.teams")
                        }
                        code = known
                    }
                    let time = try duration(fields[1])
                    todayTeams.add(time, team: code, total: total)
                    total = total.adding(time)
                }
                guard total == figures.loggedIn else {
                    throw try agent.key("staffed").error(
                        .invalidValue, "staffed time \(total) ms does not add up to today's logged-in \(figures.loggedIn) ms")
                }
            }
            let marks = try agent.key("marks").map { mark throws(CheckpointError) -> AgentDayBook.Mark in
                let fields = try mark.tuple(["kind", "at", "from", "state", "reason", "talk", "hold", "wrap_up"])
                let kindValue = try fields[0].int()
                guard let kind = UInt8(exactly: kindValue).flatMap(AgentDayBook.Mark.Kind.init(rawValue:)) else {
                    throw fields[0].error(.invalidValue, "unknown mark kind \(kindValue)")
                }
                let at = try fields[1].instant()
                let from = try fields[2].instant()
                guard from <= at else { throw fields[2].error(.invalidValue, "a mark cannot start after it ends") }
                var reasonID: UInt16 = 0
                if let reason = try fields[4].optionalString() {
                    if let known = reasonIDs[reason] {
                        reasonID = known
                    } else {
                        guard reasons.count < Int(UInt16.max) - 1 else { throw fields[4].error(.invalidValue, "too many reasons") }
                        reasons.append(reason)
                        reasonID = UInt16(reasons.count)
                        reasonIDs[reason] = reasonID
                    }
                }
                let talk = try duration(fields[5])
                let second: UInt32
                if kind != .span {
                    second = AgentDayBook.clamp(try duration(fields[6]))
                } else if let legacyTeam {
                    second = legacyTeam
                } else {
                    second = try teamCode(fields[6])
                }
                return AgentDayBook.Mark(
                    at: at, first: AgentDayBook.clamp(kind == .span ? at.since(from) : talk),
                    second: second, third: AgentDayBook.clamp(try duration(fields[7])),
                    reason: reasonID, kind: kind, state: try fields[3].oneOf(AgentState.self))
            }
            entries[id] = AgentDayBook.Entry(today: figures, marks: marks, todayTeams: todayTeams)
        }
        return AgentDayBook(
            dayStart: try node.key("day_start").optionalInstant(), prunedAt: try node.optionalKey("pruned_at")?.optionalInstant(),
            entries: entries, reasons: reasons, teams: teams, keep: keep)
    }

    private static func duration(_ node: CheckpointNode) throws(CheckpointError) -> Millis {
        let value = try node.int64()
        guard value >= 0 else { throw node.error(.invalidValue, "a duration cannot be negative (\(value))") }
        return value
    }
}

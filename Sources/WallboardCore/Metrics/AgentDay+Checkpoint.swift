import JSONModel

/// ``AgentDayBook`` in the engine checkpoint (key `agent_days`), so each agent's day survives a restart:
/// `{"day_start": ms, "pruned_at": ms (the last sweep, so a restored book forgets marks when the running one
/// would), "agents": [{"id", "today": [handled, talk, hold, wrap_up, ring_no_answer, transfers,
/// available, ringing, on_contact, wrap_up_state, not_ready], "not_ready": {reason: ms}, "marks": [[kind, at, from,
/// state, reason, talk, hold, wrap_up]]}]}`, every number an integer. A checkpoint without the key (written
/// before the console) restores an empty book.
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
            "day_start": Self.encode(agentDays.dayStart), "pruned_at": Self.encode(agentDays.prunedAt), "agents": .array(agents),
        ]
    }

    static func decodeAgentDays(_ node: CheckpointNode?, keep: Millis) throws(CheckpointError) -> AgentDayBook {
        guard let node else { return AgentDayBook(keep: keep) }
        try node.onlyKeys(["day_start", "pruned_at", "agents"])
        var entries: [String: AgentDayBook.Entry] = [:]
        var reasons: [String] = []
        var reasonIDs: [String: UInt16] = [:]
        for agent in try node.key("agents").array() {
            try agent.onlyKeys(["id", "today", "not_ready", "marks"])
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
                return AgentDayBook.Mark(
                    at: at, first: AgentDayBook.clamp(kind == .span ? at.since(from) : talk),
                    second: AgentDayBook.clamp(try duration(fields[6])), third: AgentDayBook.clamp(try duration(fields[7])),
                    reason: reasonID, kind: kind, state: try fields[3].oneOf(AgentState.self))
            }
            entries[id] = AgentDayBook.Entry(today: figures, marks: marks)
        }
        return AgentDayBook(
            dayStart: try node.key("day_start").optionalInstant(), prunedAt: try node.optionalKey("pruned_at")?.optionalInstant(),
            entries: entries, reasons: reasons, keep: keep)
    }

    private static func duration(_ node: CheckpointNode) throws(CheckpointError) -> Millis {
        let value = try node.int64()
        guard value >= 0 else { throw node.error(.invalidValue, "a duration cannot be negative (\(value))") }
        return value
    }
}

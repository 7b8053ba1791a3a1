import Dispatch
import JSONC
import JSONModel
import LWS
import WallboardCore

/// `GET /api/v1/console/agents` (supervisor or admin): each agent's day, today and over each rolling window,
/// computed when asked from the engine's compact per-agent book (``AgentDayBook``), cut to the token's scope.
/// `wallboardctl agents` prints it; the console's agent table reads it.
extension WallboardAPI {
    /// Answers `request` if it is the agent-day route; returns `false` otherwise.
    func handleAgentDayRoute(_ request: HTTPRequest, respond: @escaping @Sendable (HTTPResponse) -> Void) -> Bool {
        guard request.path == "/api/v1/console/agents" else { return false }
        guard request.method == .get else {
            respond(Self.error(405, "method \(request.method.rawValue) not allowed on \(request.path)"))
            return true
        }
        if let unknown = request.query.first(where: { $0.name != "agent" }) {
            respond(Self.error(400, "unknown query parameter \"\(unknown.name)\"; use agent= (one agent's id) or none"))
            return true
        }
        let only = request.queryValue("agent")
        let scope = (principal(for: request) ?? AccessPrincipal(name: "unknown", role: .viewer, scope: .nothing)).scope
        engine.read({ engine, now in
            (rows: engine.agentDay(now: now).filter { row in
                (only == nil || row.id == only) && Self.agentVisible(row.record, scope: scope)
            }, windows: engine.configuration.windows.map(\.name), now: now)
        }) { result in
            // Off the engine queue, one agent's tree at a time: a tree of every agent (10,000 × 5 periods) took
            // hundreds of MB at once, which the allocator then kept.
            DispatchQueue.global().async {
                var text = "{\"generated_at\":" + JSONC.encode(.string(RFC3339.format(result.now))) + ",\"windows\":"
                    + JSONC.encode(.array(result.windows.map { .string($0) })) + ",\"agents\":["
                for (index, row) in result.rows.enumerated() {
                    if index > 0 { text += "," }
                    text += JSONC.encode(Self.agentDayJSON(row, windows: result.windows, now: result.now))
                }
                text += "]}"
                respond(HTTPResponse(status: 200, headers: [("cache-control", "no-store")], text: text))
                _ = HeapTrim.releaseFreePages()  // the per-agent trees, freed: give their pages back
            }
        }
        return true
    }

    /// Whether a token limited to `scope` sees the agent (the snapshot's rule: its team is listed or it serves a
    /// listed queue). An agent no longer logged in is shown to unscoped tokens only (its team is not kept).
    static func agentVisible(_ record: AgentRecord?, scope: AccessScope) -> Bool {
        guard scope.isLimited else { return true }
        guard let record else { return false }
        if let team = record.team, scope.teams?.contains(team) == true { return true }
        return record.queues.contains { scope.queues?.contains($0) == true }
    }

    /// One agent's row: who, the current state, and `periods` (`today` and each window) of ``figuresJSON(_:)``.
    static func agentDayJSON(
        _ row: (id: String, record: AgentRecord?, today: AgentFigures, windows: [String: AgentFigures]), windows: [String],
        now: Instant
    ) -> JSONValue {
        var periods = JSONObject()
        periods["today"] = figuresJSON(row.today)
        for name in windows { periods[name] = figuresJSON(row.windows[name] ?? AgentFigures()) }
        let record = row.record
        return [
            "id": .string(row.id), "name": .string(record?.name ?? row.id), "team": .optional(record?.team) { .string($0) },
            "queues": .array((record?.queues ?? []).map { .string($0) }),
            "state": .string(record?.state.rawValue ?? AgentState.offline.rawValue),
            "reason": .optional(record?.reason) { .string($0) },
            "state_since": .optional(record?.stateSince) { .string(RFC3339.format($0)) },
            "state_seconds": .optional(record?.stateSince) { .number(max(0, now.since($0)).asSeconds) },
            "periods": .object(periods),
        ]
    }

    /// The figures of one period, in seconds and ratios (`null` when there is nothing to divide by).
    static func figuresJSON(_ figures: AgentFigures) -> JSONValue {
        let states: [AgentState] = [.available, .ringing, .onContact, .wrapUp, .notReady]
        return [
            "handled": .int(figures.handled),
            "aht_seconds": .optional(figures.averageHandleTime) { .number($0 / 1000) },
            "talk_seconds": .number(figures.talk.asSeconds), "hold_seconds": .number(figures.hold.asSeconds),
            "wrap_up_seconds": .number(figures.wrapUp.asSeconds),
            "occupancy": .optional(figures.occupancy) { .number($0) },
            "utilization": .optional(figures.utilization) { .number($0) },
            "logged_in_seconds": .number(figures.loggedIn.asSeconds),
            "not_ready_seconds": .number(figures[.notReady].asSeconds),
            "not_ready_by_reason": .object(
                JSONObject(distinctKeys: figures.notReadyByReason.sorted { $0.key < $1.key }.map { ($0.key, .number($0.value.asSeconds)) })),
            "state_seconds": .object(JSONObject(distinctKeys: states.map { ($0.rawValue, .number(figures[$0].asSeconds)) })),
            "ring_no_answer": .int(figures.ringNoAnswer), "transfers": .int(figures.transfers),
        ]
    }
}

import Foundation
import JSONC
import JSONModel
import LWS
import WallboardCore

/// Silent-monitor lookups: `GET /api/v1/interactions` and `GET /api/v1/agents/{id}/interaction`
/// (supervisor or admin; every lookup is audited).
extension WallboardAPI {
    static let interactionFilters: Set<String> = ["agent", "queue", "customer", "channel"]

    /// Answers a lookup route and returns `true`, or returns `false` for any other path.
    func handleInteractionRoute(
        _ request: HTTPRequest, principal: AccessPrincipal, respond: @escaping @Sendable (HTTPResponse) -> Void
    ) -> Bool {
        let agentPrefix = "/api/v1/agents/"
        let action: String
        var filters = JSONObject()
        if request.path == "/api/v1/interactions" {
            action = "interactions.lookup"
            for (name, value) in request.query {
                guard Self.interactionFilters.contains(name) else {
                    respond(Self.error(400, "unknown query parameter \"\(name)\"; use agent, queue, customer or channel"))
                    return true
                }
                filters[name] = .string(value)
            }
        } else if request.path.hasPrefix(agentPrefix), request.path.hasSuffix("/interaction") {
            // The server hands over the path already percent-decoded, so an Asterisk agent id such as
            // `PJSIP/1001` (sent as `PJSIP%2F1001`) arrives with its slash: everything in between is the id.
            let agent = String(request.path.dropFirst(agentPrefix.count).dropLast("/interaction".count))
            guard !agent.isEmpty else {
                respond(Self.error(404, "no such endpoint: \(request.path)"))
                return true
            }
            action = "agent.interaction"
            filters["agent"] = .string(agent)
        } else {
            return false
        }
        guard request.method == .get else {
            respond(Self.error(405, "method \(request.method.rawValue) not allowed on \(request.path)"))
            return true
        }
        var channel: Channel?
        if let name = filters["channel"]?.stringValue {
            guard let parsed = Channel(rawValue: name) else {
                let known = Channel.allCases.map(\.rawValue).joined(separator: ", ")
                respond(Self.error(400, "unknown channel \"\(name)\"; one of \(known)"))
                return true
            }
            channel = parsed
        }
        let (query, channelFilter) = (filters, channel)
        let (agent, queue, customer) = (filters["agent"]?.stringValue, filters["queue"]?.stringValue, filters["customer"]?.stringValue)
        let scope = principal.scope
        let audit = access.audit
        let gate = access
        engine.read({ engine, now -> (JSONValue, Int) in
            let found = engine.interactions(agent: agent, queue: queue, customer: customer, channel: channelFilter)
                .filter { scope.allows(queue: $0.queue, team: $0.team) }
            return (.array(found.map { Self.interactionJSON($0, now: now) }), found.count)
        }) { list, count in
            let status: Int
            let body: JSONValue
            if action == "agent.interaction" {
                status = count == 0 ? 404 : 200
                body = count == 0
                    ? ["error": .string("agent \(agent ?? "") is not on a live interaction"), "agent": .optional(agent) { .string($0) }]
                    : ["agent": .optional(agent) { .string($0) }, "interaction": list.arrayValue?.first ?? .null,
                       "interactions": list]
            } else {
                status = 200
                body = ["count": .int(count), "interactions": list]
            }
            audit?.record(
                AuditLog.Entry(
                    at: gate.now, who: principal.name, role: principal.role, action: action, peer: request.peer,
                    query: query, resultCount: count, status: status))
            respond(Self.json(status, body, headers: [("cache-control", "no-store")]))
        }
        return true
    }

    /// One live interaction as the lookups return it (`docs/security.md`).
    static func interactionJSON(_ contact: LiveContact, now: Instant) -> JSONValue {
        let answered = contact.answeredAt
        let hold = contact.holdTotal + (contact.heldSince.map { max(0, now.since($0)) } ?? 0)
        return [
            "contact": .string(contact.id), "queue": .string(contact.queue), "channel": .string(contact.channel.rawValue),
            "phase": .string(contact.phase.rawValue),
            "customer": .optional(contact.customer?.id) { .string($0) },
            "segment": .optional(contact.customer?.segment) { .string($0) },
            "language": .optional(contact.language) { .string($0) }, "reason": .optional(contact.reason) { .string($0) },
            "priority": .optional(contact.priority) { .int($0) }, "repeat": .bool(contact.isRepeat),
            "agent": .optional(contact.agent) { .string($0) }, "team": .optional(contact.team) { .string($0) },
            "queued_at": .string(RFC3339.format(contact.queuedAt)),
            "answered_at": .optional(answered) { .string(RFC3339.format($0)) },
            "wait_seconds": .number(max(0, (answered ?? now).since(contact.queuedAt)).asSeconds),
            "handle_seconds": .optional(answered) { .number(max(0, (contact.endedAt ?? now).since($0)).asSeconds) },
            "hold_seconds": .number(hold.asSeconds),
            "wrap_up_seconds": .optional(contact.endedAt) { .number(max(0, now.since($0)).asSeconds) },
            "monitor": .optional(contact.monitor) { ["kind": .string($0.kind), "target": .string($0.target)] },
        ]
    }
}

import JSONC
import JSONModel
import WallboardCore

/// The `interactions` topic (supervisor console, `docs/console.md`): every live interaction (waiting,
/// connected, held, in wrap-up) with its customer, for supervisor and admin tokens only
/// (``AccessPrincipal/maySubscribe(_:)``; cut to a token's scope by ``AccessPrincipal/view(topic:_:snapshot:)``).
///
/// Like the other topics it carries instants (`queued_at`, `answered_at`, `held_since`, `ended_at`) and
/// the hold time already finished, never clock-derived seconds, so it is published only when an
/// interaction changes; the console ticks wait, handle and hold time itself. Engine queue only.
struct InteractionsTopic {
    /// The interactions as last published, oldest first.
    private var last: [LiveContact]?

    /// Forgets what was published, so the next ``update(engine:fresh:)`` publishes whole.
    mutating func reset() { last = nil }

    /// The payload when the live interactions changed since the last one (or `fresh`), else `nil`; after
    /// the first, with a delta whose `interactions` are edits of the list the client has (an unchanged
    /// interaction as its index there, docs/protocol.md "Deltas").
    mutating func update(engine: WallboardEngine, fresh: Bool) -> TopicHub.Update? {
        let now = engine.interactions()
        let previous = fresh ? nil : last
        if let previous, previous == now { return nil }
        last = now
        guard let previous else { return TopicHub.Update(dataJSON: JSONC.encode(Self.payload(now))) }
        let delta: JSONValue = ["interactions": TopicDeltas.listEdits(now, from: previous, id: \.id, json: Self.entry)]
        // The whole list only if a console needs it instead of the delta.
        return TopicHub.Update(deltaJSON: JSONC.encode(delta)) { JSONC.encode(Self.payload(now)) }
    }

    /// `{"interactions": [...]}`, each as ``entry(_:)``.
    static func payload(_ contacts: [LiveContact]) -> JSONValue {
        ["interactions": .array(contacts.map(entry))]
    }

    /// One interaction: the lookup's fields (`docs/security.md`) with instants instead of seconds.
    static func entry(_ contact: LiveContact) -> JSONValue {
        [
            "contact": .string(contact.id), "queue": .string(contact.queue), "channel": .string(contact.channel.rawValue),
            "phase": .string(contact.phase.rawValue),
            "customer": .optional(contact.customer?.id) { .string($0) },
            "segment": .optional(contact.customer?.segment) { .string($0) },
            "language": .optional(contact.language) { .string($0) }, "reason": .optional(contact.reason) { .string($0) },
            "priority": .optional(contact.priority) { .int($0) }, "repeat": .bool(contact.isRepeat),
            "agent": .optional(contact.agent) { .string($0) }, "team": .optional(contact.team) { .string($0) },
            "queued_at": .string(RFC3339.format(contact.queuedAt)),
            "answered_at": .optional(contact.answeredAt) { .string(RFC3339.format($0)) },
            "ended_at": .optional(contact.endedAt) { .string(RFC3339.format($0)) },
            "hold_ms": .int(Int(contact.holdTotal)),
            "held_since": .optional(contact.heldSince) { .string(RFC3339.format($0)) },
            "monitorable": .bool(contact.monitor != nil && contact.answeredAt != nil && contact.endedAt == nil),
        ]
    }

    /// `payload` (an `interactions` topic payload) cut to what `scope` may see: interactions of a visible
    /// queue, or handled by an agent of a listed team (the lookups' rule, ``AccessScope/allows(queue:team:)``).
    static func cut(_ payload: JSONValue, to scope: AccessScope) -> JSONValue {
        guard scope.isLimited else { return payload }
        let list = payload["interactions"]?.arrayValue ?? []
        return [
            "interactions": .array(
                list.filter { scope.allows(queue: $0["queue"]?.stringValue ?? "", team: $0["team"]?.stringValue) })
        ]
    }
}

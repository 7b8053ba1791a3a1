import JSONModel

/// The checkpoint's callback and self-service parts (format version 6): pending callbacks, open
/// self-service sessions, the call-back marks of today's abandoned contacts, their history entries and
/// window figures. A checkpoint of an earlier version has none of them: all empty.
extension WallboardEngine {
    /// Adds the callback and self-service keys to a checkpoint's root (left out when empty).
    func encodeCallbackState(into root: inout JSONObject) {
        if !pendingCallbacks.isEmpty {
            root["pending_callbacks"] = .array(
                pendingCallbacks.values.sorted { $0.contact.id < $1.contact.id }.map { pending in
                    [
                        "contact": Self.encode(pending.contact), "requested_at": Self.encode(pending.requestedAt),
                        "attempts": .int(pending.attempts), "touched_at": Self.encode(pending.touchedAt),
                    ]
                })
        }
        if !selfServiceSessions.isEmpty {
            root["self_service_sessions"] = .array(
                selfServiceSessions.values.sorted { $0.contact < $1.contact }.map {
                    [.string($0.contact), .string($0.entryPoint), Self.encode($0.enteredAt)]
                })
        }
        let marks: [JSONValue] = abandonedToday.enumerated().compactMap { index, entry in
            guard let mark = entry.calledBack else { return nil }
            return [
                .int(index), .string(mark.state.rawValue), Self.encode(mark.at), .int(mark.attempts), Self.encode(mark.agent),
                Self.encode(mark.reason),
            ]
        }
        if !marks.isEmpty { root["abandoned_called_back"] = .array(marks) }
    }

    /// The root keys ``encodeCallbackState(into:)`` may write.
    static let callbackCheckpointKeys: Set<String> = ["pending_callbacks", "self_service_sessions", "abandoned_called_back"]

    /// Restores what ``encodeCallbackState(into:)`` wrote (after `abandonedToday`).
    mutating func decodeCallbackState(_ root: CheckpointNode) throws(CheckpointError) {
        for node in try root.optionalKey("pending_callbacks")?.array() ?? [] {
            try node.onlyKeys(["contact", "requested_at", "attempts", "touched_at"])
            let pending = PendingCallback(
                contact: try Self.decodeContact(node.key("contact")), requestedAt: try node.key("requested_at").instant(),
                attempts: try node.key("attempts").count(), touchedAt: try node.key("touched_at").instant())
            guard pendingCallbacks[pending.contact.id] == nil, contacts[pending.contact.id] == nil else {
                throw node.error(.invalidValue, "contact \"\(pending.contact.id)\" appears twice")
            }
            pendingCallbacks[pending.contact.id] = pending
        }
        for node in try root.optionalKey("self_service_sessions")?.array() ?? [] {
            let f = try node.tuple(["contact", "entry_point", "entered_at"])
            let session = SelfServiceSession(contact: try f[0].string(), entryPoint: try f[1].string(), enteredAt: try f[2].instant())
            guard selfServiceSessions[session.contact] == nil else {
                throw node.error(.invalidValue, "contact \"\(session.contact)\" appears twice")
            }
            selfServiceSessions[session.contact] = session
        }
        for node in try root.optionalKey("abandoned_called_back")?.array() ?? [] {
            let f = try node.tuple(["index", "state", "at", "attempts", "agent", "reason"])
            let index = try f[0].count()
            guard index < abandonedToday.count else {
                throw f[0].error(.invalidValue, "index \(index) is past the \(abandonedToday.count) abandoned contacts")
            }
            abandonedToday[index].calledBack = CallBackMark(
                state: try f[1].oneOf(CallBackMark.State.self), at: try f[2].instant(), attempts: try f[3].count(),
                agent: try f[4].optionalString(), reason: try f[5].optionalString())
        }
    }

    /// A callback or self-service history entry as a tuple (see ``decodeCallbackEntry(kind:_:)``).
    static func encodeCallbackEntry(_ entry: TimelineEntry) -> JSONValue? {
        switch entry {
        case .callback(let r):
            return [
                "callback", .string(r.contact), .string(r.queue), .string(r.channel.rawValue), .string(r.kind.rawValue),
                encode(r.at), .integer(r.wait), encode(r.reason), encode(r.agent), encode(r.team), encode(r.segment),
                encode(r.language),
            ]
        case .selfService(let r):
            return ["self_service", .string(r.contact), .string(r.entryPoint), .string(r.outcome.rawValue), encode(r.at), encode(r.reason)]
        default:
            return nil
        }
    }

    /// The entry of kind `kind` stored by ``encodeCallbackEntry(_:)``, or `nil` for another kind.
    static func decodeCallbackEntry(kind: String, _ node: CheckpointNode) throws(CheckpointError) -> TimelineEntry? {
        switch kind {
        case "callback":
            let f = try node.tuple([
                "kind", "contact", "queue", "channel", "callback", "at", "wait", "reason", "agent", "team", "segment",
                "language",
            ])
            return .callback(
                CallbackRecord(
                    contact: try f[1].string(), queue: try f[2].string(), channel: try f[3].oneOf(Channel.self),
                    kind: try f[4].oneOf(CallbackRecord.Kind.self), at: try f[5].instant(), wait: try f[6].int64(),
                    reason: try f[7].optionalString(), agent: try f[8].optionalString(), team: try f[9].optionalString(),
                    segment: try f[10].optionalString(), language: try f[11].optionalString()))
        case "self_service":
            let f = try node.tuple(["kind", "contact", "entry_point", "outcome", "at", "reason"])
            return .selfService(
                SelfServiceRecord(
                    contact: try f[1].string(), entryPoint: try f[2].string(),
                    outcome: try f[3].oneOf(SelfServiceRecord.Outcome.self), at: try f[4].instant(),
                    reason: try f[5].optionalString()))
        default:
            return nil
        }
    }

    /// A window's callback and self-service figures, added to its stored object when not empty.
    static func encodeCallbackFigures(_ metrics: WindowMetrics, into object: inout JSONObject) {
        let callbacks = metrics.callbacks
        if !callbacks.isEmpty {
            var stored: JSONObject = [
                "requested": .int(callbacks.requested), "attempted": .int(callbacks.attempted),
                "connected": .int(callbacks.connected), "failed": .int(callbacks.failed), "expired": .int(callbacks.expired),
                "within": .int(callbacks.connectedWithinThreshold), "total_wait": .integer(callbacks.totalWait),
            ]
            if let maxWait = callbacks.maxWait { stored["max_wait"] = .integer(maxWait) }
            if !callbacks.failedReasons.isEmpty { stored["failed_reasons"] = counts(callbacks.failedReasons) }
            object["callbacks"] = .object(stored)
        }
        if !metrics.selfService.entryPoints.isEmpty {
            var points = JSONObject()
            for (entryPoint, c) in metrics.selfService.entryPoints.sorted(by: { $0.key < $1.key }) {
                points[entryPoint] = [
                    .int(c.entered), .int(c.selfServed), .int(c.reachedQueue), .int(c.expired), counts(c.reasons),
                ]
            }
            object["self_service"] = .object(points)
        }
    }

    /// Reads the member `name` of a stored window into `metrics` when it is a callback or self-service
    /// one; false for any other member.
    static func decodeCallbackFigures(_ name: String, _ value: CheckpointNode, into metrics: inout WindowMetrics)
        throws(CheckpointError) -> Bool
    {
        switch name {
        case "callbacks":
            try value.onlyKeys(["requested", "attempted", "connected", "failed", "expired", "within", "total_wait", "max_wait", "failed_reasons"])
            var c = CallbackFigures()
            c.requested = try value.key("requested").count()
            c.attempted = try value.key("attempted").count()
            c.connected = try value.key("connected").count()
            c.failed = try value.key("failed").count()
            c.expired = try value.key("expired").count()
            c.connectedWithinThreshold = try value.key("within").count()
            c.totalWait = try value.key("total_wait").int64()
            c.maxWait = try value.optionalKey("max_wait")?.int64()
            c.failedReasons = try decodeCounts(value.optionalKey("failed_reasons"))
            metrics.callbacks = c
        case "self_service":
            var figures = SelfServiceFigures()
            for (entryPoint, node) in try value.members() {
                let f = try node.tuple(["entered", "self_served", "reached_queue", "expired", "reasons"])
                var c = SelfServiceCounts()
                c.entered = try f[0].count()
                c.selfServed = try f[1].count()
                c.reachedQueue = try f[2].count()
                c.expired = try f[3].count()
                c.reasons = try decodeCounts(f[4])
                figures.entryPoints[entryPoint] = c
            }
            metrics.selfService = figures
        default:
            return false
        }
        return true
    }

    private static func counts(_ mix: [String: Int]) -> JSONValue {
        var members = JSONObject()
        for (key, count) in mix.sorted(by: { $0.key < $1.key }) { members[key] = .int(count) }
        return .object(members)
    }

    private static func decodeCounts(_ node: CheckpointNode?) throws(CheckpointError) -> [String: Int] {
        var result: [String: Int] = [:]
        for (key, count) in try node?.members() ?? [] { result[key] = try count.count() }
        return result
    }
}

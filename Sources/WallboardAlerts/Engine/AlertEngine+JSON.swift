import JSONModel
import WallboardCore

extension AlertEngine {
    /// The body of `GET /api/v1/alerts` and the `alerts` topic: active alerts (most severe first) and
    /// today's resolved ones (newest first).
    public func listJSON() -> JSONValue {
        ["active": .array(activeAlerts.map(\.json)), "resolved_today": .array(history.reversed().map(\.json))]
    }

    /// Everything needed to carry on after a restart: active alerts, today's history, refire guards.
    public func stateJSON() -> JSONValue {
        var guards = JSONObject()
        for key in lastResolvedAt.keys.sorted() { guards[key] = .integer(lastResolvedAt[key]!.milliseconds) }
        return [
            "version": 1, "active": .array(active.keys.sorted().map { active[$0]!.json }),
            "history": .array(history.map(\.json)), "last_resolved_ms": .object(guards),
        ]
    }

    /// Instants an RFC 3339 timestamp can name (0000-01-01 to 9999-12-31), in milliseconds since the epoch.
    static let storableMilliseconds: ClosedRange<Int64> = -62_167_219_200_000...253_402_300_799_999

    /// Restores ``stateJSON()`` output. Alerts of rules that no longer exist are kept until the next
    /// ``evaluate(snapshot:now:)`` or ``replaceRules(_:now:)``, which resolves them.
    public mutating func restore(from json: JSONValue) throws(AlertStateError) {
        guard json["version"]?.integerValue == 1 else { throw AlertStateError(reason: "unsupported version") }
        var active: [String: Alert] = [:]
        for item in json["active"]?.arrayValue ?? [] {
            guard let alert = Alert(json: item) else { throw AlertStateError(reason: "malformed active alert") }
            active[alert.fingerprint] = alert
        }
        var history: [Alert] = []
        for item in json["history"]?.arrayValue ?? [] {
            guard let alert = Alert(json: item) else { throw AlertStateError(reason: "malformed history alert") }
            history.append(alert)
        }
        var guards: [String: Instant] = [:]
        for member in json["last_resolved_ms"]?.objectValue?.members ?? [] {
            guard let millis = member.value.integerValue else {
                throw AlertStateError(reason: "malformed refire guard")
            }
            // Read back from disk: keep it where `now.since(guard)` cannot overflow (years 0000-9999, as RFC 3339).
            guard Self.storableMilliseconds.contains(millis) else {
                throw AlertStateError(reason: "refire guard \(member.key) out of range: \(millis) ms")
            }
            guards[member.key] = Instant(milliseconds: millis)
        }
        self.active = active
        self.history = history
        self.lastResolvedAt = guards
    }
}

/// A checkpoint that cannot be restored (the engine then starts empty; the server logs `reason`).
public struct AlertStateError: Error, Sendable, Equatable {
    public var reason: String
}

import JSONModel
import WallboardCore

extension Outbox {
    /// The persisted form: pending deliveries (with their requests), dead letters and delivered ids.
    /// Leases are kept: after a restart an in-flight delivery is sent again once its lease ends.
    public var json: JSONValue {
        [
            "version": 1, "pending": .array(pending.map(\.json)), "dead_letters": .array(deadLetters.map(\.json)),
            "delivered_ids": .array(deliveredIDs.map(JSONValue.string)),
        ]
    }

    /// Restores ``json`` under `policy` (the config's, which may have changed since).
    public init(json: JSONValue, policy: OutboxPolicy = OutboxPolicy()) throws(AlertStateError) {
        self.init(policy: policy)
        guard json["version"]?.integerValue == 1 else { throw AlertStateError(reason: "unsupported outbox version") }
        for item in json["pending"]?.arrayValue ?? [] {
            guard let delivery = Delivery(json: item) else { throw AlertStateError(reason: "malformed delivery") }
            pending.append(delivery)
        }
        for item in json["dead_letters"]?.arrayValue ?? [] {
            guard let delivery = Delivery(json: item) else { throw AlertStateError(reason: "malformed dead letter") }
            deadLetters.append(delivery)
        }
        deliveredIDs = json["delivered_ids"]?.arrayValue?.compactMap(\.stringValue) ?? []
    }
}

extension Delivery {
    /// The delivery as stored in the outbox file and listed by the dead-letter log.
    public var json: JSONValue {
        var headers = JSONObject()
        for header in request.headers { headers[header.name] = .string(header.value) }
        func time(_ instant: Instant?) -> JSONValue { .optional(instant) { .string(RFC3339.format($0)) } }
        return [
            "id": .string(id), "notifier": .string(notifier), "alert_id": .string(alertID),
            "event": .string(event.rawValue),
            "request": [
                "method": .string(request.method), "url": .string(request.url), "headers": .object(headers),
                "body": request.body,
            ],
            "created_at": time(createdAt), "attempts": .int(attempts), "next_attempt_at": time(nextAttemptAt),
            "leased_until": time(leasedUntil), "last_error": .optional(lastError, JSONValue.string),
            "dead_at": time(deadAt),
        ]
    }

    /// Reads a stored delivery. Times are RFC 3339 with four-digit years (so bounded); a negative attempt
    /// count reads as 0. A retry time or lease far ahead is pulled in by ``Outbox/claimDue(now:)``.
    init?(json: JSONValue) {
        func time(_ key: String) -> Instant? { json[key]?.stringValue.flatMap(RFC3339.parse) }
        guard let id = json["id"]?.stringValue, let notifier = json["notifier"]?.stringValue,
            let alertID = json["alert_id"]?.stringValue,
            let event = json["event"]?.stringValue.flatMap(AlertEvent.init(rawValue:)),
            let request = json["request"], let method = request["method"]?.stringValue,
            let url = request["url"]?.stringValue, let body = request["body"],
            let createdAt = time("created_at"), let nextAttemptAt = time("next_attempt_at"),
            let attempts = json["attempts"]?.integerValue
        else { return nil }
        let headers = (request["headers"]?.objectValue?.members ?? []).map {
            NotificationRequest.Header($0.key, $0.value.stringValue ?? "")
        }
        self.init(
            id: id, notifier: notifier, alertID: alertID, event: event,
            request: NotificationRequest(method: method, url: url, headers: headers, body: body), createdAt: createdAt,
            attempts: Int(clamping: max(attempts, 0)), nextAttemptAt: nextAttemptAt, leasedUntil: time("leased_until"),
            lastError: json["last_error"]?.stringValue, deadAt: time("dead_at"))
    }
}

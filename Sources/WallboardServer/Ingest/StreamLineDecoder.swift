import JSONC
import JSONModel
import WallboardCore

/// Turns one stream line into an event or a per-line error, with the same rules as
/// ``EventBatchDecoder`` (UTF-8, JSON, then `EventDecoder`), except that a stream line must hold
/// exactly one event object: a JSON array is rejected (send arrays to `POST /api/v1/events`).
enum StreamLineDecoder {
    /// What one input line became.
    enum Decoded: Sendable {
        /// Blank (spaces/tabs only): a keep-alive; no reply.
        case blank
        case event(Event)
        /// Could not become an event; `id` when the line had a string `id`.
        case error(id: String?, code: String, reason: String, rejection: EventRejection)
    }

    /// The reply code for a line longer than the limit.
    static let lineTooLongCode = EventRejection.Code.lineTooLong.rawValue

    static func decode(_ raw: ArraySlice<UInt8>, limits: EventLimits = .standard) -> Decoded {
        let json: JSONValue
        switch NDJSONLine(raw) {
        case .blank: return .blank
        case .invalid(let rejection): return failure(nil, rejection)
        case .json(let value): json = value
        }
        if json.arrayValue != nil {
            return failure(
                nil,
                EventRejection(.notAnObject, "a stream line must be one JSON event object, not an array (POST arrays to /api/v1/events)"))
        }
        do {
            return .event(try EventDecoder.decode(json, limits: limits))
        } catch {
            return failure(EventDecoder.quotableID(of: json, limits: limits), error)
        }
    }

    /// A line over `limit` bytes: never buffered whole, so its length is not known.
    static func tooLong(limit: Int) -> Decoded {
        failure(nil, EventBatchDecoder.lineTooLong(nil, limit: limit))
    }

    private static func failure(_ id: String?, _ rejection: EventRejection) -> Decoded {
        .error(id: id, code: rejection.code.rawValue, reason: rejection.message, rejection: rejection)
    }
}

/// One NDJSON reply line of the stream protocol (see `docs/ingest.md`).
enum StreamReply {
    enum Status: String {
        case accepted, duplicate, held, rejected
        case notStored = "not_stored"
    }

    static func line(_ number: Int, _ status: Status, id: String?, code: String? = nil, reason: String? = nil) -> [UInt8] {
        var object: JSONObject = ["line": .int(number), "status": .string(status.rawValue)]
        if let id { object["id"] = .string(id) }
        if let code { object["code"] = .string(code) }
        if let reason { object["reason"] = .string(reason) }
        return Array(JSONC.encode(.object(object)).utf8) + [UInt8(ascii: "\n")]
    }
}

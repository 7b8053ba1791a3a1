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

    /// Decodes one line (without its newline), read in place with `parser` (the connection's own).
    static func decode(_ raw: UnsafeRawBufferPointer, parser: JSONCParser?, limits: EventLimits = .standard) -> Decoded {
        let outcome = NDJSONLine.read(raw, parser: parser) { json -> Decoded in
            if json.arrayCount != nil {
                return failure(
                    nil,
                    EventRejection(.notAnObject, "a stream line must be one JSON event object, not an array (POST arrays to /api/v1/events)"))
            }
            do throws(EventRejection) {
                return .event(try EventDecoder.decode(readable: json, limits: limits))
            } catch {
                return failure(EventDecoder.quotableID(readable: json, limits: limits), error)
            }
        }
        switch outcome {
        case .blank: return .blank
        case .invalid(let rejection): return failure(nil, rejection)
        case .parsed(let decoded): return decoded
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
        /// The token line was accepted.
        case authenticated
        case notStored = "not_stored"
    }

    /// Appends the reply line (`{"line":N,"status":S,"id":...,"code":...,"reason":...}` and a newline)
    /// to `bytes`: written straight into the connection's outbox, the same text as encoding the object
    /// with json-c.
    static func append(
        to bytes: inout [UInt8], _ number: Int, _ status: Status, id: String?, code: String? = nil, reason: String? = nil
    ) {
        bytes.append(contentsOf: lineKey)
        JSONTextWriter.appendInteger(Int64(number), to: &bytes)
        bytes.append(contentsOf: statusKey)
        JSONTextWriter.appendString(status.rawValue, to: &bytes)
        if let id {
            bytes.append(contentsOf: idKey)
            JSONTextWriter.appendString(id, to: &bytes)
        }
        if let code {
            bytes.append(contentsOf: codeKey)
            JSONTextWriter.appendString(code, to: &bytes)
        }
        if let reason {
            bytes.append(contentsOf: reasonKey)
            JSONTextWriter.appendString(reason, to: &bytes)
        }
        bytes.append(contentsOf: [UInt8(ascii: "}"), UInt8(ascii: "\n")])
    }

    /// One reply line on its own (tests, and the shape `append` writes).
    static func line(_ number: Int, _ status: Status, id: String?, code: String? = nil, reason: String? = nil) -> [UInt8] {
        var bytes: [UInt8] = []
        append(to: &bytes, number, status, id: id, code: code, reason: reason)
        return bytes
    }

    private static let lineKey: [UInt8] = Array(#"{"line":"#.utf8)
    private static let statusKey: [UInt8] = Array(#","status":"#.utf8)
    private static let idKey: [UInt8] = Array(#","id":"#.utf8)
    private static let codeKey: [UInt8] = Array(#","code":"#.utf8)
    private static let reasonKey: [UInt8] = Array(#","reason":"#.utf8)
}

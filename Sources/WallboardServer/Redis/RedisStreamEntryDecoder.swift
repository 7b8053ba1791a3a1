import JSONC
import JSONModel
import Redis
import WallboardCore

/// Turns stream entries into events: the entry's `event` field holds the event's canonical JSON
/// (as the sink writes it), and the entry id's milliseconds are the time the event was received.
enum RedisStreamEntryDecoder {
    /// The field holding the event.
    static let eventField = "event"

    /// Why an entry is not an event.
    struct Malformed: Error, CustomStringConvertible {
        let id: StreamID
        let message: String
        /// The engine's reason, when the JSON was an object but not a valid event.
        var rejection: EventRejection?
        var description: String { "stream entry \(id): \(message)" }
    }

    /// The event and when it was received (the entry id's time), or why not.
    static func decode(_ entry: StreamEntry, limits: EventLimits) -> Result<(Event, Instant), Malformed> {
        guard var bytes = entry.value(eventField) else {
            let names = entry.fields.map { PrintableText.escaping($0.name, limit: 40) }.joined(separator: ", ")
            return .failure(Malformed(id: entry.id, message: "no \"\(eventField)\" field (fields: \(names))"))
        }
        let json: JSONValue
        do {
            json = try JSONC.parse(bytes: &bytes)
        } catch {
            return .failure(Malformed(id: entry.id, message: "\"\(eventField)\" is not JSON: \(error)"))
        }
        do {
            let event = try EventDecoder.decode(json, limits: limits)
            let receivedAt = Instant(milliseconds: Int64(clamping: entry.id.milliseconds))
            return .success((event, receivedAt))
        } catch {
            return .failure(Malformed(id: entry.id, message: "not a valid event: \(error)", rejection: error))
        }
    }
}
